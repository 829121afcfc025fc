"""Property tests of the YAML catalogue importer (resources/importers/catalogue.py, load_catalogue).

Generated files: random text, random YAML documents, and files of entries built to be nearly
right (each field right, of the wrong type, missing, huge, unknown, any Unicode). For each the
importer reports instead of raising, and a file it rejects changes nothing (every catalogue
table compared row by row before and after); a file it accepts is there whole, and loading it
again changes nothing. ``manage.py load_catalogue`` fails only with its CommandError.

The catalogue has no admin import page (the admin imports deadline YAML and BibTeX, see
test_deadline_import.py and test_bibtex_import.py); ``load()`` and the command are its ways in.
"""

import io
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from hypothesis import event, given
from hypothesis import strategies as st

from resources import models
from resources.importers import catalogue
from resources.importers.catalogue import paper_venue_year
from tests.fuzz.strategies import (
    catalogue_snapshot,
    fuzz_settings,
    good_urls,
    rolled_back,
    safe_text,
    valid_arxiv,
    valid_dois,
    valid_isbns,
    wrong,
    yaml_values,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ = fuzz_settings(120)

TOPICS = ["transformers", "nlp"]
BASE_TOPICS = {
    "topics": [
        {
            "slug": slug,
            "name_en": slug.title(),
            "name_zh": "主题",
            "description_en": "About it.",
            "description_zh": "简介",
        }
        for slug in TOPICS
    ]
}
FIELDS = {
    "topics": (catalogue.TOPIC_FIELDS, catalogue.TOPIC_REQUIRED),
    # A series the catalogue lacks is created from its defaults, so a careful entry gives them.
    "conferences": (catalogue.SERIES_FIELDS, [*catalogue.SERIES_REQUIRED, "defaults"]),
    "papers": (catalogue.PAPER_FIELDS, catalogue.PAPER_REQUIRED),
    "books": (catalogue.BOOK_FIELDS, catalogue.BOOK_REQUIRED),
    "courses": (catalogue.COURSE_FIELDS, [*catalogue.COURSE_REQUIRED, "free"]),
    "communities": (catalogue.COMMUNITY_FIELDS, catalogue.COMMUNITY_REQUIRED),
}

slugs = st.from_regex(r"\A[a-z][a-z0-9-]{0,30}[a-z0-9]\Z")
text_lists = st.lists(safe_text, min_size=1, max_size=3, unique=True)

# What a field of each name takes when it is right.
GOOD = {
    "slug": slugs,
    "parent": st.sampled_from(TOPICS),
    "short_name": st.from_regex(r"\A[A-Z]{2,8}[0-9]{0,2}\Z"),
    "topics": st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2, unique=True),
    "authors": text_lists,
    "instructors": text_lists,
    "languages": st.lists(st.sampled_from(["en", "zh"]), min_size=1, max_size=2, unique=True),
    "language": st.sampled_from(["en", "zh"]),
    "year": st.integers(1990, 2030),
    "isbn": valid_isbns,
    "doi": valid_dois,
    "arxiv": valid_arxiv,
    "level": st.sampled_from(models.Course.Level.values),
    "kind": st.sampled_from(models.Community.Kind.values),
    "status": st.sampled_from(models.Status.values),
    "free": st.booleans(),
    "cites": st.just([]),
    "defaults": st.fixed_dictionaries({"full_name": safe_text}),
    **dict.fromkeys(("url", "pdf_url", "code_url", "free_url"), good_urls),
}


def good_value(name: str, expected: type):
    if name in GOOD:
        return GOOD[name]
    return {str: safe_text, list: text_lists, int: st.integers(1990, 2030)}[expected]


@st.composite
def entries(draw, kind: str, careful: bool) -> dict:
    fields, required = FIELDS[kind]
    entry = {}
    for name, expected in fields.items():
        if name not in required and not draw(st.booleans()):
            continue
        entry[name] = draw(
            good_value(name, expected) if careful else st.one_of(good_value(name, expected), wrong)
        )
    # The year an arXiv id was given; a careless entry may contradict it.
    arxiv = entry.get("arxiv") if kind == "papers" else None
    if isinstance(arxiv, str) and "year" in entry and (careful or draw(st.booleans())):
        entry["year"] = 2000 + int(arxiv[:2]) if re.fullmatch(r"[0-9]{2}", arxiv[:2]) else entry["year"]
        # A venue that names a year sets the paper's year.
        venue_year = paper_venue_year(entry["venue"]) if isinstance(entry.get("venue"), str) else None
        entry["year"] = venue_year or entry["year"]
    if not careful:
        for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2)):
            entry.pop(name, None)  # a required key missing
        if draw(st.integers(0, 4)) == 0:
            entry[draw(st.one_of(st.text(max_size=10), st.integers()))] = draw(wrong)  # an unknown key
    return entry


@st.composite
def curated_files(draw) -> tuple[str, str]:
    """(kind, text of kind.yml): built entries, a random YAML document, or random text."""
    kind = draw(st.sampled_from(sorted(FIELDS)))
    shape = draw(st.sampled_from(["careful", "careless", "careless", "yaml", "text"]))
    event(shape)
    if shape == "text":
        return kind, draw(st.text(max_size=300))
    if shape == "yaml":
        document = draw(st.one_of(yaml_values, st.fixed_dictionaries({kind: yaml_values})))
        return kind, yaml.safe_dump(document, allow_unicode=True)
    careful = shape == "careful"
    items = draw(st.lists(entries(kind, careful), min_size=1, max_size=4))
    if careful:
        items = _distinct(kind, items)
    return kind, yaml.safe_dump({kind: items}, allow_unicode=True, sort_keys=False)


