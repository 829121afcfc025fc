"""Import BibTeX files: ``@book`` entries become books, every other entry type a paper.

Every entry is checked on its own: a bad one (broken syntax, which costs only that entry since
the reader picks up again at the next ``@``; no title or author; a year, arXiv id, DOI or ISBN
that is not one; a key used twice) is rejected on the report with its key and line, and the
others go on, so one run lists every problem of a file. Whether anything is stored is the
pipeline's choice (``resources.importers.base``): nothing in the default mode when an entry was
rejected, every valid entry with ``skip_invalid``.

Real bibliographies are read faithfully, with a warning wherever something was interpreted:

* the same work under two keys (same arXiv id, DOI or ISBN, or same title and year when no
  identifier tells them apart) is one row, kept under the key of the published version (the
  entry with a venue), which the other entries complete; what they say differently is named;
* "and others" (and "and et al.", "Vaswani et al.") ends the author list with the marker
  ``bibtex.OTHERS``, which the export writes back as "and others"; "et al." is never an author,
  and a truncated list does not overwrite a complete one already in the catalogue;
* a year with a letter (2023a) is read as the year;
* fields the catalogue has no place for are named, except ordinary ones (pages, publisher, ...).

A paper is found again by any of its arXiv id, DOI and BibTeX key; a book by its ISBN, or by
its exact title when the entry gives no ISBN. Fields an entry leaves out keep what the
catalogue has (a curator's abstract survives a bare re-import); fields it gives overwrite.
New rows are published unless the caller asks for drafts.

The work is done in bulk so that a file of a thousand entries costs a few dozen queries:
existing rows are looked up by chunks of keys, new rows written with ``bulk_create`` and
changed ones with ``bulk_update``.
"""

import re
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
    """Parse ``text`` and write its entries; every bad entry is rejected on ``report`` (with its
    line) and the others go on. Raises EntryError only when the text holds no entry at all."""
    entries, problems = bibtex.read(text)
    for problem in problems:
        report.reject(problem.entry, problem.reason, problem.line)
    if not entries and not problems:
        raise EntryError("(file)", "no BibTeX entries found (an entry starts with @article{key, ...)")
    papers, books = [], []
    for entry in entries:
        try:
            if entry.entry_type == "book":
                books.append(_book_row(entry))
            else:
                papers.append(_paper_row(entry))
        except EntryError as exc:
            report.reject(exc.entry, exc.reason, exc.line)
    for model, rows in ((Paper, papers), (Book, books)):
        rows = _unique_in_file(model, _merge_same_works(model, rows), report)
        if rows:
            _write(model, rows, report, status=status)
    # In file order, whichever step found them.
    report.errors.sort(key=lambda error: error.line or 0)


# --- From entries to rows -------------------------------------------------------------------------


@dataclass
class Row:
    key: str  # the entry's BibTeX key
    line: int
    values: dict  # what the entry says; empty values are left out on update
    keys: dict  # field → value that identifies the row
    # Looked up when no key matches, among rows that have none of the keys' fields filled in.
    fallback: dict = field(default_factory=dict)
    #: (entry, what was read differently from its letter): reported once the row is written.
    warnings: list[tuple[str, str]] = field(default_factory=list)
    #: Same-work identities: strong ones (arXiv id, DOI, ISBN) and a weak one (title and year).
    identities: list[tuple] = field(default_factory=list)
    weak: tuple | None = None

    @property
    def where(self) -> str:
        return f"{self.key} (line {self.line})"

    def error(self, reason: str) -> EntryError:
        return EntryError(self.key, reason, self.line)


def _error(entry: bibtex.BibEntry, reason: str) -> EntryError:
    return EntryError(entry.key, reason, entry.line)


_YEAR_WITH_LETTER = re.compile(r"^(\d{4})([a-z])$")


def _year(entry: bibtex.BibEntry, warnings: list[str]) -> int | None:
    text = entry.text("year")
    if not text:
        return None
    suffixed = _YEAR_WITH_LETTER.match(text)
    if suffixed:
        # 2023a: the second paper of an author in 2023, as author-year styles tell them apart.
        warnings.append(
            f"year {text!r} read as {suffixed[1]} (the letter only tells an author's papers apart)"
        )
        return int(suffixed[1])
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise _error(entry, f"year: {text!r} is not a year (expected four digits, e.g. 2017)")
    return int(text)


