"""resources.exports: the deadline filter, iCalendar of deadlines, BibTeX of papers."""

import datetime as dt

import pytest
from icalendar import Calendar

from resources import exports
from resources.models import Deadline, Paper, Status
from tests.factories import (
    ConferenceEditionFactory,
    ConferenceSeriesFactory,
    DeadlineFactory,
    PaperFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def neurips():
    series = ConferenceSeriesFactory(
        short_name="NeurIPS", slug="neurips", field="AI", ccf_rank="A", core_rank="A*"
    )
    return ConferenceEditionFactory(series=series, year=2026, link="https://neurips.cc/Conferences/2026")


@pytest.fixture
def export_deadlines(neurips):
    """Deadlines written in different zones, stored in UTC as the importers store them."""
    return {
        # 2026-05-15 23:59:59 AoE (UTC−12) is 2026-05-16 11:59:59 UTC.
        "paper": DeadlineFactory(
            edition=neurips, kind="paper", label="", at=utc(2026, 5, 16, 11, 59, 59),
            local="2026-05-15 23:59:59", timezone="AoE", comment="Full papers; no extensions.",
        ),
        # 2026-05-08 23:59 in UTC+8 is 15:59 UTC.
        "abstract": DeadlineFactory(
            edition=neurips, kind="abstract", label="", at=utc(2026, 5, 8, 15, 59),
            local="2026-05-08 23:59", timezone="UTC+8",
        ),
        # 2026-01-20 23:59 in Los Angeles (PST, UTC−8) is 2026-01-21 07:59 UTC.
        "past": DeadlineFactory(
            edition=neurips, kind="registration", label="", at=utc(2026, 1, 21, 7, 59),
            local="2026-01-20 23:59", timezone="PT",
        ),
        "tbd": DeadlineFactory(edition=neurips, kind="camera_ready", label="", at=None, local=""),
    }  # fmt: skip


def events_of(ics: bytes) -> dict:
    return {str(event["UID"]): event for event in Calendar.from_ical(ics).walk("VEVENT")}


def test_ical_parses_back_with_the_same_instants(export_deadlines):
    ics = exports.deadlines_to_ical(Deadline.objects.all(), name="NeurIPS deadlines")

    events = events_of(ics)
    known = [d for d in export_deadlines.values() if d.at is not None]
    assert {uid: e.decoded("DTSTART") for uid, e in events.items()} == {
        f"deadline-{d.pk}@ai-portal": d.at for d in known
    }
    for event in events.values():
        assert event.decoded("DTEND") == event.decoded("DTSTART")
        assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert b"DTSTART:20260516T115959Z" in ics  # UTC, written with Z


def test_ical_leaves_out_tbd_deadlines(export_deadlines):
    events = events_of(exports.deadlines_to_ical(Deadline.objects.all(), name="x"))

    assert len(events) == 3
    assert f"deadline-{export_deadlines['tbd'].pk}@ai-portal" not in events


def test_ical_properties(export_deadlines):
    stamp = utc(2026, 3, 1, 8, 30, 15, 123)
    ics = exports.deadlines_to_ical([export_deadlines["paper"]], name="NeurIPS 截止日期", stamp=stamp)

    calendar = Calendar.from_ical(ics)
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == ("2.0", exports.PRODID)
    assert str(calendar["X-WR-CALNAME"]) == "NeurIPS 截止日期"
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=12)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "NeurIPS 2026 — Paper"
    assert str(event["URL"]) == "https://neurips.cc/Conferences/2026"
    assert event.decoded("DTSTAMP") == utc(2026, 3, 1, 8, 30, 15)
    assert str(event["LOCATION"]) == "Vienna, Austria"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Local time as the conference writes it: 2026-05-15 23:59:59 AoE",
        "In UTC: 2026-05-16 11:59:59 UTC",
        "Full papers; no extensions.",
        "https://neurips.cc/Conferences/2026",
    ]
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # RFC 5545 folds at 75 octets


def test_ical_uids_are_stable_across_exports_and_updates(export_deadlines):
    first = events_of(exports.deadlines_to_ical(Deadline.objects.all(), name="x"))
    Deadline.objects.filter(pk=export_deadlines["paper"].pk).update(at=utc(2026, 5, 23, 11, 59, 59))

    second = events_of(exports.deadlines_to_ical(Deadline.objects.all(), name="x"))

    assert first.keys() == second.keys()
    uid = f"deadline-{export_deadlines['paper'].pk}@ai-portal"
    assert second[uid].decoded("DTSTART") == utc(2026, 5, 23, 11, 59, 59)


