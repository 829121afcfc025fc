"""Celery tasks of the catalogue: thin wrappers around its services."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from resources import semantic
from resources.models import Status
from resources.sync import SyncBusy, sync

log = logging.getLogger(__name__)


@shared_task(name="resources.sync_deadlines", time_limit=30 * 60, soft_time_limit=25 * 60)
def sync_deadlines() -> str:
    """The beat job: sync from DEADLINE_SYNC_PATHS, storing every valid entry (a bad upstream
    entry is reported, not allowed to hold back every other change)."""
    if not settings.DEADLINE_SYNC_PATHS:
        return "DEADLINE_SYNC_PATHS is not set: nothing to sync"
    try:
        run, report = sync(settings.DEADLINE_SYNC_PATHS, skip_invalid=True)
    except SyncBusy as exc:
        log.info("%s", exc)
        return str(exc)
    log.info("deadline sync %s: %s", run.pk, report.summary())
    return report.summary()


@shared_task(name="resources.embed_item", time_limit=5 * 60, soft_time_limit=4 * 60, ignore_result=True)
def embed_item(kind: str, pk: int) -> str:
    """Compute (or confirm) one item's sentence embedding after its save committed."""
    return semantic.embed_one(kind, pk)


def _dispatch(kind: str, pk: int) -> None:
    try:
        embed_item.delay(kind, pk)
    except Exception:  # a broker that is down must not break the save; `manage.py embed` catches up
        log.warning("could not queue the embedding of %s #%s", kind, pk, exc_info=True)


def item_saved(sender, instance, raw=False, **kwargs) -> None:
    """post_save of every model: for an embeddable one, bump the index version (an item may have
    been unpublished) and queue its embedding once the transaction commits."""
    if raw:
        return
    kind = semantic.kind_of(sender)
    if kind is None:
        return
    transaction.on_commit(semantic.bump_version)
    if getattr(settings, "EMBEDDINGS_ON_SAVE", True) and instance.status == Status.PUBLISHED:
        pk = instance.pk
        transaction.on_commit(lambda: _dispatch(kind, pk))
