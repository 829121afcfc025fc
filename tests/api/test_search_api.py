"""The API's search: one type asked for is the only type queried, as on the page; matches come as
plain text with the offsets of the matched words, never as HTML to be parsed back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources import search
from tests import factories

ITEM_TYPES = ["papers", "conferences", "books", "courses", "communities", "tutorials"]


@pytest.fixture
def one_of_each(db):
    factories.PaperFactory(slug="attention", title="Attention <is> all you need")
    factories.ConferenceSeriesFactory(short_name="ATTN", full_name="Attention Conference")
    factories.BookFactory(title="Attention & memory")
    factories.CourseFactory(title="Attention in practice")
    factories.CommunityFactory(name="Attention readers")
    factories.TutorialFactory(title_en="Attention from scratch")


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
@pytest.mark.parametrize("kind", ITEM_TYPES)
def test_one_type_runs_the_queries_of_the_page_for_that_type(client, api, one_of_each, kind, mode):
    query = {"q": "attention", "type": kind, "mode": mode}
    with CaptureQueriesContext(connection) as page:
        assert client.get("/search/", query).status_code == 200
    with CaptureQueriesContext(connection) as answer:
        body = api.get("/api/v1/search/", query).json()
    assert set(body["counts"]) == {kind} and body["counts"][kind] == 1
    assert len(answer) == len(page)
    if mode == "keyword":
        # The ranked page of that one type (papers: the count, the ids, then the rows); no other.
        assert len(answer) <= 3
        table = search.type_by_key(kind).model._meta.db_table
        assert all(table in q["sql"] for q in answer.captured_queries)


def test_every_type_at_once_is_each_type_once_and_the_topics(api, one_of_each):
    each = 0
    for kind in ITEM_TYPES:
        with CaptureQueriesContext(connection) as alone:
            api.get("/api/v1/search/", {"q": "attention", "type": kind, "mode": "keyword"})
        each += len(alone)
    with CaptureQueriesContext(connection) as answer:
        body = api.get("/api/v1/search/", {"q": "attention", "mode": "keyword"}).json()
    assert {kind: body["counts"][kind] for kind in ITEM_TYPES} == dict.fromkeys(ITEM_TYPES, 1)
    assert len(answer) == each + 1  # and one for the topics


def test_results_are_plain_text_with_the_offsets_of_the_matches(api, one_of_each):
    body = api.get("/api/v1/search/", {"q": "attention", "type": "papers", "mode": "keyword"}).json()
    (hit,) = body["results"]
    assert hit["title"] == "Attention <is> all you need"  # as stored: not escaped, not marked
    assert "<mark>" not in hit["snippet"]
    assert [hit["title"][start:end] for start, end in hit["title_highlights"]] == ["Attention"]
    for start, end in hit["snippet_highlights"]:
        assert hit["snippet"][start:end].lower() == "attention"


def test_the_page_marks_the_same_spans_after_escaping():
    marked = search.mark_words("A <b> attention & ATTENTION", ["attention"])
    assert marked.spans == ((6, 15), (18, 27))
    assert str(marked.html) == "A &lt;b&gt; <mark>attention</mark> &amp; <mark>ATTENTION</mark>"
    assert search.mark_words("a model of attention", ["a", "attention"]).spans == ((11, 20),)
    start, stop = search.MARK_START, search.MARK_STOP
    headline = search.mark_headline(f"<i>{start}Attention{stop}</i> is {start}all{stop}")
    assert headline.text == "<i>Attention</i> is all"
    assert [headline.text[a:b] for a, b in headline.spans] == ["Attention", "all"]
