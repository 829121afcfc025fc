"""What a sync and a curator change, where people see it: the edition page's history, the API's
``/api/v1/deadline-changes/``, the Atom feed of changes, and the admin where conflicts are settled.

The snapshots are those of test_sync_deadlines: a first checkout of both upstream repositories,
then a copy edited the way upstream moves (a deadline moved, a new edition, a deadline that
vanished, a value changed under a row a curator edited).
"""

import datetime as dt
import shutil
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from resources.importers.deadlines import import_paths
from resources.models import ConferenceSeries, Deadline, DeadlineChange, DeadlineConflict
from resources.sync import sync
from tests.resources.deadline_sources import DATA, checkouts, edit, second_snapshot

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def admin_change(client, deadline: Deadline, **changes):
    """Post the admin's change form of ``deadline`` with ``changes`` over its stored values."""
    data = {
        "edition": deadline.edition_id,
        "kind": deadline.kind,
        "label": deadline.label,
        "local": deadline.local,
        "timezone": deadline.timezone,
        "at": "",
        "comment": deadline.comment,
        "source": deadline.source,
        **changes,
    }
    return client.post(reverse("admin:resources_deadline_change", args=[deadline.pk]), data)


def synced_twice(tmp_path, client):
    """Both snapshots synced, with a curator's admin edit of ZoneConf's notification between."""
    ccf, hf = checkouts(tmp_path)
    assert sync([ccf, hf])[1].ok
    notification = Deadline.objects.get(edition__hf_id="zoneconf26", kind="notification")
    response = admin_change(client, notification, local="2027-01-17 00:00:00", timezone="UTC")
    assert response.status_code == 302, response.content.decode()[:2000]
    second_snapshot(ccf, hf)
    _run, report = sync([ccf, hf])
    assert report.ok, report.errors
    return ccf, hf


