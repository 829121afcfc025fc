"""Conditional GET: ETag and Last-Modified on lists and details, 304 when nothing changed."""

import pytest

from resources import models
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_unchanged_list_answers_304_after_one_query(api, api_catalogue, django_assert_num_queries):
    first = api.get("/api/v1/papers/", {"topic": "transformers"})
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-cache"
    assert first["Last-Modified"]
    # the aggregate (count, newest updated_at) of the filtered papers, nothing else
    with django_assert_num_queries(1):
        again = api.get("/api/v1/papers/", {"topic": "transformers"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_the_list_etag_changes_with_an_edit_a_new_item_a_deletion_and_the_query(api, api_catalogue):
    def etag(**params):
        return api.get("/api/v1/papers/", params)["ETag"]

    original = etag()
    assert etag(page_size=5) != original
    assert api.get("/api/v1/papers/", HTTP_ACCEPT="text/csv")["ETag"] != original
    paper = api_catalogue["paper"]
    paper.title = "Attention Is Still All You Need"
    paper.save()
    edited = etag()
    assert edited != original
    extra = factories.PaperFactory()
    added = etag()
    assert added != edited
    extra.delete()
    assert etag() not in {added, original}


def test_if_modified_since_answers_304(api, api_catalogue):
    first = api.get("/api/v1/books/")
    again = api.get("/api/v1/books/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/conferences/neurips/",
        "/api/v1/papers/attention/",
        "/api/v1/topics/",
        "/api/v1/deadlines/",
        "/api/v1/editions/",
        "/api/v1/search/?q=attention",
    ],
)
def test_details_and_untimestamped_lists_get_an_etag_of_their_body(url, api, api_catalogue):
    first = api.get(url)
    assert first.status_code == 200
    assert first["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_changed_deadline_changes_its_conference_etag(api, api_catalogue):
    url = "/api/v1/conferences/neurips/"
    before = api.get(url)["ETag"]
    models.Deadline.objects.filter(pk=api_catalogue["deadline"].pk).update(label="Moved")
    response = api.get(url, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response.json()["editions"][0]["deadlines"][0]["label"] == "Moved"


def test_writes_are_not_conditional(staff_api, api_catalogue):
    response = staff_api.patch("/api/v1/papers/attention/", {"venue": "NIPS"}, format="json")
    assert response.status_code == 200
    assert not response.has_header("ETag")
