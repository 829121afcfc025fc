"""Formats besides JSON: CSV for lists, BibTeX for papers, iCalendar for deadlines."""

import csv
import io
import re

import pytest

from resources import models
from resources.api import views
from tests import factories

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


@pytest.mark.parametrize(
    "endpoint",
    ["topics", "conferences", "editions", "deadlines", "courses", "books", "papers", "communities"],
)
def test_every_list_comes_as_csv(endpoint, api, api_catalogue):
    response = api.get(f"/api/v1/{endpoint}/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(rows(response)) == 1
    assert response["X-Total-Count"] == "1"


def test_csv_columns_are_flat(api, api_catalogue):
    response = api.get("/api/v1/papers/", HTTP_ACCEPT="text/csv")
    (paper,) = rows(response)
    assert paper["slug"] == "attention"
    assert paper["authors"] == "Ada Lovelace; Alan Turing"
    assert paper["topics"] == "transformers"
    assert paper["venue_edition"] == str(api_catalogue["edition"].pk)


def test_csv_defuses_spreadsheet_formulas(api, api_catalogue):
    factories.PaperFactory(slug="formula", title='=HYPERLINK("http://evil")', year=1999)
    titles = [row["title"] for row in rows(api.get("/api/v1/papers/", {"format": "csv", "year": 1999}))]
    assert titles == ['\'=HYPERLINK("http://evil")']


def test_an_empty_csv_list_still_has_its_header(api, db):
    response = api.get("/api/v1/papers/", {"format": "csv"})
    assert response.getvalue().decode().splitlines()[0].startswith("slug,title,authors,year")


def test_csv_pages_link_to_the_next_page(api, api_catalogue):
    for _ in range(3):
        factories.PaperFactory()
    response = api.get("/api/v1/papers/", {"format": "csv", "page_size": 2})
    assert len(rows(response)) == 2
    assert 'rel="next"' in response["Link"]
    assert response["X-Total-Count"] == "4"


def test_papers_as_bibtex_by_accept_header_and_by_format(api, api_catalogue):
    by_header = api.get("/api/v1/papers/", HTTP_ACCEPT="application/x-bibtex")
    by_format = api.get("/api/v1/papers/?format=bibtex")
    assert by_header.status_code == by_format.status_code == 200
    assert by_header["Content-Type"] == "application/x-bibtex; charset=utf-8"
    text = by_header.getvalue().decode()
    assert by_format.getvalue().decode() == text
    assert text.startswith("@inproceedings{paper")
    assert "eprint = {1706.03762}" in text


def test_one_paper_as_bibtex(api, api_catalogue):
    response = api.get("/api/v1/papers/attention/?format=bibtex")
    assert response.status_code == 200
    text = response.getvalue().decode()
    assert text.count("@") == 1
    assert "title = {Attention Is All You Need}" in text


def test_bibtex_of_a_list_runs_a_bounded_number_of_queries(api, api_catalogue, django_assert_num_queries):
    for _ in range(10):
        factories.PaperFactory(venue_edition=api_catalogue["edition"])
    # the ETag aggregate; the page with each paper's venue edition and series
    with django_assert_num_queries(2):
        response = api.get("/api/v1/papers/?format=bibtex&page_size=100")
    assert response.getvalue().decode().count("@inproceedings") == 11


def test_books_as_bibtex_in_a_bounded_number_of_queries(api, api_catalogue, django_assert_num_queries):
    for _ in range(5):
        factories.BookFactory()
    # the ETag aggregate; the page of books
    with django_assert_num_queries(2):
        response = api.get("/api/v1/books/?format=bibtex&page_size=100")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    text = response.getvalue().decode()
    assert text.count("@book{") == 6
    assert "title = {Deep Learning}" in text
    one = api.get("/api/v1/books/deep-learning/?format=bibtex").getvalue().decode()
    assert one.count("@book{") == 1


def test_deadlines_as_icalendar(api, api_catalogue):
    response = api.get("/api/v1/deadlines/", {"format": "ics"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.getvalue().decode()
    assert text.startswith("BEGIN:VCALENDAR")
    assert "DTSTART:20261215T115959Z" in text
    assert "X-WR-CALNAME:AI conference deadlines" in text


def test_a_calendar_is_one_document_not_a_page(api, api_catalogue, django_assert_num_queries):
    for n in range(30):
        factories.DeadlineFactory(edition=api_catalogue["edition"], label=f"Round {n}")
    # the count; the deadlines with edition and series, in one query read as the body streams
    with django_assert_num_queries(2):
        response = api.get(
            "/api/v1/deadlines/", {"format": "ics", "when": "upcoming"}, HTTP_ACCEPT="text/calendar"
        )
        text = response.getvalue().decode()
    assert response.streaming
    assert text.count("BEGIN:VEVENT") == 31
    assert text.rstrip().endswith("END:VCALENDAR")


def test_errors_stay_json_whatever_the_format(api, api_catalogue):
    response = api.get("/api/v1/papers/nope/?format=bibtex")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    response = api.get("/api/v1/papers/?format=csv&year=abc")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"year": ["Enter a whole number."]}


def test_no_matching_paper_is_still_a_bibtex_document(api, api_catalogue):
    response = api.get("/api/v1/papers/?format=bibtex&year=1999")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response.getvalue().decode().startswith("%")


# --- downloads: a list in a text format without page parameters is the whole list, streamed ---


def _papers(api_catalogue, n):
    for _ in range(n):
        factories.PaperFactory(venue_edition=api_catalogue["edition"]).topics.add(api_catalogue["topic"])


def _books(api_catalogue, n):
    for _ in range(n):
        factories.BookFactory()


def _deadlines(api_catalogue, n):
    start = models.Deadline.objects.count()
    for number in range(start, start + n):
        factories.DeadlineFactory(edition=api_catalogue["edition"], label=f"Round {number}")


def _entries(text):
    return len(re.findall(r"^@\w+\{", text, flags=re.MULTILINE))


def _csv_rows(text):
    return len(list(csv.DictReader(io.StringIO(text))))


def _events(text):
    return text.count("BEGIN:VEVENT")


DOWNLOADS = {
    # the ETag aggregate (with the count); the stored keys; the papers with their venues
    "papers-bibtex": ("papers", "bibtex", _papers, _entries, 3),
    # the ETag aggregate; the papers; their topic slugs (one query per 500 rows)
    "papers-csv": ("papers", "csv", _papers, _csv_rows, 3),
    # the ETag aggregate; the books (books have no stored keys to reserve)
    "books-bibtex": ("books", "bibtex", _books, _entries, 2),
    # the count; the deadlines with edition and series
    "deadlines-ics": ("deadlines", "ics", _deadlines, _events, 2),
    # the count; the deadlines with edition and series, as rows
    "deadlines-csv": ("deadlines", "csv", _deadlines, _csv_rows, 2),
}


@pytest.mark.parametrize("case", list(DOWNLOADS))
def test_a_download_is_the_whole_list_in_the_same_number_of_queries(
    case, api, api_catalogue, django_assert_max_num_queries
):
    endpoint, fmt, make, count, queries = DOWNLOADS[case]
    already = 1  # the catalogue fixture's one published item
    for n in (25, 75):  # N, then 3N: more than a page (20), the same number of queries
        make(api_catalogue, n - already)
        already = n
        with django_assert_max_num_queries(queries):
            response = api.get(f"/api/v1/{endpoint}/", {"format": fmt})
            text = response.getvalue().decode()
        assert response.status_code == 200
        assert response.streaming
        assert response["X-Total-Count"] == str(n)
        assert not response.has_header("Link")
        assert count(text) == n


def test_a_download_stops_at_its_limit_and_says_so(api, api_catalogue, monkeypatch):
    _papers(api_catalogue, 6)
    monkeypatch.setattr(views, "MAX_DOWNLOAD_ITEMS", 5)
    response = api.get("/api/v1/papers/", {"format": "bibtex"})
    assert _entries(response.getvalue().decode()) == 5
    assert response["X-Total-Count"] == "7"
    assert response["X-Download-Limit"] == "5"


def test_a_download_keeps_the_filters_and_json_stays_paged(api, api_catalogue):
    _papers(api_catalogue, 30)
    factories.PaperFactory(year=1999)
    filtered = api.get("/api/v1/papers/", {"format": "csv", "year": 1999}).getvalue().decode()
    assert _csv_rows(filtered) == 1
    page = api.get("/api/v1/papers/").json()
    assert page["count"] == 32
    assert len(page["results"]) == 20


def test_a_download_keeps_its_etag(api, api_catalogue):
    first = api.get("/api/v1/papers/", {"format": "bibtex"})
    assert first["ETag"]
    again = api.get("/api/v1/papers/", {"format": "bibtex"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
