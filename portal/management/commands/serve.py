"""Run the web server and a Celery worker (with beat) together, in the foreground.

Used by ``make run``: one command for a laptop with nothing else installed. Ctrl-C (or
SIGTERM) stops both; if either exits, the other is stopped too and the exit code is passed on.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server and a Celery worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="where the web server listens")
        parser.add_argument("--concurrency", type=int, default=1, help="worker processes for trainings")

    def handle(self, *args, addrport, concurrency, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        queues = ",".join(getattr(settings, "CELERY_WORKER_QUEUES", ["celery"]))
        commands = {
            "web": [*manage, "runserver", addrport, "--noreload"],
            "worker": [
                *[sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat"],
                *["--loglevel=INFO", f"--concurrency={concurrency}", f"--queues={queues}"],
                *["--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
            ],
        }
        procs = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}
        self.stdout.write(f"Portal on http://{addrport}/ with a Celery worker; press Ctrl-C to stop both.")

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
