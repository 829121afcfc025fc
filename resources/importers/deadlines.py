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
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from resources.importers.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    EntryError,
    FileReport,
    ImportReport,
    run_files,
)
from resources.importers.timezones import TimeZoneError, to_utc
from resources.models import AcceptanceRate, ConferenceEdition, ConferenceSeries, Deadline, Status

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
DEADLINE_FIELDS = ["at", "local", "timezone", "source", "comment"]
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
_ORG_PREFIX = re.compile(r"^(?:IEEE|ACM)[\s/-]+", re.IGNORECASE)


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
        what = "empty" if not data else f"a {type(data).__name__}"
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


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files named, and the YAML files under the folders named, each once, in a stable order."""
    files, seen = [], set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in {".yml", ".yaml"}
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
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


@dataclass
class EditionData:
    entry: str
    source: str
    source_id: str
    year: int
    shared: dict  # fields both sources give: link, date_text, place_text, timezone
    own: dict  # fields only this source gives, written as given
    deadlines: list[DeadlineData]


@dataclass
class SeriesData:
    entry: str
    source: str
    short_name: str
    keys: set
    fields: dict
    h5_index: int | None = None
    editions: list[EditionData] = field(default_factory=list)


@dataclass
class RateData:
    entry: str
    title: str
    year: int
    values: dict


def _norm_key(value) -> str:
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


def _alias(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", _ORG_PREFIX.sub("", name.strip()).lower())


def _dblp_key(value: str) -> str:
    value = value.strip().strip("/")
    return value if not value or "/" in value else f"conf/{value}"


def _series_keys(name: str, dblp: str = "") -> set:
    keys = {("name", _alias(name))}
    if dblp:
        keys.add(("dblp", dblp))
    return keys


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


def _year(raw: dict, entry: str) -> int:
    year = _int(raw.get("year"), entry, "'year'")
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


def _kind(type_text: str, label: str, entry: str, where: str) -> str:
    key = _norm_key(type_text)
    if key == "rebuttal":
        starts, ends = bool(_REBUTTAL_START.search(label)), bool(_REBUTTAL_END.search(label))
        if starts != ends:
            return K.REBUTTAL_START if starts else K.REBUTTAL_END
        raise EntryError(
            entry, f"{where}: type 'rebuttal' with the label {label!r} could be its start or its end"
        )
    kind = KIND_ALIASES.get(key)
    if kind is None:
        raise EntryError(
            entry,
            f"{where}: unknown deadline type {type_text!r} (known: abstract, paper or submission, "
            f"supplementary, rebuttal_start, rebuttal_end, notification, camera_ready, registration, other)",
        )
    return kind


def _deadline(entry: str, where: str, kind: str, label: str, local, zone: str, comment) -> DeadlineData:
    if isinstance(local, dict | list):
        raise EntryError(entry, f"{where}: a date-time should be text, not a {type(local).__name__}")
    try:
        at = to_utc(local, zone)
    except TimeZoneError as exc:
        raise EntryError(entry, f"{where}: {exc}") from None
    local_text = "" if local is None else str(local).strip()
    return DeadlineData(kind, label, at, local_text, zone, comment)


def _unique(deadlines: list[DeadlineData], entry: str) -> list[DeadlineData]:
    """One deadline per (kind, label): an exact repeat is dropped, a contradiction is an error."""
    by_key: dict[tuple, DeadlineData] = {}
    for item in deadlines:
        key = (item.kind, item.label)
        other = by_key.get(key)
        if other is None:
            by_key[key] = item
        elif (other.at, other.local, other.timezone) != (item.at, item.local, item.timezone):
            label = f" labelled {item.label!r}" if item.label else ""
            raise EntryError(entry, f"two different {item.kind} deadlines{label}")
    return list(by_key.values())


def _parse_ccf(data: list, warn: Warn) -> list[SeriesData]:
    result = []
    for index, raw in enumerate(data, 1):
        entry = _entry_name(raw, index, "series")
        if not isinstance(raw, dict):
            raise EntryError(entry, "a series should be a mapping of keys to values")
        title = _text(raw, "title", entry, required=True)
        rank = raw.get("rank") or {}
        if not isinstance(rank, dict):
            raise EntryError(entry, "'rank' should be a mapping such as {ccf: A, core: A*, thcpl: A}")
        dblp = _dblp_key(_text(raw, "dblp", entry))
        series = SeriesData(
            entry=entry,
            source=CCF,
            short_name=title,
            keys=_series_keys(title, dblp),
            fields={
                "short_name": title,
                "full_name": _text(raw, "description", entry),
                "field": _text(raw, "sub", entry),
                "ccf_rank": _rank(rank.get("ccf")),
                "core_rank": _rank(rank.get("core")),
                "thcpl_rank": _rank(rank.get("thcpl")),
                "dblp_key": dblp,
            },
        )
        confs = raw.get("confs")
        if not isinstance(confs, list):
            raise EntryError(entry, "'confs' should be a list of editions")
        for conf_index, conf in enumerate(confs, 1):
            series.editions.append(_parse_ccf_edition(conf, title, conf_index))
        result.append(series)
    return result


def _parse_ccf_edition(raw, title: str, index: int) -> EditionData:
    year = raw.get("year") if isinstance(raw, dict) else None
    entry = f"{title.lower()}/{year}" if year else f"{title.lower()} edition {index}"
    if not isinstance(raw, dict):
        raise EntryError(entry, "an edition should be a mapping of keys to values")
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
                found.append((KIND_ALIASES[norm], key, value))
            else:
                raise EntryError(
                    entry, f"{where}: unknown key {key!r} (expected deadline, abstract_deadline, comment)"
                )
        if not found:
            raise EntryError(entry, f"{where} has no deadline")
        label = "" if len(timeline) == 1 else (comment or f"Round {item_index}")
        for kind, key, value in found:
            deadlines.append(_deadline(entry, f"{where}, {key}", kind, label, value, zone, comment))
    return EditionData(
        entry=entry,
        source=CCF,
        source_id=_text(raw, "id", entry, required=True),
        year=_year(raw, entry),
        shared={
            "link": _text(raw, "link", entry),
            "date_text": _text(raw, "date", entry),
            "place_text": _text(raw, "place", entry),
            "timezone": zone,
        },
        own={},
        deadlines=_unique(deadlines, entry),
    )


def _parse_hf(data: list, warn: Warn) -> list[SeriesData]:
    groups: dict[str, SeriesData] = {}
    latest: dict[str, dict[str, tuple[int, object]]] = defaultdict(dict)
    for index, raw in enumerate(data, 1):
        entry = _entry_name(raw, index, "edition")
        if not isinstance(raw, dict):
            raise EntryError(entry, "an edition should be a mapping of keys to values")
        title = _text(raw, "title", entry, required=True)
        year = _year(raw, entry)
        zone = _text(raw, "timezone", entry)
        date_text = _text(raw, "date", entry)
        start, end = _edition_dates(raw, entry, year, date_text, warn)
        edition = EditionData(
            entry=entry,
            source=HF,
            source_id=_text(raw, "id", entry, required=True),
            year=year,
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
            deadlines=_after_the_event(_parse_hf_deadlines(raw, entry, zone), end, entry, warn),
        )
        alias = _alias(title)
        series = groups.get(alias)
        if series is None:
            series = groups[alias] = SeriesData(
                entry=title.lower(), source=HF, short_name=title, keys=_series_keys(title), fields={}
            )
        series.editions.append(edition)
        # Series-wide facts are taken from the latest edition that gives them.
        facts = {"short_name": title, "full_name": _text(raw, "full_name", entry)}
        rankings = _text(raw, "rankings", entry)
        if rankings:
            facts["ranks"] = _parse_rankings(rankings, entry)
        hindex = _int(raw.get("hindex"), entry, "'hindex'")
        if hindex is not None:
            facts["h5_index"] = hindex
        for name, value in facts.items():
            if value != "" and (name not in latest[alias] or latest[alias][name][0] <= year):
                latest[alias][name] = (year, value)
    for alias, series in groups.items():
        facts = {name: value for name, (_year_, value) in latest[alias].items()}
        series.short_name = facts.pop("short_name", series.short_name)
        series.h5_index = facts.pop("h5_index", None)
        series.fields = {**facts.pop("ranks", {}), **facts}
    return list(groups.values())


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


def _parse_hf_deadlines(raw: dict, entry: str, zone: str) -> list[DeadlineData]:
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
            raise EntryError(
                entry, f"{where}: unknown key(s) {', '.join(unknown)} (expected type, label, date, timezone)"
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
        kind = _kind(type_text, label, entry, where)
        if not label and kind == K.OTHER:
            label = type_text.replace("_", " ").replace("-", " ").strip().capitalize()
        deadline_zone = _text(value, "timezone", entry) or zone
        result.append(_deadline(entry, where, kind, label, local, deadline_zone, None))
    if not result:
        legacy_zone = _text(raw, "timezone_submission", entry) or zone
        for key, (kind, label) in _HF_LEGACY.items():
            if raw.get(key) not in (None, ""):
                result.append(_deadline(entry, key, kind, label, raw[key], legacy_zone, None))
    return _unique(result, entry)


def _parse_rates(data: list, warn: Warn) -> list[RateData]:
    result = []
    for index, raw in enumerate(data, 1):
        entry = _entry_name(raw, index, "series")
        if not isinstance(raw, dict):
            raise EntryError(entry, "a series should be a mapping of keys to values")
        title = _text(raw, "title", entry, required=True)
        rates = raw.get("accept_rates")
        if not isinstance(rates, list):
            raise EntryError(entry, "'accept_rates' should be a list")
        for item in rates:
            year = item.get("year") if isinstance(item, dict) else None
            item_entry = f"{title.lower()}/{year} acceptance rate"
            if not isinstance(item, dict):
                raise EntryError(item_entry, "an acceptance rate should be a mapping of keys to values")
            year = _year(item, item_entry)
            submitted = _int(item.get("submitted"), item_entry, "'submitted'")
            accepted = _int(item.get("accepted"), item_entry, "'accepted'")
            rate = _rate(item.get("rate"), item_entry)
            if submitted is not None and accepted is not None and accepted > submitted:
                if not (rate is not None and _ratio(submitted, accepted) == rate):
                    raise EntryError(item_entry, f"{accepted} accepted is more than {submitted} submitted")
                # The entry's own rate says which number is which: the two were swapped.
                warn(
                    item_entry,
                    f"read as {accepted} submitted and {submitted} accepted: the file has them the other "
                    f"way round, and its own rate {rate} is {submitted} of {accepted}",
                )
                submitted, accepted = accepted, submitted
            if rate is None and submitted and accepted is not None:
                rate = _ratio(accepted, submitted)
            values = {"submitted": submitted, "accepted": accepted, "rate": rate}
            values["source"] = _short_url(_text(item, "source", item_entry), item_entry)
            result.append(RateData(item_entry, title, year, values))
    return result


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


def _series_index(all_series: Iterable[ConferenceSeries]) -> dict:
    index = defaultdict(list)
    for series in all_series:
        for key in _series_keys(series.short_name, series.dblp_key):
            index[key].append(series)
    return index


def _write_conferences(incoming: list[SeriesData], report: FileReport) -> None:
    now = timezone.now()
    all_series = list(ConferenceSeries.objects.all())
    index = _series_index(all_series)
    slugs = {s.slug for s in all_series}

    # Match each series of the file to one in the database, or plan a new one.
    matched: list[tuple[SeriesData, ConferenceSeries]] = []
    claimed: dict[int, str] = {}
    to_create = []
    for data in incoming:
        found = {id(s): s for key in data.keys for s in index.get(key, [])}
        if len(found) > 1:
            names = ", ".join(sorted(s.short_name for s in found.values()))
            raise EntryError(data.entry, f"matches more than one conference series: {names}")
        series = next(iter(found.values()), None)
        if series is None:
            series = ConferenceSeries(
                short_name=data.short_name,
                status=Status.PUBLISHED,
                published_at=now,
                kind=ConferenceSeries.Kind.ACADEMIC,
            )
            to_create.append((data, series))
            for key in data.keys:
                index[key].append(series)
        elif id(series) in claimed:
            raise EntryError(data.entry, f"is the same conference series as {claimed[id(series)]}")
        claimed[id(series)] = data.entry
        matched.append((data, series))

    known_ids = [s.pk for _, s in matched if s.pk]
    ccf_ids = [e.source_id for d, _ in matched for e in d.editions if e.source == CCF]
    hf_ids = [e.source_id for d, _ in matched for e in d.editions if e.source == HF]
    editions = list(
        ConferenceEdition.objects.filter(
            Q(series_id__in=known_ids) | Q(ccf_id__in=ccf_ids) | Q(hf_id__in=hf_ids)
        )
    )
    ccf_backed = {e.series_id for e in editions if e.ccf_id} | {s.pk for s in all_series if s.dblp_key}

    to_update = []
    for data, series in matched:
        values = dict(data.fields) if data.source == CCF or series.pk not in ccf_backed else {}
        if data.h5_index is not None:
            values["h5_index"] = data.h5_index
        if series.pk is None:
            _assign(series, values)
            series.slug = _free_slug(series.short_name, slugs)
            _validate(series, data.entry, exclude=[])
            report.count(CREATED)
        elif _assign(series, values):
            series.updated_at = now
            _validate(series, data.entry, exclude=["slug"])
            to_update.append(series)
            report.count(UPDATED)
        else:
            report.count(UNCHANGED)
    if to_create:
        ConferenceSeries.objects.bulk_create([s for _, s in to_create])
    if to_update:
        ConferenceSeries.objects.bulk_update(to_update, SERIES_FIELDS)

    planned = _write_editions(matched, editions, all_series, now, report)
    _write_deadlines(planned, report)


def _write_editions(matched, editions, all_series, now, report: FileReport) -> list:
    names = {s.pk: s.short_name for s in all_series}
    by_id = {CCF: {e.ccf_id: e for e in editions if e.ccf_id}, HF: {e.hf_id: e for e in editions if e.hf_id}}
    by_year = {(e.series_id, e.year): e for e in editions}
    seen_ids: dict[tuple, str] = {}
    seen_years: dict[tuple, str] = {}
    planned, to_create, to_update = [], [], []
    for data, series in matched:
        for item in data.editions:
            id_field = "ccf_id" if item.source == CCF else "hf_id"
            for seen, key, what in (
                (seen_ids, (item.source, item.source_id), f"the id {item.source_id!r}"),
                (seen_years, (series.pk, item.year), f"{series.short_name} {item.year}"),
            ):
                if key in seen:
                    raise EntryError(item.entry, f"{what} appears twice in the file (also at {seen[key]})")
                seen[key] = item.entry
            edition = by_id[item.source].get(item.source_id)
            same_year = by_year.get((series.pk, item.year))
            if edition is not None and edition.series_id != series.pk:
                raise EntryError(
                    item.entry,
                    f"the id {item.source_id!r} already belongs to "
                    f"{names.get(edition.series_id)} {edition.year}",
                )
            if edition is None:
                edition = same_year
            elif same_year is not None and same_year is not edition:
                raise EntryError(
                    item.entry,
                    f"the id {item.source_id!r} is {series.short_name} {edition.year} in the catalogue, "
                    f"but {series.short_name} {item.year} is another edition there",
                )
            values = {id_field: item.source_id, "year": item.year}
            owner = item.source == HF or edition is None or not edition.hf_id
            for name, value in item.shared.items():
                if value and (owner or not getattr(edition, name)):
                    values[name] = value
            values.update(item.own)
            if edition is None:
                edition = ConferenceEdition(series=series, **values)
                _validate(edition, item.entry, exclude=["series"])
                to_create.append(edition)
                report.count(CREATED)
            elif _assign(edition, values):
                edition.updated_at = now
                _validate(edition, item.entry, exclude=["series"])
                to_update.append(edition)
                report.count(UPDATED)
            else:
                report.count(UNCHANGED)
            planned.append((item, edition))
    if to_create:
        ConferenceEdition.objects.bulk_create(to_create)
    if to_update:
        ConferenceEdition.objects.bulk_update(to_update, EDITION_FIELDS)
    return planned


def _write_deadlines(planned: list[tuple[EditionData, ConferenceEdition]], report: FileReport) -> None:
    existing: dict[int, dict[tuple, Deadline]] = defaultdict(dict)
    ids = [edition.pk for _, edition in planned]
    for row in Deadline.objects.filter(edition_id__in=ids):
        existing[row.edition_id][(row.kind, row.label)] = row
    to_create, to_update, to_delete = [], [], []
    for item, edition in planned:
        rows = existing.get(edition.pk, {})
        wanted = item.deadlines
        if item.source == CCF and any(row.source == HF for row in rows.values()):
            wanted = []  # ai-deadlines' timeline for this edition replaces ours
        replaces = {CCF, HF} if item.source == HF and wanted else {item.source}
        keys = set()
        for deadline in wanted:
            key = (deadline.kind, deadline.label)
            keys.add(key)
            values = {
                "at": deadline.at,
                "local": deadline.local,
                "timezone": deadline.timezone,
                "source": item.source,
            }
            row = rows.get(key)
            if deadline.comment is not None:
                values["comment"] = deadline.comment
            elif row is not None and row.source not in {item.source, ""}:
                values["comment"] = ""  # the other source's comment is not about this row any more
            if row is None:
                row = Deadline(edition=edition, kind=deadline.kind, label=deadline.label, **values)
                _validate(row, item.entry, exclude=["edition"])
                to_create.append(row)
                report.count(CREATED)
            elif _assign(row, values):
                _validate(row, item.entry, exclude=["edition"])
                to_update.append(row)
                report.count(UPDATED)
            else:
                report.count(UNCHANGED)
        for key, row in rows.items():
            if key not in keys and row.source in replaces:
                to_delete.append(row.pk)
                report.count(UPDATED)
    if to_create:
        Deadline.objects.bulk_create(to_create)
    if to_update:
        Deadline.objects.bulk_update(to_update, DEADLINE_FIELDS)
    if to_delete:
        Deadline.objects.filter(pk__in=to_delete).delete()


def _write_rates(rates: list[RateData], report: FileReport) -> None:
    index = _series_index(ConferenceSeries.objects.only("pk", "short_name", "dblp_key"))
    wanted = []
    for rate in rates:
        found = {s.pk: s for s in index.get(("name", _alias(rate.title)), [])}
        if not found:
            raise EntryError(
                rate.entry,
                f"no conference series called {rate.title!r} yet: import its conference file first",
            )
        if len(found) > 1:
            raise EntryError(rate.entry, f"{rate.title!r} matches more than one conference series")
        wanted.append((rate, next(iter(found))))
    existing = {
        (row.series_id, row.year): row
        for row in AcceptanceRate.objects.filter(series_id__in={pk for _, pk in wanted})
    }
    seen, to_create, to_update = {}, [], []
    for rate, series_id in wanted:
        key = (series_id, rate.year)
        if key in seen:
            raise EntryError(rate.entry, f"appears twice in the file (also as {seen[key]})")
        seen[key] = rate.entry
        row = existing.get(key)
        if row is None:
            row = AcceptanceRate(series_id=series_id, year=rate.year, **rate.values)
            _validate(row, rate.entry, exclude=["series"])
            to_create.append(row)
            report.count(CREATED)
        elif _assign(row, rate.values):
            _validate(row, rate.entry, exclude=["series"])
            to_update.append(row)
            report.count(UPDATED)
        else:
            report.count(UNCHANGED)
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
    warnings: list[str] = field(default_factory=list)


def _prepare(path: Path) -> _Prepared:
    warnings: list[str] = []

    def warn(entry: str, reason: str) -> None:
        warnings.append(f"{entry}: {reason}")

    try:
        data = _load(path)
        fmt, note = detect_format(data)
        parse = {FORMAT_CCF: _parse_ccf, FORMAT_HF: _parse_hf, FORMAT_CCF_RATES: _parse_rates}.get(fmt)
        return _Prepared(fmt, parse(data, warn) if parse else [], note, warnings=warnings)
    except EntryError as exc:
        return _Prepared(error=exc)


def import_paths(
    paths: list[Path | str],
    *,
    dry_run: bool = False,
    progress: Callable[[FileReport], None] | None = None,
    on_count: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Import every deadline file named or found under the folders named; one report for all.

    A file with any bad entry imports nothing and its report names the entry and the reason;
    the other files are imported all the same. ``progress`` is called after each file and
    ``on_count`` every few hundred rows within one (``base.COUNT_EVERY``).
    """
    files = collect_files(paths)
    prepared = {path: _prepare(path) for path in files}
    position = {path: n for n, path in enumerate(files)}
    ordered = sorted(files, key=lambda p: (_ORDER.get(prepared[p].format, 3), position[p]))

    def import_one(path: Path, file_report: FileReport) -> None:
        item = prepared[path]
        if item.error is not None:
            raise item.error
        file_report.warnings.extend(item.warnings)
        if item.format == FORMAT_SKIP:
            file_report.note = item.note
        elif item.format == FORMAT_CCF_RATES:
            _write_rates(item.payload, file_report)
        else:
            _write_conferences(item.payload, file_report)

    return run_files(ordered, import_one, dry_run=dry_run, progress=progress, on_count=on_count)
