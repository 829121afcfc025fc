"""The digits MLP: accuracy on its defaults, reproducibility, cancellation and what it reports."""

import json
import time

import pytest

from tests.demos.helpers import Recorder, StopAfter, never
from tutorials.demos import mlp_digits
from tutorials.demos.base import Cancelled, validate

EVENT_KEYS = {"step", "total_steps", "epoch", "loss", "metrics"}


@pytest.fixture(scope="module")
def default_run():
    recorder = Recorder()
    result = mlp_digits.train(validate(mlp_digits.PARAMS, {}), recorder, never)
    return recorder.events, result


def short_run(**params) -> list[float]:
    recorder = Recorder()
    mlp_digits.train(validate(mlp_digits.PARAMS, {"epochs": 2, **params}), recorder, never)
    return recorder.losses


def test_defaults_reach_97_percent_validation_accuracy(default_run):
    _, result = default_run
    assert result["metrics"]["val_accuracy"] >= 0.97
    assert result["metrics"]["val_loss"] < 0.15


def test_first_event_announces_the_run(default_run):
    events, result = default_run
    first = events[0]
    assert first["step"] == 0 and first["epoch"] == 0
    assert first["device"] == result["device"] in {"cpu", "cuda:0"}
    assert first["total_steps"] == 15 * 45  # 1,437 training images in batches of 32


def test_every_step_reports_the_documented_keys(default_run):
    events, _ = default_run
    steps = events[1:]
    assert [event["step"] for event in steps] == list(range(1, 15 * 45 + 1))
    for event in steps:
        assert set(event) == EVENT_KEYS
        assert isinstance(event["loss"], float)
        assert 1 <= event["epoch"] <= 15
        assert event["total_steps"] == 15 * 45
    with_metrics = [event for event in steps if event["metrics"]]
    assert [event["epoch"] for event in with_metrics] == list(range(1, 16))
    assert all(set(event["metrics"]) == {"train_loss", "val_loss", "val_accuracy"} for event in with_metrics)
    assert with_metrics[-1]["metrics"]["train_loss"] < with_metrics[0]["metrics"]["train_loss"]


def test_results_hold_a_confusion_matrix_and_per_class_accuracy(default_run):
    _, result = default_run
    assert set(result) == {"device", "metrics", "results", "seconds"}
    results = result["results"]
    matrix = results["confusion_matrix"]
    assert len(matrix) == 10 and all(len(row) == 10 for row in matrix)
    assert sum(map(sum, matrix)) == results["val_size"] == 360
    assert results["train_size"] == 1437
    # a stratified split: every digit has 35 or 37 validation images
    assert all(35 <= sum(row) <= 37 for row in matrix)
    correct = sum(matrix[digit][digit] for digit in range(10))
    assert correct / 360 == pytest.approx(result["metrics"]["val_accuracy"])
    assert len(results["per_class_accuracy"]) == 10
    assert all(0.0 <= value <= 1.0 for value in results["per_class_accuracy"])
    assert len(results["history"]) == 15
    assert result["seconds"] > 0
    json.dumps(result)


def test_the_same_seed_gives_the_same_loss_series():
    first = short_run(seed=3)
    assert first == short_run(seed=3)
    assert first != short_run(seed=4)


@pytest.mark.parametrize(
    "params",
    [
        {"optimizer": "sgd", "learning_rate": 0.1, "activation": "tanh"},
        {"optimizer": "momentum", "learning_rate": 0.01, "activation": "sigmoid", "weight_decay": 0.001},
    ],
)
def test_other_optimizers_and_activations_learn_too(params):
    losses = short_run(**params, batch_size=64)
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5


def test_should_stop_cancels_within_a_step():
    recorder = Recorder()
    stop = StopAfter(polls=5)
    with pytest.raises(Cancelled):
        mlp_digits.train(validate(mlp_digits.PARAMS, {}), recorder, stop)
    stopped = time.perf_counter()
    assert stop.calls == 6  # polled once per step, and never again once it said True
    assert [event["step"] for event in recorder.events] == [0, 1, 2, 3, 4, 5]
    assert stopped - stop.flipped_at < 1.0
