"""Load the shipped tutorials from tutorials/content/ (see the README there).

    python manage.py load_tutorials [--dry-run] [--content-dir DIR]

Run it after ``load_catalogue``: a tutorial names catalogue topics, papers, books and courses,
and a file whose references the catalogue lacks is refused with a message naming the file and
the reference. Every tutorial is imported in its own transaction; loading unchanged files again
writes nothing. A tutorial's status is set when it is first created and is the curators' after
that. Exits with status 1 when a file failed.
"""

from django.core.management.base import BaseCommand

from resources.management.reporting import ImportPrinter
from tutorials.importers import load_tutorials


class Command(BaseCommand):
    help = "Load the shipped tutorials (idempotent; run after load_catalogue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll back; report what would change"
        )
        parser.add_argument("--content-dir", help="a folder of tutorial files instead of tutorials/content/")

    def handle(self, *args, **options):
        printer = ImportPrinter(self, total=None, verbosity=options["verbosity"], file_lines_from=2)

        report = load_tutorials(
            dry_run=options["dry_run"], content_dir=options["content_dir"], progress=printer.progress
        )
        printer.finish(report, prefix="tutorials: ")
