"""/api/v1/tutorials/: published tutorials, read-only, with the parameters each demo takes."""

import pytest

from resources.models import Status
from tests.factories import BookFactory, PaperFactory, TopicFactory, TutorialFactory, UserFactory
from tests.helpers import api_client_for
from tutorials.demos import get_params
from tutorials.models import Tutorial

pytestmark = pytest.mark.django_db

TUTORIALS = "/api/v1/tutorials/"


@pytest.fixture
def tutorials():
    topic = TopicFactory(slug="neural-networks", name_en="Neural networks")
    digits = TutorialFactory(
        slug="digits", title_en="Digits", demo="mlp_digits", demo_defaults={"epochs": 5}, position=1
    )
    digits.topics.add(topic)
    digits.papers.add(PaperFactory(slug="adam"))
    digits.books.add(BookFactory(slug="deep-learning"))
    guide = TutorialFactory(slug="choosing-a-model", title_en="Choosing a model", demo="", position=2)
    draft = TutorialFactory(slug="unfinished", status=Status.DRAFT, position=3)
    return {"digits": digits, "guide": guide, "draft": draft}


def test_the_list_holds_published_tutorials_in_their_order(tutorials):
    response = api_client_for().get(TUTORIALS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [t["slug"] for t in body["results"]] == ["digits", "choosing-a-model"]
    first = body["results"][0]
    assert first["topics"] == ["neural-networks"]
    assert first["demo"] == "mlp_digits"
    assert first["url"] == "http://testserver/tutorials/digits/"
    assert "body_en" not in first  # bodies are on the detail only


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=neural-networks", ["digits"]),
        ("demo=mlp_digits", ["digits"]),
        ("has_demo=false", ["choosing-a-model"]),
        ("q=choosing", ["choosing-a-model"]),
        ("ordering=-title_en", ["digits", "choosing-a-model"]),
    ],
)
def test_filters(tutorials, query, expected):
    response = api_client_for().get(f"{TUTORIALS}?{query}")
    assert [t["slug"] for t in response.json()["results"]] == expected


def test_an_unknown_demo_filter_is_a_field_error(tutorials):
    response = api_client_for().get(f"{TUTORIALS}?demo=resnet")
    assert response.status_code == 400
    assert "demo" in response.json()["error"]["fields"]


def test_the_detail_has_bodies_links_and_the_demo_parameters(tutorials):
    body = api_client_for().get(f"{TUTORIALS}digits/").json()
    assert body["body_en"].startswith("The update rule")
    assert (body["topics"], body["papers"], body["books"], body["courses"]) == (
        ["neural-networks"],
        ["adam"],
        ["deep-learning"],
        [],
    )
    params = {p["name"]: p for p in body["demo_params"]}
    assert set(params) == {p.name for p in get_params("mlp_digits")}
    assert params["epochs"]["default"] == 5  # the tutorial's own value
    assert params["optimizer"]["choices"]
    assert params["learning_rate"]["minimum"] > 0


def test_a_guide_without_a_demo_has_no_parameters(tutorials):
    assert api_client_for().get(f"{TUTORIALS}choosing-a-model/").json()["demo_params"] == []


def test_a_draft_is_not_found(tutorials):
    response = api_client_for(UserFactory(is_staff=True)).get(f"{TUTORIALS}unfinished/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "user", "staff"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", TUTORIALS),
        ("put", f"{TUTORIALS}digits/"),
        ("patch", f"{TUTORIALS}digits/"),
        ("delete", f"{TUTORIALS}digits/"),
    ],
)
def test_nobody_writes_tutorials_through_the_api(tutorials, who, method, path):
    user = {"anonymous": None, "user": UserFactory(), "staff": UserFactory(is_staff=True)}[who]
    before = list(Tutorial.objects.values_list("slug", "title_en", "updated_at"))
    response = getattr(api_client_for(user), method)(path, {"title_en": "Changed"}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert list(Tutorial.objects.values_list("slug", "title_en", "updated_at")) == before


def test_conditional_get(tutorials):
    client = api_client_for()
    first = client.get(TUTORIALS)
    again = client.get(TUTORIALS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    Tutorial.objects.filter(slug="digits").update(title_en="Digits, again")
    Tutorial.objects.get(slug="digits").save()  # auto_now moves updated_at
    assert client.get(TUTORIALS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_csv(tutorials):
    response = api_client_for().get(f"{TUTORIALS}?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.getvalue().decode().splitlines()[0].startswith("slug,")


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_and_the_detail_run_a_fixed_number_of_queries(count, django_assert_num_queries):
    topic = TopicFactory()
    for _ in range(count):
        TutorialFactory().topics.add(topic)
    client = api_client_for()
    with django_assert_num_queries(3):  # count and newest update; the page; the topics' slugs
        assert client.get(f"{TUTORIALS}?page_size=50").status_code == 200
    slug = Tutorial.objects.first().slug
    with django_assert_num_queries(5):  # the tutorial; its topics, papers, books and courses
        assert client.get(f"{TUTORIALS}{slug}/").status_code == 200
