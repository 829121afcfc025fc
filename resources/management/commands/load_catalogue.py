"""Load the sample catalogue: the shipped deadline data, then the curated files.

    python manage.py load_catalogue [--dry-run] [--data-dir DIR] [--skip-deadlines]

The deadline data comes from resources/data/, the curated topics, conferences, papers, books,
courses and communities from resources/catalogue/*.yml (see the README there). Every file is
imported in one transaction: if any entry is bad nothing is stored, and every error is listed with
its file, entry and reason. Loading an unchanged catalogue again writes nothing, which is
why the run command can call this on every start. Exits with status 1 when a file failed.
"""

from django.core.management.base import BaseCommand, CommandError

from resources.importers.catalogue import load


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
        verbosity = options["verbosity"]

        def progress(file_report):
            for error in file_report.errors:
                where = f"{file_report.path}:{error.line}" if error.line else file_report.path
                self.stderr.write(f"{where}: {error.entry}: {error.reason}")
            if file_report.errors:
                pass
            elif verbosity >= 2:
                self.stdout.write(
                    f"{file_report.path}: created {file_report.created}, "
                    f"updated {file_report.updated}, unchanged {file_report.unchanged}"
                )
                for warning in file_report.warnings:
                    self.stdout.write(self.style.WARNING(f"{file_report.path}: warning: {warning}"))

        report = load(
            dry_run=options["dry_run"],
            progress=progress,
            data_dir=options["data_dir"],
            deadline_paths=[] if options["skip_deadlines"] else None,
        )
        if verbosity >= 1:
            self.stdout.write(f"catalogue: {report.summary()}")
        if not report.ok:
            raise CommandError(
                f"{report.error_count} entries rejected in {report.failed} files; nothing was stored"
            )
