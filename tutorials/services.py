"""Launching, running, cancelling and reaping training runs.

The web side (``launch_run``, ``cancel_run``) never imports torch: demo specs come from
``tutorials.demos.specs``, and the task is sent by name. The worker side (``execute_run``)
claims a run with one conditional UPDATE, so a duplicate delivery does nothing.
"""

import logging
import math
import numbers
import time
import traceback
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tutorials import demos
from tutorials.demos.base import ParamError, validate
from tutorials.models import TrainingRun

logger = logging.getLogger(__name__)

Status = TrainingRun.Status
TASK_NAME = "tutorials.run_training"


class LaunchRefused(Exception):
    """The user may not start a run now; ``message`` says why, ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 429, code: str = "limit"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


class InvalidParams(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# --- demo specs ---------------------------------------------------------------------------------


def demo_names() -> list[str]:
    return sorted(demos.DEMO_NAMES)


def demo_spec(name: str) -> list:
    return list(demos.get_params(name))


def validate_params(demo: str, raw: dict) -> dict:
    """Every parameter of ``demo``, checked and completed with the defaults; InvalidParams
    (field name -> messages) otherwise."""
    try:
        return validate(demos.get_params(demo), raw)
    except ParamError as exc:
        raise InvalidParams(exc.errors) from None


def launch_params(demo: str, raw: dict, tutorial=None) -> dict:
    """The parameters a run of ``demo`` launched with ``raw`` uses: the tutorial's own defaults
    (``Tutorial.demo_defaults``) under what the learner sent, then the demo's defaults, checked."""
    return validate_params(demo, {**((tutorial.demo_defaults or {}) if tutorial else {}), **raw})


def limits(demo: str) -> tuple[int, int]:
    """(soft, hard) time limits in seconds for one run of ``demo``."""
    soft = settings.TRAINING_TIME_LIMITS.get(demo, settings.TRAINING_TIME_LIMITS["default"])
    return soft, soft + 30


# --- web side ----------------------------------------------------------------------------------


@dataclass
class Quota:
    active: int
    last_hour: int
    queued_globally: int


def quota_for(user) -> Quota:
    since = timezone.now() - timedelta(hours=1)
    mine = TrainingRun.objects.filter(owner=user)
    return Quota(
        active=mine.active().count(),
        last_hour=mine.filter(created_at__gte=since).count(),
        queued_globally=TrainingRun.objects.filter(status=Status.QUEUED).count(),
    )


def check_fair_use(user) -> None:
    quota = quota_for(user)
    if quota.active >= settings.TRAINING_MAX_ACTIVE_PER_USER:
        raise LaunchRefused(
            _("You already have %(n)d runs queued or running; wait for one to finish.") % {"n": quota.active}
        )
    if quota.last_hour >= settings.TRAINING_MAX_PER_HOUR:
        raise LaunchRefused(
            _("You have started %(n)d runs in the last hour, the most allowed; try again later.")
            % {"n": quota.last_hour}
        )
    if quota.queued_globally >= settings.TRAINING_QUEUE_CAP:
        raise LaunchRefused(
            _("The training queue is busy; try again in a few minutes."), status=503, code="busy"
        )


def broker_reachable() -> bool:
    from portal.health import check_broker

    return check_broker()["ok"]


def training_queue(demo: str) -> str:
    """The queue a run of ``demo`` goes to, from the demo's ``GPU`` declaration.

    A demo that needs or prefers a GPU goes to the GPU trainers while the settings say some run
    (``TRAINING_GPU_TRAINERS``); one that merely accepts a GPU always goes to the CPU trainers, so
    a quick MLP run never waits behind BERT runs for a GPU. A demo that needs a GPU where none is
    refuses to launch (:func:`launch_run`).
    """
    use = demos.gpu_use(demo)
    if use == "needs" or (use == "prefers" and settings.TRAINING_GPU_TRAINERS):
        return settings.TRAINING_GPU_QUEUE
    return settings.TRAINING_QUEUE


#: The key of the PostgreSQL advisory lock that launches take in turn (ASCII "runs").
LAUNCH_LOCK_KEY = 0x72756E73


