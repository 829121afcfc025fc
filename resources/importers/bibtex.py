"""Import BibTeX files: ``@book`` entries become books, every other entry type a paper.

A paper is found again by any of its arXiv id, DOI and BibTeX key; a book by its ISBN, or by
its exact title when the entry gives no ISBN. Fields an entry leaves out keep what the
catalogue has (a curator's abstract survives a bare re-import); fields it gives overwrite.
New rows are published unless the caller asks for drafts.

The work is done in bulk so that a file of a thousand entries costs a few dozen queries:
existing rows are looked up by chunks of keys, new rows written with ``bulk_create`` and
changed ones with ``bulk_update``.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial, reduce
from operator import or_
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from resources import bibtex
from resources.importers.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    EntryError,
    FileReport,
    ImportReport,
    _reason,
    run_files,
)
from resources.models import Book, Paper, Status
from resources.validators import normalize_isbn

#: Values per lookup query (900 for slugs, one parameter each): under the 999 that older SQLite allows.
LOOKUP_CHUNK = 300
_IDENTIFIER_FIELDS = ("eprint", "archiveprefix", "eprinttype", "journal", "volume", "url", "doi")
#: Keys compared without regard to case: DOIs are case-insensitive, and so are keys to BibTeX.
_CASELESS_KEYS = frozenset({"doi", "bibtex_key"})


def import_paths(
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    draft: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    on_count: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Import .bib files (a folder stands for the .bib files under it) in one transaction."""
    status = Status.DRAFT if draft else Status.PUBLISHED
    return run_files(
        _expand(paths),
        partial(_import_path, status=status),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
        on_count=on_count,
    )


def import_text(
    text: str,
    *,
    name: str = "upload.bib",
    dry_run: bool = False,
    skip_invalid: bool = False,
    draft: bool = False,
) -> ImportReport:
    """Import BibTeX given as text (an uploaded file), reported under ``name``."""
    status = Status.DRAFT if draft else Status.PUBLISHED

    def import_one(_name, report: FileReport) -> None:
        import_entries(text, report, status=status)

    return run_files([name], import_one, dry_run=dry_run, skip_invalid=skip_invalid)


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.rglob("*.bib")) if path.is_dir() else [path])
    return files


