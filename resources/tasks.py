"""Celery tasks of the catalogue: thin wrappers around its services."""

import logging

from celery import shared_task
from django.conf import settings

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
    from resources import semantic

    return semantic.embed_one(kind, pk)
