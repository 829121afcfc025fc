"""Follows from pages and the API, followed conferences first on the deadlines page, and the
personal calendar at a secret address: shown once, regenerable, revocable."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from notifications.models import Follow
from tests import factories
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed_catalogue():
    soon = timezone.now() + dt.timedelta(days=10)
    later = timezone.now() + dt.timedelta(days=40)
    made = {}
    for name, at in (("Alpha", soon), ("Beta", later)):
        series = factories.ConferenceSeriesFactory(short_name=name, slug=name.lower())
        edition = factories.ConferenceEditionFactory(series=series, year=at.year)
        made[name] = factories.DeadlineFactory(edition=edition, kind="paper", label="", at=at)
    return made


def test_a_reader_follows_from_the_conference_list_and_unfollows(client, followed_catalogue):
    listing = client.get("/conferences/").content.decode()
    assert "Log in to follow" in listing  # a visitor is sent to log in
    assert client.post(reverse("notifications:follow"), {"kind": "series", "slug": "beta"}).status_code == 302
    assert not Follow.objects.exists()

    reader = factories.UserFactory(username="reader")
    client.force_login(reader)
    response = client.post(
        reverse("notifications:follow"),
        {"kind": "series", "slug": "beta", "action": "follow", "next": "/conferences/"},
    )
    assert response.status_code == 302 and response["Location"] == "/conferences/"
    assert Follow.objects.get(user=reader).series.slug == "beta"
    listing = client.get("/conferences/").content.decode()
    assert re.search(r'aria-pressed="true">.*?Following<span class="visually-hidden"> Beta', listing, re.S)
    # Twice is once; an offsite "next" is ignored; an unknown item is a clear 400.
    client.post(
        reverse("notifications:follow"), {"kind": "series", "slug": "beta", "next": "https://evil.example/"}
    )
    assert Follow.objects.count() == 1
    assert client.post(reverse("notifications:follow"), {"kind": "series", "slug": "nope"}).status_code == 400
    client.post(reverse("notifications:follow"), {"kind": "series", "slug": "beta", "action": "unfollow"})
    assert not Follow.objects.exists()


def test_followed_conferences_come_first_and_mine_shows_only_them(client, followed_catalogue):
    reader = factories.UserFactory(username="reader")
    client.force_login(reader)
    page = client.get("/deadlines/").content.decode()
    assert page.index(">Alpha ") < page.index(">Beta ")  # soonest first
    assert "Only conferences I follow" not in page
    Follow.objects.create(user=reader, series=followed_catalogue["Beta"].edition.series)
    page = client.get("/deadlines/").content.decode()
    assert page.index(">Beta ") < page.index(">Alpha ")  # followed first
    assert "Only conferences I follow" in page
    mine = client.get("/deadlines/?mine=1").content.decode()
    assert ">Beta " in mine and ">Alpha " not in mine


def test_the_follows_api_is_ones_own(followed_catalogue):
    alice, bob = factories.UserFactory(username="alice"), factories.UserFactory(username="bob")
    api = api_client_for(alice)
    created = api.post("/api/v1/follows/", {"kind": "series", "slug": "alpha"}, format="json")
    assert created.status_code == 201
    assert created.json()["target"] == {"slug": "alpha", "name": "Alpha"}
    again = api.post("/api/v1/follows/", {"kind": "series", "slug": "alpha"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    bad = api.post("/api/v1/follows/", {"kind": "series", "slug": "nope"}, format="json")
    assert bad.status_code == 400 and "slug" in bad.json()["error"]["fields"]
    assert api.post("/api/v1/follows/", {"kind": "planet", "slug": "alpha"}, format="json").status_code == 400

    follow_id = created.json()["id"]
    other = api_client_for(bob)
    assert other.get("/api/v1/follows/").json()["count"] == 0
    assert other.get(f"/api/v1/follows/{follow_id}/").status_code == 404
    assert other.delete(f"/api/v1/follows/{follow_id}/").status_code == 404
    assert APIClient().get("/api/v1/follows/").status_code == 401
    assert api.delete(f"/api/v1/follows/{follow_id}/").status_code == 204
    assert not Follow.objects.exists()


def test_the_personal_calendar_is_shown_once_regenerated_and_revoked(client, followed_catalogue):
    reader = factories.UserFactory(username="reader")
    Follow.objects.create(user=reader, series=followed_catalogue["Alpha"].edition.series)
    client.force_login(reader)
    settings_url = reverse("notifications:settings")
    page = client.post(settings_url, {"action": "new-calendar"}, follow=True).content.decode()
    (address,) = re.findall(r'id="calendar-url" type="url" value="([^"]+)"', page)
    path = address.removeprefix("http://testserver")
    assert "calendar-url" not in client.get(settings_url).content.decode()  # shown once

    anonymous = client.__class__()
    feed = Calendar.from_ical(anonymous.get(path).content)
    summaries = [str(e["summary"]) for e in feed.walk("VEVENT")]
    assert len(summaries) == 1 and summaries[0].startswith("Alpha")
    uid = str(next(iter(feed.walk("VEVENT")))["uid"])
    # Stable: calendar apps update the event, not duplicate it.
    assert uid == f"deadline-{followed_catalogue['Alpha'].pk}@ai-portal"

    # A moved deadline reaches the feed under the same UID.
    followed_catalogue["Alpha"].at += dt.timedelta(days=2)
    followed_catalogue["Alpha"].save()
    moved = next(iter(Calendar.from_ical(anonymous.get(path).content).walk("VEVENT")))
    assert str(moved["uid"]) == uid and moved["dtstart"].dt == followed_catalogue["Alpha"].at.replace(
        microsecond=0
    )

    page = client.post(settings_url, {"action": "new-calendar"}, follow=True).content.decode()
    (new_address,) = re.findall(r'id="calendar-url" type="url" value="([^"]+)"', page)
    assert anonymous.get(path).status_code == 404  # the old address is dead
    new_path = new_address.removeprefix("http://testserver")
    assert anonymous.get(new_path).status_code == 200
    client.post(settings_url, {"action": "revoke-calendar"})
    assert anonymous.get(new_path).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_settings_take_a_time_zone_language_and_offsets_with_field_errors(client):
    reader = factories.UserFactory(username="reader")
    client.force_login(reader)
    url = reverse("notifications:settings")
    bad = client.post(url, {"language": "en", "time_zone": "Mars/Olympus", "reminder_offsets": "7, soon"})
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert "time_zone" in errors and "reminder_offsets" in errors
    good = client.post(
        url,
        {
            "language": "zh-hans",
            "time_zone": "Asia/Shanghai",
            "reminder_offsets": "14，3, 1",
            "email_reminders": "on",
        },
    )
    assert good.status_code == 302
    prefs = reader.notification_preferences
    prefs.refresh_from_db()
    assert (prefs.language, prefs.time_zone, prefs.reminder_offsets, prefs.email_alerts) == (
        "zh-hans",
        "Asia/Shanghai",
        [14, 3, 1],
        False,
    )


def test_the_deadlines_api_keeps_only_mine_when_asked(followed_catalogue):
    reader = factories.UserFactory(username="reader")
    Follow.objects.create(user=reader, series=followed_catalogue["Beta"].edition.series)
    api = api_client_for(reader)
    mine = api.get("/api/v1/deadlines/", {"mine": "true"}).json()["results"]
    assert [d["conference"] for d in mine] == ["beta"]
    assert len(api.get("/api/v1/deadlines/").json()["results"]) == 2
    assert APIClient().get("/api/v1/deadlines/", {"mine": "true"}).json()["count"] == 0


def test_follow_buttons_on_the_topic_and_course_lists(client):
    factories.TopicFactory(slug="nlp", name_en="NLP")
    factories.CourseFactory(title="Deep Learning", slug="deep-learning")
    client.force_login(factories.UserFactory(username="reader"))
    topics = client.get("/topics/").content.decode()
    assert 'name="kind" value="topic"' in topics and 'value="nlp"' in topics
    courses = client.get("/courses/").content.decode()
    assert 'name="kind" value="course"' in courses and 'value="deep-learning"' in courses


def test_expected_deadlines_are_opt_in_in_the_atom_feed_and_the_personal_calendar(client):
    delta = factories.ConferenceSeriesFactory(short_name="Delta", slug="delta")
    for year in (2024, 2025):
        edition = factories.ConferenceEditionFactory(series=delta, year=year)
        factories.DeadlineFactory(
            edition=edition, kind="paper", label="", at=dt.datetime(year, 3, 10, 12, tzinfo=dt.UTC)
        )
    plain = client.get("/deadlines/feed/").content.decode()
    assert "Delta" not in plain
    opted = client.get("/deadlines/feed/?expected=1").content.decode()
    assert re.search(r"<title>Delta \d{4} paper deadline \(expected around \d{4}-03-10\)</title>", opted)
    assert "/conferences/delta/#expected-" in opted

    reader = factories.UserFactory(username="reader")
    Follow.objects.create(user=reader, series=delta)
    client.force_login(reader)
    page = client.post(
        reverse("notifications:settings"), {"action": "new-calendar"}, follow=True
    ).content.decode()
    (address,) = re.findall(r'id="calendar-url" type="url" value="([^"]+)"', page)
    path = address.removeprefix("http://testserver")
    events = lambda url: list(Calendar.from_ical(client.get(url).content).walk("VEVENT"))  # noqa: E731
    assert not [e for e in events(path) if "expected" in str(e["summary"])]
    (event,) = [e for e in events(path + "?expected=1") if "expected" in str(e["summary"])]
    assert str(event["uid"]).startswith("expected-delta-")


def test_a_learning_path_is_followed_from_its_list_and_through_the_api(client):
    from tests.helpers import make_path

    make_path(slug="foundations", steps=2)
    reader = factories.UserFactory(username="reader")
    client.force_login(reader)
    listing = client.get("/paths/").content.decode()
    assert 'name="kind" value="path"' in listing and 'value="foundations"' in listing
    client.post(reverse("notifications:follow"), {"kind": "path", "slug": "foundations"})
    assert Follow.objects.get(user=reader).path.slug == "foundations"
    assert "Following" in client.get("/paths/foundations/").content.decode()
    body = api_client_for(reader).get("/api/v1/follows/").json()
    assert [(f["kind"], f["target"]["slug"]) for f in body["results"]] == [("path", "foundations")]
