"""Shared pieces of the demo trainings: parameter specs and their validation, cancellation,
device and seed helpers, the bundled data files and the command line every demo offers.

Everything in this folder is plain Python and PyTorch. Nothing here imports Django or another app
of the portal, so a demo runs as a bare script, on a GPU box, or exported for a learner. torch and
numpy are imported inside the helpers that need them, so that a web process can validate a form
against ``PARAMS`` without loading them.

The contract a demo module fulfils:

``train(params, report, should_stop) -> dict``
    ``params`` is a dict cleaned by :func:`validate`. ``report(event)`` receives progress dicts:
    first ``{"step": 0, "total_steps": N, "epoch": 0, "device": "cpu", "metrics": {}}``, then one
    per optimisation step ``{"step", "total_steps", "epoch" (1-based), "loss" (that batch's
    loss), "metrics"}``, where ``metrics`` is empty except on the steps after which the demo
    evaluated (end of an epoch, or an evaluation interval); tiny_gpt adds ``"sample"`` on those.
    ``should_stop()`` is polled at least once per step; when it returns True, train raises
    :class:`Cancelled`. The return value is ``{"device", "metrics", "results", "seconds"}``, all
    JSON-serialisable.

``GPU``
    ``"needs"``, ``"prefers"`` or ``"accepts"``: whether the demo wants a GPU. The portal sends
    a run of a demo that needs or prefers one to the GPU trainers' queue (when it has any), and a
    run of one that merely accepts one to the CPU trainers', so it never waits behind them.
"""

import argparse
import math
import numbers
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
KINDS = ("int", "float", "choice", "bool")
TRUE_WORDS = frozenset({"true", "1", "on", "yes"})
FALSE_WORDS = frozenset({"false", "0", "off", "no"})
# Extra command-line spellings, for the flags people type most.
CLI_ALIASES = {"learning_rate": ("--lr",)}

Report = Callable[[dict], None]
ShouldStop = Callable[[], bool]


class ParamError(ValueError):
    """Raised by :func:`validate`; ``errors`` maps each bad field name to readable messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


class Cancelled(Exception):
    """Raised by a demo's ``train()`` once ``should_stop()`` has returned True."""


class _Invalid(Exception):
    """Internal: one readable message about one bad value."""


@dataclass(frozen=True)
class Param:
    """One tunable setting of a demo, with what a form needs to render and check it."""

    name: str
    kind: str
    default: object
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    help: str = ""
    log_scale: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"{self.name}: a choice parameter needs choices")
        try:
            _coerce(self, self.default)
        except _Invalid as exc:
            raise ValueError(f"{self.name}: the default {self.default!r} is invalid: {exc}") from None


def _number_text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_bounds(param: Param, value):
    if param.minimum is not None and value < param.minimum:
        raise _Invalid(f"must be at least {_number_text(param.minimum)}")
    if param.maximum is not None and value > param.maximum:
        raise _Invalid(f"must be at most {_number_text(param.maximum)}")
    return value


def _to_float(raw, wrong_type: str = "must be a number") -> float:
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real | str):
        raise _Invalid(wrong_type)
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except (ValueError, OverflowError):
        raise _Invalid(wrong_type) from None
    if not math.isfinite(value):
        raise _Invalid("must be a finite number")
    return value


