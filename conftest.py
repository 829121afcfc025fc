"""Hooks and fixtures of the whole run: Hypothesis profiles, the summary of skipped tests, and a real
Celery worker process. The helpers behind them (``need()`` included) are in tests/processes.py."""

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

# need() lives in tests/processes.py; the name stays importable here for branches written before
# it moved (tests/test_suite_hygiene.py tells them to import it from tests.processes).
from tests.processes import ROOT, WorkerProcess, need, skip_summary, worker_env

__all__ = ["need"]

# Property tests (marked ``fuzz``). The default profile is derandomised: every run tries the same
# examples (the seed comes from each test), so the default suite is never flaky; the examples a
# test must always try are written next to it with @example. ``--hypothesis-profile=wide`` (a
# step of .ci/run) runs five times more examples, random ones, and keeps the failing ones in
# test-artifacts/hypothesis, where the next wide run tries them first.
settings.register_profile("default", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "wide",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(ROOT / "test-artifacts" / "hypothesis"),
    print_blob=True,
)
settings.load_profile("default")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """End a run that skipped tests with what was skipped and how to run it (never silently)."""
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons.append(reason.removeprefix("Skipped: "))
    if reasons:
        terminalreporter.write_sep("-", "skipped groups, and the command that runs each")
        for line in skip_summary(reasons):
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def celery_worker_process(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Start a real worker on the test database and the configured broker; stop it afterwards.

    A test module may set ``WORKER_ENV = {...}`` to give the worker extra environment variables.
    """
    from django.conf import settings

    from portal.celery import app

    env = worker_env(**getattr(request.module, "WORKER_ENV", {}))
    queues = ",".join(getattr(settings, "CELERY_WORKER_QUEUES", ["celery"]))
    worker = WorkerProcess(queues, env, tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        worker.wait_ready(app)
        yield worker
    finally:
        worker.stop()
