"""Every list filter gives the same rows on the page and in the API.

One small catalogue with a topic and its subtopic, two years, ranks, languages, free and paid
items, past and upcoming deadlines; for each list and each filter the page offers, the rows of
the page (its context) and of the API (``page_size=100``) are compared. The values include a
subtopic's parent, upper-case language codes and every spelling of yes and no that both take.
"""

import datetime as dt

import pytest
from django.utils import timezone

from resources.models import Community, Course, Deadline
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_catalogue():
    ml = factories.TopicFactory(slug="ml", name_en="Machine learning")
    nlp = factories.TopicFactory(slug="nlp", name_en="NLP")
    nlp.parent = ml
    nlp.save()
    vision = factories.TopicFactory(slug="vision", name_en="Vision")
    now = timezone.now()
    series = []
    for n, (rank, kind, topic, field) in enumerate(
        [("A", "academic", ml, "AI"), ("B", "academic", nlp, "NLP"), ("C", "industry", vision, "CV")]
    ):
        item = factories.ConferenceSeriesFactory(short_name=f"S{n}", ccf_rank=rank, kind=kind, field=field)
        item.topics.add(topic)
        series.append(item)
        for year, days in ((2025, -200 - n), (2026, 20 + n)):
            edition = factories.ConferenceEditionFactory(series=item, year=year)
            factories.DeadlineFactory(edition=edition, at=now + dt.timedelta(days=days))
        paper = factories.PaperFactory(year=2020 + n, venue_edition=item.editions.get(year=2025))
        paper.topics.add(topic)
    factories.ConferenceEditionFactory(series=series[0], year=2024)
    for n, (language, free_url, topic) in enumerate(
        [("en", "https://example.org/free", ml), ("zh", "", nlp), ("en", "", vision)]
    ):
        book = factories.BookFactory(year=2015 + n, language=language, free_url=free_url)
        book.topics.add(topic)
    for languages, is_free, level, topic in (
        (["en"], True, Course.Level.BEGINNER, ml),
        (["en", "zh"], False, Course.Level.ADVANCED, nlp),
        (["zh"], True, Course.Level.INTERMEDIATE, vision),
    ):
        course = factories.CourseFactory(languages=languages, is_free=is_free, level=level)
        course.topics.add(topic)
    for _n, (language, kind, topic) in enumerate(
        [
            ("en", Community.Kind.FORUM, ml),
            ("zh", Community.Kind.FORUM, nlp),
            ("zh", Community.Kind.CODE, vision),
        ]
    ):
        community = factories.CommunityFactory(language=language, kind=kind)
        community.topics.add(topic)


def page_rows(client, url: str, params: dict, key: str = "items") -> set:
    response = client.get(url, params)
    assert response.status_code == 200
    assert not response.context.get("filter_messages"), response.context["filter_messages"]
    return {getattr(row, "slug", None) or row.pk for row in response.context[key]}


def api_rows(client, url: str, params: dict) -> set:
    response = client.get(url, {**params, "page_size": 100}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return {row.get("slug") or row["id"] for row in response.json()["results"]}


CATALOGUE_CASES = [
    ("conferences", {"topic": "ml"}),
    ("conferences", {"topic": "nlp"}),
    ("conferences", {"year": "2024"}),
    ("conferences", {"year": "2025", "rank": "A"}),
    ("conferences", {"rank": "B"}),
    ("conferences", {"kind": "industry"}),
    ("conferences", {"topic": "ml", "year": "2024"}),
    ("papers", {"topic": "ml"}),
    ("papers", {"year": "2021"}),
    ("papers", {"rank": "A"}),
    ("papers", {"rank": "C", "topic": "vision"}),
    ("books", {"topic": "nlp"}),
    ("books", {"year": "2016"}),
    ("books", {"language": "en"}),
    ("books", {"language": "ZH"}),
    ("books", {"free": "1"}),
    ("books", {"free": "false"}),
    ("courses", {"topic": "vision"}),
    ("courses", {"level": "advanced"}),
    ("courses", {"language": "zh"}),
    ("courses", {"language": "EN"}),
    ("courses", {"free": "true"}),
    ("courses", {"free": "0"}),
    ("courses", {"free": "1", "language": "zh"}),
    ("communities", {"topic": "ml"}),
    ("communities", {"kind": "code"}),
    ("communities", {"language": "zh"}),
    ("communities", {"language": "ZH", "kind": "forum"}),
]


@pytest.mark.parametrize(("name", "params"), CATALOGUE_CASES, ids=lambda v: str(v))
def test_a_catalogue_list_filter_gives_the_same_rows_on_the_page_and_in_the_api(
    client, list_catalogue, name, params
):
    on_page = page_rows(client, f"/{name}/", params)
    in_api = api_rows(client, f"/api/v1/{name}/", params)
    assert on_page == in_api
    everything = api_rows(client, f"/api/v1/{name}/", {})
    assert 0 < len(on_page) < len(everything)  # the filter chose some rows, not none or all


DEADLINE_CASES = [
    {"when": "upcoming"},
    {"when": "past"},
    {"when": "upcoming", "topic": "ml"},  # the subtopic's conference too
    {"when": "past", "topic": "nlp"},
    {"when": "upcoming", "field": "cv"},
    {"when": "upcoming", "rank": "A"},
    {"when": "past", "rank": "B", "topic": "ml"},
]


@pytest.mark.parametrize("params", DEADLINE_CASES, ids=lambda v: str(v))
def test_a_deadline_filter_gives_the_same_rows_on_the_page_and_in_the_api(client, list_catalogue, params):
    on_page = page_rows(client, "/deadlines/", params, key="deadlines")
    in_api = api_rows(client, "/api/v1/deadlines/", params)
    assert on_page == in_api
    assert 0 < len(on_page) < Deadline.objects.count()


def test_the_topic_of_a_deadline_takes_in_its_subtopics_in_the_api_as_on_the_page(client, list_catalogue):
    found = api_rows(client, "/api/v1/deadlines/", {"topic": "ml"})
    conferences = set(
        Deadline.objects.filter(pk__in=found).values_list("edition__series__short_name", flat=True)
    )
    assert conferences == {"S0", "S1"}


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/books/", {"free": "perhaps"}, "free"),
        ("/api/v1/communities/", {"language": "1"}, "language"),
        ("/api/v1/courses/", {"language": "e n"}, "language"),
        ("/api/v1/papers/", {"rank": "Z"}, "rank"),
        ("/api/v1/conferences/", {"year": "1800"}, "year"),
    ],
)
def test_a_value_the_list_refuses_is_a_field_error_in_the_api(client, list_catalogue, url, params, field):
    response = client.get(url, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
