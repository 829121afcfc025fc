"""Plan and send the reminders, change alerts and weekly digests that are due, each once.

    python manage.py deliver_notifications [--now 2026-10-31T12:05:00+00:00]

The beat job ``notifications.deliver`` runs the same pass every ``NOTIFICATIONS_EVERY`` seconds;
running it by hand, or twice at once, sends nothing twice (``notifications/delivery.py``).
``--now`` takes the pass to another moment (for checks and tests); it prints one line of counts.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications import delivery


class Command(BaseCommand):
    help = "Plan and send due deadline reminders, change alerts and weekly digests, each once."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment of the pass, ISO 8601 with a UTC offset")

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now {options['now']!r} is not an ISO 8601 date-time") from None
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-10-31T12:05:00+00:00")
        counts = delivery.run(now=now)
        self.stdout.write(", ".join(f"{name} {count}" for name, count in sorted(counts.items())))
