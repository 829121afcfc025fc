"""Query-string filters, ordering and text search of the list endpoints."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def slugs(response, key="slug"):
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["results"]]


@pytest.fixture
def filter_deadlines(db):
    now = timezone.now()
    nlp = factories.TopicFactory(slug="nlp")
    acl = factories.ConferenceSeriesFactory(short_name="ACL", slug="acl", field="NLP", ccf_rank="A")
    acl.topics.add(nlp)
    coling = factories.ConferenceSeriesFactory(short_name="COLING", slug="coling", field="NLP", ccf_rank="B")
    cvpr = factories.ConferenceSeriesFactory(short_name="CVPR", slug="cvpr", field="CV", ccf_rank="A")

    def deadline(series, days, label):
        edition = factories.ConferenceEditionFactory(series=series, year=2026)
        return factories.DeadlineFactory(edition=edition, label=label, at=now + dt.timedelta(days=days))

    return {
        "acl": deadline(acl, 10, "ACL paper"),
        "coling": deadline(coling, -10, "COLING paper"),
        "cvpr": deadline(cvpr, 30, "CVPR paper"),
        "now": now,
    }


def labels(response):
    return slugs(response, key="label")


def test_upcoming_and_past(api, filter_deadlines):
    assert labels(api.get("/api/v1/deadlines/", {"when": "upcoming"})) == ["ACL paper", "CVPR paper"]
    assert labels(api.get("/api/v1/deadlines/", {"when": "past"})) == ["COLING paper"]


def test_from_and_to(api, filter_deadlines):
    now = filter_deadlines["now"]
    params = {
        "from": (now + dt.timedelta(days=1)).isoformat(),
        "to": (now + dt.timedelta(days=20)).isoformat(),
    }
    assert labels(api.get("/api/v1/deadlines/", params)) == ["ACL paper"]
    assert labels(api.get("/api/v1/deadlines/", {"from": "2000-01-01"})) == [
        "COLING paper",
        "ACL paper",
        "CVPR paper",
    ]


def test_topic_field_rank_and_conference(api, filter_deadlines):
    assert labels(api.get("/api/v1/deadlines/", {"topic": "nlp"})) == ["ACL paper"]
    assert labels(api.get("/api/v1/deadlines/", {"field": "nlp"})) == ["COLING paper", "ACL paper"]
    assert labels(api.get("/api/v1/deadlines/", {"rank": "A"})) == ["ACL paper", "CVPR paper"]
    assert labels(api.get("/api/v1/deadlines/", {"conference": "cvpr"})) == ["CVPR paper"]
    assert labels(api.get("/api/v1/deadlines/", {"rank": "A", "when": "upcoming", "field": "CV"})) == [
        "CVPR paper"
    ]


def test_ordering_reverses(api, filter_deadlines):
    assert labels(api.get("/api/v1/deadlines/", {"ordering": "-at"})) == [
        "CVPR paper",
        "ACL paper",
        "COLING paper",
    ]


@pytest.mark.parametrize(
    "params",
    [{"when": "soon"}, {"rank": "Z"}, {"from": "yesterday"}, {"ordering": "secret"}, {"year": "1800"}],
)
def test_a_value_a_filter_cannot_use_is_a_field_error(api, filter_deadlines, params):
    response = api.get("/api/v1/deadlines/", params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(params)


def test_deadlines_of_draft_conferences_are_hidden(api, filter_deadlines):
    series = factories.ConferenceSeriesFactory(slug="hidden", status="draft")
    factories.DeadlineFactory(edition=factories.ConferenceEditionFactory(series=series), label="Secret")
    assert "Secret" not in labels(api.get("/api/v1/deadlines/"))
    assert "hidden" not in slugs(api.get("/api/v1/conferences/"))
    assert all(e["series"] != "hidden" for e in api.get("/api/v1/editions/").json()["results"])


def test_papers_by_text_year_topic_and_code(api, api_catalogue):
    factories.PaperFactory(
        title="BERT: Pre-training", slug="bert", year=2019, code_url="https://github.com/google/bert"
    )
    factories.PaperFactory(title="GPT-2", slug="gpt2", year=2019, authors=["Alec Radford"])
    assert slugs(api.get("/api/v1/papers/", {"q": "pre-training"})) == ["bert"]
    assert slugs(api.get("/api/v1/papers/", {"q": "radford"})) == ["gpt2"]
    assert slugs(api.get("/api/v1/papers/", {"year": 2019, "ordering": "title"})) == ["bert", "gpt2"]
    assert slugs(api.get("/api/v1/papers/", {"year_from": 2018, "year_to": 2020, "has_code": "true"})) == [
        "bert"
    ]
    assert slugs(api.get("/api/v1/papers/", {"topic": "transformers"})) == ["attention"]
    assert slugs(api.get("/api/v1/papers/", {"conference": "neurips"})) == ["attention"]


def test_other_lists_filter_too(api, api_catalogue):
    factories.CourseFactory(slug="free", is_free=True, level="advanced")
    factories.CommunityFactory(slug="zh-forum", language="zh", kind="qa")
    assert slugs(api.get("/api/v1/courses/", {"is_free": "true", "level": "advanced"})) == ["free"]
    assert slugs(api.get("/api/v1/communities/", {"language": "zh", "kind": "qa"})) == ["zh-forum"]
    assert slugs(api.get("/api/v1/books/", {"q": "hopper"})) == ["deep-learning"]
    assert slugs(api.get("/api/v1/conferences/", {"rank": "A", "topic": "transformers"})) == ["neurips"]
    assert slugs(api.get("/api/v1/topics/", {"q": "transf"})) == ["transformers"]


# --- search --------------------------------------------------------------------------------------


@override_settings(SEARCH_BACKEND="icontains")
def test_search_across_types(api, api_catalogue):
    body = api.get("/api/v1/search/", {"q": "attention"}).json()
    assert body["query"] == "attention"
    assert body["counts"]["papers"] == 1
    (hit,) = [r for r in body["results"] if r["type"] == "papers"]
    assert hit["slug"] == "attention"
    assert hit["api_url"] == "http://testserver/api/v1/papers/attention/"


@override_settings(SEARCH_BACKEND="icontains")
def test_search_one_type_and_topics(api, api_catalogue):
    body = api.get("/api/v1/search/", {"q": "transformers", "type": "topics"}).json()
    assert [(r["type"], r["slug"]) for r in body["results"]] == [("topics", "transformers")]
    assert set(body["counts"]) == {"topics"}


@override_settings(SEARCH_BACKEND="icontains")
def test_search_finds_tutorials_with_their_api_url(api, db):
    """The site's search covers tutorials; the API's answer links each to /api/v1/tutorials/."""
    factories.TutorialFactory(slug="backprop-by-hand", title_en="Backpropagation by hand")
    body = api.get("/api/v1/search/", {"q": "backpropagation"}).json()
    assert body["counts"]["tutorials"] == 1
    (hit,) = [r for r in body["results"] if r["type"] == "tutorials"]
    assert hit["slug"] == "backprop-by-hand"
    assert hit["api_url"] == "http://testserver/api/v1/tutorials/backprop-by-hand/"
    assert api.get(hit["api_url"]).status_code == 200
    only = api.get("/api/v1/search/", {"q": "backpropagation", "type": "tutorials"}).json()
    assert [(r["type"], r["slug"]) for r in only["results"]] == [("tutorials", "backprop-by-hand")]


def test_search_needs_a_query(api, db):
    response = api.get("/api/v1/search/")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"q"}
    assert api.get("/api/v1/search/", {"q": "x", "limit": 500}).status_code == 400


# --- CORS ----------------------------------------------------------------------------------------


@override_settings(CORS_ALLOWED_ORIGINS=["https://notebook.example.org"])
def test_cors_lets_allowed_origins_read_and_not_write(api, api_catalogue):
    origin = {"HTTP_ORIGIN": "https://notebook.example.org"}
    response = api.get("/api/v1/papers/", **origin)
    assert response["Access-Control-Allow-Origin"] == "https://notebook.example.org"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = api.options("/api/v1/papers/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **origin)
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "Access-Control-Allow-Origin" not in api.get("/api/v1/papers/", HTTP_ORIGIN="https://evil.example")


@pytest.mark.parametrize("offset", ["-16:01", "+18:00"])
def test_an_offset_postgresql_would_refuse_is_turned_into_utc(api, filter_deadlines, offset):
    response = api.get("/api/v1/deadlines/", {"from": f"2000-11-25T08:51:12{offset}"})
    assert labels(response) == ["COLING paper", "ACL paper", "CVPR paper"]


def test_an_instant_out_of_range_is_a_field_error(api, filter_deadlines):
    response = api.get("/api/v1/deadlines/", {"to": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"to"}
