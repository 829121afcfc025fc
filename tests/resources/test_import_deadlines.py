"""The deadline importer: both community formats, the shipped data, atomic files, bounded queries."""

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources.importers.base import CREATED, UNCHANGED, UPDATED
from resources.importers.deadlines import (
    FORMAT_CCF,
    FORMAT_CCF_RATES,
    FORMAT_HF,
    collect_files,
    detect_format,
    import_paths,
)
from resources.models import (
    AcceptanceRate,
    ConferenceEdition,
    ConferenceSeries,
    Deadline,
    DeadlineChange,
    DeadlineConflict,
    Status,
    Topic,
)
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "deadlines"
SHIPPED = Path(settings.BASE_DIR) / "resources" / "data"
SHIPPED_CCF = SHIPPED / "ccf-deadlines"
SHIPPED_HF = SHIPPED / "hf-ai-deadlines"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def snapshot() -> dict:
    """Every row of the tables the importer writes, every column, by primary key."""
    tables = [
        ConferenceSeries,
        ConferenceEdition,
        Deadline,
        AcceptanceRate,
        Topic,
        ConferenceSeries.topics.through,
    ]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in tables}


def catalogue() -> dict:
    """What the importer stored, by natural keys, without primary keys, slugs or timestamps."""
    return {
        "series": sorted(
            ConferenceSeries.objects.values_list(
                "short_name",
                "full_name",
                "kind",
                "field",
                "ccf_rank",
                "core_rank",
                "thcpl_rank",
                "dblp_key",
                "h5_index",
                "status",
            )
        ),
        "editions": sorted(
            ConferenceEdition.objects.values_list(
                "series__short_name",
                "year",
                "ccf_id",
                "hf_id",
                "start_date",
                "end_date",
                "date_text",
                "city",
                "country",
                "venue",
                "place_text",
                "link",
                "timezone",
                "note",
            )
        ),
        "deadlines": sorted(
            Deadline.objects.values_list(
                "edition__series__short_name",
                "edition__year",
                "kind",
                "label",
                "at",
                "local",
                "timezone",
                "comment",
                "source",
            ),
            key=repr,
        ),
        "rates": sorted(
            AcceptanceRate.objects.values_list(
                "series__short_name", "year", "submitted", "accepted", "rate", "source"
            )
        ),
    }


def counts(report) -> tuple[int, int, int]:
    return report.total(CREATED), report.total(UPDATED), report.total(UNCHANGED)


def write_yaml(path: Path, data) -> Path:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def load_fixture(name: str):
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def seeded():
    """A catalogue that is not empty: a curated series with a topic, and one imported file."""
    topic = factories.TopicFactory(slug="llm", name_en="Large language models")
    series = factories.ConferenceSeriesFactory(short_name="PyCon", slug="pycon", kind="industry", field="")
    series.topics.add(topic)
    factories.DeadlineFactory(edition__series=series, label="Talk proposals")
    report = import_paths([DATA / "ccf_neurips.yml"])
    assert report.ok, report.errors


# --- the shipped data ----------------------------------------------------------------------------


def distinct_conferences(root: Path) -> int:
    """The conferences in a data tree, counted from the raw files, apart from the importer: each
    ccf-deadlines series is one (a field and a title); an ai-deadlines title is one more unless
    it names a ccf-deadlines series, compared loosely with the curated aliases applied."""
    from resources.models import SeriesAlias, name_key

    aliases = {a.key: name_key(a.name) for a in SeriesAlias.objects.all()}

    def loose(name):
        return aliases.get(name_key(name), name_key(name))

    ccf = set()
    for path in (root / "ccf-deadlines" / "conference").glob("*/*.yml"):
        for series in yaml.safe_load(path.read_text(encoding="utf-8")):
            ccf.add((series["sub"], series["title"]))
    ccf_names = {loose(title) for _, title in ccf}
    hf = set()
    for path in (root / "hf-ai-deadlines" / "src" / "data" / "conferences").glob("*.yml"):
        for edition in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if loose(edition["title"]) not in ccf_names:
                hf.add(loose(edition["title"]))
    return len(ccf) + len(hf)


def test_shipped_data_imports_whole_and_a_second_import_changes_nothing():
    # resources/data is upstream's whole tree (both data sets, all eight ccf fields, every
    # accept-rates file), as ../shared/data holds it.
    first = import_paths([SHIPPED])
    assert first.ok, first.errors
    assert first.stored
    created, _updated, _ = counts(first)
    assert created > 3000
    rows = (
        ConferenceSeries.objects.count(),
        ConferenceEdition.objects.count(),
        Deadline.objects.count(),
        AcceptanceRate.objects.count(),
    )
    assert rows == (297, 933, 1812, 110)
    # Every conference of the tree is a series of its own: none merged, none lost.
    assert rows[0] == distinct_conferences(SHIPPED) == 297
    assert len(first.files) == 411
    skipped = sorted(Path(f.path).name for f in first.files if f.note)
    assert skipped == sorted(
        ["README.md", "LICENSE", "LICENSE", "types.yml", "conference-yaml-schema.yml", "conference.ts"]
    )
    warned = {Path(f.path).name: len(f.warnings) for f in first.files if f.warnings}
    # The real-world shapes (reused ids, rolling deadlines, a file without an extension), the
    # three contradictions (resources/data/README.md) and 19 conflicts between the data sets.
    assert warned == {
        "ica3pp.yml": 1,
        "fse.yml": 2,
        "uss.yml": 1,
        "cscwd": 1,
        "ijcnn.yml": 1,
        "icassp.yml": 3,
        "alt.yml": 1,
        "corl.yml": 2,
        "icdar.yml": 4,
        "icra.yml": 2,
        "interspeech.yml": 1,
        "ksem.yml": 1,
        "miccai.yml": 2,
        "rss.yml": 4,
    }
    assert DeadlineConflict.objects.filter(reason="sources", resolved_at=None).count() == 19

    second = import_paths([SHIPPED])
    assert second.ok, second.errors
    assert counts(second)[:2] == (0, 0)
    assert second.total("withdrawn") == 0
    assert counts(second)[2] > 3000
    assert (
        ConferenceSeries.objects.count(),
        ConferenceEdition.objects.count(),
        Deadline.objects.count(),
        AcceptanceRate.objects.count(),
    ) == rows
    assert not DeadlineChange.objects.exists()
    assert DeadlineConflict.objects.count() == 19
    assert not ConferenceSeries.objects.exclude(status=Status.PUBLISHED).exists()
    spot_checks()


