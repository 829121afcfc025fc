"""The curated catalogue files, checked without a database: identifiers, counts, references,
descriptions, URLs and every resource the founding document names."""

import re
from collections import Counter

import pytest
import yaml

from resources import validators
from resources.importers import catalogue
from resources.importers.base import EntryError
from resources.importers.catalogue import paper_venue_year

CJK = re.compile(r"[\u4e00-\u9fff]")
URL_KEYS = {"url", "pdf_url", "code_url", "free_url", "homepage"}


def read(name: str) -> list[dict]:
    document = yaml.safe_load((catalogue.CATALOGUE_DIR / f"{name}.yml").read_text(encoding="utf-8"))
    assert list(document) == [name]
    return document[name]


TOPICS = read("topics")
CONFERENCES = read("conferences")
PAPERS = read("papers")
BOOKS = read("books")
COURSES = read("courses")
COMMUNITIES = read("communities")
ITEMS = {"conferences": CONFERENCES, "papers": PAPERS, "books": BOOKS, "courses": COURSES}
ITEMS["communities"] = COMMUNITIES
SCHEMAS = {
    "topics": (TOPICS, catalogue.TOPIC_FIELDS, catalogue.TOPIC_REQUIRED),
    "conferences": (CONFERENCES, catalogue.SERIES_FIELDS, catalogue.SERIES_REQUIRED),
    "papers": (PAPERS, catalogue.PAPER_FIELDS, catalogue.PAPER_REQUIRED),
    "books": (BOOKS, catalogue.BOOK_FIELDS, catalogue.BOOK_REQUIRED),
    "courses": (COURSES, catalogue.COURSE_FIELDS, catalogue.COURSE_REQUIRED),
    "communities": (COMMUNITIES, catalogue.COMMUNITY_FIELDS, catalogue.COMMUNITY_REQUIRED),
}


def by(entries: list[dict], key: str) -> dict:
    return {entry[key]: entry for entry in entries}


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_entry_has_the_keys_and_types_the_loader_accepts(name):
    entries, fields, required = SCHEMAS[name]
    for index, raw in enumerate(entries):
        try:
            catalogue.Entry(raw, f"{name} #{index + 1}", fields, required)
        except EntryError as exc:
            pytest.fail(str(exc))


def test_counts_meet_the_issue():
    assert len([p for p in PAPERS if p.get("arxiv")]) >= 40
    assert len(COURSES) >= 12
    assert len(BOOKS) >= 10
    assert len(COMMUNITIES) >= 10
    assert len([c for c in COMMUNITIES if c["language"].startswith("zh")]) >= 2


def test_arxiv_ids_are_valid_bare_unique_and_the_year_is_the_venues():
    ids = [paper["arxiv"] for paper in PAPERS]
    assert all(isinstance(i, str) for i in ids)
    assert [validators.normalize_arxiv_id(i) for i in ids] == ids
    assert not [i for i, n in Counter(ids).items() if n > 1]
    for paper in PAPERS:
        assert "v" not in paper["arxiv"], paper["arxiv"]
        # The venue's year where the venue names one (BERT: NAACL 2019, on arXiv in 2018), else
        # the year of the arXiv id.
        venue_year = paper_venue_year(paper.get("venue", ""))
        assert paper["year"] == (venue_year or 2000 + int(paper["arxiv"][:2])), paper["arxiv"]
        assert paper["year"] >= 2000 + int(paper["arxiv"][:2]), paper["arxiv"]
    assert ids == sorted(ids), "papers.yml is kept in arXiv-id order"


def test_dois_are_bare_and_valid():
    for paper in PAPERS:
        if paper.get("doi"):
            validators.validate_doi(paper["doi"])


def test_papers_have_complete_author_lists_and_cite_papers_in_the_catalogue():
    ids = {paper["arxiv"] for paper in PAPERS}
    for paper in PAPERS:
        authors = paper["authors"]
        assert authors and all(isinstance(a, str) and a.strip() for a in authors), paper["arxiv"]
        assert len(set(authors)) == len(authors), paper["arxiv"]
        assert not {a.lower() for a in authors} & {"others", "et al.", "et al"}, paper["arxiv"]
        cites = paper.get("cites", [])
        assert len(set(cites)) == len(cites), paper["arxiv"]
        assert set(cites) <= ids, (paper["arxiv"], set(cites) - ids)
        assert paper["arxiv"] not in cites
    # Spot checks of author lists that are long or often miscited.
    papers = by(PAPERS, "arxiv")
    assert len(papers["2005.14165"]["authors"]) == 31
    assert len(papers["2307.09288"]["authors"]) == 68
    assert papers["1706.03762"]["authors"][0] == "Ashish Vaswani"
    assert papers["1706.03762"]["authors"][-1] == "Illia Polosukhin"
    assert "1706.03762" in papers["1810.04805"]["cites"]
    assert {"1706.03762", "1512.03385"} <= set(papers["2010.11929"]["cites"])


