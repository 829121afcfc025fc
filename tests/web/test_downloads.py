"""BibTeX downloads and the sitemap parse back."""

import xml.etree.ElementTree as ET

import pytest

from resources import bibtex
from tests import factories

pytestmark = pytest.mark.django_db


def test_one_paper_as_bibtex(client, site_catalogue):
    response = client.get("/papers/attention-is-all-you-need.bib")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    [entry] = bibtex.parse(response.content.decode())
    assert entry.key == "vaswani2017attention"
    assert entry.text("title") == "Attention Is All You Need"
    assert entry.text("eprint") == "1706.03762"


def test_filtered_papers_as_bibtex(client, site_catalogue):
    text = client.get("/papers.bib?topic=transformers").content.decode()
    assert [e.text("title") for e in bibtex.parse(text)] == ["Attention Is All You Need"]
    everything = bibtex.parse(client.get("/papers.bib?sort=title").content.decode())
    assert len(everything) == 3  # the draft is left out
    assert [e.text("title") for e in everything] == sorted(e.text("title") for e in everything)


def test_bad_bibtex_filter_is_a_400(client, site_catalogue):
    response = client.get("/papers.bib?year=soon")
    assert response.status_code == 400
    assert "is not a year" in response.content.decode()


def test_paper_list_links_its_bibtex(client, site_catalogue):
    html = client.get("/papers/?topic=transformers&page=1").content.decode()
    assert 'href="/papers.bib?topic=transformers"' in html


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_xml(content: bytes):
    return ET.fromstring(content)  # noqa: S314 (the portal's own sitemap)


def test_sitemap_lists_every_published_page(client, site_catalogue):
    index = parse_xml(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-papers.xml" in sections
    urls = set()
    for section in sections:
        path = section.removeprefix("http://testserver")
        tree = parse_xml(client.get(path).content)
        urls |= {loc.text.removeprefix("http://testserver") for loc in tree.iter(f"{SITEMAP}loc")}
    for expected in [
        "/",
        "/papers/attention-is-all-you-need/",
        "/conferences/neurips/",
        "/conferences/neurips/2017/",
        "/books/d2l/",
        "/courses/hf-course/",
        "/communities/hf-forums/",
        "/topics/transformers/",
        "/deadlines/",
    ]:
        assert expected in urls
    assert "/papers/draft-paper/" not in urls
    assert "/conferences/secret/" not in urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_sitemap_splits_large_sections(client, db):
    from resources.models import Paper, Status

    Paper.objects.bulk_create(Paper(slug=f"p{i}", title=f"P{i}", status=Status.PUBLISHED) for i in range(3))
    factories.PaperFactory(status=Status.DRAFT)
    tree = parse_xml(client.get("/sitemap-papers.xml").content)
    assert len(list(tree.iter(f"{SITEMAP}loc"))) == 3