def test_conferences_that_share_a_name_or_a_dblp_key_stay_apart():
    assert import_paths([SHIPPED_CCF / "conference" / "SC", SHIPPED_CCF / "conference" / "DS"]).ok
    asiaccs = ConferenceSeries.objects.get(short_name="AsiaCCS")
    ccs = ConferenceSeries.objects.get(short_name="CCS")
    assert asiaccs.dblp_key == ccs.dblp_key == "conf/ccs"
    assert asiaccs.pk != ccs.pk
    assert asiaccs.editions.filter(year=2027).exists()
    assert not ccs.editions.filter(ccf_id__startswith="asiaccs").exists()
    secs = ConferenceSeries.objects.filter(short_name="SEC").order_by("ccf_key")
    assert [(s.ccf_key, s.full_name) for s in secs] == [
        ("DS/sec", "ACM/IEEE Symposium on Edge Computing"),
        ("SC/sec", "IFIP International Information Security Conference"),
    ]
    assert {s.slug for s in secs} == {"sec", "sec-2"}
    assert list(secs[0].editions.values_list("ccf_id", flat=True)) == ["sec2026"]
    assert "sec21" in secs[1].editions.values_list("ccf_id", flat=True)


def spot_checks():
    # ccf-deadlines' "IEEE CEC" (dblp cec) and ai-deadlines' "CEC" are one series.
    cec = ConferenceSeries.objects.get(dblp_key="conf/cec")
    assert cec.short_name == "IEEE CEC"
    assert not ConferenceSeries.objects.filter(short_name="CEC").exists()
    edition = cec.editions.get(year=2025)
    assert (edition.ccf_id, edition.hf_id) == ("cec2025", "cec2025")
    # ACL 2027's deadline is not announced: kept, as TBD.
    tbd = Deadline.objects.get(edition__ccf_id="acl27")
    assert (tbd.at, tbd.local, tbd.timezone, tbd.is_tbd) == (None, "TBD", "UTC-12", True)
    # ICLR: ranks from ccf-deadlines (ai-deadlines says "CCF: N"), the h5-index from ai-deadlines.
    iclr = ConferenceSeries.objects.get(short_name="ICLR")
    assert (iclr.ccf_rank, iclr.core_rank, iclr.thcpl_rank, iclr.h5_index, iclr.field) == (
        "A",
        "A*",
        "A",
        304,
        "AI",
    )
    # The curated aliases join the names the two ccf-deadlines files use.
    assert AcceptanceRate.objects.get(series__short_name="SIGOPS ATC", year=2021).submitted == 341
    assert AcceptanceRate.objects.filter(series__short_name="UbiComp/ISWC").exists()
    # The file without an extension, and ica3pp's one id for four editions.
    assert AcceptanceRate.objects.get(series__short_name="CSCWD", year=2023).accepted == 321
    assert sorted(ConferenceEdition.objects.filter(ccf_id="ica3pp").values_list("year", flat=True)) == [
        2022,
        2023,
        2025,
        2026,
    ]
    # USENIX Security 2022's three review cycles under one comment, kept apart.
    cycles = Deadline.objects.filter(edition__ccf_id="uss22").order_by("at")
    assert [(d.label, d.local) for d in cycles] == [
        ("3 review cycles (1)", "2021-06-08 23:59:59"),
        ("3 review cycles (2)", "2021-10-12 23:59:59"),
        ("3 review cycles (3)", "2022-02-01 23:59:59"),
    ]
    # ai-deadlines' timeline replaced ccf-deadlines' for an edition both list.
    assert set(Deadline.objects.filter(edition__hf_id="iclr26").values_list("source", flat=True)) == {"hf"}
    # The decimal comma in CVPR 2025's rate and the h5-index written 32.0.
    assert AcceptanceRate.objects.get(series__short_name="CVPR", year=2025).rate == Decimal("0.2212")
    assert ConferenceSeries.objects.get(short_name="ICANN").h5_index == 32
    # The contradictions upstream, as resolved: IJCNN 2024's swapped counts, ICASSP 2026's year
    # slip in its dates, and ICASSP 2025's paper deadline set after the conference.
    ijcnn = AcceptanceRate.objects.get(series__short_name="IJCNN", year=2024)
    assert (ijcnn.submitted, ijcnn.accepted, ijcnn.rate) == (3272, 1701, Decimal("0.5199"))
    icassp = ConferenceEdition.objects.get(hf_id="icassp26")
    assert (icassp.start_date, icassp.end_date) == (dt.date(2026, 5, 4), dt.date(2026, 5, 8))
    # ai-deadlines' ICASSP 2025 keeps no deadline; ccf-deadlines' own one for it stands.
    assert list(Deadline.objects.filter(edition__hf_id="icassp25").values_list("source", "local")) == [
        ("ccf", "2024-09-12 23:59:59")
    ]
    assert Deadline.objects.get(edition__hf_id="icassp26", kind="paper").at == utc(2025, 9, 18, 6, 59, 59)


def test_shipped_data_gives_the_same_catalogue_in_either_order():
    # The AI field of ccf-deadlines (where the two data sets overlap) against ai-deadlines.
    ccf = [SHIPPED_CCF / "conference" / "AI", SHIPPED_CCF / "accept_rates" / "AI"]
    for paths in (ccf, [SHIPPED_HF]):
        assert import_paths(paths).ok
    ccf_then_hf = catalogue()
    assert counts(import_paths([SHIPPED_HF, *ccf]))[:2] == (0, 0)

    ConferenceSeries.objects.all().delete()
    for paths in ([SHIPPED_HF], ccf):
        assert import_paths(paths).ok
    assert catalogue() == ccf_then_hf
    assert counts(import_paths([*ccf, SHIPPED_HF]))[:2] == (0, 0)


# --- time zones, converted by hand ---------------------------------------------------------------