def _url(entry: bibtex.BibEntry) -> str:
    url = entry.text("url")
    if url.startswith("\\url{") and url.endswith("}"):
        url = url[5:-1].strip()
    return url


def _authors(entry: bibtex.BibEntry, raw: str, warnings: list[str]) -> list[str]:
    names, notes = bibtex.read_names(raw)
    warnings.extend(f"author: {note}" for note in notes)
    return names if [n for n in names if n != bibtex.OTHERS] else []


#: Fields the importer reads, by kind of row.
_PAPER_FIELDS = frozenset(
    {"title", "author", "year", "booktitle", "journal", "abstract", *_IDENTIFIER_FIELDS}
)
_BOOK_FIELDS = frozenset({"title", "author", "editor", "publisher", "year", "edition", "isbn", "url"})
#: Ordinary fields the catalogue has no place for: left out without a word, to keep the report
#: about what matters (a PDF link, a DOI on a book, an abstract of a book, a field it cannot tell).
_ORDINARY_FIELDS = frozenset(
    {
        "pages", "publisher", "volume", "number", "issue", "month", "day", "address", "location",
        "organization", "institution", "school", "series", "editor", "edition", "chapter", "type",
        "keywords", "language", "langid", "issn", "isbn", "primaryclass", "eprintclass", "timestamp",
        "biburl", "bibsource", "file", "howpublished", "note", "annote", "urldate", "shorttitle",
        "copyright", "numpages", "articleno", "acmid", "mendeley-groups", "owner", "added-at",
        "interhash", "intrahash", "venue", "ee", "crossref",
    }
)  # fmt: skip


def _left_out(entry: bibtex.BibEntry, used: frozenset, warnings: list[str]) -> None:
    names = sorted(name for name in entry.raw if name not in used and name not in _ORDINARY_FIELDS)
    if names:
        kind = "books" if used is _BOOK_FIELDS else "papers"
        listing = ", ".join(names)
        warnings.append(f"left out {listing}: the catalogue keeps no such field for {kind}")


def _fold_title(title: str) -> str:
    return re.sub(r"\W+", "", title.casefold())


def _paper_row(entry: bibtex.BibEntry) -> Row:
    warnings: list[str] = []
    title = entry.text("title")
    if not title:
        raise _error(entry, "the entry has no title")
    identifiers = {name: entry.text(name) for name in _IDENTIFIER_FIELDS if name in entry.raw}
    try:
        arxiv_id = bibtex.find_arxiv_id(identifiers)
        doi = bibtex.find_doi(identifiers)
    except bibtex.IdentifierError as exc:
        raise _error(entry, str(exc)) from None
    authors = _authors(entry, entry.raw.get("author", ""), warnings)
    if not authors:
        raise _error(entry, "the entry has no author")
    journal = entry.text("journal")
    year = _year(entry, warnings)
    _left_out(entry, _PAPER_FIELDS, warnings)
    values = {
        "title": title,
        "authors": authors,
        "year": year,
        "venue": entry.text("booktitle") or ("" if bibtex.is_arxiv_journal(journal) else journal),
        "arxiv_id": arxiv_id,
        "doi": doi,
        "url": _url(entry),
        "abstract": entry.text("abstract"),
        "bibtex_key": entry.key,
    }
    return _row(Paper, entry, values, warnings)


def _book_row(entry: bibtex.BibEntry) -> Row:
    warnings: list[str] = []
    title = entry.text("title")
    if not title:
        raise _error(entry, "the entry has no title")
    isbn = ""
    if entry.text("isbn"):
        # Some files list the ISBN-10 and the ISBN-13; they name one book, the first will do.
        first = entry.text("isbn").replace(";", ",").split(",")[0]
        try:
            isbn = normalize_isbn(first)
        except ValidationError as exc:
            raise _error(entry, f"isbn: {' '.join(exc.messages)}") from None
    authors = _authors(entry, entry.raw.get("author", "") or entry.raw.get("editor", ""), warnings)
    if not authors:
        raise _error(entry, "the entry has no author or editor")
    if not entry.raw.get("author", "").strip():
        warnings.append("no author given: the editors are stored as the book's authors")
    year = _year(entry, warnings)
    _left_out(entry, _BOOK_FIELDS, warnings)
    values = {
        "title": title,
        "authors": authors,
        "publisher": entry.text("publisher"),
        "year": year,
        "edition": entry.text("edition"),
        "isbn13": isbn,
        "url": _url(entry),
    }
    return _row(Book, entry, values, warnings)


