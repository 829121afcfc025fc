"""Parameter validation and the small helpers every demo shares."""

import math

import pytest
import torch

from tutorials.demos import DEMO_NAMES, get_demo, get_spec
from tutorials.demos.base import (
    Cancelled,
    ConsoleReport,
    Param,
    ParamError,
    check_stop,
    pick_device,
    seed_everything,
    validate,
)

SPEC = [
    Param("hidden", "int", 64, 4, 512),
    Param("rate", "float", 0.01, 1e-5, 1.0, log_scale=True),
    Param("optimizer", "choice", "adam", choices=("sgd", "adam")),
    Param("width", "choice", 128, choices=(64, 128)),
    Param("shuffle", "bool", True),
]
DEFAULTS = {"hidden": 64, "rate": 0.01, "optimizer": "adam", "width": 128, "shuffle": True}


def errors_of(raw: dict) -> dict[str, list[str]]:
    with pytest.raises(ParamError) as caught:
        validate(SPEC, raw)
    return caught.value.errors


def test_defaults_fill_every_missing_field():
    assert validate(SPEC, {}) == DEFAULTS
    assert validate(SPEC, None) == DEFAULTS
    assert list(validate(SPEC, {"rate": 0.5})) == list(DEFAULTS)


def test_blank_form_fields_take_the_default():
    assert validate(SPEC, {"hidden": "", "rate": "  ", "optimizer": None}) == DEFAULTS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"hidden": "128"}, {"hidden": 128}),
        ({"hidden": " 32 "}, {"hidden": 32}),
        ({"hidden": 100.0}, {"hidden": 100}),
        ({"hidden": "16.0"}, {"hidden": 16}),
        ({"rate": "1e-3"}, {"rate": 0.001}),
        ({"rate": 1}, {"rate": 1.0}),
        ({"optimizer": "SGD"}, {"optimizer": "sgd"}),
        ({"width": "64"}, {"width": 64}),
        ({"width": 64.0}, {"width": 64}),
        ({"shuffle": "off"}, {"shuffle": False}),
        ({"shuffle": "on"}, {"shuffle": True}),
        ({"shuffle": "FALSE"}, {"shuffle": False}),
        ({"shuffle": "1"}, {"shuffle": True}),
        ({"shuffle": 0}, {"shuffle": False}),
        ({"shuffle": False}, {"shuffle": False}),
    ],
)
def test_values_are_coerced_from_strings_and_json_numbers(raw, expected):
    clean = validate(SPEC, raw)
    assert clean == {**DEFAULTS, **expected}
    for name, value in expected.items():
        assert type(clean[name]) is type(value)


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"hidden": 3}, "hidden", "must be at least 4"),
        ({"hidden": "513"}, "hidden", "must be at most 512"),
        ({"hidden": 12.5}, "hidden", "must be a whole number"),
        ({"hidden": "twelve"}, "hidden", "must be a whole number"),
        ({"hidden": True}, "hidden", "must be a whole number"),
        ({"hidden": [12]}, "hidden", "must be a whole number"),
        ({"rate": "fast"}, "rate", "must be a number"),
        ({"rate": 2}, "rate", "must be at most 1"),
        ({"rate": 1e-6}, "rate", "must be at least 1e-05"),
        ({"optimizer": "rmsprop"}, "optimizer", "must be one of: sgd, adam"),
        ({"width": 96}, "width", "must be one of: 64, 128"),
        ({"shuffle": "maybe"}, "shuffle", "must be true or false"),
        ({"shuffle": 2}, "shuffle", "must be true or false"),
    ],
)
def test_each_kind_of_bad_value_is_named(raw, field, message):
    assert errors_of(raw) == {field: [message]}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "nan", "NaN", "inf", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused(bad):
    assert errors_of({"rate": bad}) == {"rate": ["must be a finite number"]}
    assert errors_of({"hidden": bad})["hidden"]


def test_unknown_fields_are_reported():
    errors = errors_of({"hiden": 12})
    assert list(errors) == ["hiden"]
    assert "unknown parameter" in errors["hiden"][0]
    assert "hidden" in errors["hiden"][0]


def test_every_bad_field_is_listed_at_once():
    errors = errors_of({"hidden": -1, "rate": "nan", "optimizer": "x", "shuffle": "?", "extra": 1})
    assert set(errors) == {"hidden", "rate", "optimizer", "shuffle", "extra"}
    assert all(isinstance(messages, list) and messages for messages in errors.values())


def test_a_non_mapping_is_refused():
    with pytest.raises(ParamError) as caught:
        validate(SPEC, ["hidden", 12])
    assert caught.value.errors == {"__all__": ["parameters must be a mapping of names to values"]}


def test_param_errors_read_well_as_text():
    with pytest.raises(ParamError, match="hidden: must be at least 4"):
        validate(SPEC, {"hidden": 1})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "x", "kind": "text", "default": "a"},
        {"name": "x", "kind": "choice", "default": "a"},
        {"name": "x", "kind": "int", "default": 0, "minimum": 1},
        {"name": "x", "kind": "choice", "default": "c", "choices": ("a", "b")},
    ],
)
def test_a_bad_spec_fails_when_defined(kwargs):
    with pytest.raises(ValueError, match="x: "):
        Param(**kwargs)


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_every_demo_validates_its_own_defaults(name):
    module = get_demo(name)
    assert name == module.NAME
    assert module.TITLE and module.TITLE.isascii()
    defaults = {param.name: param.default for param in module.PARAMS}
    assert validate(module.PARAMS, {}) == defaults
    assert validate(module.PARAMS, {key: str(value) for key, value in defaults.items()}) == defaults
    assert "seed" in defaults
    assert all(param.help for param in module.PARAMS)
    assert [param.name for param in module.PARAMS if param.log_scale] == ["learning_rate"]


def test_demo_names_and_lookup():
    assert sorted(DEMO_NAMES) == ["bert_finetune", "mlp_digits", "tiny_gpt"]
    assert list(get_spec("tiny_gpt").params) == get_demo("tiny_gpt").PARAMS
    for lookup in (get_demo, get_spec):
        with pytest.raises(KeyError, match="unknown demo 'gpt5'"):
            lookup("gpt5")


def test_check_stop_raises_cancelled_only_when_asked():
    check_stop(lambda: False, 3)
    with pytest.raises(Cancelled, match="step 3"):
        check_stop(lambda: True, 3)


def test_pick_device_and_seeds(monkeypatch):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device().type == expected
    monkeypatch.setenv("DEMOS_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")
    seed_everything(7)
    first = torch.rand(3)
    seed_everything(7)
    assert torch.equal(first, torch.rand(3))


def test_console_report_prints_a_bounded_number_of_lines():
    lines: list[str] = []
    report = ConsoleReport(lines.append)
    report({"step": 0, "total_steps": 200, "epoch": 0, "device": "cpu", "metrics": {}})
    for step in range(1, 201):
        metrics = {"val_accuracy": 0.5} if step % 100 == 0 else {}
        report({"step": step, "total_steps": 200, "epoch": 1, "loss": 1.0, "metrics": metrics})
    assert lines[0] == "device cpu, 200 steps"
    assert len(lines) == 21
    assert lines[-1] == "epoch 1 step 200/200 loss 1.0000 val_accuracy=0.5000"
