"""Local date-time + time-zone string → UTC, with every instant converted by hand."""

import datetime as dt

import pytest

from resources.importers.timezones import TimeZoneError, parse_zone, to_utc


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        # AoE is UTC−12: the deadline ends when the day ends on Baker Island, noon next day in UTC.
        ("2026-05-15 23:59:59", "AoE", utc(2026, 5, 16, 11, 59, 59)),
        ("2026-05-15 23:59:59", "aoe", utc(2026, 5, 16, 11, 59, 59)),
        # UTC−12 in the ISO sense: twelve hours behind, the same instant as AoE.
        ("2026-05-15 23:59:59", "UTC-12", utc(2026, 5, 16, 11, 59, 59)),
        # IANA's Etc/GMT+12 also means twelve hours behind: the sign is the opposite way round.
        ("2026-05-15 23:59:59", "Etc/GMT+12", utc(2026, 5, 16, 11, 59, 59)),
        ("2026-05-15 23:59:59", "UTC+8", utc(2026, 5, 15, 15, 59, 59)),
        ("2026-05-15 20:00:00", "UTC+0", utc(2026, 5, 15, 20, 0, 0)),
        ("2026-05-15 20:00:00", "UTC", utc(2026, 5, 15, 20, 0, 0)),
        ("2026-05-15 23:59:59", "UTC-08", utc(2026, 5, 16, 7, 59, 59)),
        ("2025-09-18 08:59:59", "GMT+02", utc(2025, 9, 18, 6, 59, 59)),
        ("2026-05-15 12:00:00", "UTC+5:30", utc(2026, 5, 15, 6, 30, 0)),
        ("2026-05-15 12:00:00", "UTC+05:30", utc(2026, 5, 15, 6, 30, 0)),
        ("2026-05-15 12:00:00", "UTC−3", utc(2026, 5, 15, 15, 0, 0)),  # a Unicode minus sign
        # PT in July is PDT (UTC−7), whatever the label says.
        ("2026-07-15 23:59:59", "PT", utc(2026, 7, 16, 6, 59, 59)),
        ("2026-07-15 23:59:59", "PST", utc(2026, 7, 16, 6, 59, 59)),
        ("2026-07-15 23:59:59", "PDT", utc(2026, 7, 16, 6, 59, 59)),
        # PT in January is PST (UTC−8).
        ("2026-01-15 23:59:59", "PT", utc(2026, 1, 16, 7, 59, 59)),
        ("2026-01-15 23:59:59", "PDT", utc(2026, 1, 16, 7, 59, 59)),
        # IANA names, with their own daylight saving.
        ("2026-07-01 12:00:00", "Europe/London", utc(2026, 7, 1, 11, 0, 0)),
        ("2026-01-01 12:00:00", "Europe/London", utc(2026, 1, 1, 12, 0, 0)),
        ("2026-10-01 23:59:59", "Europe/Berlin", utc(2026, 10, 1, 21, 59, 59)),
        ("2026-03-01 09:30:00", "Asia/Kolkata", utc(2026, 3, 1, 4, 0, 0)),
        ("2026-06-15 23:59:59", "Pacific/Honolulu", utc(2026, 6, 16, 9, 59, 59)),
    ],
)
def test_converts_by_hand(local, zone, expected):
    assert to_utc(local, zone) == expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-05-15 23:59:59", utc(2026, 5, 15, 15, 59, 59)),
        ("2026-05-15 23:59", utc(2026, 5, 15, 15, 59, 0)),
        ("2026-05-15T23:59:59", utc(2026, 5, 15, 15, 59, 59)),
        ("2026-05-15T23:59", utc(2026, 5, 15, 15, 59, 0)),
        ("  2026-05-15 23:59:59 ", utc(2026, 5, 15, 15, 59, 59)),
        ("2026-5-7 08:00", utc(2026, 5, 7, 0, 0, 0)),
        # A date alone is the end of that day, local time.
        ("2026-05-15", utc(2026, 5, 15, 15, 59, 59)),
        # ISO 8601's 24:00 is midnight at the end of the day.
        ("2026-05-15 24:00", utc(2026, 5, 15, 16, 0, 0)),
        # An offset written in the string that agrees with the zone.
        ("2026-05-15T23:59:59+08:00", utc(2026, 5, 15, 15, 59, 59)),
        (dt.datetime(2026, 5, 15, 23, 59, 59), utc(2026, 5, 15, 15, 59, 59)),
        (dt.date(2026, 5, 15), utc(2026, 5, 15, 15, 59, 59)),
    ],
)
def test_date_time_formats(local, expected):
    assert to_utc(local, "UTC+8") == expected


