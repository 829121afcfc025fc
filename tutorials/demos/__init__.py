"""The demo trainings, one plain-PyTorch module each; see ``base`` for the contract they share.

Importing this package is cheap: it reads the demos' parameters and GPU use from ``specs`` and
imports a demo's module (and so torch) only when :func:`get_demo` asks for it, so the web process
never loads torch and ``python -m tutorials.demos.<name>`` does not find its module half-imported.
"""

import importlib
from types import ModuleType

from .base import Param
from .specs import GPU_USES, SPECS, DemoSpec

__all__ = ["DEMO_NAMES", "GPU_USES", "DemoSpec", "Param", "get_demo", "get_params", "get_spec", "gpu_use"]

DEMO_NAMES = tuple(SPECS)


def get_spec(name: str) -> DemoSpec:
    """The spec of the demo called ``name``; ``KeyError`` naming the known demos otherwise."""
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"unknown demo {name!r}; known demos: {', '.join(DEMO_NAMES)}") from None


def get_demo(name: str) -> ModuleType:
    """The module of the demo called ``name`` (imported on first use)."""
    get_spec(name)
    return importlib.import_module(f"{__name__}.{name}")


def get_params(name: str) -> tuple[Param, ...]:
    return get_spec(name).params


def gpu_use(name: str) -> str:
    """One of ``GPU_USES``."""
    return get_spec(name).gpu