def test_deadlines_are_converted_to_utc_as_by_hand():
    report = import_paths([DATA / "hf_zones.yml", DATA / "ccf_zones.yml"])
    assert report.ok, report.errors
    got = {d.label: (d.at, d.local, d.timezone) for d in Deadline.objects.filter(edition__hf_id="zoneconf26")}
    assert got == {
        "Anywhere on Earth": (utc(2026, 5, 16, 11, 59, 59), "2026-05-15 23:59:59", "AoE"),
        "Beijing time": (utc(2026, 5, 8, 12, 0, 0), "2026-05-08 20:00:00", "UTC+8"),
        "Twelve hours behind UTC": (utc(2026, 5, 23, 11, 59, 59), "2026-05-22 23:59:59", "UTC-12"),
        # PDT, UTC−7: 12:00 + 7 h
        "Pacific time in July": (utc(2026, 7, 20, 19, 0, 0), "2026-07-20 12:00:00", "PT"),
        # written PST, but July: PDT, UTC−7
        "Written PST in July": (utc(2026, 7, 28, 0, 0, 0), "2026-07-27 17:00:00", "PST"),
        # PST, UTC−8
        "Pacific time in January": (utc(2027, 1, 16, 7, 59, 59), "2027-01-15 23:59:59", "PT"),
        # CEST, UTC+2
        "Berlin summer time": (utc(2026, 10, 1, 21, 59, 59), "2026-10-01 23:59:59", "Europe/Berlin"),
        "Not announced yet": (None, "TBD", "AoE"),
    }
    by_edition = {
        d.edition.ccf_id: (d.kind, d.at, d.local, d.timezone)
        for d in Deadline.objects.filter(edition__series__short_name="ZoneSeries").select_related("edition")
    }
    assert by_edition == {
        "zoneseries25": ("paper", utc(2025, 3, 2, 11, 59, 59), "2025-03-01 23:59:59", "UTC-12"),
        "zoneseries26": ("paper", utc(2026, 3, 1, 15, 59, 59), "2026-03-01 23:59:59", "UTC+8"),
        "zoneseries27": ("paper", None, "TBD", "AoE"),
    }


# --- bad files change nothing --------------------------------------------------------------------

BAD_FILES = [
    ("broken.yml", "(file)", "broken YAML at line 7"),
    ("unknown_zone.yml", "zonefail/2026", "unknown time zone 'Mars/Olympus_Mons'"),
    (
        "impossible_date.yml",
        "datefail/2026",
        "deadline 2 (paper): impossible date-time '2026-02-30 23:59:59': day is out of range for month",
    ),
]


@pytest.mark.parametrize(("name", "entry", "reason"), BAD_FILES)
def test_a_bad_file_leaves_the_database_as_it_was(seeded, name, entry, reason):
    before = snapshot()
    report = import_paths([DATA / name])
    assert not report.ok
    [(path, got_entry, got_reason)] = report.errors
    assert (Path(path).name, got_entry) == (name, entry)
    assert reason in got_reason
    assert not report.stored
    assert snapshot() == before


@pytest.mark.parametrize(("name", "entry", "reason"), BAD_FILES)
def test_by_default_a_bad_file_stores_nothing_of_the_good_one(seeded, name, entry, reason):
    before = snapshot()
    report = import_paths([DATA / name, DATA / "hf_zones.yml"])
    assert report.failed == 1
    assert [(Path(p).name, e) for p, e, _ in report.errors] == [(name, entry)]
    assert not report.stored
    assert report.summary().startswith("nothing stored: 1 errors in 1 of 2 files")
    assert snapshot() == before


@pytest.mark.parametrize(("name", "entry", "reason"), BAD_FILES)
def test_with_skip_invalid_a_bad_file_does_not_stop_a_good_one(seeded, name, entry, reason):
    before = snapshot()
    report = import_paths([DATA / name, DATA / "hf_zones.yml"], skip_invalid=True)
    assert report.failed == 1
    assert report.stored
    assert [(Path(p).name, e) for p, e, _ in report.errors] == [(name, entry)]
    good = next(f for f in report.files if f.ok)
    assert Path(good.path).name == "hf_zones.yml"
    assert good.created == 10  # a series, an edition and eight deadlines
    after = snapshot()
    # Every row that was there is still there, unchanged; the new rows are the valid entries'.
    for table, rows in before.items():
        assert after[table][: len(rows)] == rows
    assert ConferenceSeries.objects.filter(short_name="ZoneConf").exists()
    assert ConferenceSeries.objects.filter(short_name__in=["Broken"]).count() == 0


def test_an_error_found_while_writing_rolls_back_what_the_run_wrote(seeded, tmp_path):
    # The new series is planned before its edition turns out to end before it starts.
    data = load_fixture("hf_zones.yml")
    data[0].update(start="2027-03-05", end="2027-03-01")
    path = write_yaml(tmp_path / "ends_first.yml", data)
    before = snapshot()
    report = import_paths([DATA / "hf_neurips.yml", path])
    [(got_path, entry, reason)] = report.errors
    assert (got_path, entry) == (str(path), "zoneconf/2026")
    assert "cannot end before it starts" in reason
    assert not report.stored
    assert snapshot() == before


def test_an_id_another_series_uses_is_no_error(seeded, tmp_path):
    # ccf-deadlines' ids are not unique (ica3pp gives one id to four editions): an edition is
    # its series and year.
    data = load_fixture("ccf_neurips.yml")
    data[0].update(title="Clash", description="A conference with a borrowed id", dblp="clash")
    report = import_paths([write_yaml(tmp_path / "clash.yml", data)])
    assert report.ok, report.errors
    assert ConferenceEdition.objects.filter(ccf_id="nips26").count() == 2