def test_offset_in_the_string_stands_in_for_a_missing_zone():
    assert to_utc("2026-05-15T10:00:00Z", "") == utc(2026, 5, 15, 10, 0, 0)
    assert to_utc("2026-05-15T10:00:00-07:00", None) == utc(2026, 5, 15, 17, 0, 0)


@pytest.mark.parametrize("local", ["TBD", "tbd", " TBD ", "", None, "TBA"])
def test_tbd_is_none(local):
    assert to_utc(local, "AoE") is None


def test_tbd_without_a_zone_is_none():
    assert to_utc("TBD", "") is None
    assert to_utc("TBD", "TBD") is None


def test_dst_fold_takes_the_first_occurrence():
    # 01:30 happens twice in Los Angeles on 2026-11-01; the first time is still PDT (UTC−7).
    assert to_utc("2026-11-01 01:30:00", "PT") == utc(2026, 11, 1, 8, 30, 0)


def test_dst_gap_uses_the_offset_before_the_gap():
    # 02:30 does not exist in Los Angeles on 2026-03-08 (02:00 → 03:00); read with PST (UTC−8),
    # it is 10:30 UTC, which the clocks show as 03:30 PDT.
    assert to_utc("2026-03-08 02:30:00", "America/Los_Angeles") == utc(2026, 3, 8, 10, 30, 0)
    assert to_utc("2026-03-08 03:30:00", "America/Los_Angeles") == utc(2026, 3, 8, 10, 30, 0)


@pytest.mark.parametrize(
    ("local", "zone", "message"),
    [
        ("2026-05-15 23:59:59", "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
        ("2026-05-15 23:59:59", "CEST", "unknown time zone 'CEST'"),
        ("2026-05-15 23:59:59", "europe/london", "did you mean 'Europe/London'"),
        ("2026-05-15 23:59:59", "UTC+15", "between −14:00 and +14:00"),
        ("2026-05-15 23:59:59", "UTC+5:75", "between −14:00 and +14:00"),
        ("2026-02-30 12:00:00", "UTC", "impossible date-time '2026-02-30 12:00:00': day is out of range"),
        ("2025-02-29 12:00:00", "UTC", "impossible date-time"),
        ("2026-05-15 25:00:00", "UTC", "impossible date-time '2026-05-15 25:00:00': hour must be in 0..23"),
        ("2026-05-15 23:60:00", "UTC", "impossible date-time"),
        ("2026-13-01 12:00:00", "UTC", "month must be in 1..12"),
        ("15 May 2026", "UTC", "cannot read the date-time '15 May 2026'"),
        ("2026-05-15 23:59:59", "", "has no time zone"),
        ("2026-05-15T23:59:59+02:00", "UTC+8", "contradicts the time zone 'UTC+8'"),
        ("TBD", "Nowhere/Land", "unknown time zone"),
    ],
)
def test_clear_errors(local, zone, message):
    with pytest.raises(TimeZoneError, match=message.replace("+", r"\+").replace("(", r"\(")):
        to_utc(local, zone)


def test_parse_zone_returns_fixed_offsets_and_zones():
    assert parse_zone("AoE").utcoffset(None) == dt.timedelta(hours=-12)
    assert parse_zone("UTC-12").utcoffset(None) == dt.timedelta(hours=-12)
    assert parse_zone("UTC+8").utcoffset(None) == dt.timedelta(hours=8)
    assert str(parse_zone("PST")) == "America/Los_Angeles"
