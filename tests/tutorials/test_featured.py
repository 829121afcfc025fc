"""The home page's featured tutorials: published and featured only, in curated order, one query."""

import pytest
from django.template import Context, Template

from tests.factories import TutorialFactory

pytestmark = pytest.mark.django_db

TAG = Template("{% load tutorials_tags %}{% featured_tutorials %}")


def test_featured_published_tutorials_in_their_order(client):
    TutorialFactory(slug="second", title_en="Second one", featured=True, position=2)
    TutorialFactory(slug="first", title_en="First one", featured=True, position=1, demo="")
    TutorialFactory(slug="plain", title_en="Not featured", featured=False)
    TutorialFactory(slug="hidden", title_en="A featured draft", featured=True, status="draft")

    html = client.get("/").content.decode()

    assert 'aria-labelledby="featured-tutorials-heading"' in html
    assert html.index("First one") < html.index("Second one")
    assert 'href="/tutorials/first/"' in html and 'href="/tutorials/second/"' in html
    assert "Not featured" not in html and "A featured draft" not in html
    assert html.count("with a demo training") == 1  # "first" offers no demo


def test_at_most_three_in_one_query(django_assert_num_queries):
    for n in range(5):
        TutorialFactory(featured=True, position=n, title_en=f"Featured {n}")
    with django_assert_num_queries(1):  # the featured tutorials, nothing per tutorial
        html = TAG.render(Context())
    assert [f"Featured {n}" in html for n in range(5)] == [True, True, True, False, False]


def test_titles_and_summaries_in_the_visitors_language(client):
    TutorialFactory(
        featured=True, title_en="Gradient descent", title_zh="梯度下降", summary_zh="一步步改进权重。"
    )
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9").content.decode()
    assert "梯度下降" in html and "一步步改进权重。" in html


def test_no_section_without_featured_tutorials(client):
    TutorialFactory(featured=False)
    assert "featured-tutorials-heading" not in client.get("/").content.decode()
