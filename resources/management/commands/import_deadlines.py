"""Import conference series, editions, deadlines and acceptance rates from community data.

    python manage.py import_deadlines resources/data/ [more.yml ...] [--dry-run]

Reads ccf-deadlines conference and accept_rates files and ai-deadlines (Hugging Face) files,
recognised by their shape; a folder stands for the YAML files under it. Each file is imported in
one transaction: a file with any error imports nothing, and the error names the file, the entry
and the reason. Re-importing unchanged files changes nothing. At verbosity 1 a line per file is
printed (on a terminal, verbosity 1 shows a counter of files, and of rows within a long file,
instead, and 2 adds the line per file), then a one-line summary; errors always go to stderr. A
warning (what the file says that was read differently, or left out, because the entry
contradicts itself) is printed at verbosity 1 and up. The command fails (exit status 1) when a
file failed.
"""

from django.core.management.base import BaseCommand, CommandError

from resources.importers.deadlines import collect_files, import_paths
from resources.management.progress import TerminalLine


class Command(BaseCommand):
    help = "Import conference deadlines from ccf-deadlines and ai-deadlines YAML files or folders."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="YAML files, or folders to search for them"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, then roll back; report what would change"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        files = collect_files(options["paths"])
        total = len(files)
        line = TerminalLine(self.stdout, enabled=verbosity == 1)
        done = 0

        def on_count(file_report):
            line.show(f"importing file {done + 1} of {total}: {file_report.rows} rows")

        def progress(file_report):
            nonlocal done
            done += 1
            line.show(f"importing file {done} of {total}")
            if file_report.error:
                line.close()
                error = file_report.error
                self.stderr.write(f"{file_report.path}: {error.entry}: {error.reason}")
            elif verbosity >= 2 or (verbosity == 1 and not line.enabled):
                if file_report.note:
                    what = f"skipped: {file_report.note}"
                else:
                    what = (
                        f"created {file_report.created}, updated {file_report.updated}, "
                        f"unchanged {file_report.unchanged}"
                    )
                self.stdout.write(f"[{done}/{total}] {file_report.path}: {what}")
            if file_report.warnings and verbosity >= 1:
                line.close()
                for warning in file_report.warnings:
                    self.stdout.write(self.style.WARNING(f"{file_report.path}: warning: {warning}"))

        report = import_paths(files, dry_run=options["dry_run"], progress=progress, on_count=on_count)
        line.close()
        if verbosity >= 1:
            self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(
                f"{report.failed} of {len(report.files)} files failed; nothing was taken from them"
            )
