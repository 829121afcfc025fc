"""Load the sample catalogue: the shipped deadline data, then the curated files.

    python manage.py load_catalogue [--dry-run] [--data-dir DIR] [--skip-deadlines]

The deadline data comes from resources/data/, the curated topics, conferences, papers, books,
courses and communities from resources/catalogue/*.yml (see the README there). Every file is
imported in one transaction: if any entry is bad nothing is stored, and every error is listed with
its file, entry and reason. Loading an unchanged catalogue again writes nothing, which is
why the run command can call this on every start. Exits with status 1 when a file failed.
"""

from django.core.management.base import BaseCommand

from resources.importers.catalogue import load
from resources.management.reporting import ImportPrinter


class Command(BaseCommand):
    help = "Load the shipped deadline data and the curated sample catalogue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll back; report what would change"
        )
        parser.add_argument(
            "--data-dir", help="a folder of curated .yml files instead of resources/catalogue/"
        )
        parser.add_argument(
            "--skip-deadlines", action="store_true", help="load only the curated files, not resources/data/"
        )

    def handle(self, *args, **options):
        printer = ImportPrinter(self, total=None, verbosity=options["verbosity"], file_lines_from=2)

        report = load(
            dry_run=options["dry_run"],
            progress=printer.progress,
            data_dir=options["data_dir"],
            deadline_paths=[] if options["skip_deadlines"] else None,
        )
        printer.finish(report, prefix="catalogue: ")
