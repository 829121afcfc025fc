"""The BERT fine-tuning demo: offline loading, falling loss, prompt cancellation, result shape."""

import itertools
import json
import socket
import time

import pytest

from tests.demos.helpers import Recorder, StopAfter, never
from tutorials.demos import bert_finetune
from tutorials.demos.base import Cancelled, validate

# Short inputs and a frozen lower half keep a CPU step well under a second; with no warm-up and a
# brisk learning rate the loss visibly falls within 30 steps.
QUICK = {
    "max_length": 32,
    "batch_size": 16,
    "frozen_layers": 3,
    "learning_rate": 3e-4,
    "warmup_ratio": 0.0,
    "epochs": 1,
}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test instead of quietly using the network."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_data_splits_are_fixed_and_balanced():
    splits = bert_finetune.load_examples()
    assert {name: len(rows) for name, rows in splits.items()} == {"train": 960, "validation": 240, "demo": 8}
    for rows in splits.values():
        labels = [label for _, label in rows]
        assert labels.count(0) == labels.count(1)
    texts = [{text for text, _ in rows} for rows in splits.values()]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])


def test_the_model_loads_from_the_package_without_network(no_network):
    tokenizer, model = bert_finetune.load_model()
    assert model.config.num_hidden_layers == 6 and model.config.hidden_size == 384
    assert model.config.id2label == {0: "negative", 1: "positive"}
    assert tokenizer("A fine film.")["input_ids"][0] == tokenizer.cls_token_id


def test_the_learning_rate_warms_up_then_decays():
    factor = bert_finetune.warmup_then_decay(total_steps=10, warmup_steps=2)
    values = [factor(done) for done in range(10)]
    assert values[0] < values[1] < values[2] == 1.0
    assert all(a > b for a, b in itertools.pairwise(values[2:]))
    assert values[-1] > 0
    assert bert_finetune.warmup_then_decay(total_steps=4, warmup_steps=0)(0) == 1.0


def test_loss_falls_and_should_stop_cancels_within_a_second(no_network):
    recorder = Recorder()
    # Three polls per step: 30 steps, then a stop request right after the 31st forward pass.
    stop = StopAfter(polls=3 * 30 + 1)
    with pytest.raises(Cancelled):
        bert_finetune.train(validate(bert_finetune.PARAMS, QUICK), recorder, stop)
    stopped = time.perf_counter()
    assert stopped - stop.flipped_at < 1.0
    # A whole step takes well under a second here; the bound is loose for a busy CI machine.
    assert stop.longest_gap < 5.0
    first = recorder.events[0]
    assert first["step"] == 0 and first["total_steps"] == 60 and first["device"] in {"cpu", "cuda:0"}
    losses = recorder.losses
    assert len(losses) == 30
    assert sum(losses[-6:]) / 6 < sum(losses[:6]) / 6 - 0.1


def test_a_complete_run_returns_metrics_and_predictions(monkeypatch, no_network):
    splits = bert_finetune.load_examples()
    small = {"train": splits["train"][:16] + splits["train"][-16:], "validation": splits["validation"][:16]}
    monkeypatch.setattr(bert_finetune, "load_examples", lambda: {**small, "demo": splits["demo"]})
    recorder = Recorder()
    result = bert_finetune.train(validate(bert_finetune.PARAMS, QUICK), recorder, never)
    assert [event["step"] for event in recorder.events] == [0, 1, 2]
    assert set(recorder.events[-1]["metrics"]) == {"train_loss", "val_loss", "val_accuracy"}
    assert set(result["metrics"]) == {"train_loss", "val_loss", "val_accuracy"}
    predictions = result["results"]["predictions"]
    assert len(predictions) == 8
    for prediction in predictions:
        assert prediction["label"] in {"negative", "positive"}
        assert 0.5 <= prediction["probability"] <= 1.0
        assert prediction["expected"] in {"negative", "positive"} and prediction["text"]
    json.dumps(result)