def test_shapes_real_data_holds_are_read_with_a_warning(tmp_path):
    data = load_fixture("hf_zones.yml")
    data[0]["year"] = "2026a"
    data[0]["deadlines"][0].update(type="poster_session")
    data[0]["deadlines"][2].update(type="rebuttal", label="Rebuttal")
    data[0]["deadlines"][3].update(tz="UTC")
    data[0]["deadlines"][5].update(type="camera_ready", label="Berlin summer time")
    report = import_paths([write_yaml(tmp_path / "shapes.yml", data)])
    assert report.ok, report.errors
    warnings = report.files[0].warnings
    expected = [
        "zoneconf/2026a: year '2026a' read as 2026: a letter after a year is not part of it",
        "zoneconf/2026a: deadline 1 (poster_session): deadline type 'poster_session' has no kind here: "
        "kept as Other, with its own type",
        "zoneconf/2026a: deadline 3 (rebuttal): type 'rebuttal' with the label 'Rebuttal' could be its "
        "start or its end: kept as Other",
        "zoneconf/2026a: deadline 4: unknown key(s) ignored: tz (known: type, label, date, timezone)",
        "zoneconf/2026a: 2 different camera_ready deadlines under the label 'Berlin summer time' are kept "
        "apart as 'Berlin summer time (1)', 'Berlin summer time (2)'",
    ]
    assert warnings == expected
    edition = ConferenceEdition.objects.get(series__short_name="ZoneConf")
    assert edition.year == 2026
    poster = edition.deadlines.get(source_type="poster_session")
    assert (poster.kind, poster.kind_text) == ("other", "Poster session")
    assert edition.deadlines.get(source_type="rebuttal").kind == "other"
    assert sorted(edition.deadlines.filter(kind="camera_ready").values_list("label", "local")) == [
        ("Berlin summer time (1)", "2027-01-15 23:59:59"),
        ("Berlin summer time (2)", "2026-10-01 23:59:59"),
    ]
    again = import_paths([tmp_path / "shapes.yml"])
    assert counts(again)[:2] == (0, 0)


@pytest.mark.parametrize(
    ("edit", "entry", "reason"),
    [
        (lambda e: e.update(year="twenty"), "zoneconf/twenty", "'year' should be a whole number"),
        (lambda e: e.update(start="2026-13-01"), "zoneconf/2026", "'start' is not a real date"),
        (
            lambda e: e.update(start="2027-03-05", end="2027-03-01"),
            "zoneconf/2026",
            "cannot end before it starts",
        ),
        (lambda e: e.update(link="javascript:alert(1)"), "zoneconf/2026", "link:"),
        (lambda e: e["deadlines"][0].pop("date"), "zoneconf/2026", "has no date"),
        (lambda e: e["deadlines"][1].update(timezone=""), "zoneconf/2026", "has no time zone"),
        (lambda e: e.update(rankings="excellent"), "zoneconf/2026", "cannot read 'rankings'"),
        (lambda e: e.update(rankings="CCF: D"), "zoneconf", "ccf_rank: Value 'D' is not a valid choice"),
    ],
)
def test_bad_entries_are_rejected_with_a_reason(tmp_path, edit, entry, reason):
    data = load_fixture("hf_zones.yml")
    edit(data[0])
    report = import_paths([write_yaml(tmp_path / "bad.yml", data)])
    [(_, got_entry, got_reason)] = report.errors
    assert got_entry == entry
    assert reason in got_reason
    assert not report.stored
    assert not ConferenceSeries.objects.exists()


def test_a_key_written_twice_is_an_error(tmp_path):
    path = tmp_path / "twice.yml"
    path.write_text(
        (DATA / "ccf_neurips.yml").read_text().replace("  dblp: nips\n", "  dblp: nips\n  sub: CV\n")
    )
    [(_, entry, reason)] = import_paths([path]).errors
    assert entry == "(file)"
    assert "the key 'sub' appears twice" in reason


# --- formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ccf_neurips.yml", FORMAT_CCF), ("hf_neurips.yml", FORMAT_HF), ("rates_neurips.yml", FORMAT_CCF_RATES)],
)
def test_formats_are_recognised(name, expected):
    assert detect_format(load_fixture(name)) == (expected, "")


def test_shipped_real_files_are_recognised():
    assert (
        detect_format(yaml.safe_load((SHIPPED_CCF / "conference/AI/nips.yml").read_text()))[0] == FORMAT_CCF
    )
    assert (
        detect_format(yaml.safe_load((SHIPPED_CCF / "accept_rates/AI/nips.yml").read_text()))[0]
        == FORMAT_CCF_RATES
    )
    assert (
        detect_format(yaml.safe_load((SHIPPED_HF / "src/data/conferences/iclr.yml").read_text()))[0]
        == FORMAT_HF
    )


def test_files_without_deadlines_are_skipped_with_a_note(tmp_path):
    schema = write_yaml(tmp_path / "conference-yaml-schema.yml", {"$schema": "x", "type": "array"})
    report = import_paths([SHIPPED_CCF / "conference" / "types.yml", schema])
    assert report.ok
    assert [("types.yml" in f.note or "schema" in f.note) for f in report.files] == [True, True]
    assert counts(report) == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            (DATA / "not_deadlines.yml").read_text(),
            "not a deadline file: expected a ccf-deadlines conference file",
        ),
        ("", "not a deadline file: it is empty"),
        ("just: a mapping\n", "not a deadline file: it is a dict"),
    ],
)
def test_other_files_are_rejected_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "other.yml"
    path.write_text(content)
    [(got_path, entry, got_reason)] = import_paths([path]).errors
    assert (got_path, entry) == (str(path), "(file)")
    assert got_reason.startswith(reason)


def test_a_missing_path_is_reported_and_does_not_stop_the_rest(tmp_path):
    report = import_paths([tmp_path / "nowhere.yml", DATA / "ccf_neurips.yml"], skip_invalid=True)
    assert report.errors == [(str(tmp_path / "nowhere.yml"), "(file)", "no such file or folder")]
    assert ConferenceSeries.objects.filter(short_name="NeurIPS").exists()


def test_folders_are_searched_for_yaml_files(tmp_path):
    for name in ["a.yml", "sub/b.yaml", "sub/c.txt", ".git/d.yml", "e.YML"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("[]")
    found = collect_files([tmp_path, tmp_path / "a.yml"])
    # Every file but hidden ones; each is then imported or reported as skipped, with its reason.
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.yml",
        "e.YML",
        "sub/b.yaml",
        "sub/c.txt",
    ]
    report = import_paths([tmp_path / "sub" / "c.txt"])
    assert report.files[0].note == "not a YAML file (.txt): no deadlines read from it"


def test_a_checkout_is_read_from_its_data_folders(tmp_path):
    shutil.copytree(SHIPPED_CCF / "accept_rates" / "AI", tmp_path / "accept_rates" / "AI")
    shutil.copytree(SHIPPED_CCF / "conference" / "AI", tmp_path / "conference" / "AI")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    found = collect_files([tmp_path])
    assert {p.relative_to(tmp_path).parts[0] for p in found} == {"accept_rates", "conference"}


