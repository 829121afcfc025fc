"""A worker stopped while it trains: warm shutdown hands the run back; a SIGKILL leaves it to the reaper.

Both run on either leg (filesystem broker and SQLite, or Redis and PostgreSQL): the worker, beat
and the run are real; only the way the worker dies changes.
"""

import os
import signal

import pytest

from tests.factories import UserFactory
from tests.processes import BeatProcess, start_worker, wait_until
from tests.processes import one_thread_worker_env as worker_env
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

Status = TrainingRun.Status
# A dead worker's heartbeat counts as stale after 3 s (so a redelivery may take the run over).
STALE = {"TRAINING_HEARTBEAT_STALE_SECONDS": "3"}


def fresh(run: TrainingRun) -> TrainingRun:
    run.refresh_from_db()
    return run


def training(run: TrainingRun):
    return fresh(run).status == Status.RUNNING and run.step > 0


def wait_exit(worker, timeout: float) -> int:
    wait_until(lambda: worker.proc.poll() is not None, timeout, "the worker did not exit", log=worker.log)
    return worker.proc.returncode


@pytest.mark.parametrize("target", ["main process", "process group"])
def test_warm_shutdown_puts_the_running_run_back_in_the_queue(target, processes, tmp_path):
    """SIGTERM (docker stop: the main process; systemd: the whole group) while a run trains."""
    first = start_worker(worker_env(**STALE), tmp_path / "first.log")
    processes.append(first)
    run = services.launch_run(UserFactory(), "mlp_digits", {"epochs": 30})
    wait_until(lambda: training(run), 240, "the run never started training", log=first.log)
    first_host = fresh(run).worker

    if target == "main process":
        os.kill(first.proc.pid, signal.SIGTERM)
    else:
        os.killpg(first.proc.pid, signal.SIGTERM)
    # Warm shutdown waits for the task; the training must stop on its own within a step.
    wait_exit(first, 120)
    fresh(run)
    assert run.status == Status.QUEUED, f"{run.status}: {run.error}\n{first.log()}"
    assert (run.worker, run.step, run.started_at, run.heartbeat_at) == ("", 0, None, None)
    assert run.attempts == 0  # a deploy is not counted against the run's attempts
    assert "shutting down" in first.log()

    second = start_worker(worker_env(**STALE), tmp_path / "second.log")
    processes.append(second)
    wait_until(lambda: fresh(run).is_finished, 300, "the requeued run did not finish", log=second.log)
    assert run.status == Status.SUCCEEDED, run.error + second.log()
    assert run.worker != first_host and run.worker.startswith(second.hostname.split("@")[0])
    assert run.attempts == 1 and run.progress == 1.0
    assert run.final_metrics["val_accuracy"] > 0.5


def test_a_killed_worker_group_ends_the_run_with_a_reason(processes, tmp_path):
    """SIGKILL to the worker's whole process group mid-run; a new worker and beat take over."""
    first = start_worker(worker_env(**STALE), tmp_path / "first.log")
    processes.append(first)
    run = services.launch_run(UserFactory(), "mlp_digits", {"epochs": 200, "batch_size": 1})
    wait_until(lambda: training(run), 240, "the run never started training", log=first.log)

    os.killpg(first.proc.pid, signal.SIGKILL)
    wait_exit(first, 30)
    assert fresh(run).status == Status.RUNNING  # nobody could say otherwise: the worker is gone

    # The periodic reaper, every 2 s, fails runs whose heartbeat is 5 s old.
    reaper = {"TRAINING_REAP_EVERY": "2", "TRAINING_REAP_AFTER_SECONDS": "5", **STALE}
    folder = tmp_path / "beat"
    folder.mkdir()
    beat = BeatProcess(worker_env(**reaper), folder)
    processes.append(beat)
    second = start_worker(worker_env(**reaper), tmp_path / "second.log")
    processes.append(second)
    wait_until(
        lambda: fresh(run).is_finished,
        300,
        "the run was left active after its worker was killed",
        log=lambda: second.log() + beat.log(),
    )
    if run.status == Status.SUCCEEDED:  # the broker redelivered it and the new worker trained it
        assert run.attempts == 2
    else:
        assert run.status == Status.FAILED, run.status
        assert run.error == "The worker running this stopped answering."
        assert run.finished_at is not None
        assert "tutorials.reap_stale_runs" in beat.log()
