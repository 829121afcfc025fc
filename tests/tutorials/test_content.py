"""The shipped tutorials load against the real sample catalogue, render their math and resolve every link.

Loading the catalogue takes seconds, so it happens once for the module inside a transaction that
is rolled back at the end; each test runs in a savepoint inside it (pytest-django's ``db``).
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.html import escape

from resources import models as catalogue
from resources.importers.catalogue import load as load_catalogue
from tutorials.importers import CONTENT_DIR, load_tutorials, unconverted_math
from tutorials.models import Tutorial
from tutorials.rendering import render_markdown

SHIPPED = sorted(path.stem for path in CONTENT_DIR.glob("*.yml"))
DEMOS = {
    "neural-networks-and-gradient-descent": "mlp_digits",
    "fine-tuning-bert-for-text-classification": "bert_finetune",
    "attention-and-the-transformer": "tiny_gpt",
}
GUIDES = {
    "application-areas",
    "choosing-a-model",
    "training-and-tuning",
    "interpretability-lime-and-shap",
    "trends-and-challenges",
}
HREF = re.compile(r'href="([^"]*)"')


def header(slug: str) -> dict:
    return yaml.safe_load((CONTENT_DIR / f"{slug}.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The sample catalogue and the shipped tutorials, loaded twice; rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            catalogue_report = load_catalogue(deadline_paths=[])
            assert catalogue_report.ok, catalogue_report.errors
            reports = (load_tutorials(), load_tutorials())
            yield reports
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def reports(loaded, db):
    # Messages in English, whatever language the last request of a test activated.
    with translation.override("en"):
        yield loaded


def test_the_shipped_set(reports):
    assert set(SHIPPED) == set(DEMOS) | GUIDES


def test_every_file_loads_on_the_first_run(reports):
    first, _ = reports
    assert first.ok, first.errors
    assert (first.total("created"), first.total("updated"), first.failed) == (len(SHIPPED), 0, 0)
    assert sorted(Tutorial.objects.published().values_list("slug", flat=True)) == SHIPPED


def test_the_second_load_changes_nothing(reports):
    _, second = reports
    assert second.ok, second.errors
    assert (second.total("created"), second.total("updated"), second.total("unchanged")) == (
        0,
        0,
        len(SHIPPED),
    )


def test_demos_and_featured_tutorials(reports):
    tutorials = {t.slug: t for t in Tutorial.objects.all()}
    for slug, demo in DEMOS.items():
        assert tutorials[slug].demo == demo
        assert tutorials[slug].featured
        tutorials[slug].full_clean()  # the demo defaults are within the demo's bounds
    for slug in GUIDES:
        assert tutorials[slug].demo == "" and not tutorials[slug].featured


@pytest.mark.parametrize("slug", SHIPPED)
def test_both_languages_are_written(reports, slug):
    tutorial = Tutorial.objects.get(slug=slug)
    for field in ("title", "summary", "body"):
        english, chinese = getattr(tutorial, f"{field}_en"), getattr(tutorial, f"{field}_zh")
        assert english and chinese
        assert re.search(r"[\u4e00-\u9fff]", chinese), f"{slug}: {field}_zh has no Chinese"
    # The two bodies are translations: the same sections and the same code listings.
    assert tutorial.body_en.count("\n## ") == tutorial.body_zh.count("\n## ")
    assert tutorial.body_en.count("```") == tutorial.body_zh.count("```")


@pytest.mark.parametrize("slug", SHIPPED)
def test_formulas_render_as_mathml(reports, slug):
    tutorial = Tutorial.objects.get(slug=slug)
    for body in (tutorial.body_en, tutorial.body_zh):
        html = render_markdown(body)
        assert unconverted_math(html) == []  # no raw TeX, no stray $, no failed formula
        assert body.count("$") == 0 or "<math" in html


def test_the_update_rule_is_mathml(reports):
    body = Tutorial.objects.get(slug="neural-networks-and-gradient-descent").body_en
    assert r"\theta_{t+1} = \theta_t - \alpha \nabla_\theta J(\theta_t)" in body
    html = render_markdown(body)
    assert '<math display="block">' in html and "<mi>θ</mi>" in html and "∇" in html


@pytest.mark.parametrize("slug", SHIPPED)
def test_related_items_resolve_against_the_catalogue(reports, slug):
    tutorial = Tutorial.objects.get(slug=slug)
    head = header(slug)
    assert sorted(tutorial.topics.values_list("slug", flat=True)) == sorted(head["topics"])
    assert sorted(tutorial.papers.values_list("arxiv_id", flat=True)) == sorted(head.get("papers", []))
    assert sorted(tutorial.courses.values_list("slug", flat=True)) == sorted(head.get("courses", []))
    assert tutorial.books.count() == len(head.get("books", []))
    # Every tutorial points its reader to the catalogue.
    assert tutorial.papers.exists() or tutorial.books.exists() or tutorial.courses.exists()


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_link_in_the_bodies_leads_to_an_existing_page(reports, slug):
    tutorial = Tutorial.objects.get(slug=slug)
    linked = {"papers": set(), "books": set(), "courses": set()}
    for body in (tutorial.body_en, tutorial.body_zh):
        hrefs = HREF.findall(render_markdown(body))
        assert hrefs, f"{slug} links to nothing"
        for href in hrefs:
            assert href.startswith("/"), f"{slug}: {href} is not a page of the portal"
            try:
                match = resolve(href)
            except Resolver404:
                pytest.fail(f"{slug}: {href} matches no page")
            target = {
                "resources:paper-detail": catalogue.Paper,
                "resources:book-detail": catalogue.Book,
                "resources:course-detail": catalogue.Course,
                "resources:topic-detail": catalogue.Topic,
                "tutorials:detail": Tutorial,
            }.get(match.view_name)
            if target is not None:
                assert target.objects.filter(slug=match.kwargs["slug"]).exists(), href
            kind = {catalogue.Paper: "papers", catalogue.Book: "books", catalogue.Course: "courses"}.get(
                target
            )
            if kind:
                linked[kind].add(match.kwargs["slug"])
    # What the text links to is listed as further reading.
    assert linked["papers"] <= set(tutorial.papers.values_list("slug", flat=True))
    assert linked["books"] <= set(tutorial.books.values_list("slug", flat=True))
    assert linked["courses"] <= set(tutorial.courses.values_list("slug", flat=True))


@pytest.mark.parametrize("slug", SHIPPED)
def test_pages_render_in_both_languages(reports, client, slug):
    tutorial = Tutorial.objects.get(slug=slug)
    for accept, title, body in (
        ("en", tutorial.title_en, tutorial.body_en),
        ("zh-Hans,zh;q=0.9", tutorial.title_zh, tutorial.body_zh),
    ):
        response = client.get(tutorial.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{escape(title)}</h1>" in html
        assert ("<math" in html) == ("$" in body)


def test_a_curators_unpublish_survives_a_reload_and_edits_are_restored(reports):
    tutorial = Tutorial.objects.get(slug="choosing-a-model")
    Tutorial.objects.filter(pk=tutorial.pk).update(status="draft", title_en="Edited in the admin")
    again = load_tutorials()
    assert (again.total("updated"), again.total("created")) == (1, 0)
    tutorial.refresh_from_db()
    assert tutorial.status == "draft"
    assert tutorial.title_en == "Choosing a model"


# --- broken files ------------------------------------------------------------------------------


def _write(folder: Path, slug: str, header_text: str, en: str = "Body.", zh: str = "正文。") -> None:
    (folder / f"{slug}.yml").write_text(header_text, encoding="utf-8")
    (folder / f"{slug}.en.md").write_text(en, encoding="utf-8")
    (folder / f"{slug}.zh.md").write_text(zh, encoding="utf-8")


def _header(slug: str, **extra) -> str:
    fields = {
        "slug": slug,
        "level": "beginner",
        "topics": ["deep-learning"],
        "title_en": f"Title of {slug}",
        "title_zh": "标题",
        "summary_en": "A summary.",
        "summary_zh": "摘要。",
        **extra,
    }
    return yaml.safe_dump(fields, allow_unicode=True)


def test_an_unknown_topic_is_a_clear_error_and_stores_nothing(reports, tmp_path):
    shutil.copy(CONTENT_DIR / "choosing-a-model.yml", tmp_path)
    shutil.copy(CONTENT_DIR / "choosing-a-model.en.md", tmp_path)
    shutil.copy(CONTENT_DIR / "choosing-a-model.zh.md", tmp_path)
    _write(tmp_path, "broken", _header("broken", topics=["deep-learning", "no-such-topic"]))
    _write(tmp_path, "fine", _header("fine"))

    report = load_tutorials(content_dir=tmp_path)

    assert report.failed == 1
    [(path, entry, reason)] = report.errors
    assert path.endswith("broken.yml") and entry == "tutorial broken"
    assert "topics" in reason and "no-such-topic" in reason
    # A load is all or nothing (resources.importers.base): the good files are not stored either.
    assert not report.stored
    assert not Tutorial.objects.filter(slug__in=["broken", "fine"]).exists()


@pytest.mark.parametrize(
    ("extra", "en", "expected"),
    [
        ({"papers": ["2101.00001"]}, "Body.", "papers: not in the catalogue: 2101.00001"),
        ({"books": ["978-0-00-000000-2"]}, "Body.", "books: not in the catalogue"),
        ({"courses": ["no-such-course"]}, "Body.", "courses: not in the catalogue: no-such-course"),
        ({}, "See [the paper](paper:1706.03762).", "does not list under papers:"),
        ({}, "See [a topic](topic:nope).", "links to topic 'nope'"),
        ({}, "See [another](tutorial:nope).", "links to tutorial 'nope'"),
        ({}, "Broken $\\frac{1}{$ formula.", "math that does not render"),
        ({"demo": "no_such_demo"}, "Body.", "Unknown demo"),
        ({"demo": "mlp_digits", "demo_defaults": {"epochs": 100000}}, "Body.", "epochs: must be at most"),
        ({"demo_defaults": {"epochs": 3}}, "Body.", "Parameters need a demo"),
        ({"colour": "red"}, "Body.", "unknown key(s): colour"),
        ({"level": "expert"}, "Body.", "level"),
        ({"status": "hidden"}, "Body.", "status: expected one of"),
    ],
)
def test_bad_files_are_refused_with_the_reason(reports, tmp_path, extra, en, expected):
    _write(tmp_path, "bad", _header("bad", **extra), en=en)
    report = load_tutorials(content_dir=tmp_path)
    [(path, _entry, reason)] = report.errors
    assert path.endswith("bad.yml")
    assert expected in reason
    assert not Tutorial.objects.filter(slug="bad").exists()


def test_a_slug_must_match_its_file_and_bodies_must_exist(reports, tmp_path):
    _write(tmp_path, "named", _header("other-name"))
    (tmp_path / "lonely.yml").write_text(_header("lonely"), encoding="utf-8")
    report = load_tutorials(content_dir=tmp_path)
    reasons = {Path(path).stem: reason for path, _, reason in report.errors}
    assert "differs from the file name" in reasons["named"]
    assert "lonely.en.md is missing" in reasons["lonely"]


def test_catalogue_links_become_page_addresses(reports, tmp_path):
    body = (
        'Read [the paper](paper:1706.03762 "Vaswani et al."), [the book](book:9780262035613), '
        "[the course](course:stanford-cs224n), [the topic](topic:transformers) and "
        "[the digits tutorial](tutorial:neural-networks-and-gradient-descent)."
    )
    extra = {"papers": ["1706.03762"], "books": ["978-0-262-03561-3"], "courses": ["stanford-cs224n"]}
    _write(tmp_path, "linked", _header("linked", **extra), en=body)
    report = load_tutorials(content_dir=tmp_path)
    assert report.ok, report.errors
    stored = Tutorial.objects.get(slug="linked").body_en
    paper = catalogue.Paper.objects.get(arxiv_id="1706.03762")
    book = catalogue.Book.objects.get(isbn13="9780262035613")
    assert f']({paper.get_absolute_url()} "Vaswani et al.")' in stored
    assert f"]({book.get_absolute_url()})" in stored
    assert "](/courses/stanford-cs224n/)" in stored and "](/topics/transformers/)" in stored
    assert "](/tutorials/neural-networks-and-gradient-descent/)" in stored


def test_a_dry_run_writes_nothing(reports, tmp_path):
    _write(tmp_path, "dry", _header("dry"))
    report = load_tutorials(content_dir=tmp_path, dry_run=True)
    assert report.ok and report.total("created") == 1
    assert not Tutorial.objects.filter(slug="dry").exists()


def test_the_command_prints_one_summary_line(reports, capsys):
    call_command("load_tutorials", "--dry-run")
    out = capsys.readouterr().out.strip().splitlines()
    total = len(SHIPPED)
    assert out == [
        "tutorials: dry run, nothing stored: would have created 0, updated 0, "
        f"unchanged {total}, withdrawn 0; warnings 0; errors 0"
    ]
    call_command("load_tutorials", "--verbosity", "0")
    assert capsys.readouterr().out == ""


def test_the_command_fails_on_a_bad_file(reports, tmp_path, capsys):
    _write(tmp_path, "bad", _header("bad", topics=["no-such-topic"]))
    with pytest.raises(CommandError, match="1 entries rejected in 1 files; nothing was stored"):
        call_command("load_tutorials", "--content-dir", str(tmp_path))
    assert "bad.yml: tutorial bad: topics: not in the catalogue: no-such-topic" in capsys.readouterr().err
