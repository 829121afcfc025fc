"""Celery tasks of the tutorials: thin wrappers that take an id and call a service.

Warm shutdown (SIGTERM to the worker, as ``docker compose stop`` or a deploy sends it): Celery
would wait for a training to end, which may take half an hour, and a hard kill after the grace
period would leave the run "running" until the reaper failed it. Instead the worker's main
process raises a flag shared with its pool children (a byte of shared memory made before the
pool forks); a training polls it at every step (``Reporter.should_stop``), stops within a
step, is put back to queued (``services.requeue``, running → queued) and its message goes back
to the broker (``Reject(requeue=True)``; the task is ``acks_late``), so the next worker trains
it again from the start. A child that receives SIGTERM itself (a stop that signals the whole
process group, such as systemd's default) does the same while it trains, and otherwise exits
as before. A SIGKILL gives no such chance: then ``reject_on_worker_lost`` (a lost child) or the
periodic ``reap_stale_runs`` (a lost worker) takes over.
"""

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager

from billiard.process import current_process
from celery import shared_task
from celery.exceptions import Reject
from celery.signals import worker_init, worker_shutting_down
from django.conf import settings

from tutorials import services

logger = logging.getLogger(__name__)

# Set in the worker's main process before the pool forks, so that every child shares it.
_shutdown = None


def torch_threads(concurrency: int, cpus: int | None = None) -> int:
    """PyTorch's intra-op threads for each pool child (``TRAINING_TORCH_THREADS``, or worked out).

    Left alone, every child takes one thread per CPU: two children on two CPUs would run four
    threads, and the worker's main process, PostgreSQL (progress writes) and the web server
    would preempt them in the middle of each parallel step. Measured on 2 CPUs, the digits demo
    took 1.05 s per run through the worker with 2 threads against 0.49 s with 1
    (benchmarks/README.md).
    """
    if settings.TRAINING_TORCH_THREADS:
        return settings.TRAINING_TORCH_THREADS
    cpus = cpus or os.cpu_count() or 1
    return max(1, (cpus - 1) // max(1, concurrency))


@worker_init.connect
def import_torch_once(sender=None, **_):
    """Import the demos (and so torch) in the worker's parent process, before the pool forks,
    and set the threads each training may use (the children inherit the setting)."""
    global _shutdown
    _shutdown = multiprocessing.RawValue(ctypes.c_bool, False)
    from tutorials import demos

    for name in demos.DEMO_NAMES:
        demos.get_demo(name)
    import torch

    threads = torch_threads(getattr(sender, "concurrency", None) or 1)
    torch.set_num_threads(threads)
    logger.info("trainings use %d PyTorch thread(s) each", threads)


@worker_shutting_down.connect
def stop_trainings_on_shutdown(**_):
    """In the main process, on warm or cold shutdown: ask every training to hand its run back."""
    if _shutdown is not None:
        _shutdown.value = True


@contextmanager
def _sigterm_stops_training():
    """While a pool child trains, SIGTERM sets the shutdown flag instead of ending the child.

    Billiard installs its own SIGTERM handler (exit at once) in every child; it is put back as
    soon as the training returns, so an idle child still ends on SIGTERM as before.
    """

    flag = _shutdown

    def on_term(signum, frame):
        flag.value = True

    # Only in a prefork child: outside a worker there is no flag, the main process (solo pool)
    # keeps Celery's own handler, and a threads pool cannot set handlers off the main thread.
    swap = (
        flag is not None
        and current_process().name != "MainProcess"
        and threading.current_thread() is threading.main_thread()
    )
    if not swap:
        yield
        return
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def shutting_down() -> bool:
    return bool(_shutdown is not None and _shutdown.value)


@shared_task(
    bind=True,
    name=services.TASK_NAME,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def run_training(self, run_id: str) -> str:
    """Train one run to its end state; a warm shutdown of the worker hands the run back instead.

    On SIGTERM (to the worker, or to its whole process group) the training stops at its next
    step, the run goes from running back to queued without counting the attempt, and
    ``Reject(requeue=True)`` returns this message to the broker, so the next worker trains the
    run again from the start. A duplicate delivery of a run a live worker holds retries later.
    """
    with _sigterm_stops_training():
        outcome = services.execute_run(
            run_id,
            worker=self.request.hostname or "",
            task_id=self.request.id or "",
            shutting_down=shutting_down,
        )
    if outcome == services.REQUEUED:
        raise Reject(f"run {run_id}: the worker is shutting down", requeue=True)
    if outcome == "busy":
        # Try again once a dead worker's heartbeat has gone stale; a live one finishes first.
        raise self.retry(countdown=settings.TRAINING_HEARTBEAT_STALE_SECONDS + 1)
    return outcome


@shared_task(name="tutorials.reap_stale_runs", time_limit=60, soft_time_limit=50)
def reap_stale_runs() -> dict:
    return services.reap_stale_runs()
