"""Import papers and books from BibTeX files.

    python manage.py import_bibtex refs.bib more/ [--dry-run] [--skip-invalid] [--draft]

``@book`` entries become books, every other entry type papers. The run is atomic: if any entry
is bad, nothing is stored, and every error is listed at once as ``file:line: key: reason``.
``--skip-invalid`` stores every valid entry and lists the rejected ones. Warnings say where an
entry was interpreted: the same work under two keys merged, "et al." read as "and others", a
year like 2023a, fields the catalogue has no place for. Re-importing an unchanged file changes
nothing. A folder stands for the .bib files under it. On a terminal a long file shows a running
count of its entries. Exits with status 1 when an entry was rejected.
"""

from django.core.management.base import BaseCommand

from resources.importers.bibtex import import_paths
from resources.management.reporting import ImportPrinter, add_mode_arguments


class Command(BaseCommand):
    help = "Import papers and books from BibTeX files (a folder: every .bib file under it)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help=".bib files or folders")
        add_mode_arguments(parser)
        parser.add_argument("--draft", action="store_true", help="create new rows as drafts, not published")

    def handle(self, *args, **options):
        printer = ImportPrinter(self, total=None, verbosity=options["verbosity"], unit="entries")
        report = import_paths(
            options["paths"],
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            draft=options["draft"],
            progress=printer.progress,
            on_count=printer.on_count,
        )
        printer.finish(report)
