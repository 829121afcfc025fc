"""accounts.services: adding, removing and listing bookmarks."""

import pytest

from accounts import services
from accounts.models import Bookmark
from resources.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


def test_toggle_adds_then_removes(reader):
    paper = factories.PaperFactory()
    assert services.toggle_bookmark(reader, paper, note="read §3") is True
    bookmark = Bookmark.objects.get()
    assert (bookmark.user, bookmark.target, bookmark.note) == (reader, paper, "read §3")
    assert services.toggle_bookmark(reader, paper) is False
    assert not Bookmark.objects.exists()


def test_set_bookmark_is_idempotent_and_keeps_one_row(reader):
    book = factories.BookFactory()
    assert services.set_bookmark(reader, book, True) is True
    assert services.set_bookmark(reader, book, True, note="chapter 2") is True
    assert Bookmark.objects.get().note == "chapter 2"
    assert services.set_bookmark(reader, book, False) is False
    assert services.set_bookmark(reader, book, False) is False
    assert not Bookmark.objects.exists()


def test_the_database_refuses_a_second_bookmark_on_the_same_item(reader):
    from django.contrib.contenttypes.models import ContentType
    from django.db import IntegrityError

    course = factories.CourseFactory()
    services.set_bookmark(reader, course, True)
    with pytest.raises(IntegrityError):
        Bookmark.objects.create(
            user=reader, content_type=ContentType.objects.get_for_model(course), object_id=course.pk
        )


def test_only_catalogue_items_can_be_bookmarked(reader):
    edition = factories.ConferenceEditionFactory()
    with pytest.raises(services.NotBookmarkable):
        services.toggle_bookmark(reader, edition)
    with pytest.raises(services.NotBookmarkable):
        services.model_for_label("auth.user")
    assert not Bookmark.objects.exists()


def test_get_target_by_id_or_slug_finds_published_items_only():
    series = factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips")
    draft = factories.CommunityFactory(status=Status.DRAFT)
    assert services.get_target("resources.conferenceseries", slug="neurips") == series
    assert services.get_target("Resources.ConferenceSeries", object_id=series.pk) == series
    with pytest.raises(type(draft).DoesNotExist):
        services.get_target("resources.community", object_id=draft.pk)


def test_bookmarks_for_lists_own_visible_bookmarks_with_targets(reader, django_assert_num_queries):
    other = factories.UserFactory(username="other")
    paper, book, community = factories.PaperFactory(), factories.BookFactory(), factories.CommunityFactory()
    hidden = factories.CourseFactory()
    gone = factories.PaperFactory()
    for item in (paper, book, community, hidden, gone):
        services.set_bookmark(reader, item, True)
    services.set_bookmark(other, factories.PaperFactory(), True)
    hidden.status = Status.DRAFT
    hidden.save()
    gone.delete()
    services.bookmarks_for(reader)  # loads ContentType's per-process cache, as any earlier request would

    # 1 bookmarks (with a sub-select of published ids per type), 1 each for papers, books, communities.
    with django_assert_num_queries(4):
        bookmarks = list(services.bookmarks_for(reader))
    assert {b.target for b in bookmarks} == {paper, book, community}
    groups = services.group_by_type(bookmarks)
    assert [g.label for g in groups] == ["resources.paper", "resources.book", "resources.community"]


def test_bookmarked_keys_answers_for_a_page_of_items_in_one_query(reader, django_assert_num_queries):
    papers = factories.PaperFactory.create_batch(3)
    book = factories.BookFactory()
    services.set_bookmark(reader, papers[1], True)
    services.set_bookmark(reader, book, True)
    with django_assert_num_queries(1):
        keys = services.bookmarked_keys(reader, [*papers, book])
    assert keys == {("resources.paper", papers[1].pk), ("resources.book", book.pk)}


def test_bookmarked_papers_are_the_readers_published_papers(reader):
    mine, draft, theirs = factories.PaperFactory.create_batch(3)
    services.set_bookmark(reader, mine, True)
    services.set_bookmark(reader, draft, True)
    services.set_bookmark(factories.UserFactory(username="other"), theirs, True)
    services.set_bookmark(reader, factories.BookFactory(), True)
    draft.status = Status.DRAFT
    draft.save()
    assert list(services.bookmarked_papers(reader)) == [mine]


def test_visitors_have_no_bookmarks():
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    assert list(services.bookmarks_for(visitor)) == []
    assert services.is_bookmarked(visitor, factories.PaperFactory()) is False
