"""What Schemathesis found against the real server (benchmarks/api_fuzz.py), kept as plain tests."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/api/v1/papers/?format=bibtex", "/api/v1/deadlines/?format=ics", "/api/v1/books/?format=csv"],
)
def test_options_with_a_text_format_describes_the_endpoint_in_json(api, url):
    """It was a 500: the BibTeX and iCalendar renderers were handed the description instead of items."""
    factories.PaperFactory(slug="attention")
    for address in (url, url.replace("/?", "/attention/?") if "papers" in url else url):
        response = api.options(address)
        assert response.status_code == 200, address
        assert response["Content-Type"].startswith("application/json")
        assert "name" in response.json()


def test_search_with_a_format_it_does_not_offer_is_a_documented_404(api, client):
    response = api.get("/api/v1/search/", {"q": "x", "format": "bibtex"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "404" in schema["paths"]["/api/v1/search/"]["get"]["responses"]


@pytest.mark.parametrize("path", ["/api/v1/runs/a%0D%0Ab/", "/api/v1/nothing%0A/", "/api/v1/papers/x%0Ay/"])
def test_an_address_with_a_line_break_is_the_json_404(api, path):
    """It was Django's HTML 404 page: the catch-all's "." did not match the decoded line break."""
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_an_edition_without_a_link_keeps_to_the_schema(api):
    """It broke the schema: a conference's nested editions declared ``link`` a URI, and "" is none."""
    import schemathesis
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from portal.wsgi import application
    from tests.helpers import same_connection_for_every_request

    series = factories.ConferenceSeriesFactory(slug="neurips")
    factories.ConferenceEditionFactory(series=series, year=2026, link="")
    with same_connection_for_every_request():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
        operation = schema["/api/v1/conferences/{slug}/"]["GET"]
        case = operation.Case(path_parameters={"slug": "neurips"})
        response = case.call()
        assert response.status_code == 200
        assert response.json()["editions"][0]["link"] == ""
        case.validate_response(response, checks=[response_schema_conformance])
