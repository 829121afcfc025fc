"""The demo trainings, one plain-PyTorch module each; see ``base`` for the contract they share.

``DEMOS`` maps each demo's name to its module and imports a module (and so torch) only when it is
first looked up: importing this package stays cheap, and ``python -m tutorials.demos.<name>``
does not find its own module half-imported already.
"""

import ast
import functools
import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

DEMO_NAMES = ("mlp_digits", "bert_finetune", "tiny_gpt")


class _LazyDemos(Mapping):
    def __getitem__(self, name: str) -> ModuleType:
        if name not in DEMO_NAMES:
            raise KeyError(name)
        return importlib.import_module(f"{__name__}.{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(DEMO_NAMES)

    def __len__(self) -> int:
        return len(DEMO_NAMES)

    def __repr__(self) -> str:
        return f"DEMOS({', '.join(DEMO_NAMES)})"


DEMOS: Mapping[str, ModuleType] = _LazyDemos()


def get_demo(name: str) -> ModuleType:
    """The module of the demo called ``name``; ``KeyError`` naming the known demos otherwise."""
    try:
        return DEMOS[name]
    except KeyError:
        raise KeyError(f"unknown demo {name!r}; known demos: {', '.join(DEMO_NAMES)}") from None


@functools.cache
def get_params(name: str) -> tuple:
    """A demo's ``PARAMS`` without importing the demo, and so without importing torch.

    The web process renders forms and validates launches from these; only the worker, which
    trains, pays for torch. ``PARAMS`` is a literal list of ``Param(...)`` calls, evaluated here
    with nothing but ``Param`` in scope; a test checks it equals the module's own list.
    """
    from .base import Param

    if name not in DEMO_NAMES:
        raise KeyError(f"unknown demo {name!r}; known demos: {', '.join(DEMO_NAMES)}")
    source = (Path(__file__).resolve().parent / f"{name}.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PARAMS" for t in node.targets):
            code = compile(ast.Expression(node.value), f"{name}.PARAMS", "eval")
            return tuple(eval(code, {"__builtins__": {}, "Param": Param}))  # noqa: S307 - our own literal list
    raise LookupError(f"{name}.py defines no PARAMS list")
