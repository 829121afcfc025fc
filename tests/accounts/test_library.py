"""The bookmark form, "My library", removing, notes and the BibTeX export."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts import services
from accounts.models import Bookmark
from resources.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger():
    return factories.UserFactory(username="stranger")


def post_bookmark(client, **data):
    return client.post("/accounts/bookmarks/", data)


# --- the bookmark form ---------------------------------------------------------------------------


def test_add_by_id_returns_to_next(reader_client, reader):
    paper = factories.PaperFactory()
    response = post_bookmark(
        reader_client, content_type="resources.paper", object_id=paper.pk, action="add", next="/papers/?q=x"
    )
    assert response.status_code == 302 and response["Location"] == "/papers/?q=x"
    assert services.is_bookmarked(reader, paper)


def test_add_by_slug_and_toggle_off(reader_client, reader):
    series = factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips")
    post_bookmark(reader_client, content_type="resources.conferenceseries", slug="neurips")
    assert services.is_bookmarked(reader, series)
    post_bookmark(reader_client, content_type="resources.conferenceseries", slug="neurips")
    assert not services.is_bookmarked(reader, series)


def test_the_same_add_twice_keeps_the_bookmark(reader_client, reader):
    book = factories.BookFactory()
    for _ in range(2):
        post_bookmark(reader_client, content_type="resources.book", object_id=book.pk, action="add")
    assert Bookmark.objects.count() == 1


def test_an_unsafe_next_falls_back_to_the_item_page(reader_client, reader):
    course = factories.CourseFactory()
    response = post_bookmark(
        reader_client, content_type="resources.course", object_id=course.pk, next="https://evil.example/x"
    )
    assert response["Location"] == course.get_absolute_url()


def test_json_clients_get_the_new_state(reader_client, reader):
    community = factories.CommunityFactory()
    response = reader_client.post(
        "/accounts/bookmarks/",
        {"content_type": "resources.community", "object_id": community.pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and response.json() == {"bookmarked": True}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"content_type": "auth.user", "object_id": 1}, "content_type"),
        ({"content_type": "resources.paper"}, "__all__"),
        ({"content_type": "resources.paper", "object_id": "abc"}, "object_id"),
        ({"content_type": "resources.paper", "object_id": 999999}, "object_id"),
        ({"content_type": "resources.paper", "slug": "no such slug!"}, "slug"),
        ({"content_type": "resources.paper", "object_id": 1, "action": "explode"}, "action"),
        ({"content_type": "resources.paper", "object_id": 1, "note": "x" * 501}, "note"),
    ],
)
def test_bad_bookmark_posts_are_field_errors_and_change_nothing(reader_client, reader, data, field):
    factories.PaperFactory()
    response = post_bookmark(reader_client, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    response = reader_client.post("/accounts/bookmarks/", data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Bookmark.objects.exists()


def test_draft_items_cannot_be_bookmarked(reader_client, reader):
    draft = factories.PaperFactory(status=Status.DRAFT)
    response = post_bookmark(reader_client, content_type="resources.paper", object_id=draft.pk)
    assert response.status_code == 400
    assert not Bookmark.objects.exists()


def test_visitors_are_sent_to_log_in_and_back(client):
    paper = factories.PaperFactory()
    response = post_bookmark(client, content_type="resources.paper", object_id=paper.pk, next="/papers/x/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/papers/x/"
    assert not Bookmark.objects.exists()


def test_bookmarking_is_post_only(reader_client, reader):
    paper = factories.PaperFactory()
    response = reader_client.get(
        "/accounts/bookmarks/", {"content_type": "resources.paper", "object_id": paper.pk}
    )
    assert response.status_code == 405
    assert not Bookmark.objects.exists()


# --- the include for detail pages ----------------------------------------------------------------


def render_button(obj, user):
    request = RequestFactory().get("/papers/x/?tab=2")
    request.user = user
    return render_to_string("includes/_bookmark_button.html", {"object": obj}, request=request)


def test_the_button_offers_add_then_remove(reader):
    paper = factories.PaperFactory()
    html = render_button(paper, reader)
    assert 'name="action" value="add"' in html and "Add to my library" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/papers/x/?tab=2"' in html
    services.set_bookmark(reader, paper, True)
    html = render_button(paper, reader)
    assert 'name="action" value="remove"' in html and "Remove from my library" in html


def test_visitors_see_a_login_link_instead(client):
    from django.contrib.auth.models import AnonymousUser

    html = render_button(factories.PaperFactory(), AnonymousUser())
    assert "<form" not in html
    assert "/accounts/login/?next=/papers/x/%3Ftab%3D2" in html


def test_the_button_renders_nothing_for_other_objects(reader):
    assert render_button(factories.ConferenceEditionFactory(), reader).strip() == ""


# --- My library ----------------------------------------------------------------------------------


def test_library_groups_bookmarks_by_type_and_hides_other_readers(reader_client, reader, stranger):
    paper = factories.PaperFactory(title="Attention Is All You Need", year=2017)
    book = factories.BookFactory(title="Deep Learning")
    secret = factories.PaperFactory(title="Someone Else's Reading")
    services.set_bookmark(reader, paper, True, note="read twice")
    services.set_bookmark(reader, book, True)
    services.set_bookmark(stranger, secret, True)

    response = reader_client.get("/accounts/library/")
    assert response.status_code == 200
    body = response.content.decode()
    assert [g.label for g in response.context["groups"]] == ["resources.paper", "resources.book"]
    assert "Attention Is All You Need" in body and "read twice" in body and "Deep Learning" in body
    assert paper.get_absolute_url() in body
    assert "Someone Else" not in body
    assert "/accounts/library/papers.bib" in body


def test_an_empty_library_says_so(reader_client, reader):
    response = reader_client.get("/accounts/library/")
    assert "Nothing here yet" in response.content.decode()
    assert "papers.bib" not in response.content.decode()


def make_library(user, per_type):
    for factory in (
        factories.PaperFactory,
        factories.BookFactory,
        factories.CourseFactory,
        factories.CommunityFactory,
        factories.ConferenceSeriesFactory,
    ):
        for item in factory.create_batch(per_type):
            services.set_bookmark(user, item, True)


@pytest.mark.parametrize("per_type", [1, 10])
def test_library_queries_do_not_grow_with_bookmarks(
    reader_client, reader, per_type, django_assert_num_queries
):
    """5 bookmarks and 50 bookmarks (one and ten of each type) cost the same queries."""
    make_library(reader, per_type)
    reader_client.get("/accounts/library/")  # warms ContentType's per-process cache
    # session, user, bookmarks (one query, sub-selecting published ids per type),
    # then one per type: papers (with venue edition and series), books, courses, communities, series;
    # the learning paths the reader has started (paths/templatetags/paths_tags.py: none here).
    with django_assert_num_queries(9):
        response = reader_client.get("/accounts/library/")
    assert response.context["total"] == 5 * per_type


def test_remove_a_bookmark(reader_client, reader):
    paper = factories.PaperFactory()
    services.set_bookmark(reader, paper, True)
    bookmark = Bookmark.objects.get()
    response = reader_client.post(f"/accounts/library/{bookmark.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/accounts/library/"
    assert not Bookmark.objects.exists()


def test_nobody_removes_or_reads_another_readers_bookmark(reader_client, reader, stranger):
    services.set_bookmark(stranger, factories.PaperFactory(), True, note="private")
    theirs = Bookmark.objects.get()
    assert reader_client.post(f"/accounts/library/{theirs.pk}/remove/").status_code == 404
    assert reader_client.get(f"/accounts/library/{theirs.pk}/note/").status_code == 404
    assert reader_client.post(f"/accounts/library/{theirs.pk}/note/", {"note": "mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.note == "private"


def test_edit_a_note(reader_client, reader):
    services.set_bookmark(reader, factories.BookFactory(), True)
    bookmark = Bookmark.objects.get()
    assert reader_client.get(f"/accounts/library/{bookmark.pk}/note/").status_code == 200
    response = reader_client.post(f"/accounts/library/{bookmark.pk}/note/", {"note": "  chapters 3-5  "})
    assert response.status_code == 302
    bookmark.refresh_from_db()
    assert bookmark.note == "chapters 3-5"


def test_a_too_long_note_is_a_field_error_and_changes_nothing(reader_client, reader):
    services.set_bookmark(reader, factories.BookFactory(), True, note="short")
    bookmark = Bookmark.objects.get()
    response = reader_client.post(f"/accounts/library/{bookmark.pk}/note/", {"note": "x" * 501})
    assert response.status_code == 400
    assert "note" in response.context["form"].errors
    bookmark.refresh_from_db()
    assert bookmark.note == "short"


# --- BibTeX export -------------------------------------------------------------------------------


def test_export_bookmarked_papers_as_bibtex(reader_client, reader, stranger):
    mine = factories.PaperFactory(
        title="Attention Is All You Need", authors=["Ashish Vaswani", "Noam Shazeer"], year=2017
    )
    theirs = factories.PaperFactory(title="Not Yours", bibtex_key="notyours")
    services.set_bookmark(reader, mine, True)
    services.set_bookmark(reader, factories.BookFactory(), True)
    services.set_bookmark(stranger, theirs, True)

    response = reader_client.get("/accounts/library/papers.bib")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert response["Content-Disposition"] == 'attachment; filename="my-papers.bib"'
    body = response.content.decode()
    assert "Attention Is All You Need" in body and "Vaswani" in body
    assert "Not Yours" not in body
    assert body.count("@") == 1


def test_export_needs_a_login(client):
    response = client.get("/accounts/library/papers.bib")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
