"""Expected deadlines: where a conference has not announced its next paper deadline yet, an
estimate from the dates of its past editions.

Most calls for papers come out a few months before their deadline, so on any given day the
catalogue knows few upcoming deadlines, while a learner planning a year ahead wants to know that
NeurIPS' paper deadline usually falls in mid-May. For each series with at least two past paper
deadlines, the next edition's deadline is expected where the latest one fell in its year,
measured from 1 January of each edition's own year (so that a deadline in the year before its
conference, as for AAAI, keeps its place); the earliest and latest of the last ``HISTORY``
editions give the spread. On upstream's data the latest edition alone predicts better than the
median of the last two, three or four, or a linear trend (benchmarks/README.md). The step
between editions is read off the years (a biennial conference steps by two). An estimate is
never stored: it is computed from the deadlines as they stand, so the moment an import brings
the real date, the estimate gives way.

``backtest()`` replays the history: each past deadline predicted from the years before it.
"""

import datetime as dt
import itertools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from resources.models import Deadline

__all__ = ["Expected", "backtest", "estimate", "expected_by_series", "expected_deadlines", "paper_history"]

#: How many of the latest editions the spread of an estimate reads.
HISTORY = 4
#: Past deadlines an estimate needs.
MINIMUM = 2
DAY = 86400


@dataclass(frozen=True)
class Expected:
    """The estimated paper deadline of one series' next edition."""

    series_id: int
    short_name: str
    slug: str
    year: int
    at: dt.datetime
    earliest: dt.datetime
    latest: dt.datetime
    #: The edition years the estimate is read from, oldest first.
    based_on: tuple[int, ...]
    estimated: bool = True
    kind: str = Deadline.Kind.PAPER

    @property
    def period(self) -> tuple[str, int, int]:
        """("early" | "mid" | "late", month, year) of the estimate, as people say it."""
        part = "early" if self.at.day <= 10 else "mid" if self.at.day <= 20 else "late"
        return part, self.at.month, self.at.year

    @property
    def spread_days(self) -> int:
        return round((self.latest - self.earliest).total_seconds() / DAY)


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC)


def estimate(
    history: dict[int, dt.datetime], year: int
) -> tuple[dt.datetime, dt.datetime, dt.datetime, tuple]:
    """The (estimate, earliest, latest, years of the spread) of ``year``'s deadline from
    ``history`` (edition year → deadline instant; earlier years only, at least ``MINIMUM``)."""
    years = sorted(y for y in history if y < year)[-HISTORY:]
    if len(years) < MINIMUM:
        raise ValueError(f"an estimate needs {MINIMUM} earlier years, got {len(years)}")
    offsets = [(history[y] - _year_start(y)).total_seconds() for y in years]
    start = _year_start(year)
    return (
        start + dt.timedelta(seconds=offsets[-1]),
        start + dt.timedelta(seconds=min(offsets)),
        start + dt.timedelta(seconds=max(offsets)),
        tuple(years),
    )


def _step(years: list[int]) -> int:
    gaps = [b - a for a, b in itertools.pairwise(years)]
    return max(1, round(statistics.median(gaps))) if gaps else 1


def paper_history(deadlines) -> dict[int, dict]:
    """Series id → {"short_name", "slug", "years": {year: first paper deadline}, "last": the
    latest paper deadline of all} from a deadline queryset (one query). An edition with several
    review cycles counts by its first; ``last`` tells whether one is still ahead."""
    rows = (
        deadlines.filter(kind=Deadline.Kind.PAPER, at__isnull=False)
        .order_by()
        .values_list(
            "edition__series_id",
            "edition__series__short_name",
            "edition__series__slug",
            "edition__year",
            "at",
        )
    )
    series: dict[int, dict] = {}
    for series_id, short_name, slug, year, at in rows:
        entry = series.setdefault(
            series_id, {"short_name": short_name, "slug": slug, "years": {}, "last": at}
        )
        if year not in entry["years"] or at < entry["years"][year]:
            entry["years"][year] = at
        entry["last"] = max(entry["last"], at)
    return series


def expected_deadlines(deadlines, *, now: dt.datetime | None = None) -> list[Expected]:
    """The expected next paper deadline of every series among ``deadlines`` (a deadline
    queryset: published, current, filtered as the caller likes) that has at least two past paper
    deadlines and no announced one ahead; soonest first."""
    now = now or timezone.now()
    found = []
    for series_id, entry in paper_history(deadlines).items():
        years = entry["years"]
        if entry["last"] >= now:
            continue  # announced (a later review cycle included): the real date is listed
        past = sorted(years)
        if len(past) < MINIMUM:
            continue
        step = _step(past[-HISTORY:])
        year = past[-1] + step
        at, earliest, latest, used = estimate(years, year)
        while at < now:  # an edition whose date the data never had is behind us: the next one
            year += step
            at, earliest, latest, used = estimate(years, year)
        found.append(
            Expected(series_id, entry["short_name"], entry["slug"], year, at, earliest, latest, used)
        )
    found.sort(key=lambda e: (e.at, e.short_name))
    return found


def expected_by_series(series_ids, *, now: dt.datetime | None = None) -> dict[int, Expected]:
    """Series id → its expected deadline, for the series among ``series_ids`` that have one
    (one query)."""
    deadlines = Deadline.objects.published().current().filter(edition__series_id__in=list(series_ids))
    return {e.series_id: e for e in expected_deadlines(deadlines, now=now)}


@dataclass(frozen=True)
class Backtest:
    predictions: int
    series: int
    median_days: float
    p90_days: float
    within_7_days: float
    within_14_days: float


def backtest(histories: Iterable[dict[int, dt.datetime]]) -> Backtest:
    """Predict every past deadline that has ``MINIMUM`` earlier ones from those earlier ones
    alone, and measure the error in days."""
    errors, series = [], 0
    for years in histories:
        known = sorted(years)
        counted = False
        for n, year in enumerate(known):
            if n < MINIMUM:
                continue
            at, *_ = estimate({y: years[y] for y in known[:n]}, year)
            errors.append(abs((at - years[year]).total_seconds()) / DAY)
            counted = True
        series += counted
    if not errors:
        raise ValueError("no series has enough history to test")
    errors.sort()
    p90 = errors[min(len(errors) - 1, max(0, round(0.9 * len(errors)) - 1))]
    return Backtest(
        predictions=len(errors),
        series=series,
        median_days=round(statistics.median(errors), 1),
        p90_days=round(p90, 1),
        within_7_days=round(sum(e <= 7 for e in errors) / len(errors), 3),
        within_14_days=round(sum(e <= 14 for e in errors) / len(errors), 3),
    )
