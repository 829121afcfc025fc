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
    trains, pays for torch. ``PARAMS`` is a literal list of ``Param(...)`` calls, read from the
    syntax tree by ``_param_value`` (no ``eval``); a test checks it equals the module's own list.
    """
    if name not in DEMO_NAMES:
        raise KeyError(f"unknown demo {name!r}; known demos: {', '.join(DEMO_NAMES)}")
    source = (Path(__file__).resolve().parent / f"{name}.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PARAMS" for t in node.targets):
            return tuple(_param_value(node.value, f"{name}.PARAMS"))
    raise LookupError(f"{name}.py defines no PARAMS list")


#: What a demo's ``GPU`` constant may say: it cannot train without one, it is much faster on
#: one, or it runs as well on a CPU (so it never waits in a GPU's queue).
GPU_USES = ("needs", "prefers", "accepts")


@functools.cache
def gpu_use(name: str) -> str:
    """A demo's ``GPU`` constant (one of ``GPU_USES``), read like ``PARAMS``: without torch."""
    if name not in DEMO_NAMES:
        raise KeyError(f"unknown demo {name!r}; known demos: {', '.join(DEMO_NAMES)}")
    source = (Path(__file__).resolve().parent / f"{name}.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "GPU" for t in node.targets):
            value = _param_value(node.value, f"{name}.GPU")
            if value not in GPU_USES:
                raise LookupError(f"{name}.GPU is {value!r}; expected one of {', '.join(GPU_USES)}")
            return value
    raise LookupError(f"{name}.py defines no GPU constant")


_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _param_value(node: ast.AST, where: str):
    """The value of a PARAMS expression: literals, lists and tuples, ``-x``, arithmetic on numbers
    (``2**31 - 1``) and ``Param(...)`` calls; anything else is a LookupError naming it."""
    from .base import Param

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        items = [_param_value(item, where) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _param_value(node.operand, where)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return _ARITHMETIC[type(node.op)](_param_value(node.left, where), _param_value(node.right, where))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Param":
        args = [_param_value(arg, where) for arg in node.args]
        kwargs = {kw.arg: _param_value(kw.value, where) for kw in node.keywords if kw.arg}
        if len(kwargs) != len(node.keywords):
            raise LookupError(f"{where}: **kwargs are not read here")
        return Param(*args, **kwargs)
    raise LookupError(f"{where}: line {getattr(node, 'lineno', '?')} is not a literal PARAMS entry")
