"""One error body for every failure: 400, 401, 403, 404, 405, 409, 429 and 500."""

import pytest
from django.db import IntegrityError
from rest_framework.test import APIRequestFactory

from portal.api import exceptions
from resources.api.views import PaperViewSet

pytestmark = pytest.mark.django_db

KEYS = {"status", "code", "detail", "fields"}


def error_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == KEYS
    assert error["status"] == status
    return error


def test_unknown_address_under_the_api_is_a_json_404(api):
    assert error_of(api.get("/api/v1/nothing-here/"), 404)["code"] == "not_found"
    assert error_of(api.get("/api/v1/papers/a/b/c/"), 404)["code"] == "not_found"


def test_a_missing_slash_is_added_before_anything_else(api):
    assert api.get("/api/v1/papers").status_code == 301


def test_a_method_not_allowed_is_405(api, api_catalogue):
    assert error_of(api.put("/api/v1/papers/", {}, format="json"), 401)["code"] == "not_authenticated"


def test_405_for_signed_in_users(staff_api):
    error = error_of(staff_api.put("/api/v1/search/?q=x", {}, format="json"), 405)
    assert error["code"] == "method_not_allowed"


def test_malformed_json_is_a_400(staff_api):
    response = staff_api.generic("POST", "/api/v1/papers/", "{not json", content_type="application/json")
    assert error_of(response, 400)["code"] == "invalid" or error_of(response, 400)["code"] == "parse_error"


def test_an_unsupported_body_type_is_415(staff_api):
    response = staff_api.generic(
        "POST", "/api/v1/papers/", "title=x", content_type="application/x-www-form-urlencoded"
    )
    assert error_of(response, 415)["code"] == "unsupported_media_type"


def test_an_invalid_page_is_404(api, api_catalogue):
    assert error_of(api.get("/api/v1/papers/?page=7"), 404)["detail"] == "Invalid page."


def test_a_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert error_of(api.get("/api/v1/papers/"), 401)["code"] == "authentication_failed"


def test_a_database_conflict_is_409_not_500():
    request = APIRequestFactory().post("/api/v1/papers/")
    response = exceptions.api_exception_handler(IntegrityError("duplicate key"), {"request": request})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "conflict"


def test_an_unexpected_error_is_a_json_500(monkeypatch, api, api_catalogue):
    def broken(self, *args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(PaperViewSet, "list", broken)
    error = error_of(api.get("/api/v1/papers/"), 500)
    assert error["code"] == "server_error"
    assert "bug" not in error["detail"]


def test_an_unoffered_format_is_406(api, api_catalogue):
    response = api.get("/api/v1/papers/", HTTP_ACCEPT="image/png")
    assert error_of(response, 406)["code"] == "not_acceptable"


def test_head_answers_like_get_without_a_body(api, api_catalogue):
    response = api.head("/api/v1/papers/")
    assert response.status_code == 200
    assert response["ETag"] == api.get("/api/v1/papers/")["ETag"]
    assert response.content == b""


def test_the_browsable_api_still_works_for_people(api, staff_api, api_catalogue):
    for client in (api, staff_api):
        response = client.get("/api/v1/papers/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"Attention Is All You Need" in response.content
