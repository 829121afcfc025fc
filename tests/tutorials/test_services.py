"""Launching, claiming, progress, cancelling and reaping runs, without a worker process."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from portal.celery import app
from tests.factories import TrainingRunFactory, UserFactory
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db

Status = TrainingRun.Status


def test_out_of_bounds_parameters_are_field_errors_and_leave_no_row(reader):
    with pytest.raises(services.InvalidParams) as caught:
        services.launch_run(reader, "mlp_digits", {"learning_rate": -1, "epochs": "many", "colour": "red"})
    assert {"learning_rate", "epochs", "colour"} <= set(caught.value.errors)
    assert not TrainingRun.objects.exists()


def test_unknown_demo(reader):
    with pytest.raises(services.InvalidParams) as caught:
        services.launch_run(reader, "no_such_demo", {})
    assert "demo" in caught.value.errors


def test_unreachable_broker_is_a_503_and_leaves_no_row(reader, monkeypatch):
    # A real broker URL where nothing listens (Celery reads CELERY_BROKER_URL from the environment).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(app.conf, "broker_transport_options", {})
    assert app.conf.broker_url == "redis://127.0.0.1:9/0"
    with pytest.raises(services.LaunchRefused) as caught:
        services.launch_run(reader, "mlp_digits", {})
    assert caught.value.status == 503
    assert not TrainingRun.objects.exists()


def test_fair_use_limits(reader, settings):
    settings.TRAINING_MAX_ACTIVE_PER_USER = 1
    TrainingRunFactory(owner=reader, demo="mlp_digits", status=Status.RUNNING)
    with pytest.raises(services.LaunchRefused) as caught:
        services.check_fair_use(reader)
    assert caught.value.status == 429

    settings.TRAINING_MAX_ACTIVE_PER_USER = 5
    settings.TRAINING_MAX_PER_HOUR = 1
    with pytest.raises(services.LaunchRefused, match="last hour"):
        services.check_fair_use(reader)

    settings.TRAINING_MAX_PER_HOUR = 50
    settings.TRAINING_QUEUE_CAP = 1
    TrainingRunFactory(owner=UserFactory(), demo="mlp_digits")
    with pytest.raises(services.LaunchRefused) as caught:
        services.check_fair_use(reader)
    assert (caught.value.status, caught.value.code) == (503, "busy")


def test_claim_is_taken_once(reader):
    run = TrainingRunFactory(owner=reader, demo="mlp_digits")
    assert services.claim(run.pk, "worker-a") is True
    assert services.claim(run.pk, "worker-b") is False  # a duplicate delivery does nothing
    run.refresh_from_db()
    assert (run.status, run.worker, run.attempts) == (Status.RUNNING, "worker-a", 1)


def test_a_stale_running_run_can_be_claimed_again(reader, settings):
    stale = timezone.now() - timedelta(seconds=settings.TRAINING_HEARTBEAT_STALE_SECONDS + 5)
    run = TrainingRunFactory(owner=reader, demo="mlp_digits", status=Status.RUNNING, heartbeat_at=stale)
    run.attempts = 1
    run.save()
    assert services.claim(run.pk, "worker-b") is True
    run.refresh_from_db()
    assert (run.worker, run.attempts) == ("worker-b", 2)


def test_finished_and_cancel_requested_runs_are_not_claimed(reader):
    done = TrainingRunFactory(owner=reader, demo="mlp_digits", status=Status.SUCCEEDED)
    cancelled = TrainingRunFactory(owner=reader, demo="mlp_digits", cancel_requested=True)
    assert services.claim(done.pk, "w") is False
    assert services.claim(cancelled.pk, "w") is False


def test_reporter_throttles_writes_and_keeps_the_series(reader):
    run = TrainingRunFactory(owner=reader, demo="mlp_digits")
    services.claim(run.pk, "w")
    reporter = services.Reporter(run.pk, interval=3600)
    reporter({"step": 0, "total_steps": 100, "epoch": 0, "device": "cpu"})
    for step in range(1, 100):
        reporter({"step": step, "total_steps": 100, "epoch": 1, "loss": 1.0 / step})
    assert reporter.writes == 1  # the first event only; the interval holds the rest back
    reporter({"step": 100, "total_steps": 100, "epoch": 1, "loss": 0.001, "metrics": {"val_accuracy": 0.9}})
    assert reporter.writes == 2  # the last step is always written
    run.refresh_from_db()
    assert run.progress == 1.0 and run.device == "cpu"
    assert len(run.metrics) == 100 and run.metrics[-1]["val_accuracy"] == 0.9


def _gaps(steps: list[int]) -> tuple[int, float]:
    gaps = [b - a for a, b in pairwise(steps)]
    return max(gaps), sum(gaps) / len(gaps)


def _assert_faithful(points: list[dict], last_step: int, epochs_done: int, steps_per_epoch: int):
    validation = [p["step"] for p in points if "val_accuracy" in p]
    assert validation == [steps_per_epoch * epoch for epoch in range(1, epochs_done + 1)]
    steps = [p["step"] for p in points]
    assert steps == sorted(steps) and steps[0] == 1 and steps[-1] == last_step
    training = [p["step"] for p in points if "val_accuracy" not in p]
    biggest, mean = _gaps(training)
    assert biggest <= 2 * mean, (biggest, mean)
    biggest, mean = _gaps(steps)
    assert biggest <= 2 * mean, (biggest, mean)
    assert len(training) <= services.Reporter.MAX_TRAIN_POINTS + 2


def test_a_long_run_keeps_every_validation_point_and_an_even_curve(reader):
    """mlp_digits, 120 epochs of 180 batches (batch size 8): 21,600 steps, 120 evaluations."""
    epochs, per_epoch = 120, 180
    total = epochs * per_epoch
    run = TrainingRunFactory(owner=reader, demo="mlp_digits")
    services.claim(run.pk, "w")
    reporter = services.Reporter(run.pk, interval=3600)
    reporter({"step": 0, "total_steps": total, "epoch": 0, "device": "cpu"})
    for step in range(1, total + 1):
        epoch = (step - 1) // per_epoch + 1
        event = {"step": step, "total_steps": total, "epoch": epoch, "loss": 2.0 / step**0.5}
        if step % per_epoch == 0:
            event["metrics"] = {"val_loss": 1.0 / epoch, "val_accuracy": 1 - 0.5 / epoch}
        reporter(event)
        if step == 9_999:  # what the live chart draws part-way through
            _assert_faithful(reporter.metrics, 9_999, 55, per_epoch)
    run.refresh_from_db()  # the last step is always written: the stored curve is the final one
    assert run.step == total
    _assert_faithful(run.metrics, total, epochs, per_epoch)
    assert len(run.metrics) <= services.Reporter.MAX_TRAIN_POINTS + epochs + 2


def test_the_curve_keeps_a_short_run_whole():
    curve = services.Curve(max_train=1000)
    for step in range(1, 301):
        curve.add({"step": step, "epoch": 1, "loss": 1.0})
    assert [p["step"] for p in curve.points()] == list(range(1, 301))


def test_cancel_a_queued_run_at_once(reader):
    run = TrainingRunFactory(owner=reader, demo="mlp_digits")
    run = services.cancel_run(run)
    assert run.status == Status.CANCELLED and run.finished_at is not None


def test_cancel_a_running_run_sets_the_flag(reader):
    run = TrainingRunFactory(owner=reader, demo="mlp_digits")
    services.claim(run.pk, "w")
    run = services.cancel_run(run)
    assert run.status == Status.RUNNING and run.cancel_requested
    reporter = services.Reporter(run.pk)
    assert reporter.should_stop() is True


def test_reaper_fails_vanished_and_expired_runs(reader, settings):
    now = timezone.now()
    vanished = TrainingRunFactory(
        owner=reader,
        demo="mlp_digits",
        status=Status.RUNNING,
        heartbeat_at=now - timedelta(seconds=settings.TRAINING_REAP_AFTER_SECONDS + 1),
    )
    alive = TrainingRunFactory(owner=reader, demo="mlp_digits", status=Status.RUNNING, heartbeat_at=now)
    old_queued = TrainingRunFactory(owner=reader, demo="mlp_digits")
    TrainingRun.objects.filter(pk=old_queued.pk).update(
        created_at=now - timedelta(seconds=settings.TRAINING_QUEUED_EXPIRY_SECONDS + 1)
    )
    assert services.reap_stale_runs(now=now) == {"vanished": 1, "never_started": 1}
    statuses = dict(TrainingRun.objects.values_list("pk", "status"))
    assert statuses[vanished.pk] == Status.FAILED
    assert statuses[alive.pk] == Status.RUNNING
    assert statuses[old_queued.pk] == Status.FAILED


# --- queues: each demo's GPU declaration routes its runs -----------------------------------------


def take_message(queue: str) -> dict | None:
    """Take one message off ``queue`` on the configured broker (filesystem folder or Redis)."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        message = channel.basic_get(queue, no_ack=True)
        return None if message is None else message.headers


