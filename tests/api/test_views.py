"""The catalogue endpoints: who may read and write, what writes check, and bounded query counts."""

import pytest
from rest_framework.test import APIClient

from resources import models
from tests import factories
from tests.api.endpoints import RESOURCES

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user", "other_permission", "model_permission", "staff")
WRITE_OUTCOME = {"anonymous": 401, "user": 403, "other_permission": 403}


@pytest.fixture
def client_for(api, reader_api, staff_api, permitted_user_factory):
    def make(role, model):
        if role == "anonymous":
            return api
        if role == "user":
            return reader_api
        if role == "staff":
            return staff_api
        if role == "model_permission":
            return permitted_user_factory(model)
        other = models.Book if model is not models.Book else models.Paper
        return permitted_user_factory(other)

    return make


def detail_url(endpoint, api_catalogue):
    _model, key, lookup, *_ = RESOURCES[endpoint]
    return f"/api/v1/{endpoint}/{getattr(api_catalogue[key], lookup)}/"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", RESOURCES)
def test_everyone_reads_lists_and_details(endpoint, role, api_catalogue, client_for):
    client = client_for(role, RESOURCES[endpoint][0])
    listing = client.get(f"/api/v1/{endpoint}/")
    assert listing.status_code == 200
    assert listing.json()["count"] >= 1
    assert client.get(detail_url(endpoint, api_catalogue)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("endpoint", RESOURCES)
def test_writing_needs_staff_or_the_model_permission(endpoint, method, role, api_catalogue, client_for):
    model, _key, _lookup, create_body, change_body = RESOURCES[endpoint]
    client = client_for(role, model)
    before = model.objects.count()
    if method == "post":
        response = client.post(f"/api/v1/{endpoint}/", create_body(api_catalogue), format="json")
    elif method == "put":
        body = create_body(api_catalogue)
        response = client.put(detail_url(endpoint, api_catalogue), body, format="json")
    elif method == "patch":
        response = client.patch(detail_url(endpoint, api_catalogue), change_body, format="json")
    else:
        response = client.delete(detail_url(endpoint, api_catalogue))

    if role in WRITE_OUTCOME:
        assert response.status_code == WRITE_OUTCOME[role], response.content
        assert response.json()["error"]["code"] in {"not_authenticated", "permission_denied"}
        assert model.objects.count() == before
        return
    expected = {"post": 201, "put": 200, "patch": 200, "delete": 204}[method]
    assert response.status_code == expected, response.content
    after = model.objects.count()
    assert after == before + {"post": 1, "delete": -1}.get(method, 0)
    if method in {"post", "put", "patch"}:
        body = create_body(api_catalogue) if method != "patch" else change_body
        for field, value in body.items():
            assert response.json()[field] == value


def test_anonymous_write_is_told_how_to_authenticate(api, api_catalogue):
    response = api.post("/api/v1/papers/", {"title": "x"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def test_session_authentication_works_too(api_catalogue, staff):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    # A session write without the CSRF token is refused: the cookie alone must not be enough.
    response = client.post("/api/v1/topics/", {"slug": "rag", "name_en": "RAG"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.get("/api/v1/topics/").status_code == 200


@pytest.mark.parametrize("endpoint", ["conferences", "courses", "books", "papers", "communities"])
def test_drafts_are_not_read_but_can_be_changed_by_staff(endpoint, api, staff_api, api_catalogue):
    draft = api_catalogue["drafts"][endpoint]
    url = f"/api/v1/{endpoint}/{draft.slug}/"
    assert api.get(url).status_code == 404
    assert staff_api.get(url).status_code == 404
    slugs = [item["slug"] for item in api.get(f"/api/v1/{endpoint}/").json()["results"]]
    assert draft.slug not in slugs
    assert staff_api.patch(url, {"description_en": "Draft note"}, format="json").status_code == 200


def test_ids_timestamps_and_statuses_are_read_only(staff_api, api_catalogue):
    response = staff_api.post(
        "/api/v1/papers/",
        {
            "title": "GPT-3",
            "authors": ["Tom Brown"],
            "status": "published",
            "created_at": "2001-01-01T00:00:00Z",
            "published_at": "2001-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201
    paper = models.Paper.objects.get(slug=response.json()["slug"])
    assert paper.status == models.Status.DRAFT
    assert paper.published_at is None
    assert paper.created_at.year > 2001
    deadline = api_catalogue["deadline"]
    response = staff_api.patch(f"/api/v1/deadlines/{deadline.pk}/", {"id": 999, "label": "L"}, format="json")
    assert response.json()["id"] == deadline.pk


def test_a_write_is_checked_by_the_model_clean_and_changes_nothing_when_invalid(staff_api, api_catalogue):
    before = models.Book.objects.count()
    response = staff_api.post(
        "/api/v1/books/",
        {"title": "Bad", "authors": ["A"], "isbn13": "9780262035614", "url": "javascript:alert(1)"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"isbn13", "url"}
    assert models.Book.objects.count() == before


def test_unique_and_check_constraints_are_field_errors(staff_api, api_catalogue):
    response = staff_api.post("/api/v1/editions/", {"series": "neurips", "year": 2026}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["error"]["fields"]
    response = staff_api.post(
        "/api/v1/editions/",
        {"series": "neurips", "year": 2030, "start_date": "2030-12-10", "end_date": "2030-12-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "end_date" in response.json()["error"]["fields"]
    response = staff_api.post(
        "/api/v1/papers/", {"title": "Again", "authors": ["X"], "arxiv_id": "1706.03762"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_a_topic_cannot_become_its_own_ancestor(staff_api, api_catalogue):
    child = factories.TopicFactory(slug="bert", parent=api_catalogue["topic"])
    response = staff_api.patch("/api/v1/topics/transformers/", {"parent": child.slug}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]


def test_unknown_topic_slug_is_a_field_error(staff_api, api_catalogue):
    response = staff_api.post(
        "/api/v1/papers/", {"title": "T", "authors": ["A"], "topics": ["nope"]}, format="json"
    )
    assert response.status_code == 400
    assert "topics" in response.json()["error"]["fields"]


def test_conference_detail_nests_editions_and_their_deadlines(api, api_catalogue):
    body = api.get("/api/v1/conferences/neurips/").json()
    assert [edition["year"] for edition in body["editions"]] == [2026]
    assert body["editions"][0]["deadlines"][0]["at"] == "2026-12-15T11:59:59Z"
    assert body["topics"] == ["transformers"]


# --- query counts --------------------------------------------------------------------------------

# The queries of one list request, whatever the page size.
LIST_QUERIES = {
    # aggregate (count, newest updated_at) for ETag and paginator; the page; its topics
    "papers": 3,
    "books": 3,
    "courses": 3,
    "communities": 3,
    "conferences": 3,
    # count; the page with each edition's series; the deadlines of the page
    "editions": 3,
    # count; the page with edition and series
    "deadlines": 2,
    # count; the page with each topic's parent
    "topics": 2,
}


@pytest.fixture
def many_items(db):
    topic = factories.TopicFactory(slug="llm")
    for n in range(105):
        series = factories.ConferenceSeriesFactory()
        series.topics.add(topic)
        edition = factories.ConferenceEditionFactory(series=series)
        factories.DeadlineFactory(edition=edition)
        for factory in (
            factories.PaperFactory,
            factories.BookFactory,
            factories.CourseFactory,
            factories.CommunityFactory,
        ):
            factory().topics.add(topic)
        factories.TopicFactory(parent=topic if n % 2 else None)


@pytest.mark.parametrize("endpoint", LIST_QUERIES)
def test_a_list_runs_the_same_queries_for_any_page_size(endpoint, api, many_items, django_assert_num_queries):
    for page_size in (5, 100):
        with django_assert_num_queries(LIST_QUERIES[endpoint]):
            response = api.get(f"/api/v1/{endpoint}/", {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size


def test_page_size_is_capped(api, many_items):
    body = api.get("/api/v1/papers/", {"page_size": 1000}).json()
    assert len(body["results"]) == 100
    assert body["count"] == 105
    assert body["next"].endswith("page=2&page_size=1000")
    assert body["previous"] is None


def test_pages_neither_overlap_nor_skip(api, many_items):
    seen = []
    url = "/api/v1/papers/?page_size=20&ordering=year"
    while url:
        body = api.get(url).json()
        seen += [paper["slug"] for paper in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 105


def test_the_fast_read_path_answers_what_drf_would(api_catalogue):
    from rest_framework import serializers as drf_serializers

    from resources.api.serializers import PaperDetailSerializer

    class PlainDRF(drf_serializers.ModelSerializer):
        topics = drf_serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
        cites = drf_serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
        authors = drf_serializers.ListField(child=drf_serializers.CharField())

        class Meta:
            model = models.Paper
            fields = PaperDetailSerializer.Meta.fields

    paper = api_catalogue["paper"]
    paper.cites.add(factories.PaperFactory())
    assert PaperDetailSerializer(paper).data == PlainDRF(paper).data