def _import_path(path: Path, report: FileReport, *, status: str) -> None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EntryError("(file)", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise EntryError("(file)", f"cannot read the file: {exc.strerror or exc}") from None
    import_entries(text, report, status=status)


def import_entries(text: str, report: FileReport, *, status: str = Status.PUBLISHED) -> None:
    """Parse ``text`` and write its entries; raises EntryError, leaving the caller to roll back."""
    try:
        entries = bibtex.parse(text)
    except bibtex.BibtexSyntaxError as exc:
        where, reason = exc.problems[0]
        more = [f"{w}: {r}" for w, r in exc.problems[1:]]
        raise EntryError(where, "; ".join([reason, *more])) from None
    if not entries:
        raise EntryError("(file)", "no BibTeX entries found (an entry starts with @article{key, ...)")
    papers, books = [], []
    for entry in entries:
        if entry.entry_type == "book":
            books.append(_book_row(entry))
        else:
            papers.append(_paper_row(entry))
    for model, rows in ((Paper, papers), (Book, books)):
        if rows:
            _check_unique_in_file(model, rows)
            _write(model, rows, report, status=status)


# --- From entries to rows -------------------------------------------------------------------------


@dataclass
class Row:
    where: str
    values: dict  # what the entry says; empty values are left out on update
    keys: dict  # field → value that identifies the row
    # Looked up when no key matches, among rows that have none of the keys' fields filled in.
    fallback: dict = field(default_factory=dict)


def _year(entry: bibtex.BibEntry) -> int | None:
    text = entry.text("year")
    if not text:
        return None
    if not (text.isdigit() and len(text) == 4):
        raise EntryError(entry.where, f"year: {text!r} is not a year (expected four digits, e.g. 2017)")
    return int(text)


def _url(entry: bibtex.BibEntry) -> str:
    url = entry.text("url")
    if url.startswith("\\url{") and url.endswith("}"):
        url = url[5:-1].strip()
    return url


def _paper_row(entry: bibtex.BibEntry) -> Row:
    title = entry.text("title")
    if not title:
        raise EntryError(entry.where, "the entry has no title")
    identifiers = {name: entry.text(name) for name in _IDENTIFIER_FIELDS if name in entry.raw}
    try:
        arxiv_id = bibtex.find_arxiv_id(identifiers)
        doi = bibtex.find_doi(identifiers)
    except bibtex.IdentifierError as exc:
        raise EntryError(entry.where, str(exc)) from None
    authors = bibtex.split_names(entry.raw.get("author", ""))
    if not authors:
        raise EntryError(entry.where, "the entry has no author")
    journal = entry.text("journal")
    values = {
        "title": title,
        "authors": authors,
        "year": _year(entry),
        "venue": entry.text("booktitle") or ("" if bibtex.is_arxiv_journal(journal) else journal),
        "arxiv_id": arxiv_id,
        "doi": doi,
        "url": _url(entry),
        "abstract": entry.text("abstract"),
        "bibtex_key": entry.key,
    }
    keys = {name: values[name] for name in ("arxiv_id", "doi", "bibtex_key") if values[name]}
    return Row(where=entry.where, values=values, keys=keys)


def _book_row(entry: bibtex.BibEntry) -> Row:
    title = entry.text("title")
    if not title:
        raise EntryError(entry.where, "the entry has no title")
    isbn = ""
    if entry.text("isbn"):
        # Some files list the ISBN-10 and the ISBN-13; they name one book, the first will do.
        first = entry.text("isbn").replace(";", ",").split(",")[0]
        try:
            isbn = normalize_isbn(first)
        except ValidationError as exc:
            raise EntryError(entry.where, f"isbn: {' '.join(exc.messages)}") from None
    authors = bibtex.split_names(entry.raw.get("author", "") or entry.raw.get("editor", ""))
    if not authors:
        raise EntryError(entry.where, "the entry has no author or editor")
    values = {
        "title": title,
        "authors": authors,
        "publisher": entry.text("publisher"),
        "year": _year(entry),
        "edition": entry.text("edition"),
        "isbn13": isbn,
        "url": _url(entry),
    }
    if isbn:
        # A book a curator entered without its ISBN is the same book.
        return Row(where=entry.where, values=values, keys={"isbn13": isbn}, fallback={"title": title})
    return Row(where=entry.where, values=values, keys={"title": title})


def _fold(name: str, value: str) -> str:
    return value.lower() if name in _CASELESS_KEYS else value


def _check_unique_in_file(model, rows: list[Row]) -> None:
    seen: dict[tuple[str, str], Row] = {}
    for row in rows:
        for name, value in row.keys.items():
            other = seen.setdefault((name, _fold(name, value)), row)
            if other is not row:
                label = model._meta.get_field(name).verbose_name
                raise EntryError(row.where, f"{label} {value} is also given by {other.where}")


# --- Writing --------------------------------------------------------------------------------------


def _existing(model, rows: list[Row]) -> dict[tuple[str, str], list[models.Model]]:
    """Rows already in the catalogue, indexed by every key of theirs that the file mentions."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for name, value in (row.keys | row.fallback).items():
            wanted[name].add(_fold(name, value))
    index: dict[tuple[str, str], list[models.Model]] = defaultdict(list)
    seen_pks: set[int] = set()
    for name, values in wanted.items():
        values = sorted(values)
        queryset = model._default_manager.all()
        if name in _CASELESS_KEYS:
            queryset, name_in = queryset.alias(folded_key=Lower(name)), "folded_key__in"
        else:
            name_in = f"{name}__in"
        for start in range(0, len(values), LOOKUP_CHUNK):
            for obj in queryset.filter(**{name_in: values[start : start + LOOKUP_CHUNK]}):
                if obj.pk in seen_pks:
                    continue
                seen_pks.add(obj.pk)
                for key_name in wanted:
                    value = _fold(key_name, getattr(obj, key_name))
                    if value and value in wanted[key_name]:
                        index[(key_name, value)].append(obj)
    return index


def _match(model, row: Row, index, claimed: dict[int, Row]) -> models.Model | None:
    found: dict[int, tuple[models.Model, str]] = {}
    for name, value in row.keys.items():
        for obj in index.get((name, _fold(name, value)), []):
            found.setdefault(obj.pk, (obj, model._meta.get_field(name).verbose_name))
    for name, value in row.fallback.items() if not found else ():
        for obj in index.get((name, _fold(name, value)), []):
            if not any(getattr(obj, key) for key in row.keys):
                found.setdefault(obj.pk, (obj, model._meta.get_field(name).verbose_name))
    if len(found) > 1:
        listing = "; ".join(f"«{obj}» by {label}" for obj, label in found.values())
        raise EntryError(
            row.where,
            f"matches {len(found)} different {model._meta.verbose_name_plural} already there: {listing}",
        )
    if not found:
        return None
    obj = next(iter(found.values()))[0]
    if obj.pk in claimed:
        raise EntryError(row.where, f"matches «{obj}», which {claimed[obj.pk].where} matches too")
    claimed[obj.pk] = row
    return obj


def _clean(instance: models.Model, where: str) -> None:
    try:
        # Uniqueness is settled by the lookups above, in bulk; per-row checks would cost queries.
        instance.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise EntryError(where, _reason(exc)) from None


def _write(model, rows: list[Row], report: FileReport, *, status: str) -> None:
    index = _existing(model, rows)
    claimed: dict[int, Row] = {}
    now = timezone.now()
    new: list[models.Model] = []
    changed: list[models.Model] = []
    changed_fields: set[str] = set()
    for row in rows:
        instance = _match(model, row, index, claimed)
        if instance is None:
            instance = model(**row.values, status=status)
            if status == Status.PUBLISHED:
                instance.published_at = now
            _clean(instance, row.where)
            new.append(instance)
            report.count(CREATED)
            continue
        fields = [
            name
            for name, value in row.values.items()
            if value not in ("", None, []) and getattr(instance, name) != value
        ]
        if not fields:
            report.count(UNCHANGED)
            continue
        for name in fields:
            setattr(instance, name, row.values[name])
        _clean(instance, row.where)
        instance.updated_at = now
        changed.append(instance)
        changed_fields.update(fields)
        report.count(UPDATED)
    if new:
        _assign_slugs(model, new)
        model._default_manager.bulk_create(new)
    if changed:
        model._default_manager.bulk_update(changed, sorted(changed_fields | {"updated_at"}))


def _slug_base(model, text: str) -> str:
    # The same rule as resources.models.unique_slug, which save() uses; bulk_create skips save().
    max_length = model._meta.get_field("slug").max_length
    return (slugify(text, allow_unicode=False) or model._meta.model_name)[: max_length - 6].strip("-")


def _assign_slugs(model, instances: list[models.Model]) -> None:
    """Give each new row a slug no other row has, in a few queries whatever the number of rows."""
    manager = model._default_manager
    bases = [_slug_base(model, instance.slug_source()) for instance in instances]
    distinct = sorted(set(bases))
    taken: set[str] = set()
    for start in range(0, len(distinct), LOOKUP_CHUNK * 3):
        chunk = distinct[start : start + LOOKUP_CHUNK * 3]
        taken.update(manager.filter(slug__in=chunk).values_list("slug", flat=True))
    repeated = {base for base, count in Counter(bases).items() if count > 1}
    crowded = sorted((taken & set(distinct)) | repeated)
    for start in range(0, len(crowded), 100):
        condition = reduce(or_, (Q(slug__startswith=f"{base}-") for base in crowded[start : start + 100]))
        taken.update(manager.filter(condition).values_list("slug", flat=True))
    for instance, base in zip(instances, bases, strict=True):
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        instance.slug = slug
