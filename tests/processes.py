"""Processes and services the tests start, wait for and stop: Celery workers and beat, gunicorn,
a redis-server of their own; and ``need()``, which skips a test whose service is missing.

Every helper here owns the process it starts and stops only that one (by its pid or its own
process group); the machine's shared Redis and PostgreSQL are never touched. Nothing here imports
Django at module level: the root conftest imports this module before Django is set up.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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


REDIS_SERVER = "/usr/bin/redis-server"
SECRET_KEY = "fault-tests-secret-key-not-for-any-deployment-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.2, log=lambda: ""):
    """Poll ``condition`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} (waited {timeout}s)\n{log()}")


def on_redis_stack() -> bool:
    from django.conf import settings

    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


class RedisServer:
    """A redis-server of the test's own on a spare port; stop() and start() again on the same port."""

    def __init__(self, log_dir: Path):
        need(os.path.exists(REDIS_SERVER), f"{REDIS_SERVER} is not installed")
        self.port = free_port()
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.starts += 1
        log = (self.log_dir / f"redis-{self.starts}.log").open("wb")
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [REDIS_SERVER, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self.answers, 30, f"redis-server on port {self.port} did not answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a paused server could not act on SIGTERM
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing answers (a hung Redis)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def queue_length(self, db: int, queue: str) -> int:
        import redis

        client = redis.Redis.from_url(self.url(db), socket_connect_timeout=2, socket_timeout=2)
        try:
            return client.llen(queue)
        finally:
            client.close()


class WebProcess:
    """gunicorn serving the portal on a spare port, on the test database, as in production (DEBUG off)."""

    def __init__(self, log_path: Path, extra_env: dict, workers: int = 1, threads: int = 1):
        from django.db import connection

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="portal.test_settings",
            DATABASE_URL=database_url_for(connection.settings_dict),
            DEBUG="0",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            # Plain HTTP in the test: the browser-side cookies must come back without TLS.
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env)
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--timeout=120",
                "--access-logfile=-",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._up, 120, "gunicorn did not answer /healthz", interval=0.5, log=self.log)

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {self.proc.returncode}\n{self.log()}")
        try:
            return requests.get(self.base + "/healthz", timeout=10).status_code in (200, 503)
        except requests.RequestException:
            return False

    def get(self, path: str, session: requests.Session | None = None, **kwargs) -> requests.Response:
        return (session or requests).get(self.base + path, timeout=60, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        stop_group(self.proc, timeout=30)
        self._log.close()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def one_thread_worker_env(**extra: str) -> dict:
    """worker_env, with one PyTorch thread: the machine is small and shared."""
    return worker_env(**{"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **extra})


def start_worker(env: dict, log_path: Path) -> WorkerProcess:
    from django.conf import settings

    from portal.celery import app

    worker = WorkerProcess(",".join(settings.CELERY_WORKER_QUEUES), env, log_path)
    try:
        worker.wait_ready(app, timeout=180)
    except BaseException:
        worker.stop(signal.SIGKILL)
        raise
    return worker


class BeatProcess:
    """``celery beat`` as docker compose runs it: a process of its own, sending the periodic tasks."""

    def __init__(self, env: dict, folder: Path):
        self.log_path = folder / "beat.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel=INFO",
                f"--schedule={folder / 'celerybeat-schedule'}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        stop_group(self.proc, timeout=20)
        self._log.close()
