"""Training runs through a real Celery worker process: success, progress, cancel, a killed worker."""

import os
import signal
import time

import pytest

from tests.factories import UserFactory
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Short enough that a redelivered run is taken over within seconds of its worker dying.
WORKER_ENV = {"TRAINING_HEARTBEAT_STALE_SECONDS": "3"}
Status = TrainingRun.Status


def wait_for(run, condition, timeout, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if condition(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run stayed {run.status} (step {run.step}) for {timeout}s\n{worker.log()}")


def watch(run, worker, timeout=240):
    """Poll the run until it ends; return the distinct steps seen while it ran."""
    seen_steps = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        seen_steps.add(run.step)
        if run.is_finished:
            return seen_steps
        # Progress is written every TRAINING_PROGRESS_INTERVAL (0.3 s); on a quiet machine the
        # digits demo trains in about a second, so a slower poll could see only its start and end.
        time.sleep(0.02)
    raise AssertionError(f"run stayed {run.status}\n{worker.log()}")


def assert_learned_digits(run, seen_steps, worker):
    assert run.status == Status.SUCCEEDED, run.error + worker.log()
    assert run.final_metrics["val_accuracy"] >= 0.97
    assert len(seen_steps) >= 3  # progress arrived while it ran, not only at the end
    assert run.metrics and run.metrics[-1]["step"] > run.metrics[0]["step"]
    assert run.device.startswith(("cpu", "cuda"))
    assert run.results["confusion_matrix"]
    assert run.attempts == 1 and run.progress == 1.0


def test_mlp_digits_launched_from_the_web_form_succeeds_on_defaults(celery_worker_process, client):
    from tests.factories import TutorialFactory
    from tests.helpers import launch_form_data

    tutorial = TutorialFactory(demo="mlp_digits")
    client.force_login(UserFactory())
    response = client.post(tutorial.get_absolute_url(), launch_form_data("mlp_digits"))
    assert response.status_code == 302
    run = TrainingRun.objects.get()
    assert_learned_digits(run, watch(run, celery_worker_process), celery_worker_process)


def test_mlp_digits_launched_through_the_api_succeeds_on_defaults(celery_worker_process):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=UserFactory()).key}")
    response = api.post("/api/v1/runs/", {"demo": "mlp_digits", "params": {}}, format="json")
    assert response.status_code == 201, response.content
    run = TrainingRun.objects.get(pk=response.json()["id"])
    seen_steps = watch(run, celery_worker_process)
    assert_learned_digits(run, seen_steps, celery_worker_process)
    body = api.get(f"/api/v1/runs/{run.pk}/").json()
    assert body["status"] == "succeeded" and body["final_metrics"]["val_accuracy"] >= 0.97


def test_cancel_a_running_bert_finetune_within_seconds(celery_worker_process):
    run = services.launch_run(UserFactory(), "bert_finetune", {"epochs": 3})
    wait_for(run, lambda r: r.status == Status.RUNNING and r.step > 0, 240, celery_worker_process)
    asked = time.monotonic()
    services.cancel_run(run)
    wait_for(run, lambda r: r.is_finished, 30, celery_worker_process)
    assert run.status == Status.CANCELLED
    assert time.monotonic() - asked < 15


def test_a_killed_worker_child_does_not_leave_the_run_stuck(celery_worker_process):
    run = services.launch_run(UserFactory(), "mlp_digits", {"epochs": 40})
    wait_for(run, lambda r: r.status == Status.RUNNING and r.step > 0, 120, celery_worker_process)
    children = celery_worker_process.children()
    assert children, "the prefork pool has no child process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    # reject_on_worker_lost puts the task back; the new child takes the run over once the
    # dead one's heartbeat is stale, and trains it to the end.
    wait_for(run, lambda r: r.is_finished, 240, celery_worker_process)
    assert run.status == Status.SUCCEEDED, run.error
    assert run.attempts == 2


def test_the_periodic_reaper_runs_on_the_worker(celery_worker_process):
    """What beat sends: the task must be accepted by the broker and run (time limits consistent)."""
    from tutorials.tasks import reap_stale_runs

    assert reap_stale_runs.delay().get(timeout=60) == {"vanished": 0, "never_started": 0}


def test_the_worker_sets_the_pytorch_threads_of_its_trainings(celery_worker_process):
    from tutorials.tasks import torch_threads

    log = celery_worker_process.log_path.read_text(errors="replace")
    assert f"trainings use {torch_threads(1)} PyTorch thread(s) each" in log
