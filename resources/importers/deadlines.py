"""Import conference deadlines from the two community data sets, ccf-deadlines and ai-deadlines.

``import_paths()`` takes files and folders (folders are searched for ``*.yml`` / ``*.yaml``) and
recognises each file by its shape:

* a ccf-deadlines conference file: a list of series (``title``, ``description``, ``sub``,
  ``rank``, ``dblp``) each with its editions under ``confs[]`` and their deadlines under
  ``timeline[]``, in one time zone per edition;
* a ccf-deadlines ``accept_rates`` file: a list of series titles with ``accept_rates[]``;
* an ai-deadlines (Hugging Face) file: a list of editions (``title``, ``year``, ``id``) each with
  typed milestones under ``deadlines[]``, each in its own time zone;
* ccf-deadlines' ``types.yml`` (the names of the fields) and its JSON schema carry no deadlines:
  they are passed over with a note. Any other file is rejected with a reason.

Within a run, conference files are imported before acceptance-rate files, so that the rates
find the series whatever order the paths came in. Each file is atomic (``base.run_files``).

How the two sources share one catalogue, so that importing them in either order gives the same
rows and a second import changes nothing:

* A series is matched on its DBLP key or on its short name compared loosely (case, spaces and
  punctuation ignored, a leading "IEEE" / "ACM" dropped): ccf ``IEEE CEC`` and ai-deadlines
  ``CEC`` are one series. ccf-deadlines owns the series' names, field, ranks and DBLP key.
  ai-deadlines names the series it creates (from its latest edition), writes the full name and
  ranks only of a series ccf-deadlines does not know, and always writes the h5-index, which
  only it has. Status, kind, slug, descriptions, topics and homepage belong to the curators:
  the importer sets status (published) and kind (academic) when it creates a series and never
  touches them again.
* An edition is one per (series, year); it keeps each source's id (``ccf_id``, ``hf_id``).
  ai-deadlines owns the link, dates and place of the editions it lists (it describes them
  more fully); ccf-deadlines fills those only where they are empty.
* Deadlines are keyed on (edition, kind, label) and remember their source. Where ai-deadlines
  lists deadlines for an edition, its timeline replaces ccf-deadlines' rows for that edition;
  otherwise ccf-deadlines' rows stand. A source's rows that its file no longer lists are
  deleted; rows a curator added (no source) are never touched, nor is a curator's comment on
  an ai-deadlines row (that source has no comments).
* A ccf-deadlines timeline with several items (rounds, tracks) labels each deadline with the
  item's comment, or "Round N"; a single item leaves the label empty.

Errors name the entry as ``<title>/<year>`` (``neurips/2026``) and say where in it and why.
An entry that contradicts itself in a way it also resolves is read that way, with a warning on
the file's report rather than an error (resources/data/README.md lists the cases met upstream):
acceptance counts swapped against the entry's own rate; ai-deadlines start and end dates a year
off from the edition while its date text names the edition's year; and a submission deadline
after the event ended, which is left out.
Validation uses ``clean_fields()`` and ``clean()`` (not ``full_clean()``, whose uniqueness checks
would cost a query per row); the database's constraints back the rest.

Counts are per row (series, edition, deadline, acceptance rate); a deadline deleted because
its source dropped it counts as an update.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from resources.curation import as_written as _show
from resources.importers.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    WITHDRAWN,
    EntryError,
    FileReport,
    ImportReport,
    run_files,
)
from resources.importers.timezones import TimeZoneError, to_utc
from resources.models import (
    AcceptanceRate,
    ConferenceEdition,
    ConferenceSeries,
    Deadline,
    DeadlineChange,
    DeadlineConflict,
    SeriesAlias,
    Status,
    name_key,
)

__all__ = ["collect_files", "detect_format", "import_paths"]

CCF, HF = Deadline.Source.CCF.value, Deadline.Source.HF.value

FORMAT_CCF = "ccf-deadlines conference"
FORMAT_CCF_RATES = "ccf-deadlines acceptance rates"
FORMAT_HF = "ai-deadlines"
FORMAT_SKIP = "skip"
# Files that define series come first; acceptance rates look series up.
_ORDER = {FORMAT_CCF: 0, FORMAT_HF: 1, FORMAT_CCF_RATES: 2, FORMAT_SKIP: 3}

SERIES_FIELDS = [
    "short_name",
    "full_name",
    "field",
    "ccf_rank",
    "core_rank",
    "thcpl_rank",
    "dblp_key",
    "h5_index",
    "updated_at",
]
EDITION_FIELDS = [
    "year",
    "ccf_id",
    "hf_id",
    "start_date",
    "end_date",
    "date_text",
    "city",
    "country",
    "venue",
    "place_text",
    "link",
    "timezone",
    "note",
    "updated_at",
]
DEADLINE_FIELDS = ["at", "local", "timezone", "source", "comment", "source_type", "withdrawn_at"]
RATE_FIELDS = ["submitted", "accepted", "rate", "source"]

K = Deadline.Kind
# Deadline types and timeline keys as the sources spell them, normalised by _norm_key().
KIND_ALIASES = {
    **dict.fromkeys(["abstract", "abstract_deadline", "abstract_submission", "abstracts"], K.ABSTRACT),
    **dict.fromkeys(
        [
            "paper",
            "deadline",
            "submission",
            "submission_deadline",
            "paper_deadline",
            "paper_submission",
            "full_paper",
            "full_paper_deadline",
        ],
        K.PAPER,
    ),
    **dict.fromkeys(
        ["supplementary", "supplementary_deadline", "supplementary_material", "supplemental"], K.SUPPLEMENTARY
    ),
    **dict.fromkeys(
        ["rebuttal_start", "rebuttal_period_start", "rebuttal_begin", "rebuttal_open"], K.REBUTTAL_START
    ),
    **dict.fromkeys(["rebuttal_end", "rebuttal_period_end", "rebuttal_close"], K.REBUTTAL_END),
    **dict.fromkeys(
        [
            "notification",
            "first_notification",
            "final_notification",
            "author_notification",
            "acceptance_notification",
            "final_decision",
            "final_decision_date",
        ],
        K.NOTIFICATION,
    ),
    **dict.fromkeys(
        ["camera_ready", "cameraready", "camera_ready_deadline", "final_version"], K.CAMERA_READY
    ),
    **dict.fromkeys(["registration", "registration_deadline", "author_registration"], K.REGISTRATION),
    **dict.fromkeys(
        [
            "other",
            "review_release",
            "review_release_date",
            "commitment",
            "commitment_deadline",
            "reviewer_registration",
            "revision",
            "revision_deadline",
            "rebuttal_and_revision",
        ],
        K.OTHER,
    ),
}
# "rebuttal" alone could be either end of the period: its label has to say which.
_REBUTTAL_START = re.compile(r"\b(start|starts|begin|begins|open|opens|opening)\b", re.IGNORECASE)
_REBUTTAL_END = re.compile(r"\b(end|ends|due|close|closes|closing|deadline)\b", re.IGNORECASE)
# ai-deadlines' older single-deadline fields, read when an edition has no deadlines[] list.
_HF_LEGACY = {
    "abstract_deadline": (K.ABSTRACT, ""),
    "deadline": (K.PAPER, ""),
    "submission_deadline": (K.PAPER, ""),
    "rebuttal_period_start": (K.REBUTTAL_START, ""),
    "rebuttal_period_end": (K.REBUTTAL_END, ""),
    "review_release_date": (K.OTHER, "Reviews released"),
    "final_decision_date": (K.NOTIFICATION, ""),
    "commitment_deadline": (K.OTHER, "Commitment deadline"),
}
_HF_DEADLINE_KEYS = {"type", "label", "date", "deadline", "timezone"}
_RANKING = re.compile(r"\b(CCF|CORE|THCPL)\s*:\s*([^,;]*)", re.IGNORECASE)


# --- reading files -------------------------------------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML that keeps dates and yes/no as written and refuses a key given twice."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, f"a {type(key).__name__} cannot be a key", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Mapping(dict):
    """A YAML mapping that remembers the line it starts on (``line``, from 1)."""

    line: int | None = None


def _construct_mapping_with_line(loader, node):
    data = Mapping()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping_with_line)


def _line(raw) -> int | None:
    return getattr(raw, "line", None)


# A deadline must keep the string it was written as, and NO (Norway) must stay a country.
_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _AS_TEXT]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EntryError("(file)", "no such file or folder") from None
    except UnicodeDecodeError:
        raise EntryError("(file)", "not UTF-8 text") from None
    except OSError as exc:
        raise EntryError("(file)", f"cannot be read: {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise EntryError("(file)", f"broken YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise EntryError("(file)", f"broken YAML: {exc}") from None
    except ValueError as exc:
        # A value its tag cannot hold: !!int x, a 5,000-digit number, the date 2026-02-30.
        raise EntryError("(file)", f"broken YAML: a value cannot be read ({exc})") from None


def detect_format(data) -> tuple[str, str]:
    """The format of a parsed file, and for a file passed over, why. EntryError if unrecognised."""
    if isinstance(data, dict) and "$schema" in data:
        return FORMAT_SKIP, "the JSON schema of the ccf-deadlines format: no deadlines in it"
    if not isinstance(data, list) or not data:
        what = "empty" if not data else ("a dict" if isinstance(data, dict) else f"a {type(data).__name__}")
        raise EntryError("(file)", f"not a deadline file: it is {what}, not a list of conferences")
    items = [item for item in data if isinstance(item, dict)]
    if any("confs" in item for item in items):
        return FORMAT_CCF, ""
    if any("accept_rates" in item for item in items):
        return FORMAT_CCF_RATES, ""
    if items and all({"name", "name_en", "sub"} <= set(item) for item in items):
        return FORMAT_SKIP, "ccf-deadlines' list of fields (types.yml): no deadlines in it"
    if any("deadlines" in item or {"year", "id"} <= set(item) for item in items):
        return FORMAT_HF, ""
    raise EntryError(
        "(file)",
        "not a deadline file: expected a ccf-deadlines conference file (series with confs[]), "
        "a ccf-deadlines accept_rates file, or an ai-deadlines file (editions with year, id and deadlines[])",
    )


#: Inside a checkout of either repository, the folders that hold its data.
_DATA_FOLDERS = (("conference", "accept_rates"), ("src/data/conferences",))
_YAML_SUFFIXES = {".yml", ".yaml"}


def _data_roots(folder: Path) -> list[Path]:
    """A checkout of ccf-deadlines or ai-deadlines stands for its data folders; any other folder
    for itself."""
    for names in _DATA_FOLDERS:
        roots = [folder / name for name in names if (folder / name).is_dir()]
        if roots and (len(roots) == len(names) or names[0] == "conference"):
            return roots
    return [folder]


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files named, and every file under the folders named, each once, in a stable order.

    Hidden files and folders are passed over. Which of the files hold deadlines is decided when
    each is read: the others are reported as skipped, each with its reason, never silently.
    """
    files, seen = [], set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for root in _data_roots(path)
                for p in root.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
        else:
            found = [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files


# --- what a file says, checked before anything is written --------------------------------------


#: ``warn(entry, reason)``: note what was read differently from the file, or left out.
Warn = Callable[[str, str], None]


@dataclass
class DeadlineData:
    kind: str
    label: str
    at: dt.datetime | None
    local: str
    timezone: str
    comment: str | None  # None: the source has no comments, so a curator's stays
    source_type: str = ""  # the source's own type, for kind Other


@dataclass
class EditionData:
    entry: str
    source: str
    source_id: str
    year: int
    shared: dict  # fields both sources give: link, date_text, place_text, timezone
    own: dict  # fields only this source gives, written as given
    deadlines: list[DeadlineData]
    line: int | None = None


@dataclass
class SeriesData:
    entry: str
    source: str
    #: What the source calls the series, unique within it: "SC/asiaccs" (ccf), "neurips" (hf).
    key: str
    short_name: str
    fields: dict
    dblp: str = ""
    field_name: str = ""
    h5_index: int | None = None
    editions: list[EditionData] = field(default_factory=list)
    line: int | None = None


@dataclass
class RateData:
    entry: str
    title: str
    year: int
    values: dict
    folder_field: str = ""
    line: int | None = None


def _norm_key(value) -> str:
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


_alias = name_key


def _dblp_key(value: str) -> str:
    value = value.strip().strip("/")
    return value if not value or "/" in value else f"conf/{value}"


def _ccf_key(field_name: str, title: str) -> str:
    return f"{field_name.strip().upper()}/{name_key(title)}"


def _text(raw: dict, key: str, entry: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise EntryError(entry, f"'{key}' is missing")
        return ""
    if isinstance(value, dict | list):
        raise EntryError(entry, f"'{key}' should be text, not a {type(value).__name__}")
    return str(value).strip()


#: Digits a count, a year or an h5-index may have; far more than any real one.
_MAX_DIGITS = 9


def _int(value, entry: str, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())  # 32.0 is a whole number too
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise EntryError(entry, f"{what} should be a whole number, not {value!r}")
    # Checked before int(): int(Decimal("1e999999")) would take minutes and a lot of memory.
    if number.adjusted() >= _MAX_DIGITS:
        raise EntryError(entry, f"{what} is too large: {value!r}")
    if number < 0:
        raise EntryError(entry, f"{what} cannot be negative ({value})")
    return int(number)


_SUFFIXED_YEAR = re.compile(r"^\s*(\d{4})\s*([a-z])\s*$", re.IGNORECASE)


def _year(raw: dict, entry: str, warn: "Warn | None" = None) -> int:
    value = raw.get("year")
    suffixed = _SUFFIXED_YEAR.match(str(value)) if isinstance(value, str) else None
    if suffixed:
        value = suffixed.group(1)
        if warn is not None:
            warn(entry, f"year {raw.get('year')!r} read as {value}: a letter after a year is not part of it")
    year = _int(value, entry, "'year'")
    if year is None:
        raise EntryError(entry, "'year' is missing")
    if not 1950 <= year <= 2100:
        raise EntryError(entry, f"year {year} is outside 1950-2100")
    return year


def _date(raw: dict, key: str, entry: str) -> dt.date | None:
    text = _text(raw, key, entry)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EntryError(entry, f"'{key}' is not a real date in the form YYYY-MM-DD: {text!r}") from None


def _rank(value) -> str:
    text = "" if value is None else str(value).strip().upper()
    return "" if text in {"", "N", "NONE", "-"} else text


def _entry_name(raw, index: int, what: str) -> str:
    title = raw.get("title") if isinstance(raw, dict) else None
    year = raw.get("year") if isinstance(raw, dict) else None
    if title and year:
        return f"{str(title).strip().lower()}/{year}"
    if title:
        return str(title).strip().lower()
    return f"{what} {index}"


def _kind(type_text: str, label: str, entry: str, where: str, warn: Warn) -> tuple[str, str]:
    """The catalogue's kind for a source's deadline type, and the type to keep beside it.

    A type the catalogue has no kind for (the upstream schema allows any string) is kept as kind
    Other with its own text, with a warning; so is "rebuttal" when its label does not say which
    end of the period it is.
    """
    key = _norm_key(type_text)
    if key == "rebuttal":
        starts, ends = bool(_REBUTTAL_START.search(label)), bool(_REBUTTAL_END.search(label))
        if starts != ends:
            return (K.REBUTTAL_START if starts else K.REBUTTAL_END), ""
        warn(
            entry,
            f"{where}: type 'rebuttal' with the label {label!r} could be its start or its end: kept as Other",
        )
        return K.OTHER, str(type_text).strip()
    kind = KIND_ALIASES.get(key)
    if kind is None:
        warn(
            entry, f"{where}: deadline type {type_text!r} has no kind here: kept as Other, with its own type"
        )
        return K.OTHER, str(type_text).strip()
    return kind, ""


def _deadline(
    entry: str, where: str, kind: str, label: str, local, zone: str, comment, source_type: str = ""
) -> DeadlineData:
    if isinstance(local, dict | list):
        raise EntryError(entry, f"{where}: a date-time should be text, not a {type(local).__name__}")
    try:
        at = to_utc(local, zone)
    except TimeZoneError as exc:
        raise EntryError(entry, f"{where}: {exc}") from None
    local_text = "" if local is None else str(local).strip()
    return DeadlineData(kind, label, at, local_text, zone, comment, source_type[:60])


def _unique(deadlines: list[DeadlineData], entry: str, warn: Warn) -> list[DeadlineData]:
    """One deadline per (kind, label). An exact repeat is dropped; several different deadlines
    under one label (rolling review cycles under one comment) are kept apart, numbered in file
    order: "3 review cycles (1)", "(2)", "(3)"."""
    groups: dict[tuple, list[DeadlineData]] = {}
    for item in deadlines:
        same = groups.setdefault((item.kind, item.label), [])
        if all((o.at, o.local, o.timezone) != (item.at, item.local, item.timezone) for o in same):
            same.append(item)
    result = []
    for (kind, label), items in groups.items():
        if len(items) > 1:
            base = label or "Round"
            for n, item in enumerate(items, 1):
                item.label = f"{base} ({n})"
            warn(
                entry,
                f"{len(items)} different {kind} deadlines under the label {label!r} are kept apart as "
                + ", ".join(repr(i.label) for i in items),
            )
        result.extend(items)
    return result


def _reused_ids(editions: list[EditionData], series_entry: str, warn: Warn) -> None:
    by_id: dict[str, list[int]] = defaultdict(list)
    for edition in editions:
        by_id[edition.source_id].append(edition.year)
    for source_id, years in by_id.items():
        if len(years) > 1:
            warn(
                series_entry,
                f"the id {source_id!r} is given to {len(years)} editions "
                f"({', '.join(map(str, sorted(years)))}): they are told apart by their year",
            )


def _merge_years(editions: list[EditionData], warn: Warn) -> list[EditionData]:
    """Two editions of one series in one year (2023 and 2023a) become one, with both timelines."""
    by_year: dict[int, EditionData] = {}
    for edition in editions:
        first = by_year.get(edition.year)
        if first is None:
            by_year[edition.year] = edition
            continue
        warn(
            edition.entry,
            f"a second edition for {edition.year} (also {first.entry}): read as one edition with the "
            "deadlines of both",
        )
        first.deadlines = _unique(first.deadlines + edition.deadlines, first.entry, warn)
        for name, value in edition.shared.items():
            first.shared[name] = first.shared.get(name) or value
    return list(by_year.values())


@dataclass
class _Context:
    """Where a parser sends warnings and rejected entries; ``field`` is the data set's field
    folder the file sits in (ccf-deadlines: conference/<FIELD>/name.yml), if any."""

    warnings: list[str] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    folder_field: str = ""

    def warn(self, entry: str, reason: str) -> None:
        self.warnings.append(f"{entry}: {reason}")

    def reject(self, exc: EntryError, raw=None) -> None:
        if exc.line is None:
            exc.line = _line(raw)
        self.errors.append(exc)


def _parse_ccf(data: list, ctx: _Context) -> list[SeriesData]:
    result = []
    for index, raw in enumerate(data, 1):
        entry = _entry_name(raw, index, "series")
        try:
            series = _parse_ccf_series(raw, entry, ctx)
        except EntryError as exc:
            ctx.reject(exc, raw)
            continue
        result.append(series)
    return result


_CCF_SERIES_KEYS = {"title", "description", "sub", "rank", "dblp", "confs"}
_CCF_EDITION_KEYS = {"year", "id", "link", "timeline", "timezone", "date", "place"}


def _unknown_keys(raw: dict, known: set, entry: str, warn: Warn, what: str) -> None:
    unknown = sorted(str(key) for key in raw if _norm_key(key) not in known)
    if unknown:
        warn(entry, f"unknown key(s) in the {what} ignored: {', '.join(unknown)}")


def _parse_ccf_series(raw, entry: str, ctx: _Context) -> SeriesData:
    if not isinstance(raw, dict):
        raise EntryError(entry, "a series should be a mapping of keys to values")
    _unknown_keys(raw, _CCF_SERIES_KEYS, entry, ctx.warn, "series")
    title = _text(raw, "title", entry, required=True)
    rank = raw.get("rank") or {}
    if not isinstance(rank, dict):
        raise EntryError(entry, "'rank' should be a mapping such as {ccf: A, core: A*, thcpl: A}")
    dblp = _dblp_key(_text(raw, "dblp", entry))
    sub = _text(raw, "sub", entry)
    series = SeriesData(
        entry=entry,
        source=CCF,
        key=_ccf_key(sub or ctx.folder_field, title),
        short_name=title,
        dblp=dblp,
        field_name=sub or ctx.folder_field,
        line=_line(raw),
        fields={
            "short_name": title,
            "full_name": _text(raw, "description", entry),
            "field": sub,
            "ccf_rank": _rank(rank.get("ccf")),
            "core_rank": _rank(rank.get("core")),
            "thcpl_rank": _rank(rank.get("thcpl")),
            "dblp_key": dblp,
        },
    )
    confs = raw.get("confs")
    if not isinstance(confs, list):
        raise EntryError(entry, "'confs' should be a list of editions")
    editions = []
    for conf_index, conf in enumerate(confs, 1):
        try:
            editions.append(_parse_ccf_edition(conf, title, conf_index, ctx.warn))
        except EntryError as exc:
            ctx.reject(exc, conf)
    _reused_ids(editions, entry, ctx.warn)
    series.editions = _merge_years(editions, ctx.warn)
    return series


def _parse_ccf_edition(raw, title: str, index: int, warn: Warn) -> EditionData:
    year = raw.get("year") if isinstance(raw, dict) else None
    entry = f"{title.lower()}/{year}" if year else f"{title.lower()} edition {index}"
    if not isinstance(raw, dict):
        raise EntryError(entry, "an edition should be a mapping of keys to values")
    _unknown_keys(raw, _CCF_EDITION_KEYS, entry, warn, "edition")
    zone = _text(raw, "timezone", entry)
    timeline = raw.get("timeline") or []
    if not isinstance(timeline, list):
        raise EntryError(entry, "'timeline' should be a list")
    deadlines = []
    for item_index, item in enumerate(timeline, 1):
        where = f"timeline item {item_index}"
        if not isinstance(item, dict):
            raise EntryError(
                entry, f"{where} should be a mapping such as {{deadline: '2026-05-15 23:59:59'}}"
            )
        comment, found = "", []
        for key, value in item.items():
            norm = _norm_key(key)
            if norm == "comment":
                comment = "" if value is None else str(value).strip()
            elif norm in KIND_ALIASES:
                found.append((KIND_ALIASES[norm], key, value, ""))
            elif isinstance(value, str) and _looks_like_instant(value):
                warn(
                    entry, f"{where}: key {key!r} is no deadline type here: kept as Other, with its own type"
                )
                found.append((K.OTHER, key, value, str(key)))
            else:
                warn(
                    entry,
                    f"{where}: unknown key {key!r} ignored (expected deadline, abstract_deadline, comment)",
                )
        if not found:
            raise EntryError(entry, f"{where} has no deadline")
        label = "" if len(timeline) == 1 else (comment or f"Round {item_index}")
        for kind, key, value, source_type in found:
            item_label = label or (str(key).replace("_", " ").capitalize() if source_type else "")
            deadlines.append(
                _deadline(entry, f"{where}, {key}", kind, item_label, value, zone, comment, source_type)
            )
    return EditionData(
        entry=entry,
        source=CCF,
        source_id=_text(raw, "id", entry, required=True),
        year=_year(raw, entry, warn),
        line=_line(raw),
        shared={
            "link": _text(raw, "link", entry),
            "date_text": _text(raw, "date", entry),
            "place_text": _text(raw, "place", entry),
            "timezone": zone,
        },
        own={},
        deadlines=_unique(deadlines, entry, warn),
    )


_INSTANT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?|TBD)\s*$", re.IGNORECASE)


def _looks_like_instant(text: str) -> bool:
    return bool(_INSTANT.match(text))


def _parse_hf(data: list, ctx: _Context) -> list[SeriesData]:
    groups: dict[str, SeriesData] = {}
    latest: dict[str, dict[str, tuple[int, object]]] = defaultdict(dict)
    for index, raw in enumerate(data, 1):
        entry = _entry_name(raw, index, "edition")
        try:
            title, edition, facts = _parse_hf_edition(raw, entry, ctx.warn)
        except EntryError as exc:
            ctx.reject(exc, raw)
            continue
        alias = name_key(title)
        series = groups.get(alias)
        if series is None:
            series = groups[alias] = SeriesData(
                entry=title.lower(), source=HF, key=alias, short_name=title, fields={}, line=_line(raw)
            )
        series.editions.append(edition)
        # Series-wide facts are taken from the latest edition that gives them.
        for name, value in facts.items():
            if value != "" and (name not in latest[alias] or latest[alias][name][0] <= edition.year):
                latest[alias][name] = (edition.year, value)
    for alias, series in groups.items():
        facts = {name: value for name, (_year_, value) in latest[alias].items()}
        series.short_name = facts.pop("short_name", series.short_name)
        series.h5_index = facts.pop("h5_index", None)
        series.fields = {**facts.pop("ranks", {}), **facts}
        _reused_ids(series.editions, series.entry, ctx.warn)
        series.editions = _merge_years(series.editions, ctx.warn)
    return list(groups.values())


def _parse_hf_edition(raw, entry: str, warn: Warn) -> tuple[str, EditionData, dict]:
    if not isinstance(raw, dict):
        raise EntryError(entry, "an edition should be a mapping of keys to values")
    title = _text(raw, "title", entry, required=True)
    year = _year(raw, entry, warn)
    zone = _text(raw, "timezone", entry)
    date_text = _text(raw, "date", entry)
    start, end = _edition_dates(raw, entry, year, date_text, warn)
    edition = EditionData(
        entry=entry,
        source=HF,
        source_id=_text(raw, "id", entry, required=True),
        year=year,
        line=_line(raw),
        shared={
            "link": _text(raw, "link", entry),
            "date_text": date_text,
            "place_text": _text(raw, "place", entry),
            "timezone": zone,
        },
        own={
            "start_date": start,
            "end_date": end,
            "city": _text(raw, "city", entry),
            "country": _text(raw, "country", entry),
            "venue": _text(raw, "venue", entry),
            "note": _text(raw, "note", entry),
        },
        deadlines=_after_the_event(_parse_hf_deadlines(raw, entry, zone, warn), end, entry, warn),
    )
    facts = {"short_name": title, "full_name": _text(raw, "full_name", entry)}
    rankings = _text(raw, "rankings", entry)
    if rankings:
        facts["ranks"] = _parse_rankings(rankings, entry)
    hindex = _int(raw.get("hindex"), entry, "'hindex'")
    if hindex is not None:
        facts["h5_index"] = hindex
    return title, edition, facts


_YEAR_IN_TEXT = re.compile(r"\b(19[5-9]\d|20\d\d|2100)\b")
#: Deadlines that must come before the event: a submission after it closed is a slip in the data.
_BEFORE_THE_EVENT = {K.ABSTRACT, K.PAPER, K.SUPPLEMENTARY}


def _edition_dates(raw: dict, entry: str, year: int, date_text: str, warn: Warn):
    """The edition's start and end; a year slip the entry itself corrects is corrected.

    ai-deadlines once gave ICASSP 2026 (``date: May 4-8, 2026``) the start and end 2025-05-04 and
    2025-05-08. When start and end share a year that is neither the edition's year nor named in
    its date text, and that text names the edition's year and no other, the dates are moved to
    that year; anything else is taken as written.
    """
    start, end = _date(raw, "start", entry), _date(raw, "end", entry)
    if start is None or end is None or start.year != end.year or start.year == year:
        return start, end
    if {int(y) for y in _YEAR_IN_TEXT.findall(date_text)} != {year}:
        return start, end
    try:
        moved = start.replace(year=year), end.replace(year=year)
    except ValueError:  # 29 February
        return start, end
    warn(
        entry,
        f"'start' and 'end' ({start} to {end}) read as {moved[0]} to {moved[1]}: the edition is {year} "
        f"and its date says {date_text!r}",
    )
    return moved


def _after_the_event(
    deadlines: list[DeadlineData], end: dt.date | None, entry: str, warn: Warn
) -> list[DeadlineData]:
    """Submission deadlines that fall after the event ended are left out, with a warning.

    Such a date cannot be right, and the entry cannot say what is (ai-deadlines once gave ICASSP
    2025, held in April 2025, the paper deadline of ICASSP 2026, 2025-09-18). Leaving it out keeps
    a false date off the site; the rest of the file is imported.
    """
    if end is None:
        return deadlines
    # The end of the last day anywhere on Earth (UTC-12).
    closed = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    kept = []
    for item in deadlines:
        if item.kind in _BEFORE_THE_EVENT and item.at is not None and item.at > closed:
            warn(
                entry,
                f"left out the {item.kind} deadline {item.local} ({item.timezone}): it falls after the "
                f"event ended on {end}",
            )
        else:
            kept.append(item)
    return kept


def _parse_rankings(text: str, entry: str) -> dict:
    found = {name.lower(): _rank(value) for name, value in _RANKING.findall(text)}
    if not found:
        raise EntryError(
            entry, f"cannot read 'rankings' {text!r} (expected e.g. 'CCF: A, CORE: A*, THCPL: A')"
        )
    return {f"{name}_rank": value for name, value in found.items()}


def _parse_hf_deadlines(raw: dict, entry: str, zone: str, warn: Warn) -> list[DeadlineData]:
    items = raw.get("deadlines")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise EntryError(entry, "'deadlines' should be a list")
    result = []
    for index, item in enumerate(items, 1):
        where = f"deadline {index}"
        if not isinstance(item, dict):
            raise EntryError(entry, f"{where} should be a mapping with type, label, date and timezone")
        keys = {_norm_key(key): key for key in item}
        unknown = sorted(str(keys[k]) for k in set(keys) - _HF_DEADLINE_KEYS)
        if unknown:
            warn(
                entry,
                f"{where}: unknown key(s) ignored: {', '.join(unknown)} (known: type, label, date, timezone)",
            )
        value = {norm: item[key] for norm, key in keys.items()}
        type_text = _text(value, "type", entry) or ""
        if not type_text:
            raise EntryError(entry, f"{where} has no type")
        label = _text(value, "label", entry)
        where = f"deadline {index} ({type_text})"
        if (
            "date" in value
            and "deadline" in value
            and str(value["date"]).strip() != str(value["deadline"]).strip()
        ):
            raise EntryError(entry, f"{where}: 'date' and 'deadline' disagree")
        if "date" not in value and "deadline" not in value:
            raise EntryError(entry, f"{where} has no date (write TBD if it is not known yet)")
        local = value["date"] if "date" in value else value["deadline"]
        kind, source_type = _kind(type_text, label, entry, where, warn)
        if not label and kind == K.OTHER:
            label = type_text.replace("_", " ").replace("-", " ").strip().capitalize()
        deadline_zone = _text(value, "timezone", entry) or zone
        result.append(_deadline(entry, where, kind, label, local, deadline_zone, None, source_type))
    if not result:
        legacy_zone = _text(raw, "timezone_submission", entry) or zone
        for key, (kind, label) in _HF_LEGACY.items():
            if raw.get(key) not in (None, ""):
                result.append(_deadline(entry, key, kind, label, raw[key], legacy_zone, None))
    return _unique(result, entry, warn)


def _parse_rates(data: list, ctx: _Context) -> list[RateData]:
    result = []
    for index, raw in enumerate(data, 1):
        entry = _entry_name(raw, index, "series")
        if not isinstance(raw, dict):
            ctx.reject(EntryError(entry, "a series should be a mapping of keys to values"), raw)
            continue
        try:
            title = _text(raw, "title", entry, required=True)
            rates = raw.get("accept_rates")
            if not isinstance(rates, list):
                raise EntryError(entry, "'accept_rates' should be a list")
        except EntryError as exc:
            ctx.reject(exc, raw)
            continue
        for item in rates:
            year = item.get("year") if isinstance(item, dict) else None
            item_entry = f"{title.lower()}/{year} acceptance rate"
            try:
                result.append(_parse_rate(item, item_entry, title, ctx))
            except EntryError as exc:
                ctx.reject(exc, item)
    return result


def _parse_rate(item, item_entry: str, title: str, ctx: _Context) -> RateData:
    if not isinstance(item, dict):
        raise EntryError(item_entry, "an acceptance rate should be a mapping of keys to values")
    year = _year(item, item_entry, ctx.warn)
    submitted = _int(item.get("submitted"), item_entry, "'submitted'")
    accepted = _int(item.get("accepted"), item_entry, "'accepted'")
    rate = _rate(item.get("rate"), item_entry)
    if submitted is not None and accepted is not None and accepted > submitted:
        if not (rate is not None and _ratio(submitted, accepted) == rate):
            raise EntryError(item_entry, f"{accepted} accepted is more than {submitted} submitted")
        # The entry's own rate says which number is which: the two were swapped.
        ctx.warn(
            item_entry,
            f"read as {accepted} submitted and {submitted} accepted: the file has them the other "
            f"way round, and its own rate {rate} is {submitted} of {accepted}",
        )
        submitted, accepted = accepted, submitted
    if rate is None and submitted and accepted is not None:
        rate = _ratio(accepted, submitted)
    values = {"submitted": submitted, "accepted": accepted, "rate": rate}
    values["source"] = _short_url(_text(item, "source", item_entry), item_entry)
    return RateData(item_entry, title, year, values, ctx.folder_field, _line(item))


_TRACKING = re.compile(r"^(utm_\w+|chksm|mpshare|scene|srcid|sharer_\w+|fbclid|gclid)$", re.IGNORECASE)
_SOURCE_MAX = AcceptanceRate._meta.get_field("source").max_length


def _short_url(text: str, entry: str) -> str:
    """A source URL that fits the column: tracking parameters and the fragment dropped if need be."""
    if len(text) <= _SOURCE_MAX:
        return text
    parts = urlsplit(text)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    shorter = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    if len(shorter) > _SOURCE_MAX:
        raise EntryError(entry, f"'source' is longer than {_SOURCE_MAX} characters")
    return shorter


def _ratio(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _rate(value, entry: str) -> Decimal | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if re.fullmatch(r"[01],\d+", text):  # a decimal comma, as in 0,2212484625
        text = text.replace(",", ".")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise EntryError(entry, f"'rate' should be a fraction between 0 and 1, not {value!r}") from None
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise EntryError(entry, f"'rate' should be a fraction between 0 and 1, not {value!r}")
    return rate.quantize(Decimal("0.0001"), ROUND_HALF_UP)


# --- writing -------------------------------------------------------------------------------------


def _assign(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _validate(obj, entry: str, exclude: list[str]) -> None:
    """Field checks and clean(), without the per-row queries of full_clean()'s uniqueness checks."""
    try:
        obj.clean_fields(exclude=exclude)
        obj.clean()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            reason = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
        else:
            reason = " ".join(exc.messages)
        raise EntryError(entry, reason) from None


def _free_slug(name: str, taken: set[str]) -> str:
    base = (slugify(name) or "conference")[:114].strip("-")
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


class _Names:
    """Conference names compared loosely, with the curated aliases applied."""

    def __init__(self):
        self.aliases = {a.key: name_key(a.name) for a in SeriesAlias.objects.all()}

    def __call__(self, name: str) -> str:
        key = name_key(name)
        return self.aliases.get(key, key)


def _key_field(source: str) -> str:
    return "ccf_key" if source == CCF else "hf_key"


class _SeriesIndex:
    """Finds the series a source's record is: by the source's own key first, then by name (with
    the curated aliases) among the series this source has not claimed. A name several series
    share matches only where the DBLP key or the field tells them apart; otherwise the claim is
    reported and a series of its own is made: never a silent merge."""

    def __init__(self, all_series: list[ConferenceSeries]):
        self.names = _Names()
        self.by_key = {}
        self.by_name = defaultdict(list)
        for series in all_series:
            self.add(series)

    def add(self, series: ConferenceSeries) -> None:
        for source in (CCF, HF):
            key = getattr(series, _key_field(source))
            if key:
                self.by_key[(source, key)] = series
        self.by_name[self.names(series.short_name)].append(series)

    def claim(self, source: str, key: str, series: ConferenceSeries) -> None:
        setattr(series, _key_field(source), key)
        self.by_key[(source, key)] = series

    def find(self, data: SeriesData, warn: Warn) -> ConferenceSeries | None:
        found = self.by_key.get((data.source, data.key))
        if found is not None:
            return found
        if data.source == CCF and data.dblp:
            # The same conference filed under another field upstream: same name, same DBLP key.
            name = data.key.split("/", 1)[1]
            moved = [
                s
                for (source, key), s in self.by_key.items()
                if source == CCF and key.split("/", 1)[-1] == name and s.dblp_key == data.dblp
            ]
            if len(moved) == 1:
                warn(data.entry, f"was filed under {moved[0].ccf_key.split('/')[0]}: the same series, moved")
                del self.by_key[(CCF, moved[0].ccf_key)]
                return moved[0]
        candidates = [
            s
            for s in self.by_name.get(self.names(data.short_name), [])
            if not getattr(s, _key_field(data.source))
        ]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        for narrow in (
            lambda s: bool(data.dblp) and s.dblp_key == data.dblp,
            lambda s: bool(data.field_name) and s.field.upper() == data.field_name.upper(),
        ):
            narrowed = [s for s in candidates if narrow(s)]
            if len(narrowed) == 1:
                return narrowed[0]
        names = ", ".join(f"{s.short_name} ({s.full_name or s.slug})" for s in candidates)
        warn(
            data.entry,
            f"the name {data.short_name!r} is claimed by {len(candidates)} series ({names}): kept apart as "
            "a series of its own; add an alias in the admin if it is one of them",
        )
        return None


def _write_conferences(
    incoming: list[SeriesData], report: FileReport, run_started: dt.datetime, *, draft: bool = False
) -> None:
    """Match, diff and write one file's series, editions and deadlines. Deadline changes are
    recorded only for editions that existed before this run began (``run_started``)."""
    now = timezone.now()
    all_series = list(ConferenceSeries.objects.all())
    index = _SeriesIndex(all_series)
    slugs = {s.slug for s in all_series}
    matched: list[tuple[SeriesData, ConferenceSeries]] = []
    to_create, to_update = [], []
    for data in incoming:
        series = index.find(data, report.warn)
        if series is not None and any(s is series for _, s in matched):
            other = next(d for d, s in matched if s is series)
            report.reject(data.entry, f"is the same conference series as {other.entry}", data.line)
            continue
        values = dict(data.fields) if data.source == CCF or series is None or not series.ccf_key else {}
        if data.h5_index is not None:
            values["h5_index"] = data.h5_index
        values[_key_field(data.source)] = data.key

        def make(data=data, values=values):
            new = ConferenceSeries(
                short_name=data.short_name,
                status=Status.DRAFT if draft else Status.PUBLISHED,
                published_at=None if draft else now,
                kind=ConferenceSeries.Kind.ACADEMIC,
            )
            _assign(new, values)
            new.slug = _free_slug(new.short_name, slugs)
            return new

        is_new = series is None
        where = (data.entry, [] if is_new else ["slug"], f"conference series {data.short_name}")
        try:
            series = _diff_row(series, make, values, where, report, to_create, to_update, now)
        except EntryError as exc:
            report.reject(exc.entry, exc.reason, data.line)
            continue
        if is_new:
            index.add(series)
        index.claim(data.source, data.key, series)
        matched.append((data, series))
    if to_create:
        ConferenceSeries.objects.bulk_create(to_create)
    if to_update:
        ConferenceSeries.objects.bulk_update(to_update, [*SERIES_FIELDS, "ccf_key", "hf_key"])
    planned = _write_editions(matched, now, report, run_started)
    _write_deadlines(planned, now, report)


def _diff_row(row, make, values: dict, where: tuple, report: FileReport, to_create, to_update, now=None):
    """Plan one row: new (``make()``), changed (``values`` assigned) or unchanged; validated and
    counted, with its diff line. ``where`` is (entry, fields not to validate, what the diff says).
    ``now`` stamps ``updated_at`` on a changed row that has one. Returns the row."""
    entry, exclude, what = where
    if row is None:
        row = make()
        _validate(row, entry, exclude=exclude)
        to_create.append(row)
        report.count(CREATED, what)
    elif _assign(row, values):
        if now is not None:
            row.updated_at = now
        _validate(row, entry, exclude=exclude)
        to_update.append(row)
        report.count(UPDATED, what)
    else:
        report.count(UNCHANGED)
    return row


def _write_editions(matched, now, report: FileReport, run_started: dt.datetime) -> list:
    series_ids = [s.pk for _, s in matched]
    by_year = {(e.series_id, e.year): e for e in ConferenceEdition.objects.filter(series_id__in=series_ids)}
    planned, to_create, to_update = [], [], []
    for data, series in matched:
        for item in data.editions:
            id_field = "ccf_id" if item.source == CCF else "hf_id"
            edition = by_year.get((series.pk, item.year))
            if edition is not None:
                edition.series = series  # in hand: no query per edition for its name
            values = {id_field: item.source_id, "year": item.year}
            owner = item.source == HF or edition is None or not edition.hf_id
            for name, value in item.shared.items():
                if value and (owner or not getattr(edition, name)):
                    values[name] = value
            values.update(item.own)
            what = f"edition {series.short_name} {item.year}"
            try:
                edition = _diff_row(
                    edition,
                    partial(ConferenceEdition, series=series, **values),
                    values,
                    (item.entry, ["series"], what),
                    report,
                    to_create,
                    to_update,
                    now=now,
                )
            except EntryError as exc:
                report.reject(exc.entry, exc.reason, item.line)
                continue
            by_year[(series.pk, item.year)] = edition
            # A series new in this run (a first import) records no changes: nothing was known
            # before. A new edition of a known series does: its deadlines are announcements.
            planned.append((item, edition, series.created_at >= run_started))
    if to_create:
        ConferenceEdition.objects.bulk_create(to_create)
    if to_update:
        ConferenceEdition.objects.bulk_update(to_update, EDITION_FIELDS)
    return planned


def _value(source: str, at, local: str, zone: str) -> dict:
    return {"source": source, "at": at.isoformat() if at else None, "local": local, "timezone": zone}


class _Conflicts:
    """Open, keep or leave conflicts so that an unchanged re-import writes nothing."""

    def __init__(self, edition_ids: list[int]):
        self.known = defaultdict(list)
        for conflict in DeadlineConflict.objects.filter(edition_id__in=edition_ids):
            self.known[(conflict.edition_id, conflict.kind, conflict.label, conflict.reason)].append(conflict)
        self.to_create, self.to_update = [], []

    def ensure(
        self, edition, kind, label, reason, values: list[dict], report: FileReport, entry: str
    ) -> None:
        key = (edition.pk, kind, label, reason)
        rows = self.known[key]
        if any(c.values == values for c in rows):
            return  # open with these values, or a curator already chose between them
        open_row = next((c for c in rows if c.resolved_at is None), None)
        if open_row is None:
            open_row = DeadlineConflict(edition=edition, kind=kind, label=label, reason=reason, values=values)
            self.to_create.append(open_row)
            rows.append(open_row)
        else:
            open_row.values = values
            self.to_update.append(open_row)
        shown = " / ".join(
            f"{v['source'] or 'curator'}: {v['local'] or v['at'] or 'TBD'} ({v['timezone'] or 'UTC'})"
            for v in values
        )
        report.warn(
            entry,
            f"conflict on the {kind} deadline{f' {label!r}' if label else ''}, for a curator: {shown}",
        )

    def save(self) -> None:
        if self.to_create:
            DeadlineConflict.objects.bulk_create(self.to_create)
        if self.to_update:
            DeadlineConflict.objects.bulk_update(self.to_update, ["values"])


def _compare_sources(
    item: EditionData, edition, ours: list[DeadlineData], theirs: list[Deadline], conflicts, report
):
    """Where both data sets give one deadline of a kind for an edition, and their instants
    differ, a curator chooses; ai-deadlines' row stands meanwhile."""
    mine = defaultdict(list)
    for d in ours:
        mine[d.kind].append(d)
    other = defaultdict(list)
    for row in theirs:
        other[row.kind].append(row)
    for kind, rows in mine.items():
        if len(rows) != 1 or len(other.get(kind, [])) != 1:
            continue
        a, b = rows[0], other[kind][0]
        if a.at is None or b.at is None or a.at == b.at:
            continue
        ccf, hf = (a, b) if item.source == CCF else (b, a)
        values = [_value(CCF, ccf.at, ccf.local, ccf.timezone), _value(HF, hf.at, hf.local, hf.timezone)]
        conflicts.ensure(edition, kind, "", DeadlineConflict.Reason.SOURCES, values, report, item.entry)


def _write_deadlines(planned: list, now, report: FileReport) -> None:
    existing: dict[int, dict[tuple, Deadline]] = defaultdict(dict)
    ids = [edition.pk for _, edition, _new in planned]
    for row in Deadline.objects.filter(edition_id__in=ids):
        existing[row.edition_id][(row.kind, row.label)] = row
    conflicts = _Conflicts(ids)
    to_create, to_update, to_delete, changes = [], [], [], []

    def change(row, kind, old_at, old_local, what, new_edition):
        if not new_edition:
            changes.append(
                DeadlineChange(
                    edition_id=row.edition_id,
                    deadline=row,
                    kind=row.kind,
                    label=row.label,
                    change=kind,
                    old_at=old_at,
                    new_at=row.at if kind != DeadlineChange.Change.WITHDRAWN else old_at,
                    old_local=old_local,
                    new_local=_show(row.at, row.local, row.timezone)
                    if kind != DeadlineChange.Change.WITHDRAWN
                    else "",
                    source=row.source,
                    seen_at=now,
                )
            )

    for item, edition, new_edition in planned:
        rows = existing.get(edition.pk, {})
        current = [r for r in rows.values() if r.withdrawn_at is None]
        wanted = item.deadlines
        name = f"{edition.series.short_name} {edition.year}"
        if item.source == CCF and any(r.source == HF for r in current):
            # ai-deadlines' timeline for this edition stands; ours only tells where they differ.
            _compare_sources(item, edition, wanted, [r for r in current if r.source == HF], conflicts, report)
            continue
        if item.source == HF and wanted:
            ccf_rows = [r for r in current if r.source == CCF]
            if ccf_rows:
                _compare_sources(item, edition, wanted, ccf_rows, conflicts, report)
                wanted_keys = {(d.kind, d.label) for d in wanted}
                # Replaced by ai-deadlines' fuller timeline (not withdrawn upstream); a row under
                # the same kind and label is taken over below instead.
                for row in ccf_rows:
                    if (row.kind, row.label) in wanted_keys:
                        continue
                    to_delete.append(row.pk)
                    del rows[(row.kind, row.label)]
                    report.count(
                        UPDATED,
                        f"deadline {name} {row.label or row.kind}: replaced by ai-deadlines' row",
                    )
        keys = set()
        for deadline in wanted:
            key = (deadline.kind, deadline.label)
            keys.add(key)
            what = f"deadline {name} {deadline.label or deadline.kind}"
            values = {
                "at": deadline.at,
                "local": deadline.local,
                "timezone": deadline.timezone,
                "source": item.source,
                "source_type": deadline.source_type,
            }
            row = rows.get(key)
            if deadline.comment is not None:
                values["comment"] = deadline.comment
            elif row is not None and row.source not in {item.source, ""}:
                values["comment"] = ""  # the other source's comment is not about this row any more
            try:
                if row is None:
                    row = Deadline(edition=edition, kind=deadline.kind, label=deadline.label, **values)
                    _validate(row, item.entry, exclude=["edition"])
                    to_create.append((row, new_edition))
                    report.count(CREATED, f"{what}: {_show(deadline.at, deadline.local, deadline.timezone)}")
                    continue
                if row.curator_edited:
                    if (row.at, row.local, row.timezone) != (deadline.at, deadline.local, deadline.timezone):
                        upstream = _value(item.source, deadline.at, deadline.local, deadline.timezone)
                        theirs = _value("", row.at, row.local, row.timezone)
                        conflicts.ensure(
                            edition,
                            row.kind,
                            row.label,
                            DeadlineConflict.Reason.CURATOR,
                            [theirs, upstream],
                            report,
                            item.entry,
                        )
                    report.count(UNCHANGED)
                    continue
                old_at, old_local = row.at, _show(row.at, row.local, row.timezone)
                was_withdrawn = row.withdrawn_at is not None
                if was_withdrawn:
                    values["withdrawn_at"] = None
                if _assign(row, values):
                    _validate(row, item.entry, exclude=["edition"])
                    to_update.append(row)
                    report.count(UPDATED, f"{what}: {old_local} -> {_show(row.at, row.local, row.timezone)}")
                    if was_withdrawn:
                        change(row, DeadlineChange.Change.REINSTATED, old_at, old_local, what, False)
                    if old_at != row.at:
                        kind = (
                            DeadlineChange.Change.ANNOUNCED if old_at is None else DeadlineChange.Change.MOVED
                        )
                        change(row, kind, old_at, old_local, what, False)
                else:
                    report.count(UNCHANGED)
            except EntryError as exc:
                report.reject(exc.entry, exc.reason, item.line)
        for key, row in rows.items():
            if key in keys or row.withdrawn_at is not None or row.curator_edited:
                continue
            if row.source == item.source:
                row.withdrawn_at = now
                to_update.append(row)
                report.count(
                    WITHDRAWN, f"deadline {name} {row.label or row.kind}: no longer listed by its source"
                )
                change(
                    row,
                    DeadlineChange.Change.WITHDRAWN,
                    row.at,
                    _show(row.at, row.local, row.timezone),
                    "",
                    new_edition,
                )
    if to_delete:
        Deadline.objects.filter(pk__in=to_delete).delete()
    if to_create:
        Deadline.objects.bulk_create([row for row, _ in to_create])
        for row, new_edition in to_create:
            if not new_edition and row.at is not None:
                changes.append(
                    DeadlineChange(
                        edition_id=row.edition_id,
                        deadline=row,
                        kind=row.kind,
                        label=row.label,
                        change=DeadlineChange.Change.ANNOUNCED,
                        new_at=row.at,
                        new_local=_show(row.at, row.local, row.timezone),
                        source=row.source,
                        seen_at=now,
                    )
                )
    if to_update:
        Deadline.objects.bulk_update(to_update, DEADLINE_FIELDS)
    if changes:
        DeadlineChange.objects.bulk_create(changes)
    conflicts.save()


def _write_rates(rates: list[RateData], report: FileReport) -> None:
    all_series = list(ConferenceSeries.objects.only("pk", "short_name", "field", "ccf_key"))
    names = _Names()
    by_key = {s.ccf_key: s for s in all_series if s.ccf_key}
    by_name = defaultdict(list)
    for series in all_series:
        by_name[names(series.short_name)].append(series)
    wanted = []
    for rate in rates:
        series = by_key.get(_ccf_key(rate.folder_field, rate.title)) if rate.folder_field else None
        if series is None:
            found = by_name.get(names(rate.title), [])
            if len(found) > 1 and rate.folder_field:
                found = [s for s in found if s.field.upper() == rate.folder_field.upper()] or found
            if not found:
                report.reject(
                    rate.entry,
                    f"no conference series called {rate.title!r}: import its conference file in this run, "
                    "or add an alias in the admin",
                    rate.line,
                )
                continue
            if len(found) > 1:
                report.reject(
                    rate.entry, f"{rate.title!r} matches more than one conference series", rate.line
                )
                continue
            series = found[0]
        wanted.append((rate, series))
    existing = {
        (row.series_id, row.year): row
        for row in AcceptanceRate.objects.filter(series_id__in={s.pk for _, s in wanted})
    }
    seen, to_create, to_update = {}, [], []
    for rate, series in wanted:
        key = (series.pk, rate.year)
        if key in seen:
            report.reject(rate.entry, f"appears twice in the file (also as {seen[key]})", rate.line)
            continue
        seen[key] = rate.entry
        row = existing.get(key)
        what = f"acceptance rate {series.short_name} {rate.year}"
        try:
            _diff_row(
                row,
                partial(AcceptanceRate, series_id=series.pk, year=rate.year, **rate.values),
                rate.values,
                (rate.entry, ["series"], what),
                report,
                to_create,
                to_update,
            )
        except EntryError as exc:
            report.reject(exc.entry, exc.reason, rate.line)
    if to_create:
        AcceptanceRate.objects.bulk_create(to_create)
    if to_update:
        AcceptanceRate.objects.bulk_update(to_update, RATE_FIELDS)


# --- the entry point -----------------------------------------------------------------------------


@dataclass
class _Prepared:
    format: str = ""
    payload: list = field(default_factory=list)
    note: str = ""
    error: EntryError | None = None
    context: _Context = field(default_factory=_Context)


def _folder_field(path: Path) -> str:
    parts = path.parts
    for marker in ("conference", "accept_rates"):
        if marker in parts[:-1]:
            after = parts[parts.index(marker) + 1 : -1]
            return after[0] if after else ""
    return ""


def _prepare(path: Path) -> _Prepared:
    context = _Context(folder_field=_folder_field(path))
    suffix = path.suffix.lower()
    if suffix and suffix not in _YAML_SUFFIXES:
        return _Prepared(
            FORMAT_SKIP, note=f"not a YAML file ({suffix}): no deadlines read from it", context=context
        )
    try:
        data = _load(path)
        fmt, note = detect_format(data)
    except EntryError as exc:
        if not suffix and path.exists():
            # A file without an extension that is not deadline data (LICENSE) is passed over.
            return _Prepared(
                FORMAT_SKIP, note=f"no extension and not deadline data ({exc.reason})", context=context
            )
        return _Prepared(error=exc, context=context)
    if not suffix:
        context.warn("(file)", f"has no .yml extension; read as YAML, it is {fmt} data")
    parse = {FORMAT_CCF: _parse_ccf, FORMAT_HF: _parse_hf, FORMAT_CCF_RATES: _parse_rates}.get(fmt)
    return _Prepared(fmt, parse(data, context) if parse else [], note, context=context)


def import_paths(
    paths: list[Path | str],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    on_count: Callable[[FileReport], None] | None = None,
    draft: bool = False,
) -> ImportReport:
    """Import every deadline file named or found under the folders named; one report for all.

    See ``base.run_files`` for the modes. ``progress`` is called after each file and
    ``on_count`` every few hundred rows within one (``base.COUNT_EVERY``). With ``draft``, a
    series the import creates is a draft, for a curator to review and publish; series that exist
    keep their status.
    """
    run_started = timezone.now()
    files = collect_files(paths)
    prepared = {path: _prepare(path) for path in files}
    position = {path: n for n, path in enumerate(files)}
    ordered = sorted(files, key=lambda p: (_ORDER.get(prepared[p].format, 3), position[p]))

    def import_one(path: Path, file_report: FileReport) -> None:
        item = prepared[path]
        if item.error is not None:
            raise item.error
        file_report.warnings.extend(item.context.warnings)
        file_report.errors.extend(item.context.errors)
        if item.format == FORMAT_SKIP:
            file_report.note = item.note
        elif item.format == FORMAT_CCF_RATES:
            _write_rates(item.payload, file_report)
        else:
            _write_conferences(item.payload, file_report, run_started, draft=draft)

    return run_files(
        ordered, import_one, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress, on_count=on_count
    )
