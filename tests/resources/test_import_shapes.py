"""Each real-world shape of the upstream deadline data, on a small file written here: what is
stored, and the warning that says how it was read (resources/data/README.md names where each
was met upstream)."""

import textwrap
from pathlib import Path

import pytest
import yaml

from resources.importers.deadlines import import_paths
from resources.models import AcceptanceRate, ConferenceEdition, ConferenceSeries, Deadline, SeriesAlias

pytestmark = pytest.mark.django_db


def write(folder: Path, relative: str, text: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def series_file(title: str, sub: str, dblp: str, description: str, confs: list[dict]) -> str:
    series = {"title": title, "description": description, "sub": sub, "rank": {"ccf": "C"}, "dblp": dblp}
    return yaml.safe_dump([{**series, "confs": confs}], sort_keys=False)


def edition(year: int, id_: str, timeline: list[dict], zone: str = "AoE") -> dict:
    return {
        "year": year,
        "id": id_,
        "link": f"https://example.org/{id_}",
        "timeline": timeline,
        "timezone": zone,
    }


def warnings_of(report) -> list[str]:
    return [w for f in report.files for w in f.warnings]


def test_one_id_for_several_editions_is_told_apart_by_year(tmp_path):
    # As conference/DS/ica3pp.yml: the id "ica3pp" for 2022, 2023 and 2025.
    confs = [edition(year, "ica3pp", [{"deadline": f"{year}-05-01 23:59:59"}]) for year in (2022, 2023, 2025)]
    path = write(
        tmp_path, "conference/DS/ica3pp.yml", series_file("ICA3PP", "DS", "ica3pp", "Parallel", confs)
    )
    report = import_paths([path])
    assert report.ok, report.errors
    assert warnings_of(report) == [
        "ica3pp: the id 'ica3pp' is given to 3 editions (2022, 2023, 2025): they are told apart by their year"
    ]
    editions = ConferenceEdition.objects.filter(ccf_id="ica3pp").order_by("year")
    assert [(e.year, e.deadlines.get().local) for e in editions] == [
        (2022, "2022-05-01 23:59:59"),
        (2023, "2023-05-01 23:59:59"),
        (2025, "2025-05-01 23:59:59"),
    ]
    assert import_paths([path]).total("created") == 0


def test_several_deadlines_under_one_comment_are_numbered(tmp_path):
    # As conference/SC/uss.yml 2022: three review cycles, each item with the same comment.
    cycles = [
        {"deadline": day, "comment": "3 review cycles"}
        for day in ("2021-06-08 23:59:59", "2021-10-12 23:59:59", "2022-02-01 23:59:59")
    ]
    text = series_file(
        "USENIX Security",
        "SC",
        "uss",
        "USENIX Security Symposium",
        [edition(2022, "uss22", cycles, "UTC-12")],
    )
    report = import_paths([write(tmp_path, "conference/SC/uss.yml", text)])
    assert report.ok, report.errors
    assert warnings_of(report) == [
        "usenix security/2022: 3 different paper deadlines under the label '3 review cycles' are kept apart "
        "as '3 review cycles (1)', '3 review cycles (2)', '3 review cycles (3)'"
    ]
    rows = Deadline.objects.order_by("at").values_list("label", "comment", "local")
    assert list(rows) == [
        ("3 review cycles (1)", "3 review cycles", "2021-06-08 23:59:59"),
        ("3 review cycles (2)", "3 review cycles", "2021-10-12 23:59:59"),
        ("3 review cycles (3)", "3 review cycles", "2022-02-01 23:59:59"),
    ]


def conference(tmp_path, relative, title, sub, dblp, description, year=2026) -> Path:
    id_ = f"{relative.rsplit('/', 1)[-1].removesuffix('.yml')}{year % 100}"
    confs = [edition(year, id_, [{"deadline": f"{year}-01-15 23:59:59"}])]
    return write(tmp_path, relative, series_file(title, sub, dblp, description, confs))


def test_two_conferences_with_one_dblp_key_stay_apart(tmp_path):
    # As conference/SC/asiaccs.yml, which carries CCS's dblp key.
    conference(tmp_path, "conference/SC/asiaccs.yml", "AsiaCCS", "SC", "ccs", "Asia CCS", 2027)
    conference(tmp_path, "conference/SC/ccs.yml", "CCS", "SC", "ccs", "ACM CCS", 2026)
    report = import_paths([tmp_path])
    assert report.ok, report.errors
    assert sorted(ConferenceSeries.objects.values_list("short_name", "ccf_key", "dblp_key")) == [
        ("AsiaCCS", "SC/asiaccs", "conf/ccs"),
        ("CCS", "SC/ccs", "conf/ccs"),
    ]
    assert ConferenceEdition.objects.get(ccf_id="asiaccs27").series.short_name == "AsiaCCS"
    again = import_paths([tmp_path])
    assert (again.total("created"), again.total("updated")) == (0, 0)


def test_two_conferences_with_one_short_name_stay_apart_and_a_third_claim_is_reported(tmp_path):
    # As conference/DS/sec.yml (Edge Computing) and conference/SC/sec.yml (IFIP SEC).
    conference(tmp_path, "conference/DS/sec.yml", "SEC", "DS", "ieeesec", "Symposium on Edge Computing")
    conference(tmp_path, "conference/SC/sec.yml", "SEC", "SC", "sec", "IFIP Information Security")
    report = import_paths([tmp_path / "conference"])
    assert report.ok, report.errors
    assert sorted(ConferenceSeries.objects.values_list("ccf_key", "full_name")) == [
        ("DS/sec", "Symposium on Edge Computing"),
        ("SC/sec", "IFIP Information Security"),
    ]
    # An ai-deadlines file naming "SEC" cannot say which: a series of its own, and a warning.
    hf = write(
        tmp_path,
        "hf/sec.yml",
        """
        - title: SEC
          year: 2026
          id: sec26
          link: https://example.org/sec
          deadlines:
            - type: paper
              label: Papers
              date: '2026-02-01 23:59:59'
              timezone: AoE
        """,
    )
    report = import_paths([hf])
    assert report.ok, report.errors
    [warning] = warnings_of(report)
    assert warning.startswith(
        "sec: the name 'SEC' is claimed by 2 series (SEC (Symposium on Edge Computing), "
    )
    assert warning.endswith(
        "kept apart as a series of its own; add an alias in the admin if it is one of them"
    )
    assert ConferenceSeries.objects.filter(short_name="SEC").count() == 3
    assert ConferenceSeries.objects.get(hf_key="sec").ccf_key == ""


def test_a_society_prefix_and_a_joint_event_meet_through_the_aliases(tmp_path):
    # ccf-deadlines' conference file says SIGOPS ATC, its acceptance rates USENIX ATC (a curated
    # alias, seeded by a migration); ai-deadlines writes CEC where ccf-deadlines writes IEEE CEC
    # (the prefix is ignored); a joint event under two names needs an alias a curator adds.
    assert SeriesAlias.objects.filter(alias="USENIX ATC", name="SIGOPS ATC").exists()
    conference(tmp_path, "conference/DS/atc.yml", "SIGOPS ATC", "DS", "usenix", "Annual Technical Conference")
    write(
        tmp_path,
        "accept_rates/DS/atc.yml",
        """
        - title: USENIX ATC
          accept_rates:
            - year: 2021
              submitted: 341
              accepted: 64
        """,
    )
    conference(
        tmp_path, "conference/AI/cec.yml", "IEEE CEC", "AI", "cec", "Congress on Evolutionary Computation"
    )
    conference(tmp_path, "conference/HI/ubicomp.yml", "UbiComp/ISWC", "HI", "huc", "UbiComp and ISWC")
    hf = write(
        tmp_path,
        "hf/joint.yml",
        """
        - title: CEC
          year: 2026
          id: cec2026
          link: https://example.org/cec
          deadlines: []
        - title: Ubicomp-ISWC
          year: 2026
          id: ubicomp26
          link: https://example.org/ubicomp
          deadlines: []
        """,
    )
    SeriesAlias.objects.create(alias="Ubicomp-ISWC", name="UbiComp/ISWC", note="the joint event")
    report = import_paths([tmp_path / "conference", tmp_path / "accept_rates", hf])
    assert report.ok, report.errors
    assert AcceptanceRate.objects.get(year=2021).series.short_name == "SIGOPS ATC"
    assert ConferenceSeries.objects.count() == 3
    assert ConferenceEdition.objects.get(hf_id="cec2026").series.short_name == "IEEE CEC"
    assert ConferenceEdition.objects.get(hf_id="ubicomp26").series.short_name == "UbiComp/ISWC"


def test_a_file_without_an_extension_is_read_and_said_so(tmp_path):
    # As accept_rates/HI/cscwd.
    conference(tmp_path, "conference/HI/cscwd.yml", "CSCWD", "HI", "cscwd", "CSCW in Design")
    write(
        tmp_path,
        "accept_rates/HI/cscwd",
        """
        - title: CSCWD
          accept_rates:
            - year: 2023
              submitted: 380
              accepted: 321
        """,
    )
    report = import_paths([tmp_path])
    assert report.ok, report.errors
    assert warnings_of(report) == [
        "(file): has no .yml extension; read as YAML, it is ccf-deadlines acceptance rates data"
    ]
    assert AcceptanceRate.objects.get().accepted == 321


def test_a_year_with_a_letter_and_an_unknown_type(tmp_path):
    path = write(
        tmp_path,
        "hf/x.yml",
        """
        - title: Lettered
          year: 2023a
          id: lettered23a
          link: https://example.org/lettered
          deadlines:
            - type: artifact_evaluation
              label: Artifacts
              date: '2023-08-01 23:59:59'
              timezone: AoE
        """,
    )
    report = import_paths([path])
    assert report.ok, report.errors
    assert warnings_of(report) == [
        "lettered/2023a: year '2023a' read as 2023: a letter after a year is not part of it",
        "lettered/2023a: deadline 1 (artifact_evaluation): deadline type 'artifact_evaluation' has no kind "
        "here: kept as Other, with its own type",
    ]
    deadline = Deadline.objects.get()
    assert (deadline.edition.year, deadline.kind, deadline.source_type, deadline.label) == (
        2023,
        "other",
        "artifact_evaluation",
        "Artifacts",
    )
    assert deadline.kind_text == "Artifact evaluation"


def test_a_series_moved_to_another_field_upstream_stays_one_series(tmp_path):
    conference(tmp_path, "a/conference/AI/icdm.yml", "ICDM", "AI", "icdm", "Data Mining")
    assert import_paths([tmp_path / "a"]).ok
    conference(tmp_path, "b/conference/DB/icdm.yml", "ICDM", "DB", "icdm", "Data Mining")
    report = import_paths([tmp_path / "b"])
    assert report.ok, report.errors
    assert warnings_of(report) == ["icdm: was filed under AI: the same series, moved"]
    series = ConferenceSeries.objects.get()
    assert (series.ccf_key, series.field) == ("DB/icdm", "DB")
    again = import_paths([tmp_path / "b"])
    assert (again.total("created"), again.total("updated"), warnings_of(again)) == (0, 0, [])
