"""List pages: facet counts, filters, sorting and pagination from the query string; bad values
give a message and the whole list, never an error page."""

import pytest

from resources.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers(db):
    nlp = factories.TopicFactory(slug="nlp", name_en="NLP")
    vision = factories.TopicFactory(slug="vision", name_en="Vision")
    a_series = factories.ConferenceSeriesFactory(short_name="ACL", slug="acl", ccf_rank="A")
    b_series = factories.ConferenceSeriesFactory(short_name="COLING", slug="coling", ccf_rank="B")
    a_edition = factories.ConferenceEditionFactory(series=a_series, year=2020)
    b_edition = factories.ConferenceEditionFactory(series=b_series, year=2020)
    made = []
    for i in range(25):
        paper = factories.PaperFactory(
            title=f"Paper {i:02d}",
            year=2018 + i % 3,
            venue_edition=a_edition if i % 2 else b_edition,
        )
        paper.topics.add(nlp if i < 20 else vision)
        made.append(paper)
    factories.PaperFactory(title="Draft", status=Status.DRAFT, year=2018).topics.add(nlp)
    return made


def facet(response, name):
    return next(f for f in response.context["facets"] if f.name == name)


def test_facets_count_each_value(client, papers):
    response = client.get("/papers/")
    assert response.context["page_obj"].paginator.count == 25
    topics = {o.value: o.count for o in facet(response, "topic").options}
    assert topics == {"nlp": 20, "vision": 5}
    years = {o.value: o.count for o in facet(response, "year").options}
    assert years == {"2018": 9, "2019": 8, "2020": 8}
    ranks = {o.value: o.count for o in facet(response, "rank").options}
    assert ranks == {"A": 12, "B": 13}


def test_filters_combine_and_facets_count_the_other_filters(client, papers):
    response = client.get("/papers/?topic=vision&year=2020")
    titles = [p.title for p in response.context["items"]]
    assert titles == ["Paper 20", "Paper 23"]
    # The topic facet counts with the year filter only, so another topic can be chosen.
    assert {o.value: o.count for o in facet(response, "topic").options} == {"nlp": 6, "vision": 2}
    chosen = [o for o in facet(response, "topic").options if o.selected]
    assert [o.value for o in chosen] == ["vision"]
    html = response.content.decode()
    assert 'href="?year=2020"' in html  # removing the topic keeps the year
    assert 'href="?topic=nlp&amp;year=2020"' in html


def test_sorting_and_page_size_are_in_the_url(client, papers):
    response = client.get("/papers/?sort=title&per_page=5&page=2")
    assert [p.title for p in response.context["items"]] == [f"Paper {i:02d}" for i in range(5, 10)]
    assert response.context["page_obj"].paginator.num_pages == 5
    html = response.content.decode()
    assert 'href="?sort=title&amp;per_page=5&amp;page=3"' in html
    assert '<option value="title" selected>' in html
    oldest = client.get("/papers/?sort=oldest").context["items"]
    assert oldest[0].year == 2018


def test_page_size_is_capped(client, papers):
    factories.PaperFactory.create_batch(110, year=2001)
    response = client.get("/papers/?per_page=100000")
    assert len(response.context["items"]) == 100


@pytest.mark.parametrize(
    "query, message",
    [
        ("topic=nope", "There is no topic “nope”"),
        ("year=abc", "“abc” is not a year"),
        ("year=99999999999999999999", "is not a year"),
        ("rank=Z", "“Z” is not a valid venue rank"),
        ("sort=random", "“random” is not a way to sort"),
        ("per_page=-3", "“-3” is not a page size"),
        ("page=x", "“x” is not a page number"),
        ("page=999", "There is no page 999"),
        ("page=0", "There is no page 0"),
    ],
)
def test_bad_values_give_a_message_and_the_whole_list(client, papers, query, message):
    response = client.get(f"/papers/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert response.context["page_obj"].paginator.count == 25


@pytest.mark.parametrize(
    "url",
    [
        "/courses/?level=expert&language=%3Cscript%3E&free=maybe&topic=%00",
        "/books/?year=-1&language=12&free=2",
        "/communities/?kind=x&language=zz-zz-zz-zz",
        "/conferences/?rank=A%2B&kind=nope&year=1800&sort=%27",
        "/deadlines/?when=tomorrow&rank=Q&field=nowhere&topic=nope&page=-1",
        "/search/?q=x&type=nope&per_page=abc&page=abc",
        "/conferences/neurips/2017/?page=9",
    ],
)
def test_no_bad_value_is_a_server_error(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert "<script>" not in response.content.decode()


def test_course_filters(client):
    free = factories.CourseFactory(title="Free Chinese", level="beginner", languages=["zh"], is_free=True)
    factories.CourseFactory(title="Paid English", level="advanced", languages=["en"], is_free=False)
    factories.CourseFactory(title="Both", level="beginner", languages=["en", "zh"], is_free=False)
    response = client.get("/courses/?level=beginner&language=zh&free=1")
    assert list(response.context["items"]) == [free]
    everything = client.get("/courses/")
    assert {o.value: o.count for o in facet(everything, "language").options} == {"zh": 2, "en": 2}
    assert {o.value: o.count for o in facet(everything, "level").options} == {"beginner": 2, "advanced": 1}
    assert {o.value: o.count for o in facet(everything, "free").options} == {"1": 1, "0": 2}
    by_level = [c.title for c in client.get("/courses/?sort=level").context["items"]]
    assert by_level == ["Both", "Free Chinese", "Paid English"]


def test_book_and_community_filters(client):
    free = factories.BookFactory(
        title="Free book", free_url="https://example.org/book", language="en", year=2020
    )
    factories.BookFactory(title="中文书", language="zh", year=2021)
    assert list(client.get("/books/?free=yes").context["items"]) == [free]
    assert [b.title for b in client.get("/books/?language=zh").context["items"]] == ["中文书"]
    assert [b.title for b in client.get("/books/?sort=newest").context["items"]] == ["中文书", "Free book"]
    forum = factories.CommunityFactory(name="A forum", kind="forum")
    factories.CommunityFactory(name="A chat", kind="chat")
    assert list(client.get("/communities/?kind=forum").context["items"]) == [forum]


def test_conference_filters_and_sorts(client):
    nlp = factories.TopicFactory(slug="nlp")
    acl = factories.ConferenceSeriesFactory(short_name="ACL", ccf_rank="A", h5_index=100)
    acl.topics.add(nlp)
    factories.ConferenceEditionFactory(series=acl, year=2025)
    wacv = factories.ConferenceSeriesFactory(short_name="WACV", ccf_rank="", h5_index=300, kind="industry")
    factories.ConferenceSeriesFactory(short_name="COLING", ccf_rank="B")
    assert list(client.get("/conferences/?topic=nlp").context["items"]) == [acl]
    assert list(client.get("/conferences/?year=2025").context["items"]) == [acl]
    assert list(client.get("/conferences/?kind=industry").context["items"]) == [wacv]
    assert [s.short_name for s in client.get("/conferences/?sort=rank").context["items"]] == [
        "ACL",
        "COLING",
        "WACV",
    ]
    assert [s.short_name for s in client.get("/conferences/?sort=h5").context["items"]][:2] == ["WACV", "ACL"]


def test_topic_page_links_to_the_filtered_lists(client):
    topic = factories.TopicFactory(slug="rlhf", name_en="RLHF")
    for paper in factories.PaperFactory.create_batch(15):
        paper.topics.add(topic)
    html = client.get("/topics/rlhf/").content.decode()
    assert 'href="/papers/?topic=rlhf"' in html
    assert "All 15" in html
