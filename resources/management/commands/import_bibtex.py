"""Import papers and books from BibTeX files.

    python manage.py import_bibtex refs.bib more/ [--dry-run] [--draft]

``@book`` entries become books, every other entry type papers. Each file is imported in one
transaction: a file with any error imports nothing and the error names the file, the entry and
the reason. Re-importing an unchanged file changes nothing. A folder stands for the .bib files
under it. On a terminal a long file shows a running count of its entries. The command exits
with status 1 when a file failed.
"""

from django.core.management.base import BaseCommand, CommandError

from resources.importers.bibtex import import_paths
from resources.management.progress import TerminalLine


class Command(BaseCommand):
    help = "Import papers and books from BibTeX files (a folder: every .bib file under it)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help=".bib files or folders")
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll back; report what would change"
        )
        parser.add_argument("--draft", action="store_true", help="create new rows as drafts, not published")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        line = TerminalLine(self.stdout, enabled=verbosity >= 1)
        done = 0

        def on_count(file_report):
            line.show(f"{file_report.path}: {file_report.rows} entries")

        def progress(file_report):
            nonlocal done
            done += 1
            line.close()
            if file_report.error:
                error = file_report.error
                self.stderr.write(f"{file_report.path}: {error.entry}: {error.reason}")
            elif verbosity >= 1:
                self.stdout.write(
                    f"[{done}] {file_report.path}: created {file_report.created}, "
                    f"updated {file_report.updated}, unchanged {file_report.unchanged}"
                )

        report = import_paths(
            options["paths"],
            dry_run=options["dry_run"],
            draft=options["draft"],
            progress=progress,
            on_count=on_count,
        )
        if verbosity >= 1:
            self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(
                f"{report.failed} of {len(report.files)} files failed; nothing was taken from them"
            )