def drain(queue: str) -> None:
    while take_message(queue) is not None:
        pass


@pytest.mark.parametrize(
    ("gpu_trainers", "expected"),
    [
        (False, {"mlp_digits": "training", "bert_finetune": "training", "tiny_gpt": "training"}),
        (True, {"mlp_digits": "training", "bert_finetune": "training-gpu", "tiny_gpt": "training-gpu"}),
    ],
)
def test_a_demo_that_merely_accepts_a_gpu_never_goes_to_the_gpu_queue(settings, gpu_trainers, expected):
    settings.TRAINING_GPU_TRAINERS = gpu_trainers
    assert {demo: services.training_queue(demo) for demo in expected} == expected


def test_each_demo_declares_its_gpu_use_as_its_module_does():
    from tutorials import demos

    for name in demos.DEMO_NAMES:
        assert demos.gpu_use(name) == demos.get_demo(name).GPU in demos.GPU_USES


def test_a_demo_that_needs_a_gpu_is_refused_where_there_is_none(reader, settings, monkeypatch):
    from tutorials import demos

    settings.TRAINING_GPU_TRAINERS = False
    monkeypatch.setattr(demos, "gpu_use", lambda name: "needs")
    with pytest.raises(services.LaunchRefused) as caught:
        services.launch_run(reader, "mlp_digits", {})
    assert (caught.value.status, caught.value.code) == (503, "no_gpu")
    assert not TrainingRun.objects.exists()


