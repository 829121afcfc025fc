"""What every importer shares: per-file atomicity, idempotent upserts and a report.

A file is imported inside one transaction: the first entry that fails stops the file, its
transaction is rolled back, and the report names the file, the entry and the reason. A dry
run does the same work and rolls back every file, so its report shows what a real run would do.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
#: How often (in rows) a long file reports its progress.
COUNT_EVERY = 250


class EntryError(Exception):
    """An entry that cannot be imported; ``entry`` names it the way the file does."""

    def __init__(self, entry: str, reason: str):
        super().__init__(f"{entry}: {reason}")
        self.entry = entry
        self.reason = reason


@dataclass
class FileReport:
    path: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error: EntryError | None = None
    #: Why a file was passed over without being an error (e.g. a data set's list of field names).
    note: str = ""
    #: What the importer read differently from the letter of the file, or left out, and why:
    #: a contradiction the entry itself resolves. The rest of the file is imported.
    warnings: list[str] = field(default_factory=list)
    #: Called with this report after every ``COUNT_EVERY`` rows: progress within a long file.
    on_count: Callable[["FileReport"], None] | None = field(default=None, repr=False, compare=False)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if self.on_count is not None and self.rows % COUNT_EVERY == 0:
            self.on_count(self)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ImportReport:
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def total(self, outcome: str) -> int:
        return sum(getattr(f, outcome) for f in self.files if f.ok)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if not f.ok)

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        return [(f.path, f.error.entry, f.error.reason) for f in self.files if f.error]

    def summary(self) -> str:
        prefix = "dry run: would have " if self.dry_run else ""
        return (
            f"{prefix}created {self.total(CREATED)}, updated {self.total(UPDATED)}, "
            f"unchanged {self.total(UNCHANGED)}; failed files {self.failed} of {len(self.files)}"
            + (f"; warnings {self.warnings}" if self.warnings else "")
        )

    @property
    def warnings(self) -> int:
        return sum(len(f.warnings) for f in self.files)


class _DryRunRollback(Exception):
    pass


def run_files(
    paths: Iterable[Path],
    import_one: Callable[[Path, FileReport], None],
    *,
    dry_run: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    on_count: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Import each file in its own transaction; ``import_one`` raises EntryError to reject it.

    ``progress`` is called after each file, ``on_count`` every ``COUNT_EVERY`` rows within one.
    """
    report = ImportReport(dry_run=dry_run)
    for path in paths:
        file_report = FileReport(path=str(path), on_count=on_count)
        try:
            with transaction.atomic():
                import_one(path, file_report)
                if dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        except EntryError as exc:
            file_report.error = exc
        except (ValidationError, IntegrityError) as exc:
            file_report.error = EntryError("(file)", _reason(exc))
        if file_report.error:
            file_report.created = file_report.updated = file_report.unchanged = 0
            file_report.warnings = []
        report.files.append(file_report)
        if progress:
            progress(file_report)
    return report


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
