"""Finding something in one's own library in one's own words: the library page and
/api/v1/bookmarks/?q= rank a reader's bookmarks by words and by meaning (real embeddings)."""

import re

import pytest

from resources.models import Embedding
from tests import factories

MEANING = "make pictures out of random static"


@pytest.fixture
def library(reader, discovery_catalogue):
    papers, book = discovery_catalogue["papers"], discovery_catalogue["book"]
    for paper in (papers["diffusion"], papers["seq2seq"]):
        factories.BookmarkFactory(user=reader, item=paper)
    factories.BookmarkFactory(user=reader, item=book, note="for the reading group on Thursday")
    factories.BookmarkFactory(item=papers["dropout"])  # someone else's
    return discovery_catalogue


def slugs(body) -> list[str]:
    return [row["item"]["slug"] for row in body["results"]]


def test_a_phrase_sharing_no_word_finds_the_bookmarked_paper(reader_api, reader_client, library):
    answer = reader_api.get("/api/v1/bookmarks/", {"q": MEANING})
    assert answer.status_code == 200 and answer["X-Search-Mode"] == "hybrid"
    assert slugs(answer.json())[0] == "disc-diffusion"
    assert "disc-dropout" not in slugs(answer.json())  # not this reader's
    page = reader_client.get("/accounts/library/", {"q": MEANING}).content.decode()
    found = page[page.index('id="found-heading"') :]
    assert re.search(r'<h3><a href="([^"]+)"', found).group(1) == "/papers/disc-diffusion/"


def test_the_readers_own_note_is_searched_by_its_words(reader_api, library):
    body = reader_api.get("/api/v1/bookmarks/", {"q": "reading group"}).json()
    assert slugs(body)[0] == "disc-book-slp"


def test_without_vectors_the_library_is_searched_by_words_and_says_so(
    reader, reader_api, reader_client, discovery_index_fresh
):
    # Nothing embedded yet (a new portal whose worker has not run).
    book = factories.BookFactory(title="Speech and Language Processing", slug="disc-book-slp")
    factories.BookmarkFactory(user=reader, item=book, note="for the reading group on Thursday")
    factories.BookmarkFactory(user=reader, item=factories.PaperFactory(slug="disc-diffusion"))
    assert not Embedding.objects.exists()
    answer = reader_api.get("/api/v1/bookmarks/", {"q": "thursday"})
    assert (answer["X-Search-Mode"], answer["X-Search-Fallback"]) == ("keyword", "not_embedded")
    assert slugs(answer.json()) == ["disc-book-slp"]
    assert slugs(reader_api.get("/api/v1/bookmarks/", {"q": MEANING}).json()) == []
    page = reader_client.get("/accounts/library/", {"q": "thursday"}).content.decode()
    assert "Matched by words only" in page and "Speech and Language Processing" in page


def test_a_question_too_long_is_a_field_error(reader_api, library):
    answer = reader_api.get("/api/v1/bookmarks/", {"q": "x" * 201})
    assert answer.status_code == 400 and "q" in answer.json()["error"]["fields"]
