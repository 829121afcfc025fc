"""A search that finds nothing offers the nearest words of the catalogue ("did you mean …?"), on
SQLite and on PostgreSQL alike."""

import pytest
from django.core.cache import cache

from resources import search
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def transformers(site_catalogue):
    factories.CourseFactory(title="The Transformer, Line by Line", slug="transformer-course")
    factories.PaperFactory(title="A Secret Draft on Tokenizers", status="draft")
    return site_catalogue


def test_a_mistyped_word_gets_a_suggestion_from_the_catalogue(client, transformers):
    response = client.get("/search/", {"q": "tranformer"})
    html = response.content.decode()
    found = response.context["results"]
    # On PostgreSQL the word is corrected and searched at once; elsewhere it is offered.
    if found.corrected_from:
        assert found.query == "transformer"
        assert found.total
    else:
        assert found.total == 0
        assert found.suggestion == "transformer"
        assert 'Did you mean <a href="?q=transformer">“transformer”</a>?' in html
        assert client.get("/search/", {"q": found.suggestion}).context["results"].total


def test_the_suggestion_keeps_the_type_and_speaks_chinese(client, transformers):
    response = client.get(
        "/search/", {"q": "atention zzqx", "type": "papers"}, HTTP_ACCEPT_LANGUAGE="zh-Hans"
    )
    results = response.context["results"]
    if results.corrected_from:  # PostgreSQL corrected the word itself, and says so
        assert results.corrected_from == "atention zzqx"
        assert results.query == "attention zzqx"
    else:
        assert results.suggestion == "attention zzqx"
        assert "你是不是要找" in response.content.decode()
        assert 'href="?q=attention+zzqx&amp;type=papers"' in response.content.decode()


def test_suggest_on_this_database(transformers):
    # suggest() itself runs on either backend: the vocabulary is read through the ORM.
    cache.delete(search.VOCABULARY_KEY)
    assert search.suggest("tranformer") == "transformer"
    assert search.suggest("Atention is all") == "attention is all"
    assert search.suggest("attention") == ""  # known words need no suggestion
    assert search.suggest("qqqqzzzz") == ""  # nothing close
    assert search.suggest("注意力") == ""
    assert "tokenizers" not in search.vocabulary()  # a draft's words are not offered


def test_a_search_that_finds_something_offers_nothing(transformers):
    assert search.search("attention").suggestion == ""


def test_the_vocabulary_is_cached(transformers, django_assert_num_queries):
    cache.delete(search.VOCABULARY_KEY)
    search.vocabulary()
    with django_assert_num_queries(0):
        assert "transformer" in search.vocabulary()


def test_the_api_offers_the_suggestion_too(client, transformers):
    body = client.get("/api/v1/search/", {"q": "tranformer"}).json()
    if body["query"] == "transformer":  # PostgreSQL corrected the word and searched again
        assert body["results"] and body["suggestion"] == ""
    else:
        assert body["results"] == [] and body["suggestion"] == "transformer"
    assert client.get("/api/v1/search/", {"q": "attention"}).json()["suggestion"] == ""