def test_a_file_without_an_extension_is_read_when_it_holds_deadlines(tmp_path):
    shutil.copy(SHIPPED_CCF / "accept_rates" / "HI" / "cscwd", tmp_path / "cscwd")
    (tmp_path / "LICENSE").write_text("MIT License\n\nCopyright (c) 2026\n")
    factories.ConferenceSeriesFactory(short_name="CSCWD", slug="cscwd")
    report = import_paths([tmp_path])
    assert report.ok, report.errors
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["cscwd"].warnings == [
        "(file): has no .yml extension; read as YAML, it is ccf-deadlines acceptance rates data"
    ]
    assert by_name["LICENSE"].note.startswith("no extension and not deadline data")
    assert AcceptanceRate.objects.get(series__short_name="CSCWD").accepted == 321


def test_spelling_variants_are_accepted(tmp_path):
    hf = load_fixture("hf_neurips.yml")
    hf[0]["deadlines"] = [
        {"type": "abstract deadline", "label": "A", "date": "2026-05-01 12:00", "timezone": "UTC"},
        {"type": "Submission", "label": "B", "deadline": "2026-05-02 12:00", "timezone": "UTC"},
        {"type": "camera-ready", "label": "C", "date": "2026-09-01", "timezone": "AoE"},
        {"type": "camera_ready", "label": "D", "date": "2026-09-02", "timezone": "AoE"},
        {"type": "Camera Ready", "label": "E", "date": "2026-09-03", "timezone": "AoE"},
        {"type": "rebuttal", "label": "Rebuttal due", "date": "2026-07-01", "timezone": "AoE"},
        {"type": "rebuttal", "label": "Rebuttal period starts", "date": "2026-06-20", "timezone": "AoE"},
        {"type": "first-notification", "label": "F", "date": "2026-08-01", "timezone": "AoE"},
        {"type": "review_release", "date": "2026-06-15", "timezone": "AoE"},
        {"Type": "supplementary", "Label": "G", "Date": "2026-05-09", "Timezone": "AoE"},
    ]
    ccf = load_fixture("ccf_neurips.yml")
    ccf[0]["confs"][0]["timeline"] = [
        {"abstract deadline": "2025-05-11 23:59:59", "Deadline": "2025-05-15 23:59:59"}
    ]
    ccf[0]["confs"][1]["timeline"] = [
        {"Abstract-Deadline": "2026-05-05 11:59:00", "deadline": "2026-05-07 11:59:00"}
    ]
    report = import_paths([write_yaml(tmp_path / "hf.yml", hf), write_yaml(tmp_path / "ccf.yml", ccf)])
    assert report.ok, report.errors
    kinds = dict(Deadline.objects.filter(edition__hf_id="neurips26").values_list("label", "kind"))
    assert kinds == {
        "A": "abstract",
        "B": "paper",
        "C": "camera_ready",
        "D": "camera_ready",
        "E": "camera_ready",
        "Rebuttal due": "rebuttal_end",
        "Rebuttal period starts": "rebuttal_start",
        "F": "notification",
        "Review release": "other",
        "G": "supplementary",
    }
    assert sorted(Deadline.objects.filter(edition__ccf_id="nips25").values_list("kind", flat=True)) == [
        "abstract",
        "paper",
    ]


def test_an_unknown_timeline_key_is_kept_as_other_or_ignored_with_a_warning(tmp_path):
    ccf = load_fixture("ccf_neurips.yml")
    ccf[0]["confs"][1]["timeline"] = [{"deadline": "2026-05-07 11:59:00", "poster_deadline": "2026-06-01"}]
    ccf[0]["confs"][0]["timeline"] = [{"deadline": "2025-05-07 11:59:00", "track": "main"}]
    report = import_paths([write_yaml(tmp_path / "ccf.yml", ccf)])
    assert report.ok, report.errors
    assert report.files[0].warnings == [
        "neurips/2025: timeline item 1: unknown key 'track' ignored "
        "(expected deadline, abstract_deadline, comment)",
        "neurips/2026: timeline item 1: key 'poster_deadline' is no deadline type here: "
        "kept as Other, with its own type",
    ]
    other = Deadline.objects.get(edition__ccf_id="nips26", kind="other")
    assert (other.source_type, other.label, other.local) == (
        "poster_deadline",
        "Poster deadline",
        "2026-06-01",
    )


def test_ccf_rounds_get_labels_from_their_comments(tmp_path):
    ccf = load_fixture("ccf_neurips.yml")
    ccf[0]["confs"][1]["timeline"] = [
        {"deadline": "2026-01-10 23:59:59", "comment": "First round"},
        {"deadline": "2026-04-10 23:59:59"},
    ]
    assert import_paths([write_yaml(tmp_path / "ccf.yml", ccf)]).ok
    rows = Deadline.objects.filter(edition__ccf_id="nips26").order_by("at")
    assert [(d.label, d.comment) for d in rows] == [("First round", "First round"), ("Round 2", "")]


# --- two sources, one catalogue -----------------------------------------------------------------


def test_both_sources_share_one_series_and_one_edition():
    report = import_paths([DATA / "hf_neurips.yml", DATA / "ccf_neurips.yml"])
    assert report.ok, report.errors
    series = ConferenceSeries.objects.get()
    assert (series.short_name, series.slug, series.dblp_key, series.field, series.h5_index) == (
        "NeurIPS",
        "neurips",
        "conf/nips",
        "AI",
        371,
    )
    assert (series.status, series.kind, series.ccf_rank, series.core_rank) == (
        "published",
        "academic",
        "A",
        "A*",
    )
    edition = series.editions.get(year=2026)
    assert (edition.ccf_id, edition.hf_id) == ("nips26", "neurips26")
    # ai-deadlines owns the link, dates and place of the editions it lists; ccf fills the rest.
    assert edition.link == "https://neurips.cc/Conferences/2026/CallForPapers"
    assert (edition.date_text, edition.start_date, edition.end_date) == (
        "December 6 - 12, 2026",
        dt.date(2026, 12, 6),
        dt.date(2026, 12, 12),
    )
    assert (edition.city, edition.country, edition.place_text, edition.timezone) == (
        "Sydney",
        "Australia",
        "Sydney, Australia",
        "UTC+0",
    )
    # ai-deadlines' three deadlines replace ccf-deadlines' two for 2026; 2025 keeps ccf's.
    assert sorted(edition.deadlines.values_list("kind", "label", "source")) == [
        ("abstract", "Abstract submission deadline", "hf"),
        ("camera_ready", "Camera-ready deadline", "hf"),
        ("paper", "Full paper submission deadline", "hf"),
    ]
    assert sorted(series.editions.get(year=2025).deadlines.values_list("kind", "source")) == [
        ("abstract", "ccf"),
        ("paper", "ccf"),
    ]
    ccf_first = catalogue()
    assert counts(import_paths([DATA / "ccf_neurips.yml", DATA / "hf_neurips.yml"]))[:2] == (0, 0)

    ConferenceSeries.objects.all().delete()
    assert import_paths([DATA / "ccf_neurips.yml"]).ok
    assert import_paths([DATA / "hf_neurips.yml"]).ok
    assert catalogue() == ccf_first


