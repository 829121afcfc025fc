"""Property tests of the deadline importer (resources/importers/deadlines.py, its admin page).

Files in both community formats (ai-deadlines editions, ccf-deadlines series with confs[] and
timeline[], and ccf-deadlines acceptance rates) built to be nearly right — any field missing,
of the wrong type, huge, any Unicode; dates and time zones right or wrong — plus random YAML
documents and random text. The importer reports instead of raising, a rejected file changes
nothing, an accepted one is there whole and importing it again changes nothing; the admin's
upload page never answers 500.
"""

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from resources.importers import deadlines as importer
from tests.fuzz.strategies import (
    catalogue_snapshot,
    fuzz_settings,
    good_urls,
    rolled_back,
    safe_text,
    wrong,
    yaml_values,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ = fuzz_settings(150)
ADMIN = fuzz_settings(40)

titles = st.from_regex(r"\A[A-Z]{2,7}\Z")
zones = st.sampled_from(
    ["AoE", "UTC", "UTC+8", "UTC-12", "UTC+05:30", "PST", "Europe/London", "Asia/Shanghai"]
)
bad_zones = st.one_of(
    st.sampled_from(["Mars/Base", "UTC+15", "europe/london", "", "TBD"]), st.text(max_size=15)
)
stamps = st.builds(
    lambda d, h, m: f"{d.isoformat()} {h:02d}:{m:02d}:59",
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    st.integers(0, 23),
    st.integers(0, 59),
)
bad_stamps = st.one_of(
    st.sampled_from(
        ["0001-01-01 00:00", "9999-12-31 23:59", "9999-12-31 24:00", "2026-02-30", "2026-13-01 10:00"]
    ),
    st.sampled_from(["TBD", "", "soon", "2026-05-15 25:61", "2026-05-15T10:00+09:00"]),
    st.text(max_size=25),
    wrong,
)
#: The types a careful file uses, each with the kind the importer files it under: "paper" and
#: "submission" are one kind.
KIND_OF = {
    "abstract": "abstract",
    "paper": "paper",
    "submission": "paper",
    "notification": "notification",
    "camera_ready": "camera_ready",
    "rebuttal_start": "rebuttal_start",
}
kinds = st.sampled_from(sorted(KIND_OF))
bad_kinds = st.one_of(st.sampled_from(["rebuttal", "keynote", ""]), st.text(max_size=10), wrong)


def maybe(draw, careful: bool, good, *bad):
    return draw(good if careful else st.one_of(good, *bad))


@st.composite
def hf_files(draw, careful: bool) -> list:
    editions = []
    used = set()
    for _ in range(draw(st.integers(1, 3))):
        title = maybe(draw, careful, titles, wrong, st.text(min_size=200, max_size=500))
        year = maybe(
            draw, careful, st.integers(2024, 2030), wrong, st.sampled_from(["1e1000000", "1949", "2026.5"])
        )
        if careful and repr((title, year)) in used:
            continue
        used.add(repr((title, year)))
        deadline_items = []
        seen_kinds = set()
        for _ in range(draw(st.integers(0, 3))):
            kind = maybe(draw, careful, kinds, bad_kinds)
            # A careful file has one deadline per kind as the importer reads it; several under
            # one kind and label would be numbered, which is tested elsewhere. (Only careful
            # files are checked, and they draw their types from KIND_OF.)
            if careful:
                if KIND_OF[kind] in seen_kinds:
                    continue
                seen_kinds.add(KIND_OF[kind])
            item = {"type": kind, "label": maybe(draw, careful, safe_text, wrong)}
            item["date"] = maybe(draw, careful, stamps, bad_stamps)
            item["timezone"] = maybe(draw, careful, zones, bad_zones)
            deadline_items.append(item)
        edition = {
            "title": title,
            "year": year,
            "id": maybe(draw, careful, st.just(f"{str(title).lower()}{year}"[:40]), wrong),
            "full_name": maybe(draw, careful, safe_text, wrong),
            "link": maybe(draw, careful, good_urls, st.sampled_from(["javascript:alert(1)", "x"]), wrong),
            "deadlines": deadline_items if careful or draw(st.booleans()) else draw(wrong),
        }
        for name, good in (
            ("city", safe_text),
            ("country", st.sampled_from(["NO", "China", "Austria"])),
            ("start", st.dates(dt.date(2024, 1, 1), dt.date(2030, 1, 1)).map(str)),
            ("hindex", st.integers(0, 500)),
            ("rankings", st.sampled_from(["CCF: A, CORE: A*, THCPL: A", "CCF: B"])),
        ):
            if draw(st.booleans()):
                edition[name] = maybe(draw, careful, good, wrong)
        editions.append(edition)
    return editions


@st.composite
def ccf_files(draw, careful: bool) -> list:
    series = []
    for n in range(draw(st.integers(1, 3))):
        confs = []
        for year in draw(st.lists(st.integers(2024, 2030), min_size=0, max_size=2, unique=True)):
            timeline = [
                {
                    "deadline": maybe(draw, careful, stamps, bad_stamps),
                    "comment": maybe(draw, careful, safe_text, wrong),
                }
                for _ in range(draw(st.integers(1, 2)))
            ]
            if careful and len(timeline) == 2 and timeline[0]["comment"] == timeline[1]["comment"]:
                timeline = timeline[:1]
            confs.append(
                {
                    "year": maybe(draw, careful, st.just(year), wrong),
                    "id": maybe(draw, careful, st.just(f"c{n}x{year}"), wrong),
                    "link": maybe(draw, careful, good_urls, wrong),
                    "timeline": timeline,
                    "timezone": maybe(draw, careful, zones, bad_zones),
                    "date": maybe(draw, careful, safe_text, wrong),
                    "place": maybe(draw, careful, safe_text, wrong),
                }
            )
        series.append(
            {
                "title": maybe(draw, careful, st.just(f"{draw(titles)}{n}"), wrong),
                "description": maybe(draw, careful, safe_text, wrong),
                "sub": maybe(draw, careful, st.sampled_from(["AI", "NLP", "CV"]), wrong),
                "rank": maybe(
                    draw,
                    careful,
                    st.fixed_dictionaries({"ccf": st.sampled_from(["A", "B", "C", "N"])}),
                    wrong,
                ),
                "dblp": maybe(draw, careful, st.just(f"c{n}"), wrong),
                "confs": confs if careful or draw(st.booleans()) else draw(wrong),
            }
        )
    return series


@st.composite
def rate_files(draw) -> list:
    return [
        {
            "title": draw(st.one_of(titles, wrong)),
            "accept_rates": [
                {
                    "year": draw(st.one_of(st.integers(2000, 2030), wrong)),
                    "submitted": draw(st.one_of(st.integers(0, 20000), st.just("1e1000000"), wrong)),
                    "accepted": draw(st.one_of(st.integers(0, 5000), wrong)),
                    "rate": draw(st.one_of(st.floats(0, 1), st.just("0,25"), wrong)),
                }
                for _ in range(draw(st.integers(0, 3)))
            ],
        }
    ]


@st.composite
def deadline_files(draw) -> str:
    shape = draw(st.sampled_from(["hf careful", "hf", "ccf careful", "ccf", "rates", "yaml", "text"]))
    event(shape)
    if shape == "text":
        return draw(st.text(max_size=300))
    if shape == "yaml":
        return yaml.safe_dump(draw(yaml_values), allow_unicode=True)
    if shape == "rates":
        document = draw(rate_files())
    else:
        builder = hf_files if shape.startswith("hf") else ccf_files
        document = draw(builder(careful=shape.endswith("careful")))
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


# Values the YAML loader once let through as exceptions, and a count that took minutes to read.
KNOWN = [
    "- title: X\n  year: !!int x\n  id: x\n",
    "- {? [a] : b}\n",
    "- title: X\n  year: 2026\n  id: x26\n  hindex: '1e1000000'\n",
    "- title: X\n  year: 2026\n  id: x26\n  deadlines:\n"
    "  - {type: paper, date: '0001-01-01 00:00', timezone: UTC+5}\n",
    "- title: X\n  year: 2026\n  id: x26\n  deadlines:\n"
    "  - {type: paper, date: '9999-12-31', timezone: AoE}\n",
    "- title: X\n  year: " + "1" * 5000 + "\n",
]


def import_text(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yml"
        path.write_text(text, encoding="utf-8")
        report = importer.import_paths([path])
    assert len(report.files) == 1
    return report


@FUZZ
@given(text=deadline_files())
@example(text=KNOWN[0])
@example(text=KNOWN[1])
@example(text=KNOWN[2])
@example(text=KNOWN[3])
@example(text=KNOWN[4])
@example(text=KNOWN[5])
def test_a_deadline_file_imports_whole_or_changes_nothing(text):
    with rolled_back():
        before = catalogue_snapshot()
        report = import_text(text)
        event("imported" if report.ok else "refused")
        if not report.ok:
            assert report.files[0].error.reason
            assert catalogue_snapshot() == before, "a refused file changed the catalogue"
            return
        once = catalogue_snapshot()
        assert (once != before) == bool(report.total("created") + report.total("updated"))
        again = import_text(text)
        assert again.ok and (again.total("created"), again.total("updated")) == (0, 0), again.summary()
        assert catalogue_snapshot() == once


@fuzz_settings(100)
@given(editions=hf_files(careful=True))
def test_a_careful_file_has_one_deadline_per_kind_as_the_importer_reads_it(editions):
    """The generator's own rule, checked: "paper" and "submission" are one kind to the importer."""
    for edition in editions:
        kinds = [importer.KIND_ALIASES[deadline["type"]] for deadline in edition["deadlines"]]
        assert len(kinds) == len(set(kinds)), edition["deadlines"]


@fuzz_settings(100)
@given(document=st.one_of(hf_files(careful=True), ccf_files(careful=True)))
def test_careful_files_import_and_round_trip(document):
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    with rolled_back():
        first = import_text(text)
        assert first.ok, first.errors
        once = catalogue_snapshot()
        second = import_text(text)
        assert second.ok and (second.total("created"), second.total("updated")) == (0, 0), second.summary()
        assert catalogue_snapshot() == once


@fuzz_settings(40)
@given(text=deadline_files())
def test_the_command_fails_only_with_its_own_error(text):
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yml"
        path.write_text(text, encoding="utf-8")
        before = catalogue_snapshot()
        try:
            call_command("import_deadlines", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        except CommandError:
            assert catalogue_snapshot() == before


@ADMIN
@given(text=deadline_files())
@example(text=KNOWN[2])
@example(text=KNOWN[3])
def test_the_admin_upload_never_answers_500_and_never_half_imports(curator_client, text):
    url = reverse("admin:resources_conferenceseries_import")
    with rolled_back():
        before = catalogue_snapshot()
        upload = SimpleUploadedFile("fuzz.yml", text.encode("utf-8"), content_type="application/yaml")
        response = curator_client.post(url, {"file": upload})
        assert response.status_code == 200
        assert catalogue_snapshot() == before, "the dry run changed the catalogue"
        report = response.context.get("report")
        if report is None or not report.ok:
            return
        confirm = curator_client.post(url, {"token": response.context["staged"].token})
        assert confirm.status_code == 302
        if report.total("created") + report.total("updated"):
            assert catalogue_snapshot() != before
