"""Exports of the catalogue: iCalendar (RFC 5545) of deadlines, and BibTeX of papers and books.

``deadline_queryset`` is the one filter of deadlines that the web pages, the calendar files
and the feeds share. BibTeX is written by ``resources.bibtex``; its writers are re-exported
here so that a view finds every export in one place. ``catalogue_bibtex`` is the whole
published catalogue of papers and books, which ``import_bibtex`` reads back into the same rows.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vDuration

from resources.bibtex import (
    book_to_bibtex,
    catalogue_to_bibtex,
    entries_to_bibtex,
    paper_to_bibtex,
    papers_to_bibtex,
    stream_bibtex,
)
from resources.models import Book, ConferenceSeries, Deadline, Paper

__all__ = [
    "book_to_bibtex",
    "catalogue_bibtex",
    "catalogue_to_bibtex",
    "deadline_queryset",
    "deadlines_to_ical",
    "entries_to_bibtex",
    "iter_ical",
    "paper_to_bibtex",
    "papers_to_bibtex",
    "parse_rank",
    "stream_bibtex",
]

PRODID = "-//AI learning portal//Conference deadlines//EN"
#: How often calendar apps that subscribe should fetch the file again (X-PUBLISHED-TTL says it too).
REFRESH_INTERVAL = dt.timedelta(hours=12)

_RANK = re.compile(r"^(?:(ccf|core|thcpl)[\s:_-]*)?(a\*|a|b|c)$", re.IGNORECASE)
_RANK_CHOICES = {
    "ccf": ConferenceSeries.CCFRank,
    "core": ConferenceSeries.CoreRank,
    "thcpl": ConferenceSeries.THCPLRank,
}


def parse_rank(rank: str) -> tuple[str, str]:
    """("ccf", "A") from "A", "CCF A" or "ccf:A"; ("core", "A*") from "core:A*". ValueError otherwise.

    A bare letter is a CCF rank, the ranking both deadline data sets carry.
    """
    match = _RANK.match((rank or "").strip())
    system, letter = ((match[1] or "ccf").lower(), match[2].upper()) if match else ("", "")
    if not match or letter not in {c.value for c in _RANK_CHOICES[system] if c.value}:
        message = gettext("“%(rank)s” is not a rank: write A, B or C (CCF), or core:A*, …, thcpl:B.")
        raise ValueError(message % {"rank": rank})
    return system, letter


def series_in_topic(topic) -> QuerySet:
    """The ids of the conference series in ``topic`` (a slug or a Topic) or in one of its
    subtopics, as a subquery: a series in a topic and its subtopic must not come twice."""
    slug = getattr(topic, "slug", topic)
    return ConferenceSeries.objects.filter(Q(topics__slug=slug) | Q(topics__parent__slug=slug)).values("pk")


def deadline_queryset(
    series_slug: str | None = None,
    topic=None,
    field: str | None = None,
    rank: str | None = None,
    upcoming: bool | None = None,
    *,
    now: dt.datetime | None = None,
) -> QuerySet:
    """Deadlines of published conferences, with edition and series joined in (one query).

    ``topic`` (a slug or a Topic) takes in the conferences of its subtopics too; ``field`` is
    the series' field (AI, CV, NLP, any case); ``rank`` as ``parse_rank`` reads it;
    ``upcoming``: True for those still ahead (soonest first), False for those past (latest first),
    None for all, TBD ones last.
    """
    deadlines = Deadline.objects.published().current().select_related("edition__series")
    if series_slug:
        deadlines = deadlines.filter(edition__series__slug=series_slug)
    if topic:
        deadlines = deadlines.filter(edition__series__in=series_in_topic(topic))
    if field:
        deadlines = deadlines.filter(edition__series__field__iexact=field)
    if rank:
        system, letter = parse_rank(rank)
        deadlines = deadlines.filter(**{f"edition__series__{system}_rank": letter})
    tie_break = ("edition__series__short_name", "kind", "label", "pk")
    if upcoming is True:
        return deadlines.upcoming(now).order_by("at", *tie_break)
    if upcoming is False:
        return deadlines.past(now).order_by("-at", *tie_break)
    return deadlines.order_by(F("at").asc(nulls_last=True), *tie_break)


def catalogue_bibtex(*, published_only: bool = True) -> str:
    """Every paper, then every book, as one BibTeX file (two queries)."""
    papers, books = Paper.objects.defer("search_vector"), Book.objects.defer("search_vector")
    if published_only:
        papers, books = papers.published(), books.published()
    return catalogue_to_bibtex(papers.order_by("pk"), books.order_by("pk"))


def _uid_domain() -> str:
    return getattr(settings, "CALENDAR_UID_DOMAIN", "") or "ai-portal"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _description(deadline: Deadline) -> str:
    lines = []
    if deadline.local:
        lines.append(
            gettext("Local time as the conference writes it: %(local)s %(zone)s")
            % {"local": deadline.local, "zone": deadline.timezone}
        )
    lines.append(gettext("In UTC: %(utc)s") % {"utc": f"{_utc(deadline.at):%Y-%m-%d %H:%M:%S} UTC"})
    if deadline.comment:
        lines.append(deadline.comment)
    link = deadline.edition.link or deadline.edition.series.homepage
    if link:
        lines.append(link)
    return "\n".join(line.strip() for line in lines)


def deadlines_to_ical(
    deadlines: Iterable[Deadline],
    *,
    name: str,
    stamp: dt.datetime | None = None,
    expected: Iterable = (),
    days: Iterable[dict] = (),
) -> bytes:
    """An RFC 5545 calendar with one event per deadline whose instant is known (TBD ones are left out).

    Each event starts and ends at the deadline's instant, in UTC, and is marked free time; its
    UID (``deadline-<pk>@<CALENDAR_UID_DOMAIN or ai-portal>``) stays the same across exports,
    because importers update deadlines in place. A QuerySet is read in one query.

    ``expected`` (``estimates.Expected``, for those who ask for them) adds one all-day event per
    estimate on its day, its summary and description saying it is an estimate, with the UID
    ``expected-<series>-<year>-paper@…``; the real deadline, once imported, has its own.

    ``days`` adds all-day events spanning days: dicts with ``uid`` (made ``<uid>@<domain>``),
    ``summary``, ``start`` and ``end`` (dates, both included) and an optional ``description``
    (a study plan's steps, in the personal calendar).
    """
    return b"".join(iter_ical(deadlines, name=name, stamp=stamp, expected=expected, days=days))


def iter_ical(
    deadlines: Iterable[Deadline],
    *,
    name: str,
    stamp: dt.datetime | None = None,
    chunk_size: int = 500,
    expected: Iterable = (),
    days: Iterable[dict] = (),
) -> Iterator[bytes]:
    """``deadlines_to_ical`` piece by piece: the calendar's head, each event, the end line.

    A QuerySet is read ``chunk_size`` rows at a time (still one query), so a long calendar is
    written as it is read.
    """
    if isinstance(deadlines, QuerySet):
        deadlines = deadlines.select_related("edition__series").iterator(chunk_size=chunk_size)
    stamp = _utc((stamp or timezone.now()).replace(microsecond=0))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL).to_ical().decode())
    # icalendar writes a calendar's properties, then its events, then its END line.
    head, end = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    yield head
    domain = _uid_domain()
    for deadline in deadlines:
        if deadline.at is not None:
            yield _event(deadline, stamp, domain).to_ical()
    for item in expected:
        yield _expected_event(item, stamp, domain).to_ical()
    for item in days:
        event = Event()
        event.add("uid", f"{item['uid']}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item["start"])
        event.add("dtend", item["end"] + dt.timedelta(days=1))
        event.add("summary", item["summary"])
        if item.get("description"):
            event.add("description", item["description"])
        event.add("transp", "TRANSPARENT")
        yield event.to_ical()
    yield b"END:VCALENDAR" + end


def _event(deadline: Deadline, stamp: dt.datetime, domain: str) -> Event:
    edition = deadline.edition
    event = Event()
    event.add("uid", f"deadline-{deadline.pk}@{domain}")
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(deadline.at))
    event.add("dtend", _utc(deadline.at))
    event.add("summary", str(deadline))
    event.add("description", _description(deadline))
    link = edition.link or edition.series.homepage
    if link:
        event.add("url", link)
    place = ", ".join(part for part in (edition.city, edition.country) if part) or edition.place_text
    if place:
        event.add("location", place)
    event.add("categories", [str(deadline.get_kind_display())])
    event.add("last-modified", _utc(edition.updated_at.replace(microsecond=0)))
    event.add("transp", "TRANSPARENT")
    return event


def expected_description(item) -> str:
    """What an expected deadline is, in words: the calendars and the Atom feed say the same."""
    text = gettext(
        "An estimate, not an announced date: where the latest paper deadline fell in its year. "
        "Past dates (%(years)s) fell between %(first)s and %(last)s."
    )
    return text % {
        "years": f"{item.based_on[0]}–{item.based_on[-1]}",
        "first": f"{_utc(item.earliest):%m-%d}",
        "last": f"{_utc(item.latest):%m-%d}",
    }


def _expected_event(item, stamp: dt.datetime, domain: str) -> Event:
    """An all-day event for an expected deadline (``estimates.Expected``), saying what it is."""
    event = Event()
    event.add("uid", f"expected-{item.slug}-{item.year}-{item.kind}@{domain}")
    event.add("dtstamp", stamp)
    day = _utc(item.at).date()
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    summary = gettext("%(name)s %(year)s paper deadline (expected)")
    event.add("summary", summary % {"name": item.short_name, "year": item.year})
    event.add("description", expected_description(item))
    event.add("categories", [gettext("Expected")])
    event.add("transp", "TRANSPARENT")
    return event
