"""Load the shipped tutorials from tutorials/content/ (see the README there).

    python manage.py load_tutorials [--dry-run] [--content-dir DIR]

Run it after ``load_catalogue``: a tutorial names catalogue topics, papers, books and courses,
and a file whose references the catalogue lacks is refused with a message naming the file and
the reference. Every tutorial is imported in its own transaction; loading unchanged files again
writes nothing. A tutorial's status is set when it is first created and is the curators' after
that. Exits with status 1 when a file failed.
"""

from django.core.management.base import BaseCommand, CommandError

from tutorials.importers import load_tutorials


class Command(BaseCommand):
    help = "Load the shipped tutorials (idempotent; run after load_catalogue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll back; report what would change"
        )
        parser.add_argument("--content-dir", help="a folder of tutorial files instead of tutorials/content/")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(file_report):
            if file_report.error:
                error = file_report.error
                self.stderr.write(f"{file_report.path}: {error.entry}: {error.reason}")
            elif verbosity >= 2:
                self.stdout.write(
                    f"{file_report.path}: created {file_report.created}, "
                    f"updated {file_report.updated}, unchanged {file_report.unchanged}"
                )

        report = load_tutorials(
            dry_run=options["dry_run"], content_dir=options["content_dir"], progress=progress
        )
        if verbosity >= 1:
            self.stdout.write(f"tutorials: {report.summary()}")
        if not report.ok:
            raise CommandError(f"{report.failed} of {len(report.files)} files failed; nothing was stored")