def _fold(name: str, value: str) -> str:
    return value.lower() if name in _CASELESS_KEYS else value


def _keys(model, values: dict) -> tuple[dict, dict]:
    """(keys, fallback) of a row: how it is found again in the catalogue."""
    if model is Paper:
        return {name: values[name] for name in ("arxiv_id", "doi", "bibtex_key") if values[name]}, {}
    if values["isbn13"]:
        # A book a curator entered without its ISBN is the same book.
        return {"isbn13": values["isbn13"]}, {"title": values["title"]}
    return {"title": values["title"]}, {}


def _identities(model, values: dict) -> list[tuple[str, str]]:
    return [(name, _fold(name, values[name])) for name in _STRONG[model] if values[name]]


def _row(model, entry: bibtex.BibEntry, values: dict, warnings: list[str]) -> Row:
    keys, fallback = _keys(model, values)
    year = values["year"]
    return Row(
        entry.key,
        entry.line,
        values,
        keys,
        fallback=fallback,
        warnings=[(entry.where, warning) for warning in warnings],
        identities=_identities(model, values),
        weak=(_fold_title(values["title"]), year) if year else None,
    )


# --- The same work under two keys -----------------------------------------------------------------

#: Identifiers two entries of one work cannot disagree on; those that differ mean two works.
_STRONG = {Paper: ("arxiv_id", "doi"), Book: ("isbn13",)}
_LABELS = {"arxiv_id": "arXiv id", "doi": "DOI", "isbn13": "ISBN"}


def _merge_same_works(model, rows: list[Row]) -> list[Row]:
    """One row per work: entries that share an arXiv id, a DOI or an ISBN, or the same title
    and year without a strong identifier that tells them apart, are merged (with a warning that
    names their keys), in the order of their first entry."""
    parent = list(range(len(rows)))
    # The strong identifiers of each group, by field, to tell two works of one title apart.
    strong: dict[int, dict[str, set]] = {i: defaultdict(set) for i in range(len(rows))}
    for i, row in enumerate(rows):
        for name, value in row.identities:
            strong[i][name].add(value)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = root(i), root(j)
        parent[a] = b
        for name, values in strong.pop(a).items():
            strong[b][name] |= values

    reasons: dict[int, str] = {}
    first: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        for identity in row.identities:
            j = first.setdefault(identity, i)
            if root(j) != root(i):
                reasons.setdefault(i, f"same {_LABELS[identity[0]]} {row.values[identity[0]]}")
                join(i, j)
    for i, row in enumerate(rows):
        if row.weak is None:
            continue
        j = first.setdefault(row.weak, i)
        a, b = strong[root(i)], strong[root(j)]
        if root(j) == root(i) or any(a[name] and b[name] and a[name] != b[name] for name in _STRONG[model]):
            continue  # one group already, or the same title in the same year of two works
        reasons.setdefault(i, "same title and year")
        join(i, j)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[root(i)].append(i)
    return [
        rows[members[0]]
        if len(members) == 1
        else _merge(model, [(rows[i], reasons.get(i, "")) for i in members])
        for members in sorted(groups.values())
    ]


