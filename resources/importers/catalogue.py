"""The sample catalogue: the shipped deadline data, then the curated YAML files in resources/catalogue/.

``load()`` is what ``manage.py load_catalogue`` and the run command call. Each curated file is
imported atomically (``base.run_files``) with idempotent upserts on natural keys, so an unchanged
second load creates and updates nothing.

File format (resources/catalogue/README.md has the full description): each file holds one
top-level key named after the file (``papers:`` in papers.yml, ...) whose value is a list of
entries. Keys an entry does not know are rejected, so a misspelt key is an error, not silence.

Ownership of fields:

- Topics, papers, books, courses and communities belong to the YAML: every field the format
  knows is written on each load (an optional field left out is stored empty), except ``status``,
  which is set when the loader creates the row and afterwards belongs to the curators in the
  admin, so that an item they unpublish stays unpublished across restarts.
- Conference series are shared with the deadline importer, which creates most of them. An entry
  of conferences.yml always writes its bilingual description and adds its topics (never removing
  a topic someone else attached); the fields under ``defaults:`` are used only when the loader
  creates the series because the deadline data does not have it.
"""

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q

from resources import models, validators
from resources.importers.base import (
    UNCHANGED,
    UPDATED,
    EntryError,
    FileReport,
    ImportReport,
    run_files,
    upsert,
)
from resources.importers.deadlines import import_paths as import_deadline_paths

CATALOGUE_DIR = Path(settings.BASE_DIR) / "resources" / "catalogue"
DEADLINE_DATA_DIR = Path(settings.BASE_DIR) / "resources" / "data"

#: Curated files in the order they load: each may refer to what the files before it define.
FILES = ("topics", "conferences", "papers", "books", "courses", "communities")

DESCRIPTIONS = {"description_en": str, "description_zh": str}


# A safe loader; libyaml's reads the files about ten times faster, and they load on every start.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Rollback(Exception):
    pass


def load(
    *,
    dry_run: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    data_dir: Path | str | None = None,
    deadline_paths: Iterable[Path | str] | None = None,
) -> ImportReport:
    """Load the deadline data, then each curated file; one report for all of them.

    ``deadline_paths`` defaults to the shipped data in resources/data/; an empty list skips the
    deadline import (the tests of the curated files do that). The whole load runs in one
    transaction with a savepoint per file: any error rolls back everything (and the report lists
    them all), and a dry run rolls back at the end, so that a curated file
    sees the series a deadline file would have created.
    """
    folder = Path(data_dir) if data_dir is not None else CATALOGUE_DIR
    if deadline_paths is None:
        deadline_paths = [DEADLINE_DATA_DIR] if DEADLINE_DATA_DIR.exists() else []
    deadline_paths = [Path(p) for p in deadline_paths]
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            if deadline_paths:
                report.files.extend(import_deadline_paths(deadline_paths, progress=progress).files)
            report.files.extend(
                import_paths([folder / f"{name}.yml" for name in FILES], progress=progress).files
            )
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.stored = True
    return report


_VENUE_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def paper_venue_year(venue: str) -> int | None:
    """The year a venue names ("NAACL 2019"), if it names exactly one."""
    years = set(_VENUE_YEAR.findall(venue or ""))
    return int(years.pop()) if len(years) == 1 else None


#: The status of an item an import creates where its entry names none (drafts: for review).
_NEW_STATUS: ContextVar[str] = ContextVar("new_status", default=models.Status.PUBLISHED)


