"""How the pages word counts and languages, in English and in Chinese."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible text with tags and runs of white space collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("url", ["/", "/topics/"])
def test_a_count_of_one_is_singular(client, site_catalogue, url):
    # The Transformers topic holds one published paper, one book and one course.
    text = text_of(client.get(url))
    assert "1 paper · 1 book · 1 course" in text
    assert "1 papers" not in text and "1 books" not in text and "1 courses" not in text


def test_counts_in_chinese(client, site_catalogue):
    factories.PaperFactory().topics.add(site_catalogue.topic)
    text = text_of(client.get("/topics/", HTTP_ACCEPT_LANGUAGE="zh-Hans"))
    assert "2 篇论文 · 1 本图书 · 1 门课程" in text


def test_languages_are_named_not_coded(client, site_catalogue):
    factories.CommunityFactory(name="知乎 AI", slug="zhihu", language="zh").topics.add(site_catalogue.topic)
    courses = text_of(client.get("/courses/"))
    assert "· English, Chinese ·" in courses
    assert "Chinese 1" in courses  # the language facet
    assert not re.search(r"\b(en|zh) \d", courses)
    course = text_of(client.get("/courses/hf-course/"))
    assert "Languages: English, Chinese" in course
    assert "· Chinese" in text_of(client.get("/communities/zhihu/"))
    assert "· English" in text_of(client.get("/communities/"))


def test_languages_in_chinese(client, site_catalogue):
    courses = text_of(client.get("/courses/", HTTP_ACCEPT_LANGUAGE="zh-Hans"))
    assert "英语、中文" in courses
    assert "中文 1" in courses
    course = text_of(client.get("/courses/hf-course/", HTTP_ACCEPT_LANGUAGE="zh-Hans"))
    assert "语言： 英语、中文" in course


def test_a_tutorial_has_one_further_reading_heading(client, site_catalogue):
    tutorial = factories.TutorialFactory(
        body_en="## Why attention\n\nText.\n\n## Further reading\n\nRead [the paper](/papers/x/).\n"
    )
    tutorial.papers.add(site_catalogue.paper)
    html = client.get(tutorial.get_absolute_url()).content.decode()
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, flags=re.S)
    assert sum("Further reading" in h for h in headings) == 1
    assert site_catalogue.paper.title in html