def _merge(model, members: list[tuple[Row, str]]) -> Row:
    # The published version (the entry with a venue) is the one the others complete.
    base_index = next((i for i, (row, _) in enumerate(members) if row.values.get("venue")), 0)
    base = members[base_index][0]
    values = dict(base.values)
    warnings = list(base.warnings)
    noun = model._meta.verbose_name
    for i, (row, why) in enumerate(members):
        if i == base_index:
            continue
        warnings.extend(row.warnings)
        left_out = []
        for name, value in row.values.items():
            if name == "bibtex_key" or value in ("", None, []) or value == values.get(name):
                continue
            if values.get(name) in ("", None, []):
                values[name] = value
            elif name == "authors" and bibtex.is_truncated(values[name]) and not bibtex.is_truncated(value):
                values[name] = value  # the complete list over a truncated one
            elif not (name == "authors" and bibtex.is_truncated(value)):
                left_out.append(f"{name} {value!r}")
        why = why or next((w for _, w in members if w), "the same work")
        message = (
            f"the same work as {base.where} ({why}): merged into one {noun}, kept under the key {base.key}"
        )
        if left_out:
            message += f"; left out what it says differently: {'; '.join(left_out)}"
        warnings.append((row.where, message))
    keys, fallback = _keys(model, values)
    return Row(base.key, base.line, values, keys, fallback=fallback, warnings=warnings)


def _unique_in_file(model, rows: list[Row], report: FileReport) -> list[Row]:
    """Rows whose keys no earlier row of the file holds; the others are rejected."""
    seen: dict[tuple[str, str], Row] = {}
    kept = []
    for row in rows:
        clash = next(
            (
                (name, value, seen[(name, _fold(name, value))])
                for name, value in row.keys.items()
                if (name, _fold(name, value)) in seen
            ),
            None,
        )
        if clash:
            name, value, other = clash
            label = model._meta.get_field(name).verbose_name
            report.reject(row.key, f"{label} {value} is also given by {other.where}", row.line)
            continue
        for name, value in row.keys.items():
            seen[(name, _fold(name, value))] = row
        kept.append(row)
    return kept


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
        raise row.error(
            f"matches {len(found)} different {model._meta.verbose_name_plural} already there: {listing}"
        )
    if not found:
        return None
    obj = next(iter(found.values()))[0]
    if obj.pk in claimed:
        raise row.error(f"matches «{obj}», which {claimed[obj.pk].where} matches too")
    claimed[obj.pk] = row
    return obj


def _clean(instance: models.Model, row: Row) -> None:
    try:
        # Uniqueness is settled by the lookups above, in bulk; per-row checks would cost queries.
        instance.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise row.error(_reason(exc)) from None


def _keeps_complete_authors(current: list[str], new: list[str]) -> bool:
    """True when ``new`` is a truncated list ("A and B and others") of the complete ``current``."""
    shown = new[:-1]
    return (
        bibtex.is_truncated(new)
        and not bibtex.is_truncated(current)
        and len(current) > len(shown)
        and current[: len(shown)] == shown
    )


def _changed_fields(instance: models.Model, row: Row) -> list[str]:
    fields = []
    for name, value in row.values.items():
        if value in ("", None, []) or getattr(instance, name) == value:
            continue
        if name == "authors" and _keeps_complete_authors(instance.authors, value):
            row.warnings.append((row.where, "author: the catalogue's complete list kept over “and others”"))
            continue
        fields.append(name)
    return fields


def _write(model, rows: list[Row], report: FileReport, *, status: str) -> None:
    index = _existing(model, rows)
    claimed: dict[int, Row] = {}
    now = timezone.now()
    noun = model._meta.verbose_name
    new: list[models.Model] = []
    changed: list[models.Model] = []
    changed_fields: set[str] = set()
    for row in rows:
        try:
            instance = _match(model, row, index, claimed)
            if instance is None:
                instance = model(**row.values, status=status)
                if status == Status.PUBLISHED:
                    instance.published_at = now
                _clean(instance, row)
                new.append(instance)
                outcome, what = CREATED, f"{noun} «{instance}» ({row.where})"
            else:
                fields = _changed_fields(instance, row)
                if fields:
                    for name in fields:
                        setattr(instance, name, row.values[name])
                    _clean(instance, row)
                    instance.updated_at = now
                    changed.append(instance)
                    changed_fields.update(fields)
                    outcome = UPDATED
                    what = f"{noun} «{instance}» ({row.where}): {', '.join(fields)}"
                else:
                    outcome, what = UNCHANGED, ""
        except EntryError as exc:
            report.reject(exc.entry, exc.reason, exc.line)
            continue
        for where, warning in row.warnings:
            report.warn(where, warning)
        report.count(outcome, what)
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
