"""Every list and detail page runs the same number of queries with 10 rows as with 500.

The module builds 10 rows of every kind with bulk_create (tests/web/bulk.py) and asserts each
page's query count; then it grows the catalogue to 500 rows and asserts the same count again. The
subjects of the detail pages (conf-0, paper-0, topic-0, ...) grow with it: 500 deadlines,
citations, items on the topic. An anonymous visitor: no session or user query.

The rows are built once for the module (not once per page: 0.55 s each time), inside a
transaction rolled back when the module ends; each test runs in a savepoint within it. The tests
on 500 rows come after those on 10 in the file, and each test checks which size it sees.
"""

import pytest
from django.db import transaction

from resources.models import Paper
from tests.web.bulk import build

pytestmark = pytest.mark.django_db

# page: (url, number of queries) — the comment lists them, in order.
PAGES = {
    # upcoming deadlines with their edition and series; newest papers; their topics; topics; the
    # topic counts, one grouped query per type (cached afterwards); featured tutorials (read by a
    # template tag while the page renders)
    "home": ("/", 10),
    # topics and fields for the filter form; count of deadlines; the page of deadlines with edition and
    # series; the paper deadlines of every series, for the expected ones
    "deadlines": ("/deadlines/", 5),
    "past deadlines": ("/deadlines/?when=past&rank=A&field=NLP", 4),
    # count; topic facet; all topics (labels); year facet; rank facet; kind facet; the page; its topics
    # (every series here has a deadline ahead; one more query reads the paper deadlines of those
    # without, for their expected ones: tests/resources/test_estimates.py)
    "conferences": ("/conferences/", 8),
    # series; its topics; editions; their deadlines; acceptance rates; its paper deadlines (for the
    # expected next one); papers at the series; their topics
    "conference": ("/conferences/conf-0/", 8),
    # edition with series; its deadlines; their history; count of papers; the page of papers with
    # venue; their topics
    "edition": ("/conferences/conf-0/1950/", 6),
    # count; topic facet; all topics; year facet; rank facet; the page; its topics
    "papers": ("/papers/", 7),
    # the same, the topics read first to check the topic filter
    "papers filtered": ("/papers/?topic=topic-0&year=2001&sort=title&per_page=50&page=1", 7),
    # paper with venue and citation counts; topics; cites; cited by; papers, books, courses on the
    # topics; tutorials on the topics; tutorials about the paper
    # related across the catalogue (resources.related): the vector index; the tutorials on the
    # paper; the linked papers; their topics
    "paper": ("/papers/paper-0/", 13),
    # count; topic facet; all topics; year, language and free facets; the page; its topics
    "books": ("/books/", 8),
    # book; topics; papers, books, courses and tutorials on its topics
    # related across the catalogue: the vector index; the tutorials citing it
    "book": ("/books/book-0/", 8),
    # topics (filter check); count; topic facet; level, language and price facets; the page; its topics
    "courses": ("/courses/?level=beginner&language=zh&free=1", 8),
    "course": ("/courses/course-0/", 8),
    # count; topic facet; all topics; kind and language facets; the page; its topics
    "communities": ("/communities/", 7),
    # related across the catalogue: the vector index
    "community": ("/communities/community-0/", 7),
    # topics; the topic counts, one grouped query per type (cached afterwards)
    "topics": ("/topics/", 6),
    # topic with parent; children; the topic counts (5); first conferences, papers, books,
    # courses, communities and tutorials on it
    "topic": ("/topics/topic-0/", 13),
    # papers: the ranked ids of the first page, the capped count, the page's rows; books, courses
    # and communities: the ranked page's rows, the capped count; conferences (no match): the
    # ranked page only; tutorials (none): the ranked page; topics
    # hybrid (the default) reads the vector index first: empty here, so keyword, and no model load
    "search": ("/search/?q=attention", 13),
    # page 2 asked for: the capped count, the ranked ids of the page, its rows
    "search one type": ("/search/?q=attention&type=papers&page=2", 4),
    # topics (filter check); the papers with their venue
    "papers.bib": ("/papers.bib?topic=topic-0", 2),
    # count; the page of the sitemap
    "sitemap": ("/sitemap-papers.xml", 2),
}


@pytest.fixture(scope="module")
def ten_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        build(10)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def five_hundred_rows(ten_rows, django_db_blocker):
    with django_db_blocker.unblock():
        build(500, start=10)


@pytest.mark.parametrize("name", list(PAGES))
def test_query_count_with_10_rows(ten_rows, client, django_assert_num_queries, name):
    assert Paper.objects.count() == 10, "a test on 500 rows ran before this one"
    url, queries = PAGES[name]
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", list(PAGES))
def test_the_same_query_count_with_500_rows(five_hundred_rows, client, django_assert_num_queries, name):
    assert Paper.objects.count() == 500
    url, queries = PAGES[name]
    # The cache starts empty (tests/conftest.py), so the topic counts are computed here too.
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
