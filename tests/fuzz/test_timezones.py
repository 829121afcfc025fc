"""Property tests of the deadline time-zone conversion (resources/importers/timezones.py).

For any date-time and any time-zone string the module accepts: converting to UTC and back to
the zone gives the wall time written, except inside a daylight-saving gap, where the module
documents RFC 5545's reading (the offset in force before the gap); a wall time that occurs
twice means its first occurrence; AoE is UTC−12; and whatever text comes in, the only error is
the module's own TimeZoneError.
"""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from resources.importers.timezones import AOE, TimeZoneError, parse_zone, to_utc
from tests.fuzz.strategies import examples

pytestmark = pytest.mark.fuzz

FUZZ = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Zones with daylight saving in both hemispheres, a 30-minute one (Lord Howe), a zone that
# skipped a whole day (Apia, 2011), and ones without any.
NAMED = [
    "Europe/London",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Pacific/Honolulu",
    "Etc/GMT+12",
    "Etc/GMT-14",
]

# Whole seconds: the sources write no fractions.
wall_times = st.datetimes(
    min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 12, 31, 23, 59, 59)
).map(lambda d: d.replace(microsecond=0))
any_wall_times = st.datetimes().map(lambda d: d.replace(microsecond=0))  # years 1 to 9999


def written(local: dt.datetime, separator: str = " ") -> str:
    return f"{local.year:04d}-{local:%m-%d}{separator}{local:%H:%M:%S}"


@st.composite
def offsets(draw) -> tuple[str, dt.timedelta]:
    """A ``UTC±H[:MM]`` / ``GMT±HH`` string and the offset it means (ISO sign: UTC-8 is behind)."""
    minutes = draw(st.integers(min_value=-14 * 60, max_value=14 * 60))
    if draw(st.booleans()):
        minutes -= minutes % 60 if minutes >= 0 else -((-minutes) % 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    prefix = draw(st.sampled_from(["UTC", "GMT", "utc"]))
    if rest:
        text = f"{prefix}{sign}{hours:02d}:{rest:02d}"
    else:
        text = f"{prefix}{sign}{draw(st.sampled_from([str(hours), f'{hours:02d}']))}"
    return text, dt.timedelta(minutes=minutes)


@FUZZ
@given(local=wall_times, zone=offsets(), separator=st.sampled_from([" ", "T"]))
def test_fixed_offsets_round_trip_with_the_iso_sign(local, zone, separator):
    text, offset = zone
    instant = to_utc(written(local, separator), text)
    assert instant.tzinfo is not None and instant.utcoffset() == dt.timedelta(0)
    assert instant.replace(tzinfo=None) == local - offset
    assert instant.astimezone(parse_zone(text)).replace(tzinfo=None) == local


@FUZZ
@given(local=wall_times, spelling=st.sampled_from(["AoE", "aoe", "AOE", "Anywhere on Earth", " AoE "]))
def test_aoe_is_twelve_hours_behind_utc(local, spelling):
    instant = to_utc(written(local), spelling)
    assert instant == local.replace(tzinfo=dt.UTC) + dt.timedelta(hours=12)
    assert instant == to_utc(written(local), "UTC-12")
    assert instant.astimezone(AOE).replace(tzinfo=None) == local


@FUZZ
@given(day=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)), zone=offsets())
def test_a_date_alone_is_the_last_second_of_that_day(day, zone):
    text, _ = zone
    assert to_utc(day.isoformat(), text) == to_utc(f"{day.isoformat()} 23:59:59", text)


