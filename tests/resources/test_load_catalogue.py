"""load_catalogue: the curated files load, a second load changes nothing, a bad file changes
nothing, and the no-op load that runs on every start uses a bounded number of queries."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from resources import models
from resources.importers import catalogue
from tests import factories

pytestmark = pytest.mark.django_db


def entries(name: str, folder=catalogue.CATALOGUE_DIR) -> list[dict]:
    return yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))[name]


COUNTS = {name: len(entries(name)) for name in catalogue.FILES}
TOTAL = sum(COUNTS.values())


def load(**kwargs):
    kwargs.setdefault("deadline_paths", [])
    return catalogue.load(**kwargs)


# A small catalogue cut from the real one, for the tests that change or break files.
SMALL = {
    "topics": lambda items: items,
    "conferences": lambda items: [i for i in items if i["short_name"] in {"NeurIPS", "PyCon US"}],
    "papers": lambda items: [i for i in items if i["arxiv"] in {"1409.0473", "1409.3215", "1412.6980"}],
    "books": lambda items: items[:3],
    "courses": lambda items: items[:2],
    "communities": lambda items: items[:2],
}


@pytest.fixture
def data_dir(tmp_path):
    """A small copy of the curated files that a test may change or break."""
    for name, cut in SMALL.items():
        items = cut(entries(name))
        (tmp_path / f"{name}.yml").write_text(
            yaml.safe_dump({name: items}, allow_unicode=True), encoding="utf-8"
        )
    return tmp_path


def rewrite(folder, name: str, change) -> None:
    items = entries(name, folder)
    change(items)
    (folder / f"{name}.yml").write_text(yaml.safe_dump({name: items}, allow_unicode=True), encoding="utf-8")


def by_file(report) -> dict:
    return {path.rsplit("/", 1)[-1].removesuffix(".yml"): f for f in report.files for path in [f.path]}


def small(data_dir, name: str) -> list[dict]:
    return entries(name, data_dir)


def test_the_catalogue_loads_then_a_second_load_changes_nothing_in_a_bounded_number_of_queries(
    django_assert_num_queries,
):
    first = load()
    assert first.ok, first.errors
    assert (first.total("created"), first.total("updated"), first.total("unchanged")) == (TOTAL, 0, 0)

    items = TOTAL - COUNTS["topics"]
    # The outer transactions (load's and the run's): SAVEPOINT, RELEASE (4). Per file:
    # SAVEPOINT, RELEASE and the topics by slug (3 x 6). Per topic: its row (1). Per other
    # entry: its row and its topics
    # (2; a series' topics are compared the same way). Once: the existing keys of papers,
    # books, courses and communities, and the series index (5); the cites of all papers (1).
    expected = 4 + 3 * len(catalogue.FILES) + COUNTS["topics"] + 2 * items + 5 + 1
    with django_assert_num_queries(expected):
        second = load()
    assert second.ok, second.errors
    assert (second.total("created"), second.total("updated"), second.total("unchanged")) == (0, 0, TOTAL)
    assert second.summary() == (
        f"stored: created 0, updated 0, unchanged {TOTAL}, withdrawn 0; warnings 0; errors 0"
    )
    assert expected < 2.5 * TOTAL


def test_counts_and_links_in_the_database_after_a_load():
    load()
    assert models.Topic.objects.count() == COUNTS["topics"]
    assert models.Paper.objects.published().count() == COUNTS["papers"] >= 40
    assert models.Book.objects.published().count() == COUNTS["books"] >= 10
    assert models.Course.objects.published().count() == COUNTS["courses"] >= 12
    assert models.Community.objects.published().count() == COUNTS["communities"] >= 10
    assert models.Community.objects.filter(language__startswith="zh").count() >= 2
    assert models.ConferenceSeries.objects.published().count() == COUNTS["conferences"]

    bert = models.Paper.objects.get(arxiv_id="1810.04805")
    assert bert.doi == "10.18653/v1/N19-1423"
    assert bert.url == "https://arxiv.org/abs/1810.04805"
    assert bert.pdf_url == "https://arxiv.org/pdf/1810.04805"
    assert "1706.03762" in set(bert.cites.values_list("arxiv_id", flat=True))
    assert set(bert.topics.values_list("slug", flat=True)) == {"transformers", "nlp", "llm"}
    transformer = models.Paper.objects.get(arxiv_id="1706.03762")
    assert transformer.authors[6] == "Łukasz Kaiser"
    assert transformer.cited_by.count() >= 10

    book = models.Book.objects.get(isbn13="9780262035613")
    assert (book.title, book.publisher, book.year) == ("Deep Learning", "MIT Press", 2016)
    assert models.Book.objects.get(slug="speech-and-language-processing-3rd-draft").isbn13 == ""
    assert models.Topic.objects.get(slug="llm").parent.slug == "nlp"
    pycon = models.ConferenceSeries.objects.get(short_name="PyCon US")
    assert (pycon.kind, pycon.homepage) == ("industry", "https://us.pycon.org/")
    assert models.Course.objects.get(slug="practical-deep-learning-for-coders").is_free


def test_a_changed_entry_is_updated_in_place(data_dir):
    load(data_dir=data_dir)
    rewrite(data_dir, "papers", lambda items: items[2].update(description_en="A new description."))
    rewrite(data_dir, "papers", lambda items: items[0].pop("cites"))
    report = by_file(load(data_dir=data_dir))
    assert (report["papers"].created, report["papers"].updated, report["papers"].unchanged) == (0, 2, 1)
    assert models.Paper.objects.get(arxiv_id="1412.6980").description_en == "A new description."
    assert not models.Paper.objects.get(arxiv_id="1409.0473").cites.exists()
    assert models.Paper.objects.count() == 3


def test_status_is_set_on_create_only_so_an_unpublished_item_stays_unpublished(data_dir):
    load(data_dir=data_dir)
    models.Paper.objects.filter(arxiv_id="1409.0473").update(status=models.Status.DRAFT)
    report = load(data_dir=data_dir)
    assert report.total("updated") == 0
    assert models.Paper.objects.get(arxiv_id="1409.0473").status == models.Status.DRAFT


def test_an_existing_series_gets_descriptions_and_topics_but_keeps_its_own_fields(data_dir):
    other = factories.TopicFactory(slug="theory-of-everything")
    series = factories.ConferenceSeriesFactory(
        short_name="NeurIPS", full_name="From the deadline data", field="ML", status=models.Status.DRAFT
    )
    series.topics.add(other)
    assert load(data_dir=data_dir).ok
    series.refresh_from_db()
    entry = {e["short_name"]: e for e in entries("conferences")}["NeurIPS"]
    assert series.description_en == entry["description_en"].strip()
    assert (series.full_name, series.field, series.status) == ("From the deadline data", "ML", "draft")
    assert set(series.topics.values_list("slug", flat=True)) == {*entry["topics"], "theory-of-everything"}
    assert models.ConferenceSeries.objects.filter(short_name__iexact="neurips").count() == 1


def test_a_series_spelt_differently_is_matched_not_duplicated(data_dir):
    factories.ConferenceSeriesFactory(short_name="Neurips", slug="neurips-by-dblp", dblp_key="conf/nips")
    factories.ConferenceSeriesFactory(short_name="Py-Con  us", slug="pycon-by-name")
    assert load(data_dir=data_dir).ok
    assert not models.ConferenceSeries.objects.filter(short_name__in=["NeurIPS", "PyCon US"]).exists()
    assert models.ConferenceSeries.objects.get(short_name="Neurips").description_en
    assert models.ConferenceSeries.objects.get(short_name="Py-Con  us").description_zh


def test_an_unknown_topic_stores_nothing(data_dir):
    # The first papers are valid, and so are the other files: the load must still store nothing.
    rewrite(data_dir, "papers", lambda items: items[2]["topics"].append("astrology"))
    report = load(data_dir=data_dir)
    assert not report.ok
    assert report.failed == 1
    [(path, entry, reason)] = report.errors
    assert path.endswith("papers.yml")
    assert entry == "paper #3 (1412.6980)"
    assert reason == (
        "unknown topic slug(s): astrology (define them in topics.yml or add them as topics in the admin)"
    )
    assert not report.stored
    assert models.Paper.objects.count() == 0
    assert models.Book.objects.count() == 0
    assert models.Topic.objects.count() == 0


def test_a_bad_isbn_checksum_stores_nothing(data_dir):
    # The first books are valid: the load must still store nothing.
    rewrite(data_dir, "books", lambda items: items[2].update(isbn="978-0-262-03561-4"))
    report = load(data_dir=data_dir)
    [(path, entry, reason)] = report.errors
    assert path.endswith("books.yml")
    assert entry == f"book #3 ({small(data_dir, 'books')[2]['slug']})"
    assert reason == "isbn: 978-0-262-03561-4: the ISBN-13 checksum is wrong."
    assert models.Book.objects.count() == 0
    assert by_file(report)["books"].created == 0
    assert models.Paper.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("topics", "topics:\n  - slug: [unclosed\n", "not valid YAML (line 3"),
        ("papers", "papers:\n  - arxiv: 2305.18290\n", "arxiv: expected text"),
        ("papers", "- just a list\n", "expected a mapping with a single key 'papers'"),
        ("courses", "courses:\n  - slug: x\n    titel: Typo\n", "unknown key(s): titel"),
    ],
)
def test_broken_files_give_a_clear_error_and_change_nothing(data_dir, name, text, reason):
    (data_dir / f"{name}.yml").write_text(text, encoding="utf-8")
    report = load(data_dir=data_dir)
    failed = [error for error in report.errors if error[0].endswith(f"{name}.yml")]
    assert len(failed) == 1
    assert reason in failed[0][2]
    model = {"topics": models.Topic, "papers": models.Paper, "courses": models.Course}[name]
    assert not model.objects.exists()


def test_cites_of_an_unknown_paper_is_an_error(data_dir):
    rewrite(data_dir, "papers", lambda items: items[0].update(cites=["9912.12345"]))
    report = load(data_dir=data_dir)
    [(_, _, reason)] = report.errors
    assert "cites 9912.12345, which is not in the catalogue" in reason
    assert models.Paper.objects.count() == 0


def test_a_dry_run_reports_and_writes_nothing(data_dir):
    report = load(dry_run=True, data_dir=data_dir)
    assert report.dry_run and report.ok
    assert report.total("created") == sum(len(small(data_dir, name)) for name in catalogue.FILES)
    assert report.summary().startswith("dry run, nothing stored: would have created")
    assert not models.Topic.objects.exists()
    assert not models.Paper.objects.exists()


def test_the_command_prints_a_summary_and_exits_non_zero_on_failure(data_dir):
    total = sum(len(small(data_dir, name)) for name in catalogue.FILES)
    out = StringIO()
    call_command("load_catalogue", "--skip-deadlines", f"--data-dir={data_dir}", stdout=out)
    assert out.getvalue() == (
        f"catalogue: stored: created {total}, updated 0, unchanged 0, withdrawn 0; warnings 0; errors 0\n"
    )

    out, err = StringIO(), StringIO()
    call_command(
        "load_catalogue", "--skip-deadlines", f"--data-dir={data_dir}", "--dry-run", "-v2", stdout=out
    )
    assert f"topics.yml: created 0, updated 0, unchanged {COUNTS['topics']}" in out.getvalue()
    assert f"dry run, nothing stored: would have created 0, updated 0, unchanged {total}" in out.getvalue()

    rewrite(data_dir, "books", lambda items: items[0].update(isbn="123"))
    with pytest.raises(CommandError, match="1 entries rejected in 1 files; nothing was stored"):
        call_command(
            "load_catalogue", "--skip-deadlines", f"--data-dir={data_dir}", stdout=StringIO(), stderr=err
        )
    assert "books.yml: book #1 (" in err.getvalue()
    assert "is not an ISBN" in err.getvalue()


def test_the_full_load_with_the_shipped_deadline_data_is_idempotent():
    first = catalogue.load()
    assert first.ok, first.errors
    assert len(first.files) > len(catalogue.FILES)
    industry = models.ConferenceSeries.objects.filter(kind="industry")
    assert set(industry.values_list("short_name", flat=True)) == {
        "PyCon US",
        "TensorFlow Dev Summit",
        "NLP Summit",
    }
    # Every curated academic series matched one the deadline data created.
    neurips = models.ConferenceSeries.objects.get(short_name="NeurIPS")
    assert neurips.editions.exists() and neurips.description_zh
    second = catalogue.load()
    assert (second.total("created"), second.total("updated")) == (0, 0)
