"""What every importer shares: one transaction per command, entry-level errors, a report.

Every importer is one pipeline: parse (per format, naming file, line and entry) -> normalised
records -> validate (errors vs warnings) -> diff against the database -> apply. ``run_files``
runs it over files:

* Each file runs in a savepoint. An importer rejects a bad entry with ``FileReport.reject()``
  and goes on with the next one, so one run lists every error of every file; an error it
  raises (``EntryError``: the file cannot be read at all) rolls back that file alone.
* The default mode is atomic per command: if any entry of any file was rejected, the whole
  run is rolled back and nothing is stored, but the report still lists every error at once.
* ``skip_invalid=True`` stores every valid entry and lists what was rejected, entry by entry.
* ``dry_run=True`` does all the work, then rolls everything back; the report and its diff
  show what a real run would do.

The report counts rows (created / updated / unchanged / withdrawn), keeps the warnings (what
was read differently from the letter of the file, or left out, and why), and a diff: one line
per row created or changed, so a curator sees what an import would do before confirming it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from prometheus_client import Counter

CREATED, UPDATED, UNCHANGED, WITHDRAWN = "created", "updated", "unchanged", "withdrawn"
#: How often (in rows) a long file reports its progress.
COUNT_EVERY = 250
#: Diff lines kept per file; the counts stay exact past it.
DIFF_LIMIT = 2000

# Exposed at /metrics (portal.metrics) for the imports run in the web processes.
IMPORT_RUNS = Counter("portal_import_runs", "Import runs by result.", ["result"])
IMPORT_ROWS = Counter("portal_import_rows", "Rows written or rejected by stored imports.", ["outcome"])


class EntryError(Exception):
    """An entry that cannot be imported; ``entry`` names it the way the file does.

    ``line`` is the line of the file where the entry starts, where the format tells.
    """

    def __init__(self, entry: str, reason: str, line: int | None = None):
        super().__init__(f"{entry}: {reason}")
        self.entry = entry
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.entry}: {self.reason}"


@dataclass
class FileReport:
    path: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    #: Entries rejected, in file order; an error that stopped the whole file is among them.
    errors: list[EntryError] = field(default_factory=list)
    #: Why a file was passed over without being an error (e.g. a data set's list of field names).
    note: str = ""
    #: What the importer read differently from the letter of the file, or left out, and why.
    warnings: list[str] = field(default_factory=list)
    #: One line per row created, changed or withdrawn: what a run does, before it is confirmed.
    diff: list[str] = field(default_factory=list)
    #: Called with this report after every ``COUNT_EVERY`` rows: progress within a long file.
    on_count: Callable[["FileReport"], None] | None = field(default=None, repr=False, compare=False)

    def count(self, outcome: str, what: str = "") -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if what and outcome != UNCHANGED and len(self.diff) < DIFF_LIMIT:
            self.diff.append(f"{outcome}: {what}")
        if self.on_count is not None and self.rows % COUNT_EVERY == 0:
            self.on_count(self)

    def reject(self, entry: str, reason: str, line: int | None = None) -> None:
        """Record a bad entry; the importer leaves it out and goes on with the next."""
        self.errors.append(EntryError(entry, reason, line))

    def warn(self, entry: str, reason: str) -> None:
        self.warnings.append(f"{entry}: {reason}")

    @property
    def error(self) -> EntryError | None:
        """The first error, if any (a file-level one comes first)."""
        return self.errors[0] if self.errors else None

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.withdrawn

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    dry_run: bool = False
    skip_invalid: bool = False
    #: Whether the run's writes were committed.
    stored: bool = False
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def total(self, outcome: str) -> int:
        return sum(getattr(f, outcome) for f in self.files)

    @property
    def failed(self) -> int:
        """Files with at least one error."""
        return sum(1 for f in self.files if not f.ok)

    @property
    def error_count(self) -> int:
        return sum(len(f.errors) for f in self.files)

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        return [(f.path, e.entry, e.reason) for f in self.files for e in f.errors]

    @property
    def warnings(self) -> int:
        return sum(len(f.warnings) for f in self.files)

    def counts(self) -> str:
        return (
            f"created {self.total(CREATED)}, updated {self.total(UPDATED)}, "
            f"unchanged {self.total(UNCHANGED)}, withdrawn {self.total(WITHDRAWN)}; "
            f"warnings {self.warnings}; errors {self.error_count}"
        )

    def summary(self) -> str:
        """One line that says plainly what was stored."""
        errors = f"{self.error_count} errors in {self.failed} of {len(self.files)} files"
        if self.dry_run:
            verdict = "dry run, nothing stored"
            if not self.ok and not self.skip_invalid:
                verdict += f"; a real run would store nothing because of {errors}"
            elif not self.ok:
                verdict += f"; a real run would leave out the entries with {errors}"
            return f"{verdict}: would have {self.counts()}"
        if self.stored:
            rejected = f"; rejected: {errors}, listed above" if not self.ok else ""
            return f"stored: {self.counts()}{rejected}"
        return (
            f"nothing stored: {errors}, listed above (without them it would have {self.counts()}); "
            "fix them, or run again with --skip-invalid to store the valid entries"
        )


class _Rollback(Exception):
    pass


def run_files(
    paths: Iterable[Path],
    import_one: Callable[[Path, FileReport], None],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    on_count: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Run ``import_one`` on each file, all in one transaction; see the module docstring.

    ``import_one`` rejects entries with ``FileReport.reject()`` or raises EntryError to reject
    the whole file. ``progress`` is called after each file, ``on_count`` every ``COUNT_EVERY``
    rows within one.
    """
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        with transaction.atomic():
            for path in paths:
                report.files.append(_run_one(path, import_one, on_count))
                if progress:
                    progress(report.files[-1])
            if dry_run or not (report.ok or skip_invalid):
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.stored = True
    _count(report)
    return report


