"""What the import commands print: a counter on a terminal, every error, the warnings, a summary.

Shared by every command that imports files (``import_deadlines``, ``import_bibtex``,
``sync_deadlines``, ``load_catalogue``, ``load_tutorials``, ``load_paths``) so
that they read alike: at verbosity 1 a line per file (on a terminal, a running counter of files
and of rows within a long file instead; verbosity 2 adds the line per file), every rejected entry
on stderr as ``file:line: entry: reason``, warnings at verbosity 1 and up, then the one-line
summary that says what was stored. The command exits with status 1 when any entry was rejected.
"""

from django.core.management.base import CommandError

from resources.importers.base import FileReport, ImportReport
from resources.management.progress import TerminalLine


def add_mode_arguments(parser, *, skip_invalid: bool = True) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="do everything, then roll back: print the full report and write nothing",
    )
    if skip_invalid:
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="store every valid entry and list the rejected ones (default: any error stores nothing)",
        )


class ImportPrinter:
    """Callbacks for an importer (``progress``, ``on_count``) and the closing lines."""

    def __init__(
        self, command, *, total: int | None, verbosity: int, unit: str = "rows", file_lines_from: int = 1
    ):
        """``file_lines_from``: the verbosity from which each file gets its own line (the loaders of
        the shipped content, which read many small files, say 2: one summary line by default)."""
        self.command = command
        self.total = total
        self.verbosity = verbosity
        self.unit = unit
        self.file_lines_from = file_lines_from
        self.line = TerminalLine(command.stdout, enabled=verbosity == 1 and file_lines_from <= 1)
        self.done = 0

    def _of(self, n: int) -> str:
        return f"{n} of {self.total}" if self.total else str(n)

    def on_count(self, file_report: FileReport) -> None:
        self.line.show(f"importing file {self._of(self.done + 1)}: {file_report.rows} {self.unit}")

    def progress(self, file_report: FileReport) -> None:
        self.done += 1
        self.line.show(f"importing file {self._of(self.done)}")
        out, style = self.command.stdout, self.command.style
        if file_report.errors:
            self.line.close()
            for error in file_report.errors:
                where = f"{file_report.path}:{error.line}" if error.line else file_report.path
                self.command.stderr.write(f"{where}: {error.entry}: {error.reason}")
        if self.verbosity >= max(2, self.file_lines_from) or (
            self.verbosity == 1 and self.file_lines_from <= 1 and not self.line.enabled
        ):
            if file_report.note:
                what = f"skipped: {file_report.note}"
            else:
                what = (
                    f"created {file_report.created}, updated {file_report.updated}, "
                    f"unchanged {file_report.unchanged}, withdrawn {file_report.withdrawn}"
                    + (f", rejected {len(file_report.errors)}" if file_report.errors else "")
                )
            out.write(f"[{self._of(self.done)}] {file_report.path}: {what}")
        if self.verbosity >= 2:
            for change in file_report.diff:
                out.write(f"    {change}")
        if file_report.warnings and self.verbosity >= 1:
            self.line.close()
            for warning in file_report.warnings:
                out.write(style.WARNING(f"{file_report.path}: warning: {warning}"))

    def finish(self, report: ImportReport, prefix: str = "") -> None:
        self.line.close()
        if self.verbosity >= 1:
            self.command.stdout.write(prefix + report.summary())
        if not report.ok:
            stored = "the valid entries were stored" if report.stored else "nothing was stored"
            raise CommandError(f"{report.error_count} entries rejected in {report.failed} files; {stored}")