def _coerce(param: Param, raw):
    if param.kind == "int":
        if isinstance(raw, numbers.Integral) and not isinstance(raw, bool):
            value = int(raw)
        else:
            try:
                value = int(raw.strip()) if isinstance(raw, str) else None
            except ValueError:
                value = None
            if value is None:
                as_float = _to_float(raw, "must be a whole number")
                if not as_float.is_integer():
                    raise _Invalid("must be a whole number")
                value = int(as_float)
        return _check_bounds(param, value)
    if param.kind == "float":
        return _check_bounds(param, _to_float(raw))
    if param.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, numbers.Real) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            return raw.strip().lower() in TRUE_WORDS
        raise _Invalid("must be true or false")
    # choice: match the value itself, its text, or its text in another letter case
    for choice in param.choices:
        if isinstance(raw, bool) != isinstance(choice, bool):
            continue
        if raw == choice:
            return choice
        if isinstance(raw, str) and raw.strip().casefold() == str(choice).casefold():
            return choice
    raise _Invalid("must be one of: " + ", ".join(str(choice) for choice in param.choices))


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def validate(spec: list[Param], raw: Mapping | None) -> dict:
    """Return every parameter of ``spec`` cleaned and typed, with defaults for those not given.

    Strings (form fields, command-line values) and JSON numbers are coerced; a missing, ``None``
    or blank value takes the default. Raises :class:`ParamError` naming every bad field at once:
    unknown names, wrong types, values out of bounds, unknown choices, NaN and infinities.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ParamError({"__all__": ["parameters must be a mapping of names to values"]})
    known = {param.name for param in spec}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in known:
            errors[str(key)] = [f"unknown parameter (expected one of: {', '.join(sorted(known))})"]
    clean = {}
    for param in spec:
        value = raw.get(param.name)
        if _is_blank(value):
            clean[param.name] = param.default
            continue
        try:
            clean[param.name] = _coerce(param, value)
        except _Invalid as exc:
            errors[param.name] = [str(exc)]
    if errors:
        raise ParamError(errors)
    return clean


def check_stop(should_stop: ShouldStop, step: int) -> None:
    """Raise :class:`Cancelled` if the caller asked the run to stop."""
    if should_stop():
        raise Cancelled(f"stopped at step {step} on request")


def pick_device():
    """CUDA when available, else CPU; ``DEMOS_DEVICE=cpu`` forces the CPU (reproducible runs)."""
    import torch

    wanted = os.environ.get("DEMOS_DEVICE", "").strip().lower()
    if wanted != "cpu" and torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (every device), and ask cuDNN for repeatable kernels."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def read_data_text(filename: str) -> str:
    """The text of a data file shipped in ``tutorials/demos/data``."""
    return (DATA_DIR / filename).read_text(encoding="utf-8")


def _format_metrics(metrics: Mapping) -> str:
    return " ".join(f"{name}={value:.4f}" for name, value in metrics.items())


class ConsoleReport:
    """A ``report`` callable for the command line: about twenty progress lines, plus evaluations."""

    def __init__(self, print_fn: Callable[[str], None] = print):
        self.print = print_fn
        self.every = 1

    def __call__(self, event: dict) -> None:
        step, total = event["step"], event["total_steps"]
        if step == 0:
            self.every = max(1, total // 20)
            self.print(f"device {event.get('device')}, {total} steps")
            return
        metrics = event.get("metrics") or {}
        if metrics or step % self.every == 0 or step == total:
            line = f"epoch {event['epoch']} step {step}/{total} loss {event['loss']:.4f}"
            self.print(f"{line} {_format_metrics(metrics)}".rstrip())
        if event.get("sample"):
            self.print("sample: " + event["sample"].replace("\n", "\n        "))


def run_cli(module, argv: list[str] | None = None, defaults: Mapping | None = None) -> int:
    """Parse flags built from ``module.PARAMS``, train, print progress and the final figures."""
    parser = argparse.ArgumentParser(description=module.TITLE)
    start = dict(defaults or {})
    for param in module.PARAMS:
        flags = [f"--{param.name.replace('_', '-')}"]
        if "_" in param.name:
            flags.append(f"--{param.name}")
        flags.extend(CLI_ALIASES.get(param.name, ()))
        hint = param.help or param.name
        if param.kind == "choice":
            hint += f" (one of: {', '.join(map(str, param.choices))})"
        elif param.minimum is not None or param.maximum is not None:
            hint += f" ({_number_text(param.minimum)} to {_number_text(param.maximum)})"
        hint += f"; default {start.get(param.name, param.default)}"
        parser.add_argument(*flags, dest=param.name, default=None, metavar="VALUE", help=hint)
    args = parser.parse_args(argv)
    start.update({name: value for name, value in vars(args).items() if value is not None})
    try:
        params = validate(module.PARAMS, start)
    except ParamError as exc:
        problems = [f"--{name.replace('_', '-')} {' '.join(msgs)}" for name, msgs in exc.errors.items()]
        parser.error("; ".join(problems))
    print(f"{module.TITLE}: " + ", ".join(f"{name}={value}" for name, value in params.items()), flush=True)
    started = time.perf_counter()
    result = module.train(params, ConsoleReport(lambda line: print(line, flush=True)), lambda: False)
    elapsed = time.perf_counter() - started
    print(f"final: {_format_metrics(result['metrics'])} ({elapsed:.1f} s on {result['device']})")
    for line in getattr(module, "describe_results", lambda results: [])(result["results"]):
        print(line)
    return 0
