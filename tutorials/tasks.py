"""Celery tasks of the tutorials: thin wrappers that take an id and call a service."""

import logging

from celery import shared_task
from celery.signals import worker_init
from django.conf import settings

from tutorials import services

logger = logging.getLogger(__name__)


@worker_init.connect
def import_torch_once(**_):
    """Import the demos (and so torch) in the worker's parent process, before the pool forks."""
    from tutorials import demos

    for name in demos.DEMOS:
        demos.get_demo(name)


@shared_task(
    bind=True,
    name=services.TASK_NAME,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def run_training(self, run_id: str) -> str:
    outcome = services.execute_run(run_id, worker=self.request.hostname or "", task_id=self.request.id or "")
    if outcome == "busy":
        # Try again once a dead worker's heartbeat has gone stale; a live one finishes first.
        raise self.retry(countdown=settings.TRAINING_HEARTBEAT_STALE_SECONDS + 1)
    return outcome


@shared_task(name="tutorials.reap_stale_runs", time_limit=60, soft_time_limit=50)
def reap_stale_runs() -> dict:
    return services.reap_stale_runs()