def _serialise_launches() -> None:
    """Inside a transaction: wait until no other launch, in any process, is between its fair-use
    checks and its insert; the lock is held until this transaction ends.

    Counting the runs and then inserting one is a read followed by a write: two web processes
    could each count one run short of a limit and both insert. PostgreSQL takes a transaction-
    scoped advisory lock; SQLite takes its single write lock at once with a write that matches
    no row (a transaction there otherwise starts as a reader and only later asks to write).
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LAUNCH_LOCK_KEY])
            return
    # A status no row can have (the check constraint), so the UPDATE writes nothing.
    TrainingRun.objects.filter(status="").update(status=F("status"))


def launch_run(user, demo: str, raw_params: dict, *, tutorial=None, is_public: bool = False) -> TrainingRun:
    """Create a queued run and send its task, to the demo's queue, once the row is committed.

    ``raw_params`` may leave parameters out: the tutorial's defaults, then the demo's, fill them
    in (:func:`launch_params`); this is the one place a launch's parameters are checked against
    the demo's spec, for the page and the API alike. Raises InvalidParams (400), LaunchRefused
    (429 or 503). If the broker cannot take the task,
    the row is deleted again and LaunchRefused(503) is raised: no run is left behind. The fair-use
    checks and the insert happen under one lock (:func:`_serialise_launches`), so the limits hold
    exactly however many web processes launch at once.
    """
    if demo not in demos.DEMO_NAMES:
        raise InvalidParams({"demo": [_("Unknown demo.")]})
    params = launch_params(demo, raw_params, tutorial)
    queue = training_queue(demo)
    if queue == settings.TRAINING_GPU_QUEUE and not settings.TRAINING_GPU_TRAINERS:
        message = _("This demo needs a GPU, and none is available here.")
        raise LaunchRefused(message, status=503, code="no_gpu")
    if not broker_reachable():
        raise LaunchRefused(
            _("The training service is unavailable; try again later."), status=503, code="broker"
        )
    failures: list[Exception] = []
    with transaction.atomic():
        _serialise_launches()
        check_fair_use(user)
        run = TrainingRun.objects.create(
            owner=user, demo=demo, params=params, tutorial=tutorial, is_public=is_public, queue=queue
        )
        transaction.on_commit(lambda: _dispatch(run, failures))
    if failures:
        raise LaunchRefused(
            _("The training service is unavailable; try again later."), status=503, code="broker"
        )
    return run


def _dispatch(run: TrainingRun, failures: list) -> None:
    from portal.celery import app

    soft, hard = limits(run.demo)
    try:
        result = app.send_task(
            TASK_NAME,
            args=[str(run.pk)],
            queue=run.queue or settings.TRAINING_QUEUE,
            soft_time_limit=soft,
            time_limit=hard,
            retry=False,
        )
    except Exception as exc:
        logger.warning("could not send run %s to the broker: %s", run.pk, exc)
        TrainingRun.objects.filter(pk=run.pk).delete()
        failures.append(exc)
        return
    TrainingRun.objects.filter(pk=run.pk).update(task_id=result.id)
    run.task_id = result.id


@dataclass
class QueuePlace:
    """Where a queued run stands: ``position`` 1 is next; ``wait_seconds`` None when unknown."""

    position: int
    ahead: int
    trainers_busy: int
    wait_seconds: int | None


#: How many recent successful runs of a demo give its typical duration.
DURATION_SAMPLE = 20


def typical_durations(demos) -> dict[str, float]:
    """The median duration in seconds of each demo's recent successful runs (absent: no history)."""
    durations: dict[str, float] = {}
    for demo in set(demos):
        rows = (
            TrainingRun.objects.filter(demo=demo, status=Status.SUCCEEDED, started_at__isnull=False)
            .exclude(finished_at=None)
            .order_by("-finished_at")
            .values_list("started_at", "finished_at")[:DURATION_SAMPLE]
        )
        seconds = sorted((end - start).total_seconds() for start, end in rows)
        if seconds:
            durations[demo] = seconds[len(seconds) // 2]
    return durations


def queue_place(run: TrainingRun) -> QueuePlace | None:
    """The run's place in its queue and an estimate of its wait; None unless the run is queued.

    The queue is first in, first out (one message per run, trainers prefetch one): the runs ahead
    are the queued runs of the same queue created before it. The wait is the time until the first
    busy trainer frees up plus the typical durations of the runs ahead shared among the busy
    trainers (when the queue is not empty, every trainer that serves it is busy).
    """
    if run.status != Status.QUEUED:
        return None
    same_queue = TrainingRun.objects.filter(queue=run.queue)
    ahead_by_demo = dict(
        same_queue.filter(status=Status.QUEUED)
        .filter(Q(created_at__lt=run.created_at) | Q(created_at=run.created_at, pk__lt=run.pk))
        .values_list("demo")
        .annotate(n=Count("pk"))
        .values_list("demo", "n")
    )
    running = list(same_queue.filter(status=Status.RUNNING).values_list("demo", "progress"))
    ahead = sum(ahead_by_demo.values())
    typical = typical_durations([run.demo, *ahead_by_demo, *(demo for demo, _ in running)])
    wait: float | None = None
    needed = set(ahead_by_demo) | {demo for demo, _ in running}
    if needed <= set(typical):
        first_free = min((typical[d] * (1 - (p or 0)) for d, p in running), default=0.0)
        wait = first_free + sum(typical[d] * n for d, n in ahead_by_demo.items()) / max(1, len(running))
    return QueuePlace(
        position=ahead + 1,
        ahead=ahead,
        trainers_busy=len(running),
        wait_seconds=None if wait is None else round(wait),
    )


def ordinal(n: int) -> str:
    """``n`` as an ordinal in the active language ("3rd"; in Chinese "第 3")."""
    last = 0 if 10 <= n % 100 <= 20 else n % 10
    if last == 1:
        suffix = pgettext("ordinal suffix", "st")
    elif last == 2:
        suffix = pgettext("ordinal suffix", "nd")
    elif last == 3:
        suffix = pgettext("ordinal suffix", "rd")
    else:
        suffix = pgettext("ordinal suffix", "th")
    return pgettext("ordinal number", "%(n)d%(suffix)s") % {"n": n, "suffix": suffix}


def describe_place(place: QueuePlace | None) -> str:
    """A queued run's place for people: "3rd in line, about 2 minutes"; empty when not queued."""
    if place is None:
        return ""
    where = (
        _("next in line")
        if place.position == 1
        else _("%(ordinal)s in line") % {"ordinal": ordinal(place.position)}
    )
    if place.wait_seconds is None:
        return where
    if place.wait_seconds < 60:
        wait = _("less than a minute")
    else:
        minutes = round(place.wait_seconds / 60)
        wait = ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
    return _("%(place)s, %(wait)s") % {"place": where, "wait": wait}


def cancel_run(run: TrainingRun) -> TrainingRun:
    """Cancel a queued run at once; ask a running one to stop (the worker polls the flag)."""
    now = timezone.now()
    TrainingRun.objects.filter(pk=run.pk).move(
        Status.QUEUED,
        Status.CANCELLED,
        cancel_requested=True,
        finished_at=now,
        error=_("Cancelled before it started."),
    )
    TrainingRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


# --- worker side -------------------------------------------------------------------------------


def claim(run_id: str, worker: str, task_id: str = "") -> bool:
    """Take a run for this worker with one conditional UPDATE; False means someone else has it.

    A queued run is claimed; so is a running one whose heartbeat went stale (its worker died and
    the broker redelivered the task). A duplicate delivery of a live run finds neither.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.TRAINING_HEARTBEAT_STALE_SECONDS)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=stale)
    updated = (
        TrainingRun.objects.filter(claimable, pk=run_id, cancel_requested=False)
        .filter(attempts__lt=settings.TRAINING_MAX_ATTEMPTS)
        .move(
            (Status.QUEUED, Status.RUNNING),
            Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=worker,
            attempts=F("attempts") + 1,
            progress=0.0,
            step=0,
            metrics=[],
            samples=[],
            error="",
            **({"task_id": task_id} if task_id else {}),
        )
    )
    return updated == 1


class Curve:
    """The points of a run's chart, bounded in number and faithful at any length.

    Every point that carries validation metrics is kept. Training points (a batch's loss only)
    are kept on a grid of fixed stride: a step is kept when it is a multiple of the stride, and
    when more than ``max_train`` such points are held, the stride doubles and the points off the
    new grid are dropped. The survivors stay evenly spaced over the whole run, whatever its
    length, and the chart drawn live is the chart stored at the end. The first training point
    and the latest one are kept too, so the curve starts at the start and reaches the present.
    """

    def __init__(self, max_train: int = 1000):
        self.max_train = max_train
        self.stride = 1
        self.first: dict | None = None
        self.grid: list[dict] = []
        self.latest: dict | None = None
        self.validation: list[dict] = []

    def add(self, point: dict) -> None:
        if set(point) - {"step", "epoch", "loss"}:
            self.validation.append(point)
            return
        if self.first is None:
            self.first = point
            return
        self.latest = point
        if point["step"] % self.stride == 0:
            self.grid.append(point)
            if len(self.grid) > self.max_train:
                self.stride *= 2
                self.grid = [p for p in self.grid if p["step"] % self.stride == 0]

    def points(self) -> list[dict]:
        """Every kept point, in step order (a validation point before a training one at the same step)."""
        training = [p for p in (self.first, *self.grid) if p is not None]
        if self.latest is not None and (not training or self.latest is not training[-1]):
            training.append(self.latest)
        merged = [(p["step"], 0, p) for p in self.validation] + [(p["step"], 1, p) for p in training]
        merged.sort(key=lambda item: item[:2])
        return [p for _, _, p in merged]


class Reporter:
    """Receives progress from a demo and writes it to the run's row a few times a second.

    The chart's points go through a :class:`Curve`, so a long run keeps its whole history.
    """

    MAX_TRAIN_POINTS = 1000

    def __init__(self, run_id, interval: float | None = None, shutting_down=None):
        self.run_id = run_id
        self.interval = settings.TRAINING_PROGRESS_INTERVAL if interval is None else interval
        # Asked by the worker when it is shutting down; True stops the training like a cancel,
        # but execute_run then puts the run back in the queue instead of ending it.
        self.shutting_down = shutting_down or (lambda: False)
        self.interrupted = False
        self.curve = Curve(self.MAX_TRAIN_POINTS)
        self.samples: list[dict] = []
        self.state: dict = {}
        self._last_write: float | None = None  # the first event is always written
        self._last_cancel_check: float | None = None
        self._cancelled = False
        self.writes = 0

    def __call__(self, event: dict) -> None:
        total = int(event.get("total_steps") or self.state.get("total_steps") or 0)
        step = int(event.get("step", self.state.get("step", 0)))
        self.state.update(
            step=step, total_steps=total, epoch=int(event.get("epoch", self.state.get("epoch", 0)))
        )
        if "device" in event:
            self.state["device"] = str(event["device"])
        if "loss" in event or event.get("metrics"):
            point = {"step": step, "epoch": self.state["epoch"]}
            if "loss" in event:
                point["loss"] = finite(event["loss"])
            point.update(finite(dict(event.get("metrics") or {})))
            self.curve.add(point)
        if event.get("sample"):
            self.samples = [*self.samples[-9:], {"step": step, "text": str(event["sample"])}]
        now = time.monotonic()
        due = self._last_write is None or now - self._last_write >= self.interval
        if due or (total and step >= total):
            self.flush()

    @property
    def metrics(self) -> list[dict]:
        return self.curve.points()

    def flush(self) -> None:
        total = self.state.get("total_steps") or 0
        fields = {
            "step": self.state.get("step", 0),
            "total_steps": total,
            "epoch": self.state.get("epoch", 0),
            "progress": min(1.0, self.state.get("step", 0) / total) if total else 0.0,
            "metrics": self.metrics,
            "samples": self.samples,
            "heartbeat_at": timezone.now(),
        }
        if "device" in self.state:
            fields["device"] = self.state["device"]
        TrainingRun.objects.filter(pk=self.run_id, status=Status.RUNNING).update(**fields)
        self._last_write = time.monotonic()
        self.writes += 1

    def should_stop(self) -> bool:
        if not self._cancelled and self.shutting_down():
            self.interrupted = True
            return True
        now = time.monotonic()
        due = (
            self._last_cancel_check is None
            or now - self._last_cancel_check >= settings.TRAINING_CANCEL_POLL_SECONDS
        )
        if not self._cancelled and due:
            self._last_cancel_check = now
            self._cancelled = TrainingRun.objects.filter(pk=self.run_id, cancel_requested=True).exists()
        return self._cancelled


REQUEUED = "requeued"


def execute_run(run_id: str, worker: str = "", task_id: str = "", shutting_down=None) -> str:
    """Run a claimed training to its end state; returns the final status, "skipped", "busy" or "requeued".

    ``shutting_down`` is a callable the worker passes in: once it returns True (a warm shutdown
    has begun), the training stops at its next step, the run goes back to queued
    (:func:`requeue`) and "requeued" is returned, so that the task can put its message back.
    """
    from tutorials.demos import get_demo
    from tutorials.demos.base import Cancelled

    shutting_down = shutting_down or (lambda: False)
    if shutting_down():
        return REQUEUED
    if not claim(run_id, worker, task_id):
        current = TrainingRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        if current == Status.RUNNING:
            # Held by a worker whose heartbeat is still fresh: a duplicate delivery, or a
            # redelivery that came before the dead worker's heartbeat went stale.
            return "busy"
        logger.info("run %s: nothing to do here (status %s)", run_id, current)
        return "skipped"
    run = TrainingRun.objects.get(pk=run_id)
    reporter = Reporter(run.pk, shutting_down=shutting_down)
    try:
        outcome = get_demo(run.demo).train(run.params, reporter, reporter.should_stop)
    except Cancelled:
        if reporter.interrupted:
            if requeue(run.pk, worker):
                logger.warning("run %s: the worker is shutting down; the run goes back to the queue", run_id)
                return REQUEUED
            if not TrainingRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
                logger.warning("run %s: stopped for the shutdown, but no longer held by %s", run_id, worker)
                return "skipped"
        _flush_quietly(reporter)
        _finish(run.pk, Status.CANCELLED, error=_("Cancelled by its owner."))
        return Status.CANCELLED
    except Exception as exc:
        from celery.exceptions import SoftTimeLimitExceeded

        _flush_quietly(reporter)
        if isinstance(exc, SoftTimeLimitExceeded):
            message = _("Stopped: the run went past its time limit.")
        else:
            logger.exception("run %s failed", run_id)
            message = f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        _finish(run.pk, Status.FAILED, error=message[:4000])
        return Status.FAILED
    reporter.state["step"] = reporter.state.get("total_steps") or reporter.state.get("step", 0)
    reporter.flush()
    finished = _finish(
        run.pk,
        Status.SUCCEEDED,
        final_metrics=finite(outcome.get("metrics", {})),
        results=finite(outcome.get("results", {})),
        device=str(outcome.get("device", reporter.state.get("device", ""))),
        progress=1.0,
    )
    if finished:
        announce_success(run)
    return Status.SUCCEEDED


def announce_success(run: TrainingRun) -> None:
    """Tell listeners (learning paths' progress) that a run succeeded; their errors are logged only."""
    from tutorials.signals import run_succeeded

    answers = run_succeeded.send_robust(
        sender=TrainingRun, run_id=run.pk, owner_id=run.owner_id, demo=run.demo, tutorial_id=run.tutorial_id
    )
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error("run %s: a run_succeeded receiver failed: %r (%s)", run.pk, answer, receiver)


def _flush_quietly(reporter: Reporter) -> None:
    """Write the last progress; a failure here must not keep the run from its end state."""
    try:
        reporter.flush()
    except Exception:
        logger.exception("run %s: could not write the last progress", reporter.run_id)


def finite(value):
    """``value`` made fit for JSON, at any depth: a NaN or infinite number (a diverged loss)
    becomes None, a non-integer number (numpy's too) a plain float; the one cleaner of recorded
    values, for what the worker stores and what the page and the API send."""
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def requeue(run_id, worker: str) -> bool:
    """Put a run this worker holds back to queued, as if it had never started (running → queued).

    The attempt is not counted: a deploy is not the run's fault. A cancel that arrived meanwhile
    wins (the run is then cancelled by execute_run as usual). False when nothing was changed.
    """
    updated = TrainingRun.objects.filter(pk=run_id, worker=worker, cancel_requested=False).move(
        Status.RUNNING,
        Status.QUEUED,
        attempts=Greatest(F("attempts") - 1, Value(0)),
        started_at=None,
        heartbeat_at=None,
        worker="",
        progress=0.0,
        step=0,
        epoch=0,
        metrics=[],
        samples=[],
    )
    return updated == 1


def _finish(run_id, status: str, **fields) -> bool:
    """Move a running run to its end state; False when it was no longer running."""
    if status not in TrainingRun.FINISHED:
        raise ValueError(f"{status} is not an end state")
    updated = TrainingRun.objects.filter(pk=run_id).move(
        Status.RUNNING, status, finished_at=timezone.now(), **fields
    )
    return updated == 1


def reap_stale_runs(now=None) -> dict:
    """Fail runs whose worker vanished (no heartbeat) or that never started; nothing stays active forever."""
    now = now or timezone.now()
    vanished = TrainingRun.objects.filter(
        Q(heartbeat_at__lt=now - timedelta(seconds=settings.TRAINING_REAP_AFTER_SECONDS))
        | Q(heartbeat_at__isnull=True)
    ).move(
        Status.RUNNING, Status.FAILED, finished_at=now, error=_("The worker running this stopped answering.")
    )
    never_started = TrainingRun.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.TRAINING_QUEUED_EXPIRY_SECONDS)
    ).move(Status.QUEUED, Status.FAILED, finished_at=now, error=_("No worker took this run in time."))
    if vanished or never_started:
        logger.warning("reaped %d vanished and %d never-started runs", vanished, never_started)
    return {"vanished": vanished, "never_started": never_started}
