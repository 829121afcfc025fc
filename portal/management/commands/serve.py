"""Run the web server, a Celery worker (with beat) and a trainer together, in the foreground.

Used by ``make run``: one command for a laptop with nothing else installed, one process of each
kind that docker-compose.yml runs as a service. The worker consumes the ordinary queue
("celery"); the trainer consumes the training queue (and the GPU queue when
``TRAINING_GPU_TRAINERS`` is set), one run at a time. Ctrl-C (or SIGTERM) stops them all; if
one exits, the others are stopped too and the exit code is passed on.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def processes(addrport: str, concurrency: int) -> dict[str, list[str]]:
    """The command line of each process: the web server, the worker (with beat), the trainer."""
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    training = [settings.TRAINING_QUEUE]
    if settings.TRAINING_GPU_TRAINERS:
        training.append(settings.TRAINING_GPU_QUEUE)
    celery = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO"]
    return {
        "web": [*manage, "runserver", addrport, "--noreload"],
        "worker": [
            *celery,
            *["--beat", "--concurrency=1", f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}"],
            *["--hostname=worker@%h", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        ],
        "trainer": [
            *celery,
            *[f"--concurrency={concurrency}", "--prefetch-multiplier=1"],
            f"--queues={','.join(training)}",
            "--hostname=trainer@%h",
        ],
    }


class Command(BaseCommand):
    help = "Run the development web server, a Celery worker and a trainer together; Ctrl-C stops them."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="where the web server listens")
        parser.add_argument("--concurrency", type=int, default=1, help="trainer processes (runs at a time)")

    def handle(self, *args, addrport, concurrency, **options):
        commands = processes(addrport, concurrency)
        procs = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}
        self.stdout.write(f"Portal on http://{addrport}/ with a worker and a trainer; Ctrl-C stops them.")

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with {proc.returncode}; stopping the rest.")
                    exit_code = proc.returncode or 1
                    stopping = True
            time.sleep(0.3)
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if exit_code:
            sys.exit(exit_code)
