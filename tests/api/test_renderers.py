"""Formats besides JSON: CSV for lists, BibTeX for papers, iCalendar for deadlines."""

import csv
import io

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "endpoint",
    ["topics", "conferences", "editions", "deadlines", "courses", "books", "papers", "communities"],
)
def test_every_list_comes_as_csv(endpoint, api, catalogue):
    response = api.get(f"/api/v1/{endpoint}/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(rows(response)) == 1
    assert response["X-Total-Count"] == "1"


def test_csv_columns_are_flat(api, catalogue):
    response = api.get("/api/v1/papers/", HTTP_ACCEPT="text/csv")
    (paper,) = rows(response)
    assert paper["slug"] == "attention"
    assert paper["authors"] == "Ada Lovelace; Alan Turing"
    assert paper["topics"] == "transformers"
    assert paper["venue_edition"] == str(catalogue["edition"].pk)


def test_csv_defuses_spreadsheet_formulas(api, catalogue):
    factories.PaperFactory(slug="formula", title='=HYPERLINK("http://evil")', year=1999)
    titles = [row["title"] for row in rows(api.get("/api/v1/papers/", {"format": "csv", "year": 1999}))]
    assert titles == ['\'=HYPERLINK("http://evil")']


def test_an_empty_csv_list_still_has_its_header(api, db):
    response = api.get("/api/v1/papers/", {"format": "csv"})
    assert response.content.decode().splitlines()[0].startswith("slug,title,authors,year")


def test_csv_pages_link_to_the_next_page(api, catalogue):
    for _ in range(3):
        factories.PaperFactory()
    response = api.get("/api/v1/papers/", {"format": "csv", "page_size": 2})
    assert len(rows(response)) == 2
    assert 'rel="next"' in response["Link"]
    assert response["X-Total-Count"] == "4"


def test_papers_as_bibtex_by_accept_header_and_by_format(api, catalogue):
    by_header = api.get("/api/v1/papers/", HTTP_ACCEPT="application/x-bibtex")
    by_format = api.get("/api/v1/papers/?format=bibtex")
    assert by_header.status_code == by_format.status_code == 200
    assert by_header["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert by_header.content == by_format.content
    text = by_header.content.decode()
    assert text.startswith("@inproceedings{paper")
    assert "eprint = {1706.03762}" in text


def test_one_paper_as_bibtex(api, catalogue):
    response = api.get("/api/v1/papers/attention/?format=bibtex")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("@") == 1
    assert "title = {Attention Is All You Need}" in text


def test_bibtex_of_a_list_runs_a_bounded_number_of_queries(api, catalogue, django_assert_num_queries):
    for _ in range(10):
        factories.PaperFactory(venue_edition=catalogue["edition"])
    # the ETag aggregate; the page with each paper's venue edition and series
    with django_assert_num_queries(2):
        response = api.get("/api/v1/papers/?format=bibtex&page_size=100")
    assert response.content.decode().count("@inproceedings") == 11


def test_books_as_bibtex_in_a_bounded_number_of_queries(api, catalogue, django_assert_num_queries):
    for _ in range(5):
        factories.BookFactory()
    # the ETag aggregate; the page of books
    with django_assert_num_queries(2):
        response = api.get("/api/v1/books/?format=bibtex&page_size=100")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    text = response.content.decode()
    assert text.count("@book{") == 6
    assert "title = {Deep Learning}" in text
    one = api.get("/api/v1/books/deep-learning/?format=bibtex").content.decode()
    assert one.count("@book{") == 1


def test_deadlines_as_icalendar(api, catalogue):
    response = api.get("/api/v1/deadlines/", {"format": "ics"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR")
    assert "DTSTART:20261215T115959Z" in text
    assert "X-WR-CALNAME:AI conference deadlines" in text


def test_a_calendar_is_one_document_not_a_page(api, catalogue, django_assert_num_queries):
    for n in range(30):
        factories.DeadlineFactory(edition=catalogue["edition"], label=f"Round {n}")
    # the deadlines with edition and series, all in one query
    with django_assert_num_queries(1):
        response = api.get(
            "/api/v1/deadlines/", {"format": "ics", "when": "upcoming"}, HTTP_ACCEPT="text/calendar"
        )
    assert response.content.decode().count("BEGIN:VEVENT") == 31


def test_errors_stay_json_whatever_the_format(api, catalogue):
    response = api.get("/api/v1/papers/nope/?format=bibtex")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    response = api.get("/api/v1/papers/?format=csv&year=abc")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"year": ["Enter a whole number."]}


def test_no_matching_paper_is_still_a_bibtex_document(api, catalogue):
    response = api.get("/api/v1/papers/?format=bibtex&year=1999")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response.content.decode().startswith("%")
