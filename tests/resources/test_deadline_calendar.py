"""The month calendar of deadlines: each deadline on its UTC day, estimates marked, the list's
filters and "mine", a bad month named, both languages, and a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from notifications.models import Follow
from tests import factories

pytestmark = pytest.mark.django_db


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def month():
    made = {}
    for name, field, at in (
        ("Alpha", "AI", utc(2027, 3, 1, 11, 59)),  # 28 February 23:59 AoE is 1 March in UTC
        ("Beta", "CV", utc(2027, 3, 20, 7)),
        ("Gamma", "AI", utc(2027, 4, 2, 7)),
    ):
        series = factories.ConferenceSeriesFactory(short_name=name, slug=name.lower(), field=field)
        edition = factories.ConferenceEditionFactory(series=series, year=2027)
        made[name] = factories.DeadlineFactory(edition=edition, kind="paper", label="", at=at)
    # Two past March deadlines and none announced: expected in March 2027.
    delta = factories.ConferenceSeriesFactory(short_name="Delta", slug="delta")
    for year in (2025, 2026):
        edition = factories.ConferenceEditionFactory(series=delta, year=year)
        factories.DeadlineFactory(edition=edition, kind="paper", label="", at=utc(year, 3, 10, 12))
    return made


def day_cell(html: str, iso: str) -> str:
    match = re.search(rf'<time datetime="{iso}">.*?</li>\s*(?=<li class="day|</ol>)', html, re.S)
    assert match, iso
    return match.group(0)


def test_a_month_places_each_deadline_on_its_utc_day_and_marks_estimates(client, month):
    html = client.get("/deadlines/calendar/?month=2027-03").content.decode()
    assert "March 2027" in html
    assert "Alpha 2027" in day_cell(html, "2027-03-01")
    assert "Beta 2027" in day_cell(html, "2027-03-20")
    assert "Gamma" not in html  # April
    delta = day_cell(html, "2027-03-10")
    assert "Delta 2027" in delta and "estimate" in delta
    assert "2 deadlines this month" in html and "1 expected" in html
    april = client.get("/deadlines/calendar/?month=2027-04").content.decode()
    assert "Gamma 2027" in april and 'href="?month=2027-03"' in april and 'href="?month=2027-05"' in april


def test_filters_mine_bad_months_and_chinese(client, month):
    assert "Beta" not in client.get("/deadlines/calendar/?month=2027-03&field=AI").content.decode()
    bad = client.get("/deadlines/calendar/?month=2027-13").content.decode()
    assert "is not a month" in bad
    reader = factories.UserFactory(username="reader")
    Follow.objects.create(user=reader, series=month["Beta"].edition.series)
    client.force_login(reader)
    mine = client.get("/deadlines/calendar/?month=2027-03&mine=1").content.decode()
    assert "Beta 2027" in mine and "Alpha 2027" not in mine
    zh = client.get("/deadlines/calendar/?month=2027-03", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2027年3月" in zh and "截止日期日历" in zh


def test_the_calendar_reads_in_a_fixed_number_of_queries(client, month, django_assert_num_queries):
    # topics and fields for the form; the month's deadlines with edition and series; the paper
    # deadlines for the expected ones
    with django_assert_num_queries(4):
        client.get("/deadlines/calendar/?month=2027-03")
    for n in range(30):
        series = factories.ConferenceSeriesFactory(short_name=f"S{n}", slug=f"s{n}")
        edition = factories.ConferenceEditionFactory(series=series, year=2027)
        factories.DeadlineFactory(edition=edition, kind="paper", label="", at=utc(2027, 3, 1 + n % 28, 6))
    cache.clear()
    with django_assert_num_queries(4):
        client.get("/deadlines/calendar/?month=2027-03")