@FUZZ
@given(local=wall_times, name=st.sampled_from(NAMED))
@example(local=dt.datetime(2026, 3, 8, 2, 30), name="America/Los_Angeles")  # spring-forward gap
@example(local=dt.datetime(2026, 11, 1, 1, 30), name="America/Los_Angeles")  # fall-back fold
@example(local=dt.datetime(2011, 12, 30, 12, 0), name="Pacific/Apia")  # a day that never was
def test_named_zones_round_trip_and_resolve_gaps_and_folds_as_documented(local, name):
    zone = zoneinfo.ZoneInfo(name)
    instant = to_utc(written(local), name)
    back = instant.astimezone(zone)
    # The two readings a wall time can have: before (fold=0) and after (fold=1) a transition.
    earlier, later = (zone.utcoffset(local.replace(fold=fold)) for fold in (0, 1))
    if earlier == later:  # an ordinary wall time: one instant
        assert back.replace(tzinfo=None) == local
    elif earlier > later:  # clocks went back: the wall time occurs twice; the first one counts
        assert back.replace(tzinfo=None) == local
        assert back.fold == 0
        assert instant < local.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    else:  # clocks went forward over it: read with the offset before the gap, RFC 5545
        assert instant.replace(tzinfo=None) == local - earlier
        assert back.replace(tzinfo=None) == local + (later - earlier)
    assert instant.replace(tzinfo=None) == local - earlier


@FUZZ
@given(local=wall_times, label=st.sampled_from(["PT", "PST", "PDT", "pst"]))
def test_pacific_labels_follow_the_date_not_the_label(local, label):
    assert to_utc(written(local), label) == to_utc(written(local), "America/Los_Angeles")


@FUZZ
@given(local=wall_times, zone=offsets())
def test_an_offset_in_the_string_must_agree_with_the_zone(local, zone):
    text, offset = zone
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    stamp = f"{written(local, 'T')}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    assert to_utc(stamp, text) == to_utc(written(local), text)
    assert to_utc(stamp, "") == to_utc(written(local), text)
    other = (
        f"{written(local, 'T')}{'-' if sign == '+' else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    )
    if minutes:
        with pytest.raises(TimeZoneError):
            to_utc(other, text)


@FUZZ
@given(local=any_wall_times, zone=st.one_of(offsets().map(lambda z: z[0]), st.sampled_from([*NAMED, "AoE"])))
@example(local=dt.datetime(1, 1, 1), zone="UTC+5")
@example(local=dt.datetime(9999, 12, 31, 23, 59), zone="AoE")
def test_every_year_gives_an_instant_or_a_clear_error(local, zone):
    """Years 1 and 9999 too: an instant outside datetime's range is a TimeZoneError, not an OverflowError."""
    try:
        instant = to_utc(written(local), zone)
    except TimeZoneError as exc:
        assert "outside the years" in str(exc)
        assert local.year in (1, 9999)
        return
    assert instant.tzinfo is not None


zone_like = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A(UTC|GMT|utc)\s*[+\-−]\s*\d{1,3}(:?\d{1,3})?\Z"),
    st.sampled_from(["", "TBD", "Mars/Olympus_Mons", "europe/london", "UTC+15", "UTC+14:30", "Etc/GMT+13"]),
    st.none(),
)
date_like = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?(Z|[+\-]\d{2}:?\d{2})?\Z"),
    st.sampled_from(["9999-12-31 24:00", "0001-01-01T00:00+14:00", "2026-02-30", "2026-13-01", "TBA"]),
    st.integers(),
    st.floats(allow_nan=True),
    st.dates(),
    st.datetimes(),
    st.none(),
)


@settings(max_examples=examples(1000), deadline=None)
@given(local=date_like, zone=zone_like)
@example(local="9999-12-31 24:00", zone="UTC")
@example(local="0001-01-01T00:00+05:00", zone="")
def test_arbitrary_input_is_an_instant_none_or_a_time_zone_error(local, zone):
    try:
        result = to_utc(local, zone)
    except TimeZoneError as exc:
        assert str(exc)
        return
    assert result is None or (result.tzinfo is not None and result.utcoffset() == dt.timedelta(0))


@settings(max_examples=examples(500), deadline=None)
@given(name=zone_like)
def test_parse_zone_accepts_or_says_why(name):
    try:
        zone = parse_zone(name)
    except TimeZoneError as exc:
        assert str(exc)
        return
    assert isinstance(zone, dt.tzinfo)
    assume(name)
    # An accepted fixed offset never exceeds the ±14:00 the module documents.
    offset = zone.utcoffset(dt.datetime(2026, 6, 1))
    assert abs(offset) <= dt.timedelta(hours=14)
