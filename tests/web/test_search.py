"""One-box search: SQLite fallback and PostgreSQL full text with trigram typo tolerance."""

import pytest
from django.db import connection

from resources import search
from resources.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def search_items(db):
    topic = factories.TopicFactory(slug="attention", name_en="Attention mechanisms", name_zh="注意力机制")
    best = factories.PaperFactory(
        title="Attention Is All You Need",
        slug="transformer",
        authors=["Ashish Vaswani"],
        abstract="We propose a new simple network architecture, the Transformer.",
        description_zh="提出了完全基于注意力机制的 Transformer 模型。",
    )
    best.topics.add(topic)
    weaker = factories.PaperFactory(
        title="Deep Residual Learning",
        slug="resnet",
        authors=["Kaiming He"],
        abstract="Residual networks; we also discuss attention briefly.",
    )
    factories.PaperFactory(title="Attention draft", slug="hidden", status=Status.DRAFT)
    book = factories.BookFactory(title="Speech and Language Processing", description_en="Covers attention.")
    course = factories.CourseFactory(title="Transformers from scratch", description_zh="从零开始学习注意力。")
    community = factories.CommunityFactory(
        name="EleutherAI Discord", description_en="Open research on attention."
    )
    series = factories.ConferenceSeriesFactory(
        short_name="NeurIPS", full_name="Neural Information Processing Systems"
    )
    return {
        "best": best,
        "weaker": weaker,
        "book": book,
        "course": course,
        "community": community,
        "series": series,
    }


def groups(results):
    return {g.key: g for g in results.groups}


def titles(group):
    return [str(hit.item) for hit in group.hits]


def test_results_are_grouped_by_type_with_counts(client, search_items):
    response = client.get("/search/?q=attention")
    assert response.status_code == 200
    results = response.context["results"]
    by_type = groups(results)
    assert by_type["papers"].count == 2
    assert by_type["books"].count == 1
    assert by_type["communities"].count == 1
    assert by_type["conferences"].count == 0
    assert [t.slug for t in results.topics] == ["attention"]
    html = response.content.decode()
    assert 'href="?q=attention&amp;type=papers"' in html
    assert "Attention draft" not in html


def test_tutorials_are_searched_too(client, search_items):
    tutorial = factories.TutorialFactory(title_en="Attention from scratch", summary_en="Build attention.")
    factories.TutorialFactory(title_en="Attention draft tutorial", status=Status.DRAFT)
    by_type = groups(search.search("attention"))
    assert titles(by_type["tutorials"]) == [str(tutorial)]
    assert str(by_type["tutorials"].hits[0].title_html) == "<mark>Attention</mark> from scratch"
    html = client.get("/search/?q=attention&type=tutorials").content.decode()
    assert f'href="{tutorial.get_absolute_url()}"' in html


def test_title_matches_rank_first(client, search_items):
    results = search.search("attention")
    assert titles(groups(results)["papers"]) == ["Attention Is All You Need", "Deep Residual Learning"]


def test_every_word_must_match(search_items):
    results = search.search("residual attention")
    assert titles(groups(results)["papers"]) == ["Deep Residual Learning"]


def test_authors_are_searched(search_items):
    assert titles(groups(search.search("Vaswani"))["papers"]) == ["Attention Is All You Need"]


def test_chinese_query_finds_chinese_content(client, search_items):
    response = client.get("/search/?q=注意力", HTTP_ACCEPT_LANGUAGE="zh-hans")
    by_type = groups(response.context["results"])
    assert titles(by_type["papers"]) == ["Attention Is All You Need"]
    assert titles(by_type["courses"]) == ["Transformers from scratch"]
    assert [t.slug for t in response.context["results"].topics] == ["attention"]
    html = response.content.decode()
    assert "<mark>注意力</mark>" in html


def test_matches_are_highlighted_and_markup_is_escaped(client, search_items):
    factories.PaperFactory(
        title="<script>alert('attention')</script> Attention & <b>bold</b>",
        abstract="<img src=x onerror=alert(1)> attention here",
    )
    response = client.get("/search/?q=attention")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_highlight_helpers_escape_everything():
    marked = search.highlight("<b>Attention</b> & more", ["attention"])
    assert str(marked) == "&lt;b&gt;<mark>Attention</mark>&lt;/b&gt; &amp; more"
    start, stop = search.MARK_START, search.MARK_STOP
    rendered = search.render_marked(f"<i>{start}Attention{stop}</i> {start}<x>")
    assert str(rendered) == "&lt;i&gt;<mark>Attention</mark>&lt;/i&gt; &lt;x&gt;"


def test_one_type_paginated(client, search_items):
    for i in range(30):
        factories.PaperFactory(title=f"Attention variant {i:02d}")
    response = client.get("/search/?q=attention&type=papers&per_page=10&page=2")
    assert response.status_code == 200
    assert response.context["page_number"] == 2 and response.context["num_pages"] == 4
    assert len(response.context["results"].groups[0].hits) == 10
    html = response.content.decode()
    assert 'rel="next"' in html and 'rel="prev"' in html


