"""Launches per second through the launch lock (``tutorials.services._serialise_launches``).

On the database of ``DATABASE_URL`` (PostgreSQL; migrated here) and the broker of
``CELERY_BROKER_URL`` (its ``training`` list is deleted at the end), one user with limits lifted
launches ``--launches`` mlp_digits runs: one after another (the time of one ``launch_run``:
limits checked and the run inserted under the lock, committed, then sent to Redis), then from
``--threads`` threads at once (launches per second the lock lets through). The runs are deleted
at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/10 .venv/bin/python benchmarks/launch_lock.py
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--launches", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    lifted = {"TRAINING_MAX_ACTIVE_PER_USER": "1000000", "TRAINING_QUEUE_CAP": "1000000"}
    os.environ.update({**lifted, "TRAINING_MAX_PER_HOUR": "1000000", "DEBUG": "1"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from portal.celery import app
    from tutorials.models import TrainingRun
    from tutorials.services import launch_run

    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="launch-lock-bench")
    try:
        one = []
        for _ in range(args.launches):
            started = time.perf_counter()
            launch_run(user, "mlp_digits", {})
            one.append((time.perf_counter() - started) * 1000)
        one.sort()

        def launcher(n: int) -> None:
            for _ in range(n):
                launch_run(user, "mlp_digits", {})
            connection.close()

        threads = [
            threading.Thread(target=launcher, args=(args.launches // args.threads,))
            for _ in range(args.threads)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        total = args.threads * (args.launches // args.threads)
        median, p95 = one[len(one) // 2], one[int(0.95 * (len(one) - 1))]
        print(
            f"one launch_run, in a row: median {median:.1f} ms, p95 {p95:.1f} ms"
            f" (n={len(one)}); {args.threads} threads at once: {total / elapsed:.0f} launches/s"
            f" ({total} in {elapsed:.1f} s); load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        TrainingRun.objects.filter(owner=user).delete()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("training")


if __name__ == "__main__":
    main()
