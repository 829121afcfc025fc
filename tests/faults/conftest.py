"""Fixtures of the fault tests; the processes they start, break and stop are in tests/processes.py."""

import pytest


@pytest.fixture
def processes():
    """Stops, at the end of the test, whatever the test registered (last started, first stopped)."""
    started: list = []
    yield started
    for process in reversed(started):
        try:
            process.stop()
        except Exception as exc:  # one failed stop must not keep the others running
            print(f"could not stop {process!r}: {exc}")
