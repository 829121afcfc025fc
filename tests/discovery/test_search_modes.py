"""Hybrid, keyword and semantic search over real embeddings, and the fallbacks to keyword."""

import re

import pytest
from django.test import override_settings

from resources import embeddings, search, semantic
from resources.models import Embedding, Status
from tests import factories

#: Learner phrasings that share no word with the paper they should find.
NO_SHARED_WORD = {
    "make pictures out of random static": "disc-diffusion",
    "translate french into english automatically": "disc-seq2seq",
}


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def slugs(results, key="papers"):
    return [hit.item.slug for group in results.groups if group.key == key for hit in group.hits]


@pytest.mark.parametrize("query,slug", list(NO_SHARED_WORD.items()))
def test_a_query_with_no_shared_word_finds_its_paper(discovery_catalogue, query, slug):
    paper = discovery_catalogue["papers"][slug.removeprefix("disc-")]
    text = semantic.types()["papers"].text(paper)
    assert not words(query) & words(text), "the query must share no word with the paper"
    assert slug not in slugs(search.search(query, mode="keyword"))
    for mode in ("hybrid", "semantic"):
        results = search.search(query, mode=mode)
        assert results.mode_used == mode and not results.fallback_reason
        assert slugs(results)[0] == slug, (mode, slugs(results))


def test_the_api_takes_the_mode_and_says_what_ran(client, discovery_catalogue):
    body = client.get("/api/v1/search/", {"q": "make pictures out of random static"}).json()
    assert (body["mode_used"], body["fallback_reason"]) == ("hybrid", "")
    assert body["results"][0]["slug"] == "disc-diffusion"
    body = client.get("/api/v1/search/", {"q": "static", "mode": "keyword"}).json()
    assert body["mode_used"] == "keyword"
    assert client.get("/api/v1/search/", {"q": "x", "mode": "vibes"}).status_code == 400


def test_the_page_offers_the_modes(client, discovery_catalogue):
    page = client.get("/search/", {"q": "make pictures out of random static"})
    assert page.status_code == 200
    assert b'name="mode"' in page.content and b"disc-diffusion" in page.content


def test_hybrid_keeps_exact_title_matches_first(discovery_catalogue):
    results = search.search("Deep Residual Learning for Image Recognition", mode="hybrid")
    assert slugs(results)[0] == "disc-resnet"


def test_an_exact_title_puts_its_group_first_and_the_rest_by_closeness_to_it(client, discovery_catalogue):
    # In type order papers come before books; the book asked for by its title leads instead, on
    # the page and in the API, and the translation paper (closest to a book on language) follows.
    title = "Speech and Language Processing"
    keyword = search.search(title, mode="keyword")
    assert [g.key for g in keyword.sections][:3] == ["papers", "conferences", "books"]
    results = search.search(title, mode="hybrid")
    shown = [g for g in results.sections if g.hits]
    assert [g.key for g in shown][:2] == ["books", "papers"]
    assert shown[0].hits[0].item.slug == "disc-book-slp"
    assert shown[1].hits[0].item.slug == "disc-seq2seq"
    assert [g.key for g in results.groups] == [t.key for t in search.available_types()]  # the tabs
    body = client.get("/api/v1/search/", {"q": title}).json()
    assert [r["slug"] for r in body["results"]][:2] == ["disc-book-slp", "disc-seq2seq"]
    page = client.get("/search/", {"q": title}).content.decode()
    assert page.index('id="group-books"') < page.index('id="group-papers"')


def test_sections_put_the_strongest_first_and_ties_in_type_order():
    strengths = {"papers": 1 / 61, "books": 2 / 61, "courses": 1 / 61, "tutorials": 0.0}
    groups = [search.Group(key, key, 1, strength=value) for key, value in strengths.items()]
    results = search.Results("q", "icontains", groups, [], mode_used="hybrid")
    assert [g.key for g in results.sections] == ["books", "papers", "courses", "tutorials"]
    results.mode_used = "keyword"
    assert [g.key for g in results.sections] == list(strengths)


def test_an_item_the_worker_has_not_embedded_is_still_found_by_its_words(discovery_catalogue):
    factories.PaperFactory(title="Quixotic Zebra Benchmark", slug="disc-unembedded")
    results = search.search("quixotic zebra", mode="hybrid")
    assert results.mode_used == "hybrid"
    assert "disc-unembedded" in slugs(results)


def test_before_any_worker_ran_search_answers_by_keyword_and_says_so(client, db, discovery_index_fresh):
    # Nothing was ever embedded: the worker that would have done it is not running.
    factories.PaperFactory(title="Attention Everywhere", slug="disc-attention")
    assert not Embedding.objects.exists()
    results = search.search("attention", mode="hybrid")
    assert (results.mode_used, results.fallback_reason) == ("keyword", "not_embedded")
    assert slugs(results) == ["disc-attention"]
    body = client.get("/api/v1/search/", {"q": "attention"}).json()
    assert (body["mode_used"], body["fallback_reason"]) == ("keyword", "not_embedded")
    page = client.get("/search/", {"q": "attention"})
    assert "Searched by words only" in page.content.decode()


def test_a_model_that_cannot_load_falls_back_to_keyword(discovery_catalogue):
    with override_settings(EMBEDDINGS_ENABLED=False):
        embeddings.reset()
        try:
            results = search.search("Dropout overfitting", mode="semantic")
        finally:
            embeddings.reset()
    assert (results.mode_used, results.fallback_reason) == ("keyword", "model_unavailable")
    assert slugs(results) == ["disc-dropout"]


def test_an_unpublished_paper_vanishes_from_search_at_once(discovery_catalogue):
    paper = discovery_catalogue["papers"]["diffusion"]
    assert "disc-diffusion" in slugs(search.search("make pictures out of random static", mode="semantic"))
    paper.status = Status.DRAFT
    paper.save()
    for mode in ("hybrid", "semantic"):
        assert "disc-diffusion" not in slugs(search.search("make pictures out of random static", mode=mode))


def test_a_chinese_phrase_finds_its_paper_in_hybrid_mode(discovery_catalogue):
    query = "把句子翻译成另一种语言"
    assert "disc-seq2seq" not in slugs(search.search(query, mode="keyword"))
    results = search.search(query, mode="hybrid")
    assert results.mode_used == "hybrid"
    assert slugs(results)[0] == "disc-seq2seq"
