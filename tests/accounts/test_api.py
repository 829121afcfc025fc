"""/api/v1/bookmarks/: the signed-in user's library through the API.

Authentication on every method, creating by id or slug (idempotent), the field errors of bad
bodies, reading and changing one's own bookmarks, 404 (never 403) for another user's, and a
list whose query count does not grow with the number of bookmarks.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from accounts import services
from accounts.api.serializers import TYPES
from accounts.models import BOOKMARKABLE, Bookmark
from resources.models import Status
from tests import factories
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

BOOKMARKS = "/api/v1/bookmarks/"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "detail", "fields"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


def detail(bookmark) -> str:
    return f"{BOOKMARKS}{bookmark.pk}/"


@pytest.fixture
def library_items():
    """One published item of each type, and a draft paper."""
    return {
        "paper": factories.PaperFactory(title="Attention Is All You Need", slug="attention"),
        "book": factories.BookFactory(title="Deep Learning", slug="deep-learning"),
        "course": factories.CourseFactory(title="CS224N", slug="cs224n"),
        "community": factories.CommunityFactory(name="Hugging Face Forum", slug="hf-forum"),
        "conference": factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips"),
        "draft": factories.PaperFactory(slug="draft-paper", status=Status.DRAFT),
    }


def bookmark(user, item, note: str = "") -> Bookmark:
    services.set_bookmark(user, item, True, note=note)
    return Bookmark.objects.get(
        user=user, content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    )


def test_the_api_type_names_cover_every_bookmarkable_model():
    assert sorted(TYPES.values()) == sorted(BOOKMARKABLE)


# --- authentication ------------------------------------------------------------------------------


def test_anonymous_clients_get_401_on_every_method(owner, library_items):
    mark = bookmark(owner, library_items["paper"], note="mine")
    anonymous = APIClient()
    for method, url, body in (
        ("get", BOOKMARKS, None),
        ("post", BOOKMARKS, {"type": "paper", "id": library_items["book"].pk}),
        ("get", detail(mark), None),
        ("patch", detail(mark), {"note": "changed"}),
        ("delete", detail(mark), None),
    ):
        response = getattr(anonymous, method)(url, body, format="json")
        assert response.status_code == 401, (method, url)
        assert error_of(response)["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Token")
    assert list(Bookmark.objects.values_list("note", flat=True)) == ["mine"]


def test_a_bad_token_is_401_too(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert error_of(client.get(BOOKMARKS))["status"] == 401


def test_a_session_works_as_well_as_a_token(owner, library_items):
    client = APIClient()
    client.force_login(owner)
    assert client.post(BOOKMARKS, {"type": "book", "slug": "deep-learning"}, format="json").status_code == 201
    assert client.get(BOOKMARKS).json()["count"] == 1


# --- creating ------------------------------------------------------------------------------------


def test_bookmarking_by_id_answers_201_with_the_bookmark(owner_api, owner, library_items):
    paper = library_items["paper"]
    response = owner_api.post(BOOKMARKS, {"type": "paper", "id": paper.pk, "note": "read §3"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    mark = Bookmark.objects.get()
    assert (mark.user, mark.target, mark.note) == (owner, paper, "read §3")
    assert body["id"] == mark.pk and response["Location"] == body["url"]
    assert body["url"].endswith(detail(mark))
    assert body["type"] == "paper" and body["note"] == "read §3" and body["created_at"].endswith("Z")
    assert body["item"]["id"] == paper.pk and body["item"]["slug"] == "attention"
    assert body["item"]["title"] == "Attention Is All You Need"
    assert body["item"]["url"] == f"http://testserver{paper.get_absolute_url()}"
    assert body["item"]["api_url"] == "http://testserver/api/v1/papers/attention/"


@pytest.mark.parametrize(
    ("kind", "slug", "title", "api_path"),
    [
        ("book", "deep-learning", "Deep Learning", "books"),
        ("course", "cs224n", "CS224N", "courses"),
        ("community", "hf-forum", "Hugging Face Forum", "communities"),
        ("conference", "neurips", "NeurIPS", "conferences"),
    ],
)
def test_every_type_can_be_bookmarked_by_slug(owner_api, library_items, kind, slug, title, api_path):
    response = owner_api.post(BOOKMARKS, {"type": kind, "slug": slug}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["item"]["slug"], body["item"]["title"], body["note"]) == (
        kind,
        slug,
        title,
        "",
    )
    assert body["item"]["api_url"].endswith(f"/api/v1/{api_path}/{slug}/")
    assert Bookmark.objects.get().target == library_items[kind]


def test_bookmarking_twice_answers_the_existing_bookmark_with_200(owner_api, library_items):
    first = owner_api.post(
        BOOKMARKS, {"type": "paper", "id": library_items["paper"].pk, "note": "first"}, format="json"
    )
    assert first.status_code == 201
    again = owner_api.post(BOOKMARKS, {"type": "paper", "slug": "attention"}, format="json")
    assert again.status_code == 200 and "Location" not in again
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["note"] == "first"  # an empty note leaves the old one
    renoted = owner_api.post(
        BOOKMARKS, {"type": "paper", "id": library_items["paper"].pk, "note": "second"}, format="json"
    )
    assert renoted.status_code == 200 and renoted.json()["note"] == "second"
    assert Bookmark.objects.count() == 1


def test_the_same_item_is_bookmarked_separately_for_each_user(owner_api, other_api, library_items):
    for client in (owner_api, other_api):
        assert (
            client.post(BOOKMARKS, {"type": "book", "slug": "deep-learning"}, format="json").status_code
            == 201
        )
    assert Bookmark.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "tutorial", "id": 1}, "type"),
        ({"type": "resources.paper", "slug": "attention"}, "type"),
        ({"id": 1}, "type"),
        ({"type": "paper"}, "id"),
        ({"type": "paper", "id": 999_999}, "id"),
        ({"type": "paper", "slug": "no-such-paper"}, "slug"),
        ({"type": "paper", "slug": "draft-paper"}, "slug"),
        ({"type": "paper", "id": "draft"}, "id"),
        ({"type": "paper", "id": 0}, "id"),
        ({"type": "paper", "id": 2**63}, "id"),
        ({"type": "book", "slug": "attention"}, "slug"),  # a paper's slug is no book's
        ({"type": "paper", "slug": "not a slug"}, "slug"),
        ({"type": "paper", "slug": "attention", "note": "x" * 501}, "note"),
    ],
)
def test_bad_bodies_are_400_with_the_field_named(owner_api, library_items, body, field):
    response = owner_api.post(BOOKMARKS, body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid" and field in error["fields"], error
    assert not Bookmark.objects.exists()


def test_a_draft_is_not_found_by_its_id_either(owner_api, library_items):
    response = owner_api.post(BOOKMARKS, {"type": "paper", "id": library_items["draft"].pk}, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"]["id"] == ["There is no published paper with this identifier."]


def test_field_errors_are_translated(owner_api, library_items):
    response = owner_api.post(BOOKMARKS, {"type": "paper"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    message = error_of(response)["fields"]["id"][0]
    assert message != "Name the item by its id or its slug." and any(
        "\u4e00" <= c <= "\u9fff" for c in message
    )


def test_a_form_body_is_415(owner_api, library_items):
    response = owner_api.post(
        BOOKMARKS, "type=paper&slug=attention", content_type="application/x-www-form-urlencoded"
    )
    assert error_of(response)["status"] == 415
    assert not Bookmark.objects.exists()


# --- reading, changing, removing -------------------------------------------------------------------


def test_the_list_holds_ones_own_bookmarks_of_published_items_newest_first(
    owner_api, owner, other, library_items
):
    paper = bookmark(owner, library_items["paper"])
    book = bookmark(owner, library_items["book"], note="chapter 6")
    bookmark(other, library_items["course"])
    hidden = factories.CourseFactory(slug="soon-a-draft")
    bookmark(owner, hidden)
    hidden.status = Status.DRAFT
    hidden.save()

    response = owner_api.get(BOOKMARKS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    assert [item["id"] for item in body["results"]] == [book.pk, paper.pk]
    assert body["results"][0]["note"] == "chapter 6"
    assert "private" in response["Cache-Control"]


def test_the_list_filters_by_type(owner_api, owner, library_items):
    for kind in ("paper", "book", "conference"):
        bookmark(owner, library_items[kind])
    for kind in ("paper", "book", "conference", "course"):
        results = owner_api.get(BOOKMARKS, {"type": kind}).json()["results"]
        assert [r["type"] for r in results] == ([kind] if kind != "course" else [])
    response = owner_api.get(BOOKMARKS, {"type": "tutorial"})
    assert response.status_code == 400 and "type" in error_of(response)["fields"]


def test_the_list_is_paginated(owner_api, owner):
    for n in range(5):
        bookmark(owner, factories.BookFactory(slug=f"book-page-{n}"))
    body = owner_api.get(BOOKMARKS, {"page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"] and body["previous"] is None
    assert owner_api.get(BOOKMARKS, {"page": 9}).status_code == 404


def test_the_owner_reads_changes_and_removes_a_bookmark(owner_api, owner, library_items):
    mark = bookmark(owner, library_items["community"], note="old")
    got = owner_api.get(detail(mark))
    assert got.status_code == 200
    assert (got.json()["type"], got.json()["item"]["title"]) == ("community", "Hugging Face Forum")

    created_at = got.json()["created_at"]
    patched = owner_api.patch(
        detail(mark),
        {
            "note": "  ask about tokenizers  ",
            "id": 999,
            "type": "paper",
            "created_at": "2001-01-01T00:00:00Z",
        },
        format="json",
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["id"], body["type"], body["note"], body["created_at"]) == (
        mark.pk,
        "community",
        "ask about tokenizers",
        created_at,
    )
    mark.refresh_from_db()
    assert (mark.note, mark.user, mark.target) == ("ask about tokenizers", owner, library_items["community"])

    too_long = owner_api.patch(detail(mark), {"note": "x" * 501}, format="json")
    assert too_long.status_code == 400 and "note" in error_of(too_long)["fields"]

    assert owner_api.put(detail(mark), {"note": "all"}, format="json").status_code == 405
    removed = owner_api.delete(detail(mark))
    assert removed.status_code == 204 and not removed.content
    assert not Bookmark.objects.exists()
    assert owner_api.get(detail(mark)).status_code == 404


def test_another_users_bookmark_is_404_never_403(owner_api, other_api, owner, library_items):
    mark = bookmark(owner, library_items["paper"], note="mine")
    for method, body in (("get", None), ("patch", {"note": "theirs"}), ("delete", None)):
        response = getattr(other_api, method)(detail(mark), body, format="json")
        assert response.status_code == 404, method
        assert error_of(response)["code"] == "not_found"
    assert other_api.get(BOOKMARKS).json()["count"] == 0
    mark.refresh_from_db()
    assert mark.note == "mine"
    assert owner_api.get(detail(mark)).status_code == 200
    assert owner_api.get(f"{BOOKMARKS}999999/").status_code == 404


# --- query counts ----------------------------------------------------------------------------------

MAKERS = (
    factories.PaperFactory,
    factories.BookFactory,
    factories.CourseFactory,
    factories.CommunityFactory,
    factories.ConferenceSeriesFactory,
)


@pytest.mark.parametrize("params", [{}, {"type": "paper"}])
def test_the_list_runs_the_same_queries_for_5_and_50_bookmarks(owner, params, django_assert_num_queries):
    client = api_client_for(owner)
    client.get(BOOKMARKS)  # content types cached, the token row exists
    # Every type present in both cases (a type absent needs no query of its own):
    # the token with its user; the count; the page of bookmarks; the items, one query per type
    # present (papers with their venue) — 3 + 5 = 8, or 3 + 1 = 4 with ?type=paper.
    expected = 4 if params else 8
    for size in (5, 50):
        while Bookmark.objects.filter(user=owner).count() < size:
            n = Bookmark.objects.count()
            services.set_bookmark(owner, MAKERS[n % len(MAKERS)](), True)
        with django_assert_num_queries(expected):
            response = client.get(BOOKMARKS, {**params, "page_size": 100})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == (size if not params else size // 5)
        assert all(result["item"]["title"] for result in body["results"])
