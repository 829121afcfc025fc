"""The deadlines page, its filters, the calendar files and the feeds."""

import datetime as dt

import icalendar
import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed_deadlines(site_catalogue):
    cv = factories.ConferenceSeriesFactory(short_name="CVPR", slug="cvpr", field="CV", ccf_rank="A")
    cv.topics.add(site_catalogue.other_topic)
    cv_edition = factories.ConferenceEditionFactory(series=cv, year=2026, ccf_id="cvpr26")
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    cvpr = factories.DeadlineFactory(edition=cv_edition, label="Abstract", at=soon)
    b_series = factories.ConferenceSeriesFactory(short_name="ICONIP", slug="iconip", field="AI", ccf_rank="C")
    b_edition = factories.ConferenceEditionFactory(series=b_series, year=2026, ccf_id="iconip26")
    iconip = factories.DeadlineFactory(edition=b_edition, label="Paper", at=soon + dt.timedelta(days=1))
    tbd = factories.DeadlineFactory(edition=b_edition, label="Camera-ready", at=None)
    return {
        "cvpr": cvpr,
        "iconip": iconip,
        "neurips": site_catalogue.upcoming,
        "past": site_catalogue.past,
        "tbd": tbd,
    }


def shown(response):
    return [d.pk for d in response.context["deadlines"]]


def test_upcoming_soonest_first_and_past_latest_first(client, listed_deadlines):
    assert shown(client.get("/deadlines/")) == [
        d.pk for d in (listed_deadlines["cvpr"], listed_deadlines["iconip"], listed_deadlines["neurips"])
    ]
    assert shown(client.get("/deadlines/?when=past")) == [listed_deadlines["past"].pk]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("topic=vision", ["cvpr"]),
        ("field=cv", ["cvpr"]),
        ("rank=C", ["iconip"]),
        ("rank=A&field=AI", ["neurips"]),
        ("rank=core:A*", ["neurips"]),
    ],
)
def test_filters(client, listed_deadlines, query, expected):
    assert shown(client.get(f"/deadlines/?{query}")) == [listed_deadlines[name].pk for name in expected]


def test_each_deadline_in_aoe_utc_and_for_the_browser(client, listed_deadlines):
    html = client.get("/deadlines/").content.decode()
    at = listed_deadlines["cvpr"].at
    assert f"{at:%Y-%m-%d %H:%M:%S} UTC" in html
    assert f"{at - dt.timedelta(hours=12):%Y-%m-%d %H:%M:%S} AoE" in html
    assert f'data-local-time="{at.isoformat()}"' in html
    assert f'data-countdown="{at.isoformat()}"' in html
    assert 'src="/static/js/site.js"' in html


def test_calendar_links_and_subscribable_feed_of_the_filter(client, listed_deadlines):
    response = client.get("/deadlines/?field=CV&rank=A&when=upcoming")
    html = response.content.decode()
    assert f'href="/deadlines/{listed_deadlines["cvpr"].pk}.ics"' in html
    assert 'href="/deadlines.ics?field=CV&amp;rank=A"' in html
    assert 'href="webcal://testserver/deadlines.ics?field=CV&amp;rank=A"' in html
    assert 'value="http://testserver/deadlines.ics?field=CV&amp;rank=A"' in html


def events(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_feed_of_the_filter_parses_back(client, listed_deadlines):
    parsed = events(client.get("/deadlines.ics?field=CV"))
    assert list(parsed) == ["CVPR 2026 — Abstract"]
    assert parsed["CVPR 2026 — Abstract"].decoded("dtstart") == listed_deadlines["cvpr"].at
    everything = events(client.get("/deadlines.ics"))
    assert "NeurIPS 2017 — Full paper" in everything  # the feed keeps past deadlines
    assert "ICONIP 2026 — Camera-ready" not in everything  # TBD has no instant


def test_bad_feed_filter_is_a_400_with_the_reason(client, listed_deadlines):
    response = client.get("/deadlines.ics?rank=Z")
    assert response.status_code == 400
    assert "is not a rank" in response.content.decode()


def test_one_deadline_and_one_conference_as_calendars(client, listed_deadlines):
    one = events(client.get(f"/deadlines/{listed_deadlines['cvpr'].pk}.ics"))
    assert list(one) == ["CVPR 2026 — Abstract"]
    conference = events(client.get("/conferences/neurips.ics"))
    assert sorted(conference) == sorted([str(listed_deadlines["neurips"]), str(listed_deadlines["past"])])


def test_tbd_deadline_is_shown_and_has_no_calendar_link(client, listed_deadlines):
    html = client.get("/conferences/iconip/").content.decode()
    assert "to be announced" in html
    assert f"/deadlines/{listed_deadlines['tbd'].pk}.ics" not in html


def test_atom_feeds_answer(client, listed_deadlines):
    papers = client.get("/papers/feed/")
    assert papers.status_code == 200 and b"Attention Is All You Need" in papers.content
    upcoming = client.get("/deadlines/feed/")
    assert upcoming.status_code == 200 and b"CVPR 2026" in upcoming.content
    # The feed's links point at rows of the edition page.
    html = client.get(listed_deadlines["cvpr"].edition.get_absolute_url()).content.decode()
    assert f'id="deadline-{listed_deadlines["cvpr"].pk}"' in html


def test_home_shows_upcoming_deadlines_with_countdowns(client, listed_deadlines):
    html = client.get("/").content.decode()
    listed = html.split('<ul class="deadline-list">')[1].split("</ul>")[0]
    assert "CVPR 2026" in listed and 'data-countdown="' in listed
    assert "closed" not in listed
    assert "NeurIPS 2017" not in listed