def test_a_launch_sends_its_task_to_its_demos_queue(reader, settings, django_capture_on_commit_callbacks):
    settings.TRAINING_GPU_TRAINERS = True
    for queue in ("training", "training-gpu"):
        drain(queue)
    with django_capture_on_commit_callbacks(execute=True):
        mlp = services.launch_run(reader, "mlp_digits", {})
        bert = services.launch_run(reader, "bert_finetune", {})
    assert (mlp.queue, bert.queue) == ("training", "training-gpu")
    assert take_message("training")["id"] == mlp.task_id
    assert take_message("training-gpu")["id"] == bert.task_id
    assert take_message("training") is None and take_message("training-gpu") is None


def launch_at_once(users) -> list[str]:
    """Each user launches in a thread of its own (its own database connection), all at once."""
    import threading

    from django.db import connection

    start = threading.Barrier(len(users))
    outcomes: list[str] = []

    def launch(who):
        start.wait()
        try:
            services.launch_run(who, "mlp_digits", {})
            outcomes.append("ok")
        except services.LaunchRefused as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=launch, args=(who,)) for who in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_parallel_launches_never_pass_the_active_run_limit(settings):
    settings.TRAINING_MAX_ACTIVE_PER_USER = 3
    user = UserFactory()
    assert launch_at_once([user] * 10) == ["limit"] * 7 + ["ok"] * 3
    assert TrainingRun.objects.filter(owner=user).count() == 3
    drain("training")


