"""Processes the fault tests start, break and stop themselves: redis-server, gunicorn, workers, beat.

Every helper here owns the process it starts and stops only that one (by its pid or its own
process group); the machine's shared Redis and PostgreSQL are never touched.
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

from conftest import ROOT, WorkerProcess, database_url_for, need, stop_group
from conftest import worker_env as base_worker_env

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


def worker_env(**extra: str) -> dict:
    """conftest.worker_env, with one PyTorch thread: the machine is small and shared."""
    return base_worker_env(**{"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **extra})


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
