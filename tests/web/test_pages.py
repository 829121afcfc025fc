"""Every catalogue URL answers with its data; drafts and unknown slugs are 404; HTML is sound."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories
from tests.web.htmlcheck import check_html
from tests.web.pages import page_urls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "home", "search", "deadlines", "past deadlines", "conferences", "conference", "edition", "papers",
        "paper", "books", "book", "courses", "course", "communities", "community", "topics", "topic",
    ],
)  # fmt: skip
def test_page_answers_with_its_data_and_sound_html(client, site_catalogue, name):
    url, expected = page_urls(site_catalogue)[name]
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    for text in expected:
        assert text in html, (url, text)
    assert check_html(html) == [], url


def test_url_names_match_the_models(site_catalogue):
    assert site_catalogue.paper.get_absolute_url() == "/papers/attention-is-all-you-need/"
    assert site_catalogue.series.get_absolute_url() == "/conferences/neurips/"
    assert site_catalogue.past_edition.get_absolute_url() == "/conferences/neurips/2017/"
    assert site_catalogue.topic.get_absolute_url() == "/topics/transformers/"
    assert site_catalogue.book.get_absolute_url() == "/books/d2l/"
    assert site_catalogue.course.get_absolute_url() == "/courses/hf-course/"
    assert site_catalogue.community.get_absolute_url() == "/communities/hf-forums/"
    assert reverse("resources:edition-detail", args=["neurips", 2017]) == "/conferences/neurips/2017/"


@pytest.mark.parametrize(
    "url",
    [
        "/papers/draft-paper/",
        "/papers/no-such-paper/",
        "/papers/draft-paper.bib",
        "/conferences/secret/",
        "/conferences/secret.ics",
        "/conferences/secret/2026/",
        "/conferences/neurips/1999/",
        "/books/nope/",
        "/courses/nope/",
        "/communities/nope/",
        "/topics/nope/",
        "/deadlines/999999.ics",
    ],
)
def test_drafts_and_unknown_items_are_not_found(client, site_catalogue, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_draft_is_never_listed_or_linked(client, site_catalogue):
    for url in [
        "/papers/",
        "/papers/attention-is-all-you-need/",
        "/search/?q=draft",
        "/topics/transformers/",
    ]:
        assert "A Draft Attention Paper" not in client.get(url).content.decode(), url
    assert "SECRET" not in client.get("/conferences/").content.decode()


def test_paper_detail_shows_every_link(client, site_catalogue):
    tutorial = factories.TutorialFactory(title_en="Build a Transformer")
    tutorial.topics.add(site_catalogue.topic)
    html = client.get(site_catalogue.paper.get_absolute_url()).content.decode()
    assert f'href="{site_catalogue.past_edition.get_absolute_url()}"' in html  # venue edition
    assert f'href="{site_catalogue.topic.get_absolute_url()}"' in html  # topic
    assert f'href="{site_catalogue.book.get_absolute_url()}"' in html  # a book on the topic
    assert f'href="{site_catalogue.course.get_absolute_url()}"' in html  # a course on the topic
    assert "Build a Transformer" in html  # a tutorial on the topic
    assert f'href="{site_catalogue.cited.get_absolute_url()}"' in html  # cites
    assert f'href="{site_catalogue.citing.get_absolute_url()}"' in html  # cited by
    assert "https://arxiv.org/abs/1706.03762" in html
    assert 'href="/papers/attention-is-all-you-need.bib"' in html


def test_detail_pages_carry_open_graph_tags(client, site_catalogue):
    html = client.get(site_catalogue.paper.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Attention Is All You Need">' in html
    assert 'property="og:url" content="http://testserver/papers/attention-is-all-you-need/"' in html
    assert 'property="og:description"' in html


def test_every_page_links_the_feeds(client, site_catalogue):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/papers/feed/"' in html and 'href="/deadlines/feed/"' in html


def test_content_follows_the_language_with_a_fallback(client, site_catalogue):
    english = client.get("/papers/attention-is-all-you-need/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(
        "/papers/attention-is-all-you-need/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "built on attention alone" in english and "完全基于注意力机制" not in english
    assert "完全基于注意力机制" in chinese
    assert "Transformer 模型" in chinese  # the topic's Chinese name
    # No Chinese description: the English one is shown.
    course = client.get("/courses/hf-course/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert site_catalogue.course.title in course


def test_conference_detail_shows_editions_deadlines_and_rates(client, site_catalogue):
    html = client.get("/conferences/neurips/").content.decode()
    assert f"NeurIPS {site_catalogue.edition.year}" in html and "NeurIPS 2017" in html
    assert "3240" in html and "678" in html
    assert 'href="/conferences/neurips.ics"' in html
    assert f'href="/deadlines/{site_catalogue.upcoming.pk}.ics"' in html


def test_not_found_page_is_friendly(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html and check_html(html) == []


def test_server_error_page_renders_without_a_request(db):
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html and check_html(html) == []


def test_pages_work_without_javascript(client, site_catalogue):
    # The deadline is in the page itself, in AoE and UTC, with a server-side countdown.
    html = client.get("/deadlines/").content.decode()
    at = site_catalogue.upcoming.at
    assert at.strftime("%Y-%m-%d %H:%M:%S") + " UTC" in html
    aoe = (at - dt.timedelta(hours=12)).strftime("%Y-%m-%d %H:%M:%S")
    assert aoe + " AoE" in html
    assert "in 4\xa0weeks" in html or "in 1\xa0month" in html
    assert f'data-countdown="{at.isoformat()}"' in html