@pytest.mark.django_db(transaction=True)
def test_parallel_launches_never_pass_the_queue_cap(settings):
    settings.TRAINING_QUEUE_CAP = 5
    for _ in range(3):
        TrainingRunFactory(owner=UserFactory(), demo="mlp_digits")
    outcomes = launch_at_once([UserFactory() for _ in range(8)])
    assert outcomes == ["busy"] * 6 + ["ok"] * 2
    assert TrainingRun.objects.filter(status=Status.QUEUED).count() == 5
    drain("training")


# --- a queued run's place in line ----------------------------------------------------------------


def finished_run(owner, demo: str, seconds: float, queue: str = "training") -> TrainingRun:
    end = timezone.now() - timedelta(hours=1)
    return TrainingRunFactory(
        owner=owner,
        demo=demo,
        queue=queue,
        status=Status.SUCCEEDED,
        started_at=end - timedelta(seconds=seconds),
        finished_at=end,
    )


def queued_runs(owner, demos, queue: str = "training") -> list[TrainingRun]:
    start = timezone.now() - timedelta(minutes=10)
    runs = []
    for i, demo in enumerate(demos):
        run = TrainingRunFactory(owner=owner, demo=demo, queue=queue)
        TrainingRun.objects.filter(pk=run.pk).update(created_at=start + timedelta(seconds=i))
        run.refresh_from_db()
        runs.append(run)
    return runs


def test_a_queued_runs_place_counts_only_the_queued_runs_of_its_queue_ahead_of_it(reader):
    for seconds in (50, 60, 70):  # the median of the recent runs is the typical duration
        finished_run(reader, "mlp_digits", seconds)
    finished_run(reader, "bert_finetune", 600)
    TrainingRunFactory(owner=reader, demo="mlp_digits", queue="training", status=Status.RUNNING, progress=0.5)
    TrainingRunFactory(owner=reader, demo="mlp_digits", queue="training", status=Status.RUNNING, progress=0.0)
    first, second, third = queued_runs(reader, ["mlp_digits", "bert_finetune", "mlp_digits"])
    queued_runs(reader, ["bert_finetune"], queue="training-gpu")  # another queue: not ahead of anyone here

    assert services.queue_place(first) == services.QueuePlace(
        position=1, ahead=0, trainers_busy=2, wait_seconds=30
    )
    # The first trainer frees up in 30 s; then one MLP run (60 s) ahead shared by two trainers.
    assert services.queue_place(second).wait_seconds == 30 + 60 / 2
    place = services.queue_place(third)
    assert (place.position, place.ahead, place.wait_seconds) == (3, 2, 30 + (60 + 600) / 2)
    TrainingRun.objects.filter(pk=first.pk).update(status=Status.RUNNING)
    third.refresh_from_db()
    assert services.queue_place(third).position == 2
    first.refresh_from_db()
    assert services.queue_place(first) is None  # started: no place in line


def test_without_a_history_the_wait_is_unknown(reader):
    (run,) = queued_runs(reader, ["tiny_gpt"])
    (_, later) = queued_runs(reader, ["tiny_gpt", "tiny_gpt"])
    assert services.queue_place(later).wait_seconds is None
    assert services.describe_place(services.queue_place(later)) == "3rd in line"
    # Nothing ahead and no trainer busy: a trainer takes it as soon as one polls.
    assert services.describe_place(services.queue_place(run)) == "next in line, less than a minute"


@pytest.mark.parametrize(
    ("position", "wait", "english", "chinese"),
    [
        (1, None, "next in line", "下一个就轮到它"),
        (3, 115, "3rd in line, about 2 minutes", "排在第 3位，大约 2 分钟"),
        (11, 20, "11th in line, less than a minute", "排在第 11位，不到一分钟"),
        (22, 60, "22nd in line, about 1 minute", "排在第 22位，大约 1 分钟"),
    ],
)
def test_a_place_in_words(position, wait, english, chinese):
    from django.utils import translation

    place = services.QueuePlace(position=position, ahead=position - 1, trainers_busy=1, wait_seconds=wait)
    with translation.override("en"):
        assert services.describe_place(place) == english
    with translation.override("zh-hans"):
        assert services.describe_place(place) == chinese
