"""The OpenAPI schema: it validates, and the API keeps to it under generated requests (Schemathesis)."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.helpers import same_connection_for_every_request

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25
MINIMUM_REQUESTS = 1000


def test_schema_validates_without_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/papers/{slug}/" in text
    assert "/api/v1/search/" in text


@pytest.mark.django_db
def test_docs_pages_load_their_scripts_from_this_site(client):
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page
        assert "cdn.jsdelivr.net" not in page


@pytest.mark.django_db
def test_generated_requests_get_answers_the_schema_describes(api_catalogue, staff):
    from portal.wsgi import application

    for n in range(3):
        factories.PaperFactory(year=2018 + n)
        factories.DeadlineFactory(edition=api_catalogue["edition"], label=f"Extra {n}")
    # Staff, so that writes reach validation and the database instead of stopping at 401.
    headers = {"Authorization": f"Token {Token.objects.create(user=staff).key}"}
    sent = {"requests": 0, "operations": 0}

    with same_connection_for_every_request():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
        for result in schema.get_all_operations():
            operation = result.ok()
            sent["operations"] += 1

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def exercise(case):
                cache.clear()  # throttle counters: this test is about answers, not rates
                case.call_and_validate(headers=headers, checks=CHECKS)
                sent["requests"] += 1

            exercise()

    assert sent["operations"] >= 49
    assert sent["requests"] >= MINIMUM_REQUESTS, sent