def test_ical_uid_domain_from_settings(export_deadlines, settings):
    settings.CALENDAR_UID_DOMAIN = "deadlines.example.org"

    events = events_of(exports.deadlines_to_ical([export_deadlines["paper"]], name="x"))

    assert list(events) == [f"deadline-{export_deadlines['paper'].pk}@deadlines.example.org"]


def test_ical_of_a_queryset_takes_one_query(export_deadlines, django_assert_num_queries):
    # SELECT deadlines JOIN editions JOIN series
    with django_assert_num_queries(1):
        exports.deadlines_to_ical(exports.deadline_queryset(), name="x")


def test_empty_calendar_is_still_a_calendar():
    calendar = Calendar.from_ical(exports.deadlines_to_ical([], name="Nothing yet"))

    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Nothing yet"


def test_deadline_queryset_when(export_deadlines):
    upcoming = list(exports.deadline_queryset(upcoming=True, now=NOW))
    past = list(exports.deadline_queryset(upcoming=False, now=NOW))
    every = list(exports.deadline_queryset())

    assert upcoming == [export_deadlines["abstract"], export_deadlines["paper"]]
    assert past == [export_deadlines["past"]]
    assert every == [
        export_deadlines["past"],
        export_deadlines["abstract"],
        export_deadlines["paper"],
        export_deadlines["tbd"],
    ]


def test_deadline_queryset_filters(export_deadlines, neurips):
    llms = TopicFactory(slug="llms", parent=TopicFactory(slug="nlp"))
    neurips.series.topics.add(llms, llms.parent)  # in a topic and its subtopic: still once each
    cvpr = ConferenceSeriesFactory(short_name="CVPR", field="CV", ccf_rank="A", core_rank="A*")
    cvpr_deadline = DeadlineFactory(edition__series=cvpr)
    eccv = ConferenceSeriesFactory(short_name="ECCV", field="CV", ccf_rank="B", core_rank="A*")
    eccv_deadline = DeadlineFactory(edition__series=eccv)
    draft = ConferenceSeriesFactory(short_name="Draft", status=Status.DRAFT)
    DeadlineFactory(edition__series=draft)
    neurips_all = set(export_deadlines.values())

    def pks(**filters):
        return set(exports.deadline_queryset(**filters))

    assert pks(series_slug="neurips") == neurips_all
    assert pks(topic="nlp") == pks(topic=llms) == neurips_all
    assert len(exports.deadline_queryset(topic="nlp")) == 4
    assert pks(field="cv") == {cvpr_deadline, eccv_deadline}
    assert pks(rank="A") == pks(rank="ccf:A") == neurips_all | {cvpr_deadline}
    assert pks(rank="B") == {eccv_deadline}
    assert pks(rank="core:A*") == neurips_all | {cvpr_deadline, eccv_deadline}
    assert pks(field="CV", rank="a") == {cvpr_deadline}
    assert pks() == neurips_all | {cvpr_deadline, eccv_deadline}  # the draft series' deadline is hidden


@pytest.mark.parametrize(
    ("rank", "parsed"),
    [("A", ("ccf", "A")), ("ccf B", ("ccf", "B")), ("CORE:a*", ("core", "A*")), ("thcpl-A", ("thcpl", "A"))],
)
def test_parse_rank(rank, parsed):
    assert exports.parse_rank(rank) == parsed


@pytest.mark.parametrize("rank", ["A*", "D", "thcpl:C", "core", ""])
def test_parse_rank_refuses(rank):
    with pytest.raises(ValueError, match="is not a rank"):
        exports.parse_rank(rank)


def test_bibtex_of_a_filtered_list_takes_one_query(django_assert_num_queries):
    edition = ConferenceEditionFactory(series__short_name="NeurIPS", series__full_name="NeurIPS", year=2017)
    PaperFactory(title="Attention Is All You Need", venue="", venue_edition=edition, bibtex_key="vaswani2017")
    PaperFactory(title="Something Else", venue="Neural Computation", bibtex_key="else")

    # SELECT papers LEFT JOIN editions LEFT JOIN series
    with django_assert_num_queries(1):
        text = exports.papers_to_bibtex(Paper.objects.filter(year=2020))

    assert text.count("@") == 2
    assert "@inproceedings{vaswani2017,\n" in text and "  booktitle = {NeurIPS 2017},\n" in text
    assert exports.paper_to_bibtex(Paper.objects.get(bibtex_key="else")).startswith("@article{else,\n")