def test_isbns_pass_the_checksum_and_are_unique():
    isbns = [validators.normalize_isbn(book["isbn"]) for book in BOOKS if book.get("isbn")]
    assert len(isbns) >= 10
    assert all(len(i) == 13 for i in isbns)
    assert not [i for i, n in Counter(isbns).items() if n > 1]
    assert len({book["slug"] for book in BOOKS}) == len(BOOKS)


def test_every_topic_slug_referenced_exists_and_parents_come_first():
    defined = []
    for topic in TOPICS:
        assert not topic.get("parent") or topic["parent"] in defined, topic["slug"]
        defined.append(topic["slug"])
    assert len(set(defined)) == len(defined)
    for name, entries in ITEMS.items():
        for entry in entries:
            assert entry["topics"], (name, entry)
            assert set(entry["topics"]) <= set(defined), (name, set(entry["topics"]) - set(defined))


@pytest.mark.parametrize("name", ["topics", *ITEMS])
def test_every_entry_has_both_descriptions(name):
    entries = SCHEMAS[name][0]
    for entry in entries:
        english, chinese = entry["description_en"].strip(), entry["description_zh"].strip()
        assert english and chinese, entry
        assert not CJK.search(english), english
        assert CJK.search(chinese), chinese
        assert english != chinese


def test_urls_are_https():
    def urls(entry):
        for key, value in entry.items():
            if key in URL_KEYS and value:
                yield value
            if isinstance(value, dict):
                yield from urls(value)

    for name, entries in ITEMS.items():
        for entry in entries:
            for url in urls(entry):
                assert url.startswith("https://"), (name, url)
                validators.validate_web_url(url)


def test_the_founding_documents_conferences_are_present():
    series = by(CONFERENCES, "short_name")
    assert {"NeurIPS", "ICML", "CVPR", "ECCV", "AAAI"} <= set(series)
    industry = {name: s["defaults"] for name, s in series.items() if s["defaults"].get("kind") == "industry"}
    assert "PyCon US" in industry
    assert "TensorFlow Dev Summit" in industry
    assert "2020" in series["TensorFlow Dev Summit"]["description_en"]
    assert any(d.get("field") == "NLP" for d in industry.values()), "an industry NLP conference"


def test_the_founding_documents_courses_are_present_and_right():
    courses = by(COURSES, "title")
    dls = courses["Deep Learning Specialization"]
    assert "Coursera" in dls["provider"] and "DeepLearning.AI" in dls["provider"]
    assert "Andrew Ng" in dls["instructors"]
    fastai = courses["Practical Deep Learning for Coders"]
    assert fastai["provider"] == "fast.ai"
    assert fastai["url"].startswith("https://course.fast.ai")
    assert fastai["free"] is True
    assert "edx" not in fastai["url"].lower()
    udacity = courses["Natural Language Processing Nanodegree"]
    assert udacity["provider"] == "Udacity"


def test_the_founding_documents_books_are_present_and_right():
    books = {validators.normalize_isbn(b["isbn"]): b for b in BOOKS if b.get("isbn")}
    deep_learning = books["9780262035613"]
    assert deep_learning["title"] == "Deep Learning"
    assert deep_learning["authors"] == ["Ian Goodfellow", "Yoshua Bengio", "Aaron Courville"]
    assert (deep_learning["publisher"], deep_learning["year"]) == ("MIT Press", 2016)
    fsnlp = books["9780262133609"]
    assert fsnlp["title"] == "Foundations of Statistical Natural Language Processing"
    assert fsnlp["authors"] == ["Christopher D. Manning", "Hinrich Schütze"]
    assert (fsnlp["publisher"], fsnlp["year"]) == ("MIT Press", 1999)
    opencv = books["9780596516130"]
    assert opencv["title"].startswith("Learning OpenCV")
    assert opencv["authors"] == ["Gary Bradski", "Adrian Kaehler"]
    assert (opencv["publisher"], opencv["year"]) == ("O'Reilly Media", 2008)


def test_the_founding_documents_papers_are_present():
    papers = by(PAPERS, "arxiv")
    assert papers["1706.03762"]["title"] == "Attention Is All You Need"
    assert papers["1810.04805"]["title"].startswith("BERT: Pre-training of Deep Bidirectional Transformers")
    assert papers["1512.03385"]["title"] == "Deep Residual Learning for Image Recognition"


def test_the_founding_documents_communities_are_present():
    names = {c["name"] for c in COMMUNITIES}
    assert {"Stack Overflow", "GitHub", "r/MachineLearning"} <= names
    assert "Papers with Code" not in names, "shut down in 2025"
