"""Expected deadlines: one series' estimate worked out by hand, the real date replacing it, the
pages, API and calendar that show estimates (always marked), and the whole shipped tree on the
day the test runs: every series with two past paper deadlines and none announced is expected."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from resources import estimates
from resources.importers.deadlines import import_paths
from resources.models import Deadline
from tests import factories

pytestmark = pytest.mark.django_db


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def series_with(short_name: str, slug: str, deadlines: dict[int, dt.datetime], **series_fields):
    series = factories.ConferenceSeriesFactory(short_name=short_name, slug=slug, **series_fields)
    for year, at in deadlines.items():
        edition = factories.ConferenceEditionFactory(series=series, year=year)
        factories.DeadlineFactory(edition=edition, kind="paper", label="", at=at)
    return series


HAND = {2023: utc(2023, 5, 17, 20), 2024: utc(2024, 5, 22, 20), 2025: utc(2025, 5, 15, 11, 59)}


def test_one_series_estimate_checked_by_hand():
    series = series_with("HandConf", "handconf", HAND)
    (expected,) = estimates.expected_deadlines(Deadline.objects.all(), now=utc(2026, 1, 10))
    # 2025's deadline, 15 May 11:59, is 134 days 11:59 after 1 January 2025; 2026 is not a leap
    # year either, so 2026's is expected on 15 May 2026 at 11:59. The spread carries 2023's
    # 17 May 20:00 (day 137) and 2024's 22 May 20:00 (day 143 of a leap year) to 2026: 17 May
    # and 23 May.
    assert (expected.series_id, expected.year, expected.kind) == (series.pk, 2026, "paper")
    assert expected.at == utc(2026, 5, 15, 11, 59)
    assert (expected.earliest, expected.latest) == (utc(2026, 5, 15, 11, 59), utc(2026, 5, 23, 20))
    assert expected.based_on == (2023, 2024, 2025)
    assert expected.period == ("mid", 5, 2026) and expected.spread_days == 8
    assert expected.estimated is True

    # Once the 2026 date is past and no 2026 deadline was ever imported, 2027 is expected.
    (later,) = estimates.expected_deadlines(Deadline.objects.all(), now=utc(2026, 6, 1))
    assert (later.year, later.at) == (2027, utc(2027, 5, 15, 11, 59))


def test_the_announced_date_replaces_the_estimate():
    series = series_with("HandConf", "handconf", HAND)
    edition = factories.ConferenceEditionFactory(series=series, year=2026)
    tbd = factories.DeadlineFactory(edition=edition, kind="paper", label="", at=None, local="TBD")
    now = utc(2026, 1, 10)
    # A deadline still to be announced does not replace the estimate.
    assert [e.year for e in estimates.expected_deadlines(Deadline.objects.all(), now=now)] == [2026]
    tbd.at = utc(2026, 5, 20, 23, 59)
    tbd.save()
    assert estimates.expected_deadlines(Deadline.objects.all(), now=now) == []
    # A withdrawn announcement does not count (current() is what pages read).
    tbd.withdrawn_at = now
    tbd.save()
    assert [e.year for e in estimates.expected_deadlines(Deadline.objects.current(), now=now)] == [2026]


def test_biennial_series_step_by_two_and_one_past_deadline_is_not_enough():
    series_with("BiConf", "biconf", {2019: utc(2019, 3, 1), 2021: utc(2021, 3, 8), 2023: utc(2023, 3, 3)})
    series_with("OnceConf", "onceconf", {2025: utc(2025, 4, 1)})
    found = estimates.expected_deadlines(Deadline.objects.all(), now=utc(2024, 1, 1))
    assert [(e.short_name, e.year, e.at) for e in found] == [("BiConf", 2025, utc(2025, 3, 3))]


def test_the_backtest_predicts_each_year_from_the_years_before():
    result = estimates.backtest([HAND])
    # 2025 predicted from 2024 alone: 22 May 20:00 carried to 2025 is 23 May 20:00 (2024 is a
    # leap year), 8 days 8 hours 1 minute after the real 15 May 11:59.
    assert (result.predictions, result.series) == (1, 1)
    assert result.median_days == result.p90_days == 8.3
    assert (result.within_7_days, result.within_14_days) == (0.0, 1.0)


def test_pages_api_and_calendar_show_estimates_marked_and_apart(client):
    now = timezone.now()
    # Two past editions, the latest in the year before the current one: the next is ahead.
    year = now.year - 1
    past = {year - 1: utc(year - 1, 2, 14, 12), year: utc(year, 2, 14, 12)}
    series_with("PastConf", "pastconf", past, field="AI")
    announced = series_with(
        "SoonConf", "soonconf", {year: utc(year, 3, 1), year + 1: now + dt.timedelta(days=30)}, field="CV"
    )

    page = client.get("/deadlines/").content.decode()
    table, expected_section = page.split('id="expected-heading"')
    assert "SoonConf" in table and "PastConf" not in table
    assert "PastConf" in expected_section and "SoonConf" not in expected_section
    assert "estimate" in expected_section and "mid-February" in expected_section
    # The filters apply to the estimates too.
    assert "PastConf" not in client.get("/deadlines/?field=CV").content.decode()

    card = client.get("/conferences/").content.decode()
    assert re.search(r"PastConf.*?expected around mid-February", card, re.S)
    detail = client.get("/conferences/pastconf/").content.decode()
    assert "paper deadline, not announced yet" in detail and "mid-February" in detail
    assert "not announced yet" not in client.get(f"/conferences/{announced.slug}/").content.decode()
    zh = client.get("/deadlines/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预计截止日期" in zh and "二月中旬" in zh

    body = APIClient().get("/api/v1/expected-deadlines/").json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert (item["conference"], item["kind"], item["estimated"], item["based_on"]) == (
        "pastconf",
        "paper",
        True,
        [year - 1, year],
    )
    assert item["at"].endswith("-02-14T12:00:00Z")
    assert APIClient().get("/api/v1/expected-deadlines/", {"rank": "Z"}).status_code == 400
    assert APIClient().get("/api/v1/expected-deadlines/", {"conference": "soonconf"}).json()["count"] == 0

    # Calendars: estimates only when asked for, as all-day events that say what they are.
    plain = Calendar.from_ical(client.get("/deadlines.ics").content)
    assert not [e for e in plain.walk("VEVENT") if "expected" in str(e["summary"])]
    opted = Calendar.from_ical(client.get("/deadlines.ics?expected=1").content)
    (event,) = [e for e in opted.walk("VEVENT") if str(e["uid"]).startswith("expected-")]
    assert str(event["summary"]) == f"PastConf {item['year']} paper deadline (expected)"
    assert event["dtstart"].dt == dt.date(item["year"], 2, 14)
    assert "estimate, not an announced date" in str(event["description"])


def test_on_todays_date_every_series_with_two_past_deadlines_is_expected(client):
    assert import_paths([Path(settings.BASE_DIR) / "resources" / "data"]).ok
    now = timezone.now()
    papers = Deadline.objects.published().current().filter(kind="paper", at__isnull=False)
    ahead = set(papers.filter(at__gte=now).values_list("edition__series__slug", flat=True))
    # Counted here with the ORM, independently of resources/estimates.py.
    two_past = set(
        papers.filter(at__lt=now)
        .values("edition__series__slug")
        .annotate(years=Count("edition__year", distinct=True))
        .filter(years__gte=2)
        .values_list("edition__series__slug", flat=True)
    )
    wanted = two_past - ahead
    assert len(wanted) > 150  # 227 on 2026-12-05

    page = client.get("/deadlines/").content.decode()
    _table, expected_section = page.split('id="expected-heading"')
    listed = set(re.findall(r'href="/conferences/([^/"]+)/"', expected_section))
    assert listed == wanted
    # Each expected row is marked as an estimate, and none is also listed as announced.
    assert expected_section.count('class="badge estimate"') == len(wanted)
    assert not listed & ahead
