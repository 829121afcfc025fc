"""Helpers shared by the demo tests: a recording ``report``, a ``should_stop`` that flips, and the
environment for the scripts they start."""

import os
import time


class Recorder:
    """Collects every event a demo reports."""

    def __init__(self):
        self.events: list[dict] = []

    def __call__(self, event: dict) -> None:
        self.events.append(event)

    @property
    def losses(self) -> list[float]:
        return [event["loss"] for event in self.events if event["step"] > 0]


class StopAfter:
    """Answers False for the first ``polls`` calls, then True; remembers when it first said True."""

    def __init__(self, polls: int):
        self.polls = polls
        self.calls = 0
        self.flipped_at: float | None = None
        self.polled_at: list[float] = []

    def __call__(self) -> bool:
        self.calls += 1
        self.polled_at.append(time.perf_counter())
        if self.calls <= self.polls:
            return False
        if self.flipped_at is None:
            self.flipped_at = time.perf_counter()
        return True

    @property
    def longest_gap(self) -> float:
        """The longest wait between two polls: the worst delay a cancel request could see."""
        return max(b - a for a, b in zip(self.polled_at, self.polled_at[1:], strict=False))


def never() -> bool:
    return False


def child_env() -> dict[str, str]:
    """This process's environment, with one OpenMP thread (see conftest.py) and no Django settings."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return {**env, "OMP_NUM_THREADS": "1"}