def _distinct(kind: str, items: list[dict]) -> list[dict]:
    """A careful file names each item once, by every key the importer matches on."""
    keys = {
        "topics": ["slug"],
        "conferences": ["short_name"],
        "papers": ["arxiv", "slug", "doi"],
        "books": ["slug", "isbn"],
    }
    seen: set = {("slug", slug) for slug in TOPICS} if kind == "topics" else set()
    kept = []
    for item in items:
        names = [(k, str(item.get(k)).lower()) for k in keys.get(kind, ["slug"]) if item.get(k)]
        if kind == "conferences":
            names.append(("alias", catalogue._alias(item["short_name"])))
        if any(name in seen for name in names):
            continue
        seen.update(names)
        kept.append(item)
    return kept


def write_folder(folder: Path, kind: str | None = None, text: str | None = None) -> Path:
    (folder / "topics.yml").write_text(yaml.safe_dump(BASE_TOPICS, allow_unicode=True), encoding="utf-8")
    for name in catalogue.FILES[1:]:
        (folder / f"{name}.yml").write_text(f"{name}: []\n", encoding="utf-8")
    if kind is not None:
        if kind == "topics":
            # The fuzzed topics come after the base ones, so that a file of children finds its parents.
            try:
                extra = yaml.safe_load(text)
            except yaml.YAMLError:
                extra = None
            if isinstance(extra, dict) and isinstance(extra.get("topics"), list):
                text = yaml.safe_dump({"topics": BASE_TOPICS["topics"] + extra["topics"]}, allow_unicode=True)
        (folder / f"{kind}.yml").write_text(text, encoding="utf-8")
    return folder


def load(folder: Path):
    return catalogue.load(data_dir=folder, deadline_paths=[])


def file_report(report, kind: str):
    (found,) = [f for f in report.files if Path(f.path).stem == kind]
    return found


@FUZZ
@given(generated=curated_files())
def test_a_curated_file_imports_whole_or_changes_nothing(generated):
    kind, text = generated
    with rolled_back(), tempfile.TemporaryDirectory() as base, tempfile.TemporaryDirectory() as fuzzed:
        assert load(write_folder(Path(base))).ok
        before = catalogue_snapshot()
        report = load(write_folder(Path(fuzzed), kind, text))
        result = file_report(report, kind)
        others = [f for f in report.files if f is not result]
        assert all(f.ok and f.created == f.updated == 0 for f in others), report.errors
        event(f"{kind}: imported" if result.ok else f"{kind}: refused")
        if not result.ok:
            assert result.error.reason
            assert catalogue_snapshot() == before, f"{kind}.yml was refused but changed the catalogue"
            return
        once = catalogue_snapshot()
        assert (once != before) == bool(result.created + result.updated)
        again = file_report(load(Path(fuzzed)), kind)
        assert again.ok and (again.created, again.updated) == (0, 0), (again.created, again.updated)
        assert catalogue_snapshot() == once


@FUZZ
@given(
    kind=st.sampled_from(["topics", "papers", "books", "courses", "communities", "conferences"]),
    data=st.data(),
)
def test_careful_files_always_import_and_round_trip(kind, data):
    items = _distinct(kind, data.draw(st.lists(entries(kind, careful=True), min_size=1, max_size=5)))
    text = yaml.safe_dump({kind: items}, allow_unicode=True, sort_keys=False)
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        first = file_report(load(write_folder(Path(folder), kind, text)), kind)
        assert first.ok, first.error
        extra = len(BASE_TOPICS["topics"]) if kind == "topics" else 0
        assert first.created + first.updated + first.unchanged == len(items) + extra
        once = catalogue_snapshot()
        second = file_report(load(Path(folder)), kind)
        assert second.ok and (second.created, second.updated) == (0, 0)
        assert catalogue_snapshot() == once


@fuzz_settings(40)
@given(generated=curated_files())
def test_the_command_fails_only_with_its_own_error(generated):
    kind, text = generated
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        write_folder(Path(folder))
        call_command("load_catalogue", data_dir=folder, skip_deadlines=True, stdout=io.StringIO())
        before = catalogue_snapshot()
        write_folder(Path(folder), kind, text)
        try:
            call_command(
                "load_catalogue",
                data_dir=folder,
                skip_deadlines=True,
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        except CommandError:
            assert catalogue_snapshot() == before


@pytest.mark.parametrize(
    "text",
    [
        "papers:\n- year: " + "1" * 5000,  # more digits than Python turns into an int
        "papers:\n- year: 2026-02-30",  # a date YAML reads, which does not exist
        "papers:\n- year: !!int x",
        "papers:\n- {1: a, b: c}",  # keys of mixed types
    ],
)
def test_yaml_values_python_cannot_build_are_reported(text):
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        result = file_report(load(write_folder(Path(folder), "papers", text)), "papers")
        assert not result.ok and result.error.reason
