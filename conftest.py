"""Fixtures shared by every test: service checks and a real Celery worker process."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Property tests (marked ``fuzz``). The default profile is derandomised: every run tries the same
# examples (the seed comes from each test), so the default suite is never flaky; the examples a
# test must always try are written next to it with @example. ``--hypothesis-profile=wide`` (a
# step of .ci/run) runs ten times more examples, random ones, and keeps the failing ones in
# test-artifacts/hypothesis, where the next wide run tries them first.
settings.register_profile("default", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "wide",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(ROOT / "test-artifacts" / "hypothesis"),
    print_blob=True,
)
settings.load_profile("default")


def need(condition: bool, reason: str) -> None:
    """Skip a test whose service is absent; under CI=true, fail it instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


#: Groups of skipped tests, told apart by their skip reasons: (name, words in the reason, the
#: command that runs them). ``.ci/run`` runs every group.
SKIP_GROUPS = (
    ("browser", ("chromium",), "apt-get install chromium   (Debian's Chromium; then make test)"),
    (
        "PostgreSQL",
        ("postgresql", "database_url"),
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal make test",
    ),
    (
        "Redis",
        ("redis",),
        "CELERY_BROKER_URL=redis://127.0.0.1:6379/14 CACHE_URL=redis://127.0.0.1:6379/15 make test",
    ),
    ("HTML checker", ("java", "nu html"), "apt-get install default-jre-headless"),
    ("translations", ("gettext", "msgfmt"), "apt-get install gettext"),
    ("CI legs", ("portal_expect_stack",), ".ci/run   (both legs, as CI runs them)"),
)


def skip_summary(reasons: list[str]) -> list[str]:
    """Lines that say, per group, how many tests were skipped and the command that runs them."""
    counts: dict[str, int] = {}
    others: dict[str, int] = {}
    for reason in reasons:
        text = reason.lower()
        group = next((g for g in SKIP_GROUPS if any(word in text for word in g[1])), None)
        if group is None:
            others[reason] = others.get(reason, 0) + 1
        else:
            counts[group[0]] = counts.get(group[0], 0) + 1
    lines = [
        f"{counts[name]:>4} skipped: {name} — run them with: {command}"
        for name, _words, command in SKIP_GROUPS
        if name in counts
    ]
    lines += [f"{n:>4} skipped: {reason}" for reason, n in sorted(others.items())]
    return lines


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


def database_url_for(settings_dict: dict) -> str:
    """The DATABASE_URL that points another process at the database this test run uses."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"


def stop_group(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 10) -> None:
    """Signal a process started with ``start_new_session=True`` and its children; SIGKILL them
    if they have not ended within ``timeout`` seconds."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def worker_env(**extra: str) -> dict:
    """The environment of a Celery process (worker or beat) on this test run's database and broker."""
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.test_settings",
        DATABASE_URL=database_url_for(connection.settings_dict),
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class WorkerProcess:
    """A real ``celery worker`` process started for a test module."""

    def __init__(self, queues: str, env: dict, log_path: Path):
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                "--concurrency=1",
                f"--queues={queues}",
                f"--hostname={self.hostname}",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, app, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log()}")
            replies = app.control.ping(timeout=0.5)
            if any(self.hostname.split("@")[0] in name for reply in replies for name in reply):
                return
        raise RuntimeError(f"worker did not answer a ping within {timeout}s:\n{self.log()}")

    def children(self) -> list[int]:
        """The pool's child processes (the ones that run tasks)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in out.stdout.split()]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self, sig=signal.SIGTERM, timeout: float = 10) -> None:
        stop_group(self.proc, sig, timeout)
        self._log.close()


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