def test_a_curators_work_survives_a_reimport(tmp_path):
    topic = factories.TopicFactory(slug="ml")
    assert import_paths([DATA / "ccf_neurips.yml", DATA / "hf_neurips.yml"]).ok
    series = ConferenceSeries.objects.get(short_name="NeurIPS")
    series.description_en = "The largest machine learning conference."
    series.description_zh = "规模最大的机器学习会议。"
    series.homepage = "https://neurips.cc/"
    series.status = Status.DRAFT
    series.save()
    series.topics.add(topic)
    edition = series.editions.get(year=2026)
    own = Deadline.objects.create(
        edition=edition, kind="other", label="Workshop proposals", local="2026-04-01"
    )
    hf_row = edition.deadlines.get(kind="paper")
    hf_row.comment = "Checked against the call for papers."
    hf_row.save()

    report = import_paths([DATA / "ccf_neurips.yml", DATA / "hf_neurips.yml"])
    assert counts(report)[:2] == (0, 0)
    series.refresh_from_db()
    assert (series.description_zh, series.homepage, series.status) == (
        "规模最大的机器学习会议。",
        "https://neurips.cc/",
        "draft",
    )
    assert list(series.topics.all()) == [topic]
    assert Deadline.objects.filter(pk=own.pk, source="").exists()
    assert Deadline.objects.get(pk=hf_row.pk).comment == "Checked against the call for papers."


def test_a_moved_deadline_is_updated_in_place_and_a_dropped_one_withdrawn(tmp_path):
    assert import_paths([DATA / "hf_neurips.yml"]).ok
    paper = Deadline.objects.get(kind="paper")
    data = load_fixture("hf_neurips.yml")
    data[0]["deadlines"][1]["date"] = "2026-05-14 11:59:00"  # a week's extension
    del data[0]["deadlines"][2]  # camera-ready dropped from the file
    report = import_paths([write_yaml(tmp_path / "moved.yml", data)])
    # series and edition unchanged, abstract unchanged, paper updated, camera-ready withdrawn
    assert counts(report) == (0, 1, 3)
    assert report.total("withdrawn") == 1
    paper.refresh_from_db()
    assert (paper.at, paper.local) == (utc(2026, 5, 14, 11, 59, 0), "2026-05-14 11:59:00")
    camera = Deadline.objects.get(kind="camera_ready")
    assert camera.withdrawn_at is not None
    assert not Deadline.objects.upcoming(now=utc(2020, 1, 1)).filter(kind="camera_ready").exists()
    changes = sorted(DeadlineChange.objects.values_list("kind", "change", "old_at", "new_at"))
    assert changes == [
        ("camera_ready", "withdrawn", camera.at, camera.at),
        ("paper", "moved", utc(2026, 5, 7, 11, 59, 0), utc(2026, 5, 14, 11, 59, 0)),
    ]
    assert counts(import_paths([tmp_path / "moved.yml"]))[:2] == (0, 0)


def test_a_changed_series_and_edition_update_in_place(tmp_path):
    assert import_paths([DATA / "ccf_neurips.yml"]).ok
    pks = set(ConferenceEdition.objects.values_list("pk", flat=True))
    data = load_fixture("ccf_neurips.yml")
    data[0]["rank"]["ccf"] = "B"
    data[0]["confs"][1]["place"] = "Sydney, NSW, Australia"
    report = import_paths([write_yaml(tmp_path / "changed.yml", data)])
    assert counts(report) == (0, 2, 5)
    assert ConferenceSeries.objects.get().ccf_rank == "B"
    assert ConferenceEdition.objects.get(year=2026).place_text == "Sydney, NSW, Australia"
    assert set(ConferenceEdition.objects.values_list("pk", flat=True)) == pks


def test_acceptance_rates(tmp_path):
    report = import_paths([DATA / "rates_neurips.yml", DATA / "ccf_neurips.yml"])  # rates sorted after
    assert report.ok, report.errors
    rates = {r.year: (r.submitted, r.accepted, r.rate) for r in AcceptanceRate.objects.all()}
    assert rates == {2024: (15671, 4043, Decimal("0.2580")), 2025: (200, 50, Decimal("0.2500"))}
    assert counts(import_paths([DATA / "rates_neurips.yml"]))[:2] == (0, 0)

    data = load_fixture("rates_neurips.yml")
    data[0]["title"] = "NoSuchConf"
    errors = import_paths([write_yaml(tmp_path / "r.yml", data)]).errors
    # Every rate of the file is listed, not only the first.
    assert [entry for _, entry, _ in errors] == [
        "nosuchconf/2024 acceptance rate",
        "nosuchconf/2025 acceptance rate",
    ]
    assert "no conference series called 'NoSuchConf'" in errors[0][2]


# --- contradictions an entry resolves itself: read so, with a warning ---------------------------


def test_counts_swapped_against_their_own_rate_are_read_the_right_way_round(tmp_path):
    assert import_paths([DATA / "ccf_neurips.yml"]).ok
    data = load_fixture("rates_neurips.yml")
    data[0]["accept_rates"][0].update(submitted=4043, accepted=15671)  # rate 0.2580 is 4043/15671
    report = import_paths([write_yaml(tmp_path / "r.yml", data)])
    assert report.ok, report.errors
    [warning] = report.files[0].warnings
    assert warning.startswith("neurips/2024 acceptance rate: read as 15671 submitted and 4043 accepted")
    rate = AcceptanceRate.objects.get(year=2024)
    assert (rate.submitted, rate.accepted, rate.rate) == (15671, 4043, Decimal("0.2580"))
    assert report.summary().endswith("; warnings 1; errors 0")


