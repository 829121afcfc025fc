"""Bring the catalogue in step with local checkouts of ccf-deadlines and ai-deadlines.

    python manage.py sync_deadlines ~/src/ccf-deadlines ~/src/ai-deadlines [--dry-run] [--skip-invalid]

A path is a checkout (its data folders are read) or a git directory (its HEAD is read). Applies
the difference: new and moved deadlines, deadlines that vanished upstream marked withdrawn
(never deleted), rows a curator edited left alone and reported as conflicts; every change of an
instant is recorded. Only one sync runs at a time (a second one says so and exits with status
2). The modes and the output are those of ``import_deadlines``.
"""

from django.core.management.base import BaseCommand, CommandError

from resources.management.reporting import ImportPrinter, add_mode_arguments
from resources.sync import SyncBusy, SyncSourceError, sync


class Command(BaseCommand):
    help = "Sync conference deadlines from local checkouts of ccf-deadlines and ai-deadlines."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="checkouts or git directories")
        add_mode_arguments(parser)

    def handle(self, *args, **options):
        printer = ImportPrinter(self, total=None, verbosity=options["verbosity"])
        try:
            run, report = sync(
                options["paths"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=printer.progress,
                on_count=printer.on_count,
            )
        except SyncBusy as exc:
            raise CommandError(str(exc), returncode=2) from None
        except SyncSourceError as exc:
            raise CommandError(str(exc)) from None
        printer.finish(report, prefix=f"sync {run.pk}: ")