def import_paths(
    paths: Iterable[Path | str],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    draft: bool = False,
) -> ImportReport:
    """Import curated files one by one, each atomically: what the admin's import page calls.

    A file's kind is its name (``papers.yml``) when that is one of ``FILES``, else the single
    top-level key it holds, so an upload may be called anything. Papers may cite only papers
    already in the catalogue or in the same file, and entries name topics that exist. With
    ``draft``, every item the import creates is a draft, whatever status its entry names; items
    that exist keep theirs.
    """
    token = _NEW_STATUS.set(models.Status.DRAFT if draft else models.Status.PUBLISHED)
    try:
        return run_files(
            [Path(p) for p in paths],
            _import_file,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    finally:
        _NEW_STATUS.reset(token)


def _import_file(path: Path, file_report: FileReport) -> None:
    kind = path.stem if path.stem in _IMPORTERS else None
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise EntryError("(file)", "the file does not exist") from None
    except UnicodeDecodeError as exc:
        raise EntryError("(file)", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise EntryError("(file)", f"not valid YAML{line}: {getattr(exc, 'problem', None) or exc}") from None
    except ValueError as exc:
        # A value its tag cannot hold: !!int x, a 5,000-digit number, the date 2026-02-30.
        raise EntryError("(file)", f"not valid YAML: a value cannot be read ({exc})") from None
    if kind is None:
        keys = list(document) if isinstance(document, dict) else []
        if len(keys) != 1 or keys[0] not in _IMPORTERS:
            raise EntryError(
                "(file)",
                f"expected a mapping with a single key, one of {', '.join(FILES)}, holding a list of entries",
            )
        kind = keys[0]
    if not isinstance(document, dict) or set(document) != {kind} or not isinstance(document[kind], list):
        raise EntryError("(file)", f"expected a mapping with a single key '{kind}' holding a list of entries")
    _IMPORTERS[kind](document[kind], file_report)


# --- reading entries -------------------------------------------------------------------------------


class Entry:
    """One mapping of a curated file, read field by field with errors that name it."""

    def __init__(self, raw, name: str, fields: dict[str, type], required: Iterable[str]):
        self.name = name
        if not isinstance(raw, dict):
            raise EntryError(name, "an entry must be a mapping of keys to values")
        # Keys may be numbers or dates as well as text; they are compared as written.
        unknown = sorted(map(str, set(raw) - set(fields)))
        if unknown:
            raise EntryError(name, f"unknown key(s): {', '.join(unknown)}")
        for key, value in raw.items():
            expected = fields[key]
            # YAML reads 2305.18290 as a number and yes as true: only the expected type passes.
            if value is not None and (
                not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool)
            ):
                raise EntryError(name, f"{key}: expected {_type_name(expected)}, got {value!r}")
        missing = [key for key in required if raw.get(key) in (None, "", [])]
        if missing:
            raise EntryError(name, f"missing required key(s): {', '.join(missing)}")
        self.raw = raw

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        return "" if value is None else value.strip()

    def get(self, key: str, default=None):
        value = self.raw.get(key)
        return default if value is None else value

    def strings(self, key: str) -> list[str]:
        values = self.raw.get(key) or []
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise EntryError(self.name, f"{key}: every item must be a non-empty text (quote numbers)")
        if len(set(values)) != len(values):
            raise EntryError(self.name, f"{key}: the list repeats an item")
        return [v.strip() for v in values]

    def descriptions(self) -> dict[str, str]:
        return {key: self.text(key) for key in DESCRIPTIONS}


_TYPE_NAMES = {
    str: "text (quote identifiers and numbers)",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


def _type_name(expected: type) -> str:
    return _TYPE_NAMES.get(expected, expected.__name__)


def _name(kind: str, index: int, raw, key: str) -> str:
    label = raw.get(key) if isinstance(raw, dict) else None
    return f"{kind} #{index + 1}" + (f" ({label})" if label else "")


def _topics(entry: Entry, known: dict[str, models.Topic], key: str = "topics") -> list[models.Topic]:
    slugs = entry.strings(key)
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise EntryError(
            entry.name,
            f"unknown topic slug(s): {', '.join(unknown)} "
            "(define them in topics.yml or add them as topics in the admin)",
        )
    return [known[slug] for slug in slugs]


def _all_topics() -> dict[str, models.Topic]:
    return {topic.slug: topic for topic in models.Topic.objects.all()}


def _status(entry: Entry) -> str:
    status = entry.text("status") or models.Status.PUBLISHED
    if status not in models.Status.values:
        raise EntryError(entry.name, f"status: expected one of {', '.join(models.Status.values)}")
    return models.Status.DRAFT if _NEW_STATUS.get() == models.Status.DRAFT else status


def _choice(entry: Entry, key: str, choices, default: str | None = None) -> str:
    value = entry.text(key) or default
    if value not in choices.values:
        raise EntryError(entry.name, f"{key}: {value!r} is not one of {', '.join(choices.values)}")
    return value


def _save(
    model,
    lookup: dict,
    values: dict,
    *,
    entry: Entry,
    existing: set,
    key,
    on_create: dict | None = None,
    m2m: dict | None = None,
) -> tuple[Model, str]:
    """``base.upsert`` plus fields written only when the row is new (``on_create``)."""
    if key not in existing:
        values = {**values, **(on_create or {})}
    return upsert(model, lookup, values, entry=entry.name, m2m=m2m)


# --- topics ----------------------------------------------------------------------------------------

TOPIC_FIELDS = {"slug": str, "name_en": str, "name_zh": str, "parent": str, **DESCRIPTIONS}
TOPIC_REQUIRED = ["slug", "name_en", "name_zh", *DESCRIPTIONS]


def _import_topics(entries: list, file_report: FileReport) -> None:
    known = _all_topics()
    for index, entry in enumerate(_entries(entries, "topic", "slug", TOPIC_FIELDS, TOPIC_REQUIRED)):
        slug = entry.text("slug")
        parent_slug = entry.text("parent")
        if parent_slug and parent_slug not in known:
            raise EntryError(
                entry.name, f"parent {parent_slug!r} is not defined (define a parent before its children)"
            )
        values = {
            "name_en": entry.text("name_en"),
            "name_zh": entry.text("name_zh"),
            # By id: comparing the related object would fetch it, a query per topic.
            "parent_id": known[parent_slug].pk if parent_slug else None,
            "position": index,
            **entry.descriptions(),
        }
        topic, outcome = upsert(models.Topic, {"slug": slug}, values, entry=entry.name)
        known[slug] = topic
        file_report.count(outcome)


# --- conference series -----------------------------------------------------------------------------

SERIES_DEFAULTS = {
    "full_name": str,
    "kind": str,
    "field": str,
    "homepage": str,
    "dblp_key": str,
    "slug": str,
}
SERIES_FIELDS = {"short_name": str, "topics": list, "defaults": dict, **DESCRIPTIONS}
SERIES_REQUIRED = ["short_name", "topics", *DESCRIPTIONS]


def _import_conferences(entries: list, file_report: FileReport) -> None:
    known = _all_topics()
    # The deadline importer may spell a name differently ("IEEE CEC" / "CEC"): match on the
    # exact short name, then the DBLP key, then the short name ignoring case and punctuation.
    index: dict[tuple[str, str], models.ConferenceSeries] = {}
    for series in models.ConferenceSeries.objects.only("pk", "short_name", "dblp_key"):
        index.setdefault(("name", series.short_name), series)
        index.setdefault(("alias", _alias(series.short_name)), series)
        if series.dblp_key:
            index.setdefault(("dblp", series.dblp_key), series)
    for entry in _entries(entries, "conference", "short_name", SERIES_FIELDS, SERIES_REQUIRED):
        short_name = entry.text("short_name")
        topics = _topics(entry, known)
        defaults = Entry(entry.get("defaults", {}), f"{entry.name} defaults", SERIES_DEFAULTS, ["full_name"])
        series = (
            index.get(("name", short_name))
            or index.get(("dblp", defaults.text("dblp_key")))
            or index.get(("alias", _alias(short_name)))
        )
        if series is None:
            values = {
                "full_name": defaults.text("full_name"),
                "kind": _choice(defaults, "kind", models.ConferenceSeries.Kind, "academic"),
                "field": defaults.text("field"),
                "homepage": defaults.text("homepage"),
                "dblp_key": defaults.text("dblp_key"),
                "slug": defaults.text("slug"),
                "status": _NEW_STATUS.get(),
                **entry.descriptions(),
            }
            _, outcome = upsert(
                models.ConferenceSeries,
                {"short_name": short_name},
                values,
                entry=entry.name,
                m2m={"topics": topics},
            )
        else:
            series, outcome = upsert(
                models.ConferenceSeries, {"pk": series.pk}, entry.descriptions(), entry=entry.name
            )
            # Added, never replaced: a curator may attach other topics in the admin.
            missing = {t.pk for t in topics} - set(series.topics.values_list("pk", flat=True))
            if missing:
                series.topics.add(*missing)
                outcome = UPDATED if outcome == UNCHANGED else outcome
        file_report.count(outcome)


def _alias(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


# --- papers ----------------------------------------------------------------------------------------

PAPER_FIELDS = {
    "arxiv": str,
    "title": str,
    "authors": list,
    "year": int,
    "venue": str,
    "doi": str,
    "url": str,
    "pdf_url": str,
    "code_url": str,
    "slug": str,
    "status": str,
    "topics": list,
    "cites": list,
    **DESCRIPTIONS,
}
PAPER_REQUIRED = ["arxiv", "title", "authors", "year", "topics", *DESCRIPTIONS]


def _arxiv(entry: Entry, value: str, what: str = "arxiv") -> str:
    try:
        normal = validators.normalize_arxiv_id(value)
    except ValidationError as exc:
        raise EntryError(entry.name, f"{what}: {' '.join(exc.messages)}") from None
    return normal


def _import_papers(entries: list, file_report: FileReport) -> None:
    known = _all_topics()
    parsed = []
    for index, raw in enumerate(entries):
        entry = Entry(raw, _name("paper", index, raw, "arxiv"), PAPER_FIELDS, PAPER_REQUIRED)
        arxiv_id = _arxiv(entry, entry.text("arxiv"))
        if "v" in arxiv_id.split(".")[-1]:
            raise EntryError(entry.name, "arxiv: leave the version out (1706.03762, not 1706.03762v7)")
        parsed.append((entry, arxiv_id))
    ids = [arxiv_id for _, arxiv_id in parsed]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise EntryError("(file)", f"arXiv id(s) listed twice: {', '.join(twice)}")
    existing = set(models.Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", flat=True))

    papers = {}
    outcomes = {}
    for entry, arxiv_id in parsed:
        year = entry.get("year")
        venue_year = paper_venue_year(entry.text("venue"))
        if venue_year is not None and year != venue_year:
            raise EntryError(entry.name, f"year: {year} is not the year of its venue ({entry.text('venue')})")
        if venue_year is None and "/" not in arxiv_id and year != 2000 + int(arxiv_id[:2]):
            raise EntryError(
                entry.name, f"year: {year} is not the year of arXiv:{arxiv_id} (the year it first appeared)"
            )
        doi = entry.text("doi")
        if doi:
            try:
                doi = validators.normalize_doi(doi)
            except ValidationError as exc:
                raise EntryError(entry.name, f"doi: {' '.join(exc.messages)}") from None
        values = {
            "title": entry.text("title"),
            "authors": entry.strings("authors"),
            "year": year,
            "venue": entry.text("venue"),
            "doi": doi,
            "url": entry.text("url") or f"https://arxiv.org/abs/{arxiv_id}",
            "pdf_url": entry.text("pdf_url") or f"https://arxiv.org/pdf/{arxiv_id}",
            "code_url": entry.text("code_url"),
            **entry.descriptions(),
        }
        if entry.text("slug"):
            values["slug"] = entry.text("slug")
        paper, outcome = _save(
            models.Paper,
            {"arxiv_id": arxiv_id},
            values,
            entry=entry,
            existing=existing,
            key=arxiv_id,
            on_create={"status": _status(entry)},
            m2m={"topics": _topics(entry, known)},
        )
        papers[arxiv_id] = paper
        outcomes[arxiv_id] = outcome

    # Citations, once every paper of the file exists: one query reads them all.
    cited_ids = {c for entry, _ in parsed for c in entry.strings("cites")}
    targets = dict(papers)
    targets.update(
        (p.arxiv_id, p)
        for p in models.Paper.objects.filter(arxiv_id__in=cited_ids - set(papers)).only("pk", "arxiv_id")
    )
    through = models.Paper.cites.through
    current: dict[int, set[int]] = {}
    for from_id, to_id in through.objects.filter(from_paper__in=list(papers.values())).values_list(
        "from_paper_id", "to_paper_id"
    ):
        current.setdefault(from_id, set()).add(to_id)
    for entry, arxiv_id in parsed:
        wanted = []
        for cited in entry.strings("cites"):
            target = targets.get(_arxiv(entry, cited, "cites"))
            if target is None:
                raise EntryError(entry.name, f"cites {cited}, which is not in the catalogue")
            if target.arxiv_id == arxiv_id:
                raise EntryError(entry.name, "a paper cannot cite itself")
            wanted.append(target)
        paper = papers[arxiv_id]
        if {t.pk for t in wanted} != current.get(paper.pk, set()):
            paper.cites.set(wanted)
            if outcomes[arxiv_id] == UNCHANGED:
                outcomes[arxiv_id] = UPDATED
    for outcome in outcomes.values():
        file_report.count(outcome)


# --- books -----------------------------------------------------------------------------------------

BOOK_FIELDS = {
    "slug": str,
    "title": str,
    "authors": list,
    "publisher": str,
    "year": int,
    "edition": str,
    "isbn": str,
    "url": str,
    "free_url": str,
    "language": str,
    "status": str,
    "topics": list,
    **DESCRIPTIONS,
}
BOOK_REQUIRED = ["slug", "title", "authors", "topics", *DESCRIPTIONS]


def _isbn(entry: Entry) -> str:
    if not entry.text("isbn"):
        return ""
    try:
        return validators.normalize_isbn(entry.text("isbn"))
    except ValidationError as exc:
        raise EntryError(entry.name, f"isbn: {' '.join(exc.messages)}") from None


def _import_books(entries: list, file_report: FileReport) -> None:
    known = _all_topics()
    entries = [
        Entry(raw, _name("book", index, raw, "slug"), BOOK_FIELDS, BOOK_REQUIRED)
        for index, raw in enumerate(entries)
    ]
    slugs = [entry.text("slug") for entry in entries]
    isbns = [_isbn(entry) for entry in entries]
    rows = models.Book.objects.filter(Q(slug__in=slugs) | Q(isbn13__in=[i for i in isbns if i]))
    existing = {key for pair in rows.values_list("slug", "isbn13") for key in pair if key}
    seen = set()
    for entry, isbn in zip(entries, isbns, strict=True):
        slug = entry.text("slug")
        for key in (slug, isbn):
            if key and key in seen:
                raise EntryError(entry.name, f"{key} appears twice in the file")
            seen.add(key)
        lookup = {"isbn13": isbn} if isbn else {"slug": slug}
        values = {
            "slug": slug,
            "title": entry.text("title"),
            "authors": entry.strings("authors"),
            "publisher": entry.text("publisher"),
            "year": entry.get("year"),
            "edition": entry.text("edition"),
            "isbn13": isbn,
            "url": entry.text("url"),
            "free_url": entry.text("free_url"),
            "language": entry.text("language") or "en",
            **entry.descriptions(),
        }
        values = {k: v for k, v in values.items() if k not in lookup}
        _, outcome = _save(
            models.Book,
            lookup,
            values,
            entry=entry,
            existing=existing,
            key=isbn or slug,
            on_create={"status": _status(entry)},
            m2m={"topics": _topics(entry, known)},
        )
        file_report.count(outcome)


# --- courses ---------------------------------------------------------------------------------------

COURSE_FIELDS = {
    "slug": str,
    "title": str,
    "provider": str,
    "instructors": list,
    "url": str,
    "level": str,
    "languages": list,
    "free": bool,
    "duration": str,
    "status": str,
    "topics": list,
    **DESCRIPTIONS,
}
COURSE_REQUIRED = ["slug", "title", "provider", "url", "level", "languages", "topics", *DESCRIPTIONS]


def _import_courses(entries: list, file_report: FileReport) -> None:
    known = _all_topics()
    entries = _entries(entries, "course", "slug", COURSE_FIELDS, COURSE_REQUIRED)
    existing = _existing_slugs(models.Course, entries)
    for entry in entries:
        if "free" not in entry.raw or entry.raw["free"] is None:
            raise EntryError(entry.name, "missing required key(s): free")
        values = {
            "title": entry.text("title"),
            "provider": entry.text("provider"),
            "instructors": entry.strings("instructors"),
            "url": entry.text("url"),
            "level": _choice(entry, "level", models.Course.Level),
            "languages": entry.strings("languages"),
            "is_free": entry.get("free"),
            "duration": entry.text("duration"),
            **entry.descriptions(),
        }
        file_report.count(_save_by_slug(models.Course, entry, values, existing, known))


# --- communities -----------------------------------------------------------------------------------

COMMUNITY_FIELDS = {
    "slug": str,
    "name": str,
    "kind": str,
    "url": str,
    "language": str,
    "status": str,
    "topics": list,
    **DESCRIPTIONS,
}
COMMUNITY_REQUIRED = ["slug", "name", "kind", "url", "language", "topics", *DESCRIPTIONS]


def _import_communities(entries: list, file_report: FileReport) -> None:
    known = _all_topics()
    entries = _entries(entries, "community", "slug", COMMUNITY_FIELDS, COMMUNITY_REQUIRED)
    existing = _existing_slugs(models.Community, entries)
    for entry in entries:
        values = {
            "name": entry.text("name"),
            "kind": _choice(entry, "kind", models.Community.Kind),
            "url": entry.text("url"),
            "language": entry.text("language"),
            **entry.descriptions(),
        }
        file_report.count(_save_by_slug(models.Community, entry, values, existing, known))


def _entries(raw_entries: list, kind: str, key: str, fields: dict, required: list) -> list[Entry]:
    """The file's entries of one kind, read and checked; a ``key`` named twice stops the file."""
    entries = [
        Entry(raw, _name(kind, index, raw, key), fields, required) for index, raw in enumerate(raw_entries)
    ]
    seen = set()
    for entry in entries:
        value = entry.text(key)
        if value in seen:
            raise EntryError(entry.name, f"{key} {value!r} appears twice in the file")
        seen.add(value)
    return entries


def _existing_slugs(model, entries: list[Entry]) -> set[str]:
    """The entries' slugs already stored (one query): they are updated, the others created."""
    return set(
        model.objects.filter(slug__in=[e.text("slug") for e in entries]).values_list("slug", flat=True)
    )


def _save_by_slug(model, entry: Entry, values: dict, existing: set[str], known: dict) -> str:
    """Create or update the item the entry's slug names, with its topics; the outcome."""
    slug = entry.text("slug")
    _, outcome = _save(
        model,
        {"slug": slug},
        values,
        entry=entry,
        existing=existing,
        key=slug,
        on_create={"status": _status(entry)},
        m2m={"topics": _topics(entry, known)},
    )
    return outcome


_IMPORTERS = {
    "topics": _import_topics,
    "conferences": _import_conferences,
    "papers": _import_papers,
    "books": _import_books,
    "courses": _import_courses,
    "communities": _import_communities,
}
