"""The tiny GPT: causal attention, falling loss, samples drawn from its vocabulary, cancellation."""

import json

import pytest
import torch

from tests.demos.helpers import Recorder, StopAfter, never
from tutorials.demos import tiny_gpt
from tutorials.demos.base import Cancelled, validate

SMALL = {"n_layer": 2, "n_head": 4, "n_embd": 64, "block_size": 32, "batch_size": 16, "learning_rate": 3e-3}


@pytest.fixture(scope="module")
def short_run():
    recorder = Recorder()
    result = tiny_gpt.train(validate(tiny_gpt.PARAMS, {**SMALL, "steps": 80}), recorder, never)
    return recorder.events, result


def test_a_position_never_sees_later_characters():
    torch.manual_seed(0)
    model = tiny_gpt.TinyGPT(vocab_size=10, n_layer=2, n_head=2, n_embd=16, block_size=8).eval()
    ids = torch.randint(10, (1, 8))
    changed = ids.clone()
    changed[0, 5:] = (changed[0, 5:] + 1) % 10
    with torch.no_grad():
        before, after = model(ids), model(changed)
    assert torch.allclose(before[0, :5], after[0, :5])
    assert not torch.allclose(before[0, 5:], after[0, 5:])


def test_the_split_keeps_a_tenth_of_every_part_for_validation():
    ids = torch.arange(1000)
    train_ids, val_ids = tiny_gpt.split_corpus(ids)
    assert len(train_ids) == 900 and len(val_ids) == 100
    assert val_ids[:10].tolist() == list(range(90, 100))
    assert set(train_ids.tolist()).isdisjoint(val_ids.tolist())


def test_loss_falls_below_its_start(short_run):
    events, result = short_run
    losses = [event["loss"] for event in events[1:]]
    assert len(losses) == 80
    assert losses[0] > 3.5  # about ln(65): a uniform guess over the characters
    assert sum(losses[-10:]) / 10 < losses[0] - 0.8
    assert result["metrics"]["val_loss"] < losses[0] - 0.8
    assert set(result["metrics"]) == {"train_loss", "val_loss", "val_accuracy"}


def test_evaluations_come_with_samples(short_run):
    events, _ = short_run
    evaluated = [event for event in events[1:] if event["metrics"]]
    assert [event["step"] for event in evaluated] == list(range(8, 81, 8))
    assert all(isinstance(event["sample"], str) and len(event["sample"]) == 201 for event in evaluated)
    assert all("sample" not in event for event in events[1:] if not event["metrics"])
    assert all(event["epoch"] == 1 for event in events[1:])


def test_samples_are_strings_of_the_vocabulary(short_run):
    events, result = short_run
    results = result["results"]
    vocabulary = set(results["vocabulary"])
    assert len(vocabulary) == 65
    samples = results["samples"]
    assert len(samples) == len(results["prompts"]) == 3
    for prompt, sample in zip(results["prompts"], samples, strict=True):
        assert sample.startswith(prompt) and len(sample) == len(prompt) + 300
        assert set(sample) <= vocabulary
    assert all(set(event["sample"]) <= vocabulary for event in events if "sample" in event)
    json.dumps(result)


def test_should_stop_cancels_promptly():
    recorder = Recorder()
    with pytest.raises(Cancelled):
        tiny_gpt.train(validate(tiny_gpt.PARAMS, {**SMALL, "steps": 50}), recorder, StopAfter(polls=3))
    assert [event["step"] for event in recorder.events] == [0, 1, 2, 3]
