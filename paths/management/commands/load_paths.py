"""Load the shipped learning paths from paths/data/paths.yml.

    python manage.py load_paths [--dry-run] [--data-file FILE]

Run it after ``load_catalogue`` and ``load_tutorials`` (``make run`` and docker-compose do): a
step names a catalogue item or a tutorial, and a file naming one that does not exist is refused
with the path, the step and the reference. Everything is stored in one transaction or not at
all; loading the unchanged file again creates and updates nothing. Exits with status 1 when the
file failed.
"""

from django.core.management.base import BaseCommand

from paths.importers import load_paths
from resources.management.reporting import ImportPrinter


class Command(BaseCommand):
    help = "Load the shipped learning paths (idempotent; run after load_catalogue and load_tutorials)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll back; report what would change"
        )
        parser.add_argument("--data-file", help="a paths file instead of paths/data/paths.yml")

    def handle(self, *args, **options):
        printer = ImportPrinter(self, total=None, verbosity=options["verbosity"], file_lines_from=2)

        report = load_paths(
            dry_run=options["dry_run"], data_file=options["data_file"], progress=printer.progress
        )
        printer.finish(report, prefix="paths: ")
