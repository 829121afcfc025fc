"""The reminder pass at scale: 50,000 readers with 10 follows each, one day of passes.

Builds, in a database of its own, ``--series`` conference series with one paper deadline each
(spread evenly over the next year), ``--users`` readers with ``--follows`` follows each (spread
evenly over the series) and default reminders (30, 7, 1 days before); then runs the beat job's
pass (``notifications.delivery.run``) every five minutes across one day, with Django's
in-memory e-mail backend so that the figures are the portal's work, not an SMTP server's. It
reports the time and the SQL statements of the planning step, the messages sent and the
statements per message, and checks that no message went out twice.

    .venv/bin/python benchmarks/notifications_reminders.py                  # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_notify \\
        .venv/bin/python benchmarks/notifications_reminders.py --backend postgres
    .venv/bin/python benchmarks/notifications_reminders.py --users 5000 --json var/bench/notify.json
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_notify")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--follows", type=int, default=10)
    parser.add_argument("--series", type=int, default=365)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        if args.backend == "sqlite":
            url = f"sqlite:///{tmp}/db.sqlite3"
        else:
            import psycopg2

            url = PG_URL
            server, name = url.rsplit("/", 1)
            conn = psycopg2.connect(f"{server}/postgres")
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cur.execute(f'CREATE DATABASE "{name}"')
            conn.close()
        os.environ.update(
            DATABASE_URL=url,
            DEBUG="1",
            PORTAL_VAR_DIR=tmp,
            LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="portal.settings",
        )
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core import mail
        from django.core.management import call_command
        from django.db import connection

        @contextlib.contextmanager
        def counting():
            """Count the SQL statements run inside (no log, so no cap on how many)."""
            counted = [0]

            def count(execute, sql, params, many, context):
                counted[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                yield counted

        from notifications import delivery
        from notifications.models import Delivery, Follow
        from resources.models import ConferenceEdition, ConferenceSeries, Deadline, Status

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        call_command("migrate", verbosity=0)
        start_day = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        built = time.perf_counter()
        series = ConferenceSeries.objects.bulk_create(
            ConferenceSeries(short_name=f"C{n:03d}", slug=f"c{n:03d}", status=Status.PUBLISHED)
            for n in range(args.series)
        )
        editions = ConferenceEdition.objects.bulk_create(
            ConferenceEdition(series=s, year=2027) for s in series
        )
        # Deadline n falls n days and 12 hours after the start: each day of the year has one.
        Deadline.objects.bulk_create(
            Deadline(edition=e, kind="paper", at=start_day + dt.timedelta(days=n, hours=12))
            for n, e in enumerate(editions)
        )
        User = get_user_model()
        User.objects.bulk_create(
            (User(username=f"u{n}", email=f"u{n}@example.org") for n in range(args.users)), batch_size=5000
        )
        user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
        series_ids = [s.pk for s in series]
        Follow.objects.bulk_create(
            (
                Follow(
                    user_id=uid,
                    series_id=series_ids[(n * 37 + k * (args.series // args.follows)) % args.series],
                )
                for n, uid in enumerate(user_ids)
                for k in range(args.follows)
            ),
            batch_size=5000,
            ignore_conflicts=True,
        )
        Follow.objects.update(created_at=start_day - dt.timedelta(days=60))
        build_s = time.perf_counter() - built

        # The steady state: everything due before the measured day has gone out.
        day = start_day + dt.timedelta(days=40)
        delivery.plan(day - dt.timedelta(minutes=5))
        Delivery.objects.filter(state="pending").update(state="sent", sent_at=day)
        # One day of passes, every five minutes, from the start of day 40 (all offsets in play).
        passes, plan_times, plan_statements, sent = [], [], Counter(), 0
        send_statements = 0
        for step in range(24 * 12):
            now = day + dt.timedelta(minutes=5 * step)
            with counting() as counted:
                began = time.perf_counter()
                planned = delivery.plan(now)
                plan_s = time.perf_counter() - began
            plan_times.append(plan_s)
            plan_statements[counted[0]] += 1
            with counting() as counted:
                began = time.perf_counter()
                outcome = delivery.send_ready(now)
                run_s = time.perf_counter() - began
            sent += outcome.get("sent", 0)
            send_statements += counted[0]
            passes.append(
                {"planned": planned, "sent": outcome.get("sent", 0), "plan_s": plan_s, "send_s": run_s}
            )
        # Every message went out once: no reader got the same subject twice in the day.
        assert sent == len(mail.outbox)
        assert len({(m.to[0], m.subject) for m in mail.outbox}) == sent
        busiest = max(passes, key=lambda p: p["sent"])
        figures = {
            "backend": args.backend,
            "users": args.users,
            "follows": Follow.objects.count(),
            "series": args.series,
            "build_s": round(build_s, 1),
            "passes": len(passes),
            "messages_sent": sent,
            "plan_median_s": round(sorted(plan_times)[len(plan_times) // 2], 3),
            "plan_max_s": round(max(plan_times), 3),
            "plan_statements": dict(plan_statements),
            "busiest_pass": {k: round(v, 3) if isinstance(v, float) else v for k, v in busiest.items()},
            "day_total_s": round(sum(p["plan_s"] + p["send_s"] for p in passes), 1),
            "statements_per_message": round(send_statements / max(sent, 1), 2),
        }
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
