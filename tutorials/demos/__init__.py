"""The demo trainings, one plain-PyTorch module each; see ``base`` for the contract they share.

``DEMOS`` maps each demo's name to its module and imports a module (and so torch) only when it is
first looked up: importing this package stays cheap, and ``python -m tutorials.demos.<name>``
does not find its own module half-imported already.
"""

import importlib
from collections.abc import Iterator, Mapping
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