@pytest.mark.parametrize(
    "query",
    ["", "   ", "a" * 1000, "'; DROP TABLE resources_paper; --", '"unclosed', "-", "or", "%", "_", "(())"],
)
def test_odd_queries_are_answered(client, search_items, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_long_query_is_shortened_with_a_message(client, search_items):
    html = client.get("/search/", {"q": "attention " * 50}).content.decode()
    assert "shortened to its first 200 characters" in html


def test_percent_and_underscore_are_literal(search_items):
    factories.PaperFactory(title="100% accuracy")
    assert titles(groups(search.search("100%"))["papers"]) == ["100% accuracy"]
    assert groups(search.search("%"))["papers"].count <= 1


# --- PostgreSQL ----------------------------------------------------------------------------------


def test_postgres_uses_the_stored_vector(on_postgres, search_items):
    assert search.default_backend() == "postgres"
    search_items["best"].refresh_from_db()
    assert search_items["best"].search_vector is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM resources_paper WHERE slug = 'transformer'")
        vector = cursor.fetchone()[0]
    assert "'attent':" in vector and "'vaswani':" in vector


def test_postgres_vector_follows_bulk_writes(on_postgres, db):
    from resources.models import Paper

    Paper.objects.bulk_create([Paper(slug="bulk", title="Mixture of Experts", status=Status.PUBLISHED)])
    assert titles(groups(search.search("experts"))["papers"]) == ["Mixture of Experts"]
    Paper.objects.filter(slug="bulk").update(title="Sparse Gating Networks")
    assert groups(search.search("experts"))["papers"].count == 0
    assert titles(groups(search.search("gating"))["papers"]) == ["Sparse Gating Networks"]


def test_postgres_corrects_a_typo_from_the_titles_vocabulary(on_postgres, client, search_items):
    results = search.search("atention")
    assert results.corrected_from == "atention" and results.query == "attention"
    assert titles(groups(results)["papers"])[0] == "Attention Is All You Need"
    assert titles(groups(search.search("NeurIPSS"))["conferences"]) == ["NeurIPS"]
    assert titles(groups(search.search("transfomers from scrach"))["courses"]) == [
        "Transformers from scratch"
    ]
    html = client.get("/search/?q=atention").content.decode()
    assert "Nothing matched “atention”; showing results for “attention”." in html
    assert "<mark>Attention</mark> Is All You Need" in html


def test_postgres_vocabulary_holds_published_titles_only(on_postgres, search_items):
    from resources.models import SearchWord

    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"attention", "residual", "neurips", "scratch"} <= words
    assert "draft" not in words  # "Attention draft" is not published
    assert not search.search("drafr").groups[0].hits


def test_postgres_counts_stop_at_the_limit(on_postgres, search_items, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 1)
    results = search.search("attention")
    papers = groups(results)["papers"]
    assert papers.capped and papers.count == 1  # "1+"; the best hits are still shown
    assert results.capped


def test_postgres_stems_words(on_postgres, search_items):
    assert titles(groups(search.search("networks architectures"))["papers"]) == ["Attention Is All You Need"]


def test_postgres_ranking_order(on_postgres, search_items):
    factories.PaperFactory(title="Attention Attention Attention", abstract="attention everywhere, attention")
    ranked = titles(groups(search.search("attention"))["papers"])
    assert ranked.index("Attention Is All You Need") < ranked.index("Deep Residual Learning")
    assert ranked[-1] == "Deep Residual Learning"


def test_postgres_highlight_uses_ts_headline_and_escapes(on_postgres, client, search_items):
    factories.PaperFactory(title="<script>x</script> attention", abstract="<img src=x> attention is here")
    html = client.get("/search/?q=attention").content.decode()
    assert "<script>x" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; <mark>attention</mark>" in html
    assert "<mark>Attention</mark> Is All You Need" in html


def test_postgres_chinese_query(on_postgres, search_items):
    results = search.search("注意力机制")
    assert titles(groups(results)["papers"]) == ["Attention Is All You Need"]
    assert "<mark>注意力机制</mark>" in str(groups(results)["papers"].hits[0].snippet_html)


def test_postgres_very_common_word_ranks_the_title_matches(on_postgres, search_items, monkeypatch):
    for i in range(6):
        factories.PaperFactory(title=f"Attention variant {i}", abstract="attention " * i)
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    papers = groups(search.search("attention"))["papers"]
    assert papers.capped
    ranked = titles(papers)
    assert len(ranked) == 5 and all("Attention" in title for title in ranked)
    assert "Deep Residual Learning" not in ranked  # a match in the abstract only


def test_icontains_backend_runs_on_postgres_too(on_postgres, search_items):
    results = search.search("attention", backend="icontains")
    assert titles(groups(results)["papers"]) == ["Attention Is All You Need", "Deep Residual Learning"]