def _count(report: "ImportReport") -> None:
    result = "dry_run" if report.dry_run else "stored" if report.stored else "rejected"
    IMPORT_RUNS.labels(result).inc()
    if report.stored:
        for outcome in (CREATED, UPDATED, UNCHANGED, WITHDRAWN):
            IMPORT_ROWS.labels(outcome).inc(report.total(outcome))
        IMPORT_ROWS.labels("rejected").inc(report.error_count)


def _run_one(path, import_one, on_count) -> FileReport:
    file_report = FileReport(path=str(path), on_count=on_count)
    try:
        with transaction.atomic():
            import_one(path, file_report)
    except EntryError as exc:
        failed = exc
    except (ValidationError, IntegrityError) as exc:
        failed = EntryError("(file)", _reason(exc))
    else:
        return file_report
    # The file's savepoint is rolled back: none of its rows stand.
    file_report.created = file_report.updated = file_report.unchanged = file_report.withdrawn = 0
    file_report.warnings, file_report.diff = [], []
    file_report.errors.insert(0, failed)
    return file_report


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)


def upsert(
    model: type[models.Model],
    lookup: dict,
    values: dict,
    *,
    entry: str,
    m2m: dict | None = None,
) -> tuple[models.Model, str]:
    """Create or update one row so that re-importing the same data changes nothing.

    The row is validated with ``full_clean()`` before it is written; a validation error becomes
    an EntryError naming ``entry``. ``m2m`` maps a many-to-many field to the objects it must hold.
    """
    instance = model._default_manager.filter(**lookup).first()
    outcome = UNCHANGED
    if instance is None:
        instance = model(**lookup, **values)
        outcome = CREATED
    else:
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                outcome = UPDATED
    if outcome != UNCHANGED:
        try:
            # A missing slug is made from the title on save().
            instance.full_clean(exclude=[] if getattr(instance, "slug", "x") else ["slug"])
        except ValidationError as exc:
            raise EntryError(entry, _reason(exc)) from None
        instance.save()
    for name, targets in (m2m or {}).items():
        manager = getattr(instance, name)
        wanted = {t.pk for t in targets}
        if outcome == CREATED or set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(targets))
            if outcome == UNCHANGED:
                outcome = UPDATED
    return instance, outcome