@pytest.mark.parametrize("rate", [None, 0.9, 0.2579])
def test_counts_swapped_without_a_rate_that_says_so_are_an_error(tmp_path, rate):
    assert import_paths([DATA / "ccf_neurips.yml"]).ok
    before = snapshot()
    data = load_fixture("rates_neurips.yml")
    data[0]["accept_rates"][0].update(submitted=4043, accepted=15671, rate=rate)
    [(_, entry, reason)] = import_paths([write_yaml(tmp_path / "r.yml", data)]).errors
    assert (entry, reason) == ("neurips/2024 acceptance rate", "15671 accepted is more than 4043 submitted")
    assert snapshot() == before


def test_a_year_slip_in_start_and_end_is_corrected_by_the_date_text(tmp_path):
    data = load_fixture("hf_zones.yml")
    data[0].update(date="October 5-9, 2026", start="2025-10-05", end="2025-10-09")
    report = import_paths([write_yaml(tmp_path / "slip.yml", data)])
    assert report.ok, report.errors
    assert report.files[0].warnings == [
        "zoneconf/2026: 'start' and 'end' (2025-10-05 to 2025-10-09) read as 2026-10-05 to 2026-10-09: "
        "the edition is 2026 and its date says 'October 5-9, 2026'"
    ]
    edition = ConferenceEdition.objects.get(hf_id="zoneconf26")
    assert (edition.start_date, edition.end_date) == (dt.date(2026, 10, 5), dt.date(2026, 10, 9))
    # Unchanged on a second import: the correction is the same every time.
    assert counts(import_paths([tmp_path / "slip.yml"]))[:2] == (0, 0)


@pytest.mark.parametrize(
    "date_text",
    [
        "December 30, 2026 - January 3, 2027",  # names both years: nothing to correct
        "January 2-3",  # names no year
        "",
    ],
)
def test_dates_in_another_year_are_taken_as_written_when_the_text_does_not_say_otherwise(tmp_path, date_text):
    data = load_fixture("hf_zones.yml")
    data[0].update(date=date_text, start="2027-01-02", end="2027-01-03")
    report = import_paths([write_yaml(tmp_path / "as-written.yml", data)])
    assert report.ok, report.errors
    assert report.files[0].warnings == []
    edition = ConferenceEdition.objects.get(hf_id="zoneconf26")
    assert (edition.start_date, edition.end_date) == (dt.date(2027, 1, 2), dt.date(2027, 1, 3))


def test_a_submission_deadline_after_the_event_is_left_out_with_a_warning(tmp_path):
    data = load_fixture("hf_zones.yml")
    # The event ends on 15 May 2026 (AoE). Its AoE paper deadline that day stays; the
    # supplementary one (22 May), after it, goes; a notification afterwards is normal and stays.
    data[0].update(start="2026-05-11", end="2026-05-15")
    report = import_paths([write_yaml(tmp_path / "late.yml", data)])
    assert report.ok, report.errors
    assert report.files[0].warnings == [
        "zoneconf/2026: left out the supplementary deadline 2026-05-22 23:59:59 (UTC-12): "
        "it falls after the event ended on 2026-05-15"
    ]
    kinds = set(Deadline.objects.filter(edition__hf_id="zoneconf26").values_list("kind", flat=True))
    assert "supplementary" not in kinds
    assert {"paper", "abstract", "notification"} <= kinds


