"""The hand-back a warm shutdown performs, in this process: requeue, and what a cancel changes.

The worker-process version is test_worker_shutdown.py; these pin the service's rules down.
"""

import pytest

from tests.factories import TrainingRunFactory, UserFactory
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.services, pytest.mark.django_db]

Status = TrainingRun.Status
WORKER = "celery@test-host"


def queued_run(**fields) -> TrainingRun:
    return TrainingRunFactory(owner=UserFactory(), demo="mlp_digits", params={"epochs": 1}, **fields)


class AfterCalls:
    """A shutting_down() that turns True after ``n`` calls: the shutdown comes mid-training."""

    def __init__(self, n: int):
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls > self.n


def test_a_shutdown_mid_training_puts_the_run_back_to_queued():
    run = queued_run()
    outcome = services.execute_run(str(run.pk), worker=WORKER, task_id="t1", shutting_down=AfterCalls(3))
    assert outcome == services.REQUEUED
    run.refresh_from_db()
    assert run.status == Status.QUEUED
    assert (run.attempts, run.worker, run.step, run.progress) == (0, "", 0, 0.0)
    assert run.started_at is None and run.heartbeat_at is None and run.finished_at is None
    assert Status.QUEUED in TrainingRun.TRANSITIONS[Status.RUNNING]
    # The next delivery trains it from the start, to the end.
    assert services.execute_run(str(run.pk), worker="celery@other", task_id="t1") == Status.SUCCEEDED
    run.refresh_from_db()
    assert (run.status, run.attempts, run.worker) == (Status.SUCCEEDED, 1, "celery@other")


def test_a_delivery_during_shutdown_does_not_claim_the_run():
    run = queued_run()
    assert services.execute_run(str(run.pk), worker=WORKER, shutting_down=lambda: True) == services.REQUEUED
    run.refresh_from_db()
    assert (run.status, run.attempts, run.worker) == (Status.QUEUED, 0, "")


def test_a_cancel_that_arrives_with_the_shutdown_wins():
    run = queued_run()
    shutdown = AfterCalls(3)

    def shutting_down() -> bool:
        if shutdown():
            TrainingRun.objects.filter(pk=run.pk).update(cancel_requested=True)
            return True
        return False

    assert services.execute_run(str(run.pk), worker=WORKER, shutting_down=shutting_down) == Status.CANCELLED
    run.refresh_from_db()
    assert run.status == Status.CANCELLED and run.error == "Cancelled by its owner."


def test_only_the_holding_worker_requeues():
    run = queued_run()
    assert services.claim(str(run.pk), WORKER)
    assert services.requeue(run.pk, "celery@someone-else") is False
    assert services.requeue(run.pk, WORKER) is True
    assert services.requeue(run.pk, WORKER) is False  # already queued
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Status.QUEUED, 0)
