"""Object-level access: another user's private run and another user's bookmark are not there.

Every way in answers 404 (never 403, which would confirm the object exists) and changes nothing:
the run's page, its status JSON, its cancel form, its script export, the API's detail and cancel;
the library page, the note and remove forms, and the bookmarks API's list, detail, update, delete.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from accounts.models import Bookmark
from resources import models
from tests import factories
from tests.helpers import api_client_for
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_run(alice):
    return factories.TrainingRunFactory(owner=alice, demo="mlp_digits", params={"epochs": 1}, is_public=False)


@pytest.fixture
def bookmark(alice):
    paper = factories.PaperFactory(title="Alice's secret reading")
    return Bookmark.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(models.Paper),
        object_id=paper.pk,
        note="private note",
    )


def site_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["mallory", "anonymous"])
def test_another_users_private_run_is_404_on_the_site(who, private_run, mallory):
    client = site_client(mallory if who == "mallory" else None)
    run_id = private_run.pk
    for path in (f"/tutorials/runs/{run_id}/", f"/tutorials/runs/{run_id}/status.json"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/tutorials/runs/{run_id}/script.py").status_code == 404
    cancel = client.post(f"/tutorials/runs/{run_id}/cancel/")
    assert cancel.status_code == (404 if who == "mallory" else 302)  # a visitor is sent to log in first
    compare = client.get("/tutorials/runs/compare/", {"ids": [str(run_id)]})
    assert compare.context["runs"] == []  # the id is echoed in the language form's "next", nothing else
    if who == "mallory":
        assert str(run_id) not in client.get("/tutorials/runs/").content.decode()
    private_run.refresh_from_db()
    assert (private_run.status, private_run.cancel_requested) == ("queued", False)


@pytest.mark.parametrize("who", ["mallory", "anonymous"])
def test_another_users_private_run_is_404_in_the_api(who, private_run, mallory):
    from rest_framework.test import APIClient

    client = api_client_for(mallory) if who == "mallory" else APIClient()
    detail = client.get(f"/api/v1/runs/{private_run.pk}/")
    assert detail.status_code == 404
    listed = client.get("/api/v1/runs/").json()["results"]
    assert str(private_run.pk) not in {run["id"] for run in listed}
    cancel = client.post(f"/api/v1/runs/{private_run.pk}/cancel/")
    assert cancel.status_code == (404 if who == "mallory" else 401)
    private_run.refresh_from_db()
    assert (private_run.status, private_run.cancel_requested) == ("queued", False)


def test_a_public_run_is_readable_but_only_its_owner_cancels_it(private_run, mallory):
    TrainingRun.objects.filter(pk=private_run.pk).update(is_public=True)
    assert site_client(mallory).get(f"/tutorials/runs/{private_run.pk}/").status_code == 200
    assert site_client(mallory).post(f"/tutorials/runs/{private_run.pk}/cancel/").status_code == 404
    assert api_client_for(mallory).post(f"/api/v1/runs/{private_run.pk}/cancel/").status_code == 404
    body = api_client_for(mallory).get(f"/api/v1/runs/{private_run.pk}/").json()
    assert body["share_url"] is None, "the share link is the owner's alone"
    private_run.refresh_from_db()
    assert private_run.status == "queued"


def test_the_owner_reaches_the_run_everywhere(private_run, alice):
    """The control: the same requests by the owner succeed."""
    client = site_client(alice)
    assert client.get(f"/tutorials/runs/{private_run.pk}/").status_code == 200
    assert client.get(f"/tutorials/runs/{private_run.pk}/status.json").status_code == 200
    assert client.get(f"/tutorials/runs/{private_run.pk}/script.py").status_code == 200
    assert api_client_for(alice).get(f"/api/v1/runs/{private_run.pk}/").status_code == 200


def test_another_users_bookmark_cannot_be_read_changed_or_removed_on_the_site(bookmark, mallory):
    client = site_client(mallory)
    assert "Alice&#x27;s secret reading" not in client.get("/accounts/library/").content.decode()
    assert client.get(f"/accounts/library/{bookmark.pk}/note/").status_code == 404
    assert client.post(f"/accounts/library/{bookmark.pk}/note/", {"note": "mine now"}).status_code == 404
    assert client.post(f"/accounts/library/{bookmark.pk}/remove/").status_code == 404
    bookmark.refresh_from_db()
    assert bookmark.note == "private note"


def test_another_users_bookmark_cannot_be_read_changed_or_removed_in_the_api(bookmark, mallory, alice):
    client = api_client_for(mallory)
    assert client.get("/api/v1/bookmarks/").json()["results"] == []
    assert client.get(f"/api/v1/bookmarks/{bookmark.pk}/").status_code == 404
    assert client.patch(f"/api/v1/bookmarks/{bookmark.pk}/", {"note": "x"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/bookmarks/{bookmark.pk}/").status_code == 404
    bookmark.refresh_from_db()
    assert bookmark.note == "private note"
    # The control: the owner sees it.
    assert api_client_for(alice).get(f"/api/v1/bookmarks/{bookmark.pk}/").status_code == 200