def test_the_edition_page_api_and_feed_show_what_a_sync_changed(tmp_path, client, superuser):
    client.force_login(superuser)
    synced_twice(tmp_path, client)
    client.logout()

    # The page: the moved deadline in the table at its new instant, the withdrawn one gone from
    # the table, and both in the history with the day they were seen.
    page = client.get("/conferences/neurips/2026/")
    assert page.status_code == 200
    html = page.content.decode()
    table, history = html.split('id="history-heading"')
    assert "2026-05-14 11:59:00 UTC" in table
    assert "2026-05-05 11:59:00" not in table  # the withdrawn abstract deadline
    seen = DeadlineChange.objects.filter(source="ccf").first().seen_at.strftime("%Y-%m-%d")
    assert "Paper moved from 2026-05-07 11:59 UTC to 2026-05-14 11:59 UTC" in history
    assert "Abstract withdrawn (was 2026-05-05 11:59 UTC)" in history
    assert f"seen {seen}" in history and "ccf-deadlines" in history

    # In Chinese too.
    page_zh = client.get("/conferences/neurips/2026/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "截止日期变更记录" in page_zh.content.decode()

    # The API: the three changes, newest first, filterable.
    api = APIClient()
    body = api.get("/api/v1/deadline-changes/").json()
    rows = [(r["conference"], r["year"], r["kind"], r["change"], r["source"]) for r in body["results"]]
    assert sorted(rows) == [
        ("neurips", 2026, "abstract", "withdrawn", "ccf"),
        ("neurips", 2026, "paper", "moved", "ccf"),
        ("neurips", 2027, "paper", "announced", "ccf"),  # a new edition of a known series
        ("zoneconf", 2026, "notification", "moved", ""),  # the curator's edit
    ]
    moved = api.get("/api/v1/deadline-changes/", {"change": "moved", "source": "ccf"}).json()["results"]
    assert [(m["old_at"], m["new_at"]) for m in moved] == [("2026-05-07T11:59:00Z", "2026-05-14T11:59:00Z")]
    assert api.get("/api/v1/deadline-changes/", {"conference": "zoneconf"}).json()["count"] == 1
    assert api.get("/api/v1/deadline-changes/", {"year": 2027}).json()["count"] == 1
    assert api.get("/api/v1/deadline-changes/", {"source": "curator"}).json()["count"] == 1
    future = api.get("/api/v1/deadline-changes/", {"since": "2100-01-01T00:00:00Z"}).json()
    assert future["count"] == 0
    assert api.get("/api/v1/deadline-changes/", {"change": "exploded"}).status_code == 400
    # Withdrawn deadlines are not listed as deadlines, in the API or the calendar.
    listed = api.get("/api/v1/deadlines/", {"conference": "neurips", "year": 2026}).json()["results"]
    assert [d["kind"] for d in listed] == ["paper"]
    assert b"2026-05-05" not in client.get("/conferences/neurips.ics").content

    # The feed.
    feed = ET.fromstring(client.get(reverse("resources:deadline-changes-feed")).content)  # noqa: S314 - our own feed
    titles = sorted(entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry"))
    assert titles == [
        "NeurIPS 2026: Abstract withdrawn (was 2026-05-05 11:59 UTC)",
        "NeurIPS 2026: Paper moved from 2026-05-07 11:59 UTC to 2026-05-14 11:59 UTC",
        "NeurIPS 2027: Paper announced: 2027-05-14 11:59 UTC",
        "ZoneConf 2026: Pacific time in January moved from 2027-01-16 07:59 UTC to 2027-01-17 00:00 UTC",
    ]
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")]
    assert all("/conferences/" in link and "#change-" in link for link in links)


def test_a_draft_conferences_changes_stay_private(tmp_path, client, superuser):
    client.force_login(superuser)
    synced_twice(tmp_path, client)
    client.logout()
    ConferenceSeries.objects.filter(slug="neurips").update(status="draft")
    body = APIClient().get("/api/v1/deadline-changes/").json()
    assert [r["conference"] for r in body["results"]] == ["zoneconf"]
    assert b"NeurIPS" not in client.get(reverse("resources:deadline-changes-feed")).content


def test_the_changes_api_and_feed_read_in_fixed_queries(
    tmp_path, client, superuser, django_assert_num_queries
):
    client.force_login(superuser)
    synced_twice(tmp_path, client)
    client.logout()
    api = APIClient()
    # API: (1) count and newest change for the ETag, (2) the page with its editions and series.
    with django_assert_num_queries(2):
        assert api.get("/api/v1/deadline-changes/").status_code == 200
    # Feed: (1) the changes with their editions and series.
    with django_assert_num_queries(1):
        assert client.get(reverse("resources:deadline-changes-feed")).status_code == 200


def test_a_curators_edit_is_kept_and_the_conflict_is_settled_in_the_admin(tmp_path, client, superuser):
    client.force_login(superuser)
    ccf, hf = synced_twice(tmp_path, client)
    notification = Deadline.objects.get(edition__hf_id="zoneconf26", kind="notification")
    assert notification.curator_edited
    assert (notification.at, notification.local) == (utc(2027, 1, 17), "2027-01-17 00:00:00")

    # The conflicts list shows both values; the conflict's page offers them.
    conflict = DeadlineConflict.objects.get(reason="curator", resolved_at=None)
    listing = client.get(reverse("admin:resources_deadlineconflict_changelist"), {"open": "yes"})
    assert "ai-deadlines: 2027-01-20 23:59:59 (PT)" in listing.content.decode()
    form = client.get(reverse("admin:resources_deadlineconflict_change", args=[conflict.pk]))
    assert 'value="hf"' in form.content.decode() and 'value=""' in form.content.decode()

    # Choosing upstream's value hands the row back to the importer, and is recorded.
    response = client.post(
        reverse("admin:resources_deadlineconflict_change", args=[conflict.pk]), {"choice": "hf"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    notification.refresh_from_db()
    assert (notification.at, notification.local, notification.curator_edited) == (
        utc(2027, 1, 21, 7, 59, 59),
        "2027-01-20 23:59:59",
        False,
    )
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None and conflict.chosen == "hf"
    assert DeadlineChange.objects.filter(deadline=notification, source="hf", change="moved").exists()

    # The same snapshot again: nothing to store, nothing to ask.
    _run, report = sync([ccf, hf])
    assert (report.total("created"), report.total("updated"), report.total("withdrawn")) == (0, 0, 0)
    assert not DeadlineConflict.objects.filter(resolved_at=None).exists()

    # A settled conflict cannot be settled again.
    again = client.post(
        reverse("admin:resources_deadlineconflict_change", args=[conflict.pk]), {"choice": ""}
    )
    assert again.status_code in (200, 302)
    notification.refresh_from_db()
    assert notification.local == "2027-01-20 23:59:59"


def test_choosing_between_the_data_sets_keeps_the_choice_across_imports(tmp_path, client, superuser):
    hf_copy = tmp_path / "hf_neurips.yml"
    shutil.copy(DATA / "hf_neurips.yml", hf_copy)
    # ai-deadlines says the paper deadline is a day later than ccf-deadlines does.
    edit(hf_copy, lambda data: data[0]["deadlines"][1].update(date="2026-05-08 11:59:00"))
    paths = [DATA / "ccf_neurips.yml", hf_copy]
    assert import_paths(paths).ok
    conflict = DeadlineConflict.objects.get(reason="sources", resolved_at=None)
    assert [v["source"] for v in conflict.values] == ["ccf", "hf"]
    paper = Deadline.objects.get(edition__year=2026, edition__series__slug="neurips", kind="paper")
    assert (paper.source, paper.at) == ("hf", utc(2026, 5, 8, 11, 59))  # ai-deadlines' stands

    client.force_login(superuser)
    response = client.post(
        reverse("admin:resources_deadlineconflict_change", args=[conflict.pk]), {"choice": "ccf"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    paper.refresh_from_db()
    assert (paper.at, paper.curator_edited) == (utc(2026, 5, 7, 11, 59), True)
    change = DeadlineChange.objects.get(deadline=paper)
    assert (change.change, change.old_at, change.new_at, change.source) == (
        "moved",
        utc(2026, 5, 8, 11, 59),
        utc(2026, 5, 7, 11, 59),
        "ccf",
    )

    # Both data sets again, in either order: the choice stands and nobody is asked again.
    for order in (paths, paths[::-1]):
        report = import_paths(order)
        assert report.ok, report.errors
        assert (report.total("created"), report.total("updated")) == (0, 0)
        paper.refresh_from_db()
        assert paper.at == utc(2026, 5, 7, 11, 59)
        assert not DeadlineConflict.objects.filter(resolved_at=None).exists()
    assert DeadlineChange.objects.count() == 1


def test_a_deadline_edited_through_the_api_is_the_curators(client, superuser):
    assert import_paths([DATA / "ccf_neurips.yml"]).ok
    paper = Deadline.objects.get(edition__ccf_id="nips26", kind="paper")
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=superuser)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.patch(
        f"/api/v1/deadlines/{paper.pk}/",
        {"local": "2026-05-09 11:59:00", "timezone": "UTC", "at": "2026-05-09T11:59:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    paper.refresh_from_db()
    assert (paper.at, paper.curator_edited) == (utc(2026, 5, 9, 11, 59), True)
    change = DeadlineChange.objects.get(deadline=paper)
    assert (change.old_at, change.new_at, change.source) == (utc(2026, 5, 7, 11, 59), paper.at, "")

    # The importer leaves it alone and reports the difference for a curator.
    report = import_paths([DATA / "ccf_neurips.yml"])
    assert report.ok and report.total("updated") == 0
    paper.refresh_from_db()
    assert paper.at == utc(2026, 5, 9, 11, 59)
    assert DeadlineConflict.objects.filter(reason="curator", resolved_at=None).count() == 1
