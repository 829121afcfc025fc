"""Import conference series, editions, deadlines and acceptance rates from community data.

    python manage.py import_deadlines resources/data/ [more.yml ...] [--dry-run] [--skip-invalid] [--draft]

Reads ccf-deadlines conference and accept_rates files and ai-deadlines (Hugging Face) files,
recognised by their shape; a folder stands for the data files under it (a checkout of either
repository is read from its data folders). The run is atomic: if any entry of any file is bad,
nothing is stored, and every error is listed with its file, line, entry and reason.
``--skip-invalid`` stores every valid entry and lists the rejected ones; ``--dry-run`` prints
the whole report and writes nothing; ``--draft`` creates new conference series as drafts, for a
curator to review and publish. Re-importing unchanged files changes nothing. The output
is described in ``resources/management/reporting.py``; the command exits with status 1 when an
entry was rejected.
"""

from django.core.management.base import BaseCommand

from resources.importers.deadlines import collect_files, import_paths
from resources.management.reporting import ImportPrinter, add_mode_arguments


class Command(BaseCommand):
    help = "Import conference deadlines from ccf-deadlines and ai-deadlines YAML files or folders."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="data files, or folders to search for them"
        )
        add_mode_arguments(parser)
        parser.add_argument(
            "--draft", action="store_true", help="create new conference series as drafts, not published"
        )

    def handle(self, *args, **options):
        files = collect_files(options["paths"])
        printer = ImportPrinter(self, total=len(files), verbosity=options["verbosity"])
        report = import_paths(
            files,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            progress=printer.progress,
            on_count=printer.on_count,
            draft=options["draft"],
        )
        printer.finish(report)