def test_warnings_are_printed_by_the_command(tmp_path):
    data = load_fixture("hf_zones.yml")
    data[0].update(start="2026-05-11", end="2026-05-15")
    path = write_yaml(tmp_path / "late.yml", data)
    out = io.StringIO()
    call_command("import_deadlines", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert f"{path}: warning: zoneconf/2026: left out the supplementary deadline" in out.getvalue()
    assert out.getvalue().rstrip().endswith("; warnings 1; errors 0")


def test_dry_run_changes_nothing(seeded):
    before = snapshot()
    paths = [DATA / "hf_neurips.yml", DATA / "hf_zones.yml", DATA / "rates_neurips.yml"]
    dry = import_paths(paths, dry_run=True)
    assert dry.ok and dry.dry_run
    assert dry.summary().startswith("dry run, nothing stored: would have created")
    assert snapshot() == before
    real = import_paths(paths)
    assert counts(real) == counts(dry)
    assert snapshot() != before


# --- queries ---------------------------------------------------------------------------------------


def generated(tmp_path: Path, editions: int, shift_days: int = 0) -> Path:
    """An ai-deadlines file: ``editions`` editions of 50 series, each with one deadline."""
    rows = []
    for n in range(editions):
        year = 1990 + n // 50
        day = dt.date(year, 1, 1) + dt.timedelta(days=n % 50 + shift_days)
        rows.append(
            {
                "title": f"Conf{n % 50}",
                "year": year,
                "id": f"conf{n % 50}-{year}",
                "full_name": f"Conference number {n % 50}",
                "link": f"https://example.org/conf{n % 50}/{year}",
                "deadlines": [
                    {"type": "paper", "label": "Papers", "date": f"{day} 23:59:59", "timezone": "AoE"}
                ],
                "date": str(year),
                "city": "Vienna",
                "country": "Austria",
            }
        )
    return write_yaml(tmp_path / f"generated-{editions}-{shift_days}.yml", rows)


def queries(path: Path) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        report = import_paths([path])
    assert report.ok, report.errors
    return [q["sql"].split()[0] for q in captured]


def test_a_thousand_editions_take_a_bounded_number_of_queries(tmp_path):
    small_new = queries(generated(tmp_path, 10))
    ConferenceSeries.objects.all().delete()
    # A new file of 1,000 editions (50 series, 1,000 deadlines): SAVEPOINT (the run) and SAVEPOINT
    # (the file); SELECT all series; SELECT the aliases; INSERT series; SELECT their editions;
    # INSERT editions; SELECT the deadlines and the conflicts of those editions; INSERT deadlines;
    # two RELEASE SAVEPOINTs.
    new = queries(generated(tmp_path, 1000))
    # The same file again: the SAVEPOINTs and five SELECTs (series, aliases, editions, deadlines,
    # conflicts); no INSERT, no UPDATE.
    unchanged = queries(generated(tmp_path, 1000))
    assert unchanged == ["SAVEPOINT", "SAVEPOINT", *["SELECT"] * 5, "RELEASE", "RELEASE"]
    # Every deadline moved: the same, plus UPDATE deadlines (one CASE statement) and INSERT the
    # 1,000 changes, each recorded (moved, old and new instant).
    moved = queries(generated(tmp_path, 1000, shift_days=1))
    assert DeadlineChange.objects.filter(change="moved").count() == 1000
    if connection.vendor == "postgresql":
        assert (len(new), len(moved)) == (12, 11)
        assert len(small_new) == len(new)
    else:
        # SQLite: Django splits a bulk statement at 999 parameters, so the INSERTs and the UPDATE
        # come in batches of about 60 editions, 110 new or 140 changed deadlines, 80 changes;
        # nothing is per entry.
        assert len(new) <= 12 + 18 + 10
        assert len(moved) <= 9 + 8 + 14


# --- the command -------------------------------------------------------------------------------------


def test_command_prints_a_line_per_file_and_a_summary():
    out = io.StringIO()
    call_command(
        "import_deadlines", str(DATA / "ccf_neurips.yml"), str(DATA / "rates_neurips.yml"), stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines == [
        f"[1 of 2] {DATA / 'ccf_neurips.yml'}: created 7, updated 0, unchanged 0, withdrawn 0",
        f"[2 of 2] {DATA / 'rates_neurips.yml'}: created 2, updated 0, unchanged 0, withdrawn 0",
        "stored: created 9, updated 0, unchanged 0, withdrawn 0; warnings 0; errors 0",
    ]


def test_command_dry_run_and_quiet():
    out = io.StringIO()
    call_command("import_deadlines", str(DATA / "ccf_neurips.yml"), "--dry-run", stdout=out)
    assert (
        out.getvalue().splitlines()[-1]
        == "dry run, nothing stored: would have created 7, updated 0, unchanged 0, withdrawn 0; "
        "warnings 0; errors 0"
    )
    assert not ConferenceSeries.objects.exists()
    out = io.StringIO()
    call_command("import_deadlines", str(DATA / "ccf_neurips.yml"), verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert ConferenceSeries.objects.exists()


def test_command_stores_nothing_and_names_every_error(tmp_path):
    shutil.copy(DATA / "unknown_zone.yml", tmp_path / "a.yml")
    shutil.copy(DATA / "broken.yml", tmp_path / "b.yml")
    shutil.copy(DATA / "hf_zones.yml", tmp_path / "c.yml")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 entries rejected in 2 files; nothing was stored"):
        call_command("import_deadlines", str(tmp_path), stdout=out, stderr=err)
    errors = err.getvalue().splitlines()
    assert errors[0].startswith(
        f"{tmp_path / 'a.yml'}:16: zonefail/2026: timeline item 1, deadline: unknown time zone"
    )
    assert errors[1].startswith(f"{tmp_path / 'b.yml'}: (file): broken YAML at line 7")
    assert (
        out.getvalue().splitlines()[-1].startswith("nothing stored: 2 errors in 2 of 3 files, listed above")
    )
    assert not ConferenceSeries.objects.exists()


def test_command_with_skip_invalid_stores_the_valid_entries(tmp_path):
    shutil.copy(DATA / "unknown_zone.yml", tmp_path / "a.yml")
    shutil.copy(DATA / "broken.yml", tmp_path / "b.yml")
    shutil.copy(DATA / "hf_zones.yml", tmp_path / "c.yml")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 entries rejected in 2 files; the valid entries were stored"):
        call_command("import_deadlines", str(tmp_path), "--skip-invalid", stdout=out, stderr=err)
    assert len(err.getvalue().splitlines()) == 2
    assert out.getvalue().splitlines()[-1].startswith("stored: created ")
    # ZoneConf (c.yml), and the series of a.yml whose other editions are valid.
    assert set(ConferenceSeries.objects.values_list("short_name", flat=True)) == {"ZoneConf", "Zonefail"}


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_command_shows_a_counter_on_a_terminal(tmp_path):
    out = Terminal()
    paths = [DATA / "ccf_neurips.yml", DATA / "hf_neurips.yml"]
    call_command("import_deadlines", *map(str, paths), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "\rimporting file 1 of 2\x1b[K\rimporting file 2 of 2\x1b[K\n" in text
    assert text.splitlines()[-1].startswith("stored: created ")
    assert "[1/2]" not in text  # the line per file is for verbosity 2, or for logs and pipes


def full_dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", "resources", "--indent=0", stdout=out)
    return out.getvalue()


def test_a_mixed_run_in_each_mode(seeded, tmp_path):
    """Good files and broken ones together: the default stores nothing and lists every error,
    --dry-run changes nothing, --skip-invalid stores the good entries (compared as full dumps)."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ["hf_zones.yml", "hf_neurips.yml", "unknown_zone.yml", "broken.yml", "impossible_date.yml"]:
        shutil.copy(DATA / name, folder / name)
    before = full_dump()

    err = io.StringIO()
    with pytest.raises(CommandError, match="3 entries rejected in 3 files; nothing was stored"):
        call_command("import_deadlines", str(folder), stdout=io.StringIO(), stderr=err)
    assert [line.split(": ")[0].rsplit("/", 1)[-1] for line in err.getvalue().splitlines()] == [
        "unknown_zone.yml:16",
        "impossible_date.yml:2",
        "broken.yml",
    ]
    assert full_dump() == before

    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_deadlines", str(folder), "--dry-run", "-v2", stdout=out, stderr=io.StringIO())
    assert "created: conference series ZoneConf" in out.getvalue()  # the diff a curator reads
    assert full_dump() == before

    with pytest.raises(CommandError, match="3 entries rejected in 3 files; the valid entries were stored"):
        call_command(
            "import_deadlines", str(folder), "--skip-invalid", stdout=io.StringIO(), stderr=io.StringIO()
        )
    after = full_dump()
    assert after != before
    assert ConferenceEdition.objects.filter(hf_id__in=["zoneconf26", "neurips26", "zonefail25"]).count() == 2
    # Zonefail 2025 is valid and stored; its 2026 edition (the unknown zone) is not.
    assert ConferenceEdition.objects.filter(ccf_id="zonefail25").exists()
    assert not ConferenceEdition.objects.filter(ccf_id="zonefail26").exists()
