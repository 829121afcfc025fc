"""Turn a deadline as the community data writes it (local date-time + time-zone string) into UTC.

Time zones, as the sources use them:

* ``AoE`` (Anywhere on Earth) is UTC−12, with no daylight saving.
* ``UTC``, ``GMT``, ``UTC+8``, ``UTC-12``, ``UTC+05:30``, ``GMT+02`` are offsets in the ISO sense:
  ``UTC-12`` is twelve hours *behind* UTC. (The IANA name ``Etc/GMT+12`` means the same instant
  with the opposite sign; it is accepted too, as an IANA name, and means what IANA says.)
* ``PT``, ``PST`` and ``PDT`` all mean America/Los_Angeles: whether daylight saving applies is
  decided by the date, not by the label, because the sources write ``PST`` in July.
* Any other IANA name (``Europe/London``, ``Pacific/Honolulu``) is looked up in the tz database.

Local times that a daylight-saving change makes ambiguous or impossible are resolved the way
RFC 5545 (iCalendar, section 3.3.5) resolves them, which is also Python's ``fold=0``: a time that
occurs twice means its first occurrence; a time skipped by a spring-forward gap is read with the
offset in force before the gap (02:30 on the morning clocks jump from 02:00 to 03:00 in Los
Angeles is 10:30 UTC, i.e. 03:30 daylight time).

A date without a time means the end of that day, 23:59:59 local time: the last second a
submission is on time. ``TBD`` (or an empty string) is a deadline not yet announced: ``None``.
"""

import datetime as dt
import functools
import re
import zoneinfo

__all__ = ["TimeZoneError", "is_tbd", "parse_local", "parse_zone", "to_utc"]

AOE = dt.timezone(dt.timedelta(hours=-12), "AoE")
_PACIFIC = ("PT", "PST", "PDT")
_UTC_NAMES = ("UTC", "GMT", "Z", "UT")
_OFFSET = re.compile(r"^(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_LOCAL = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<off>Z|[+\-]\d{2}:?\d{2})?$"
)
_MAX_OFFSET = dt.timedelta(hours=14)


class TimeZoneError(ValueError):
    """A time zone or date-time that cannot be read; the message says which and why."""


def is_tbd(value) -> bool:
    return value is None or str(value).strip().upper() in {"", "TBD", "TBA"}


def parse_zone(name: str) -> dt.tzinfo:
    """The tzinfo for a source's time-zone string; TimeZoneError if it is not one we can read."""
    text = (name or "").strip()
    if not text:
        raise TimeZoneError("no time zone given")
    upper = text.upper()
    if upper in {"AOE", "ANYWHERE ON EARTH"}:
        return AOE
    if upper in _UTC_NAMES:
        return dt.UTC
    if upper in _PACIFIC:
        return _zone("America/Los_Angeles")
    match = _OFFSET.match(text)
    if match:
        sign = -1 if match[1] in "-−" else 1
        hours, minutes = int(match[2]), int(match[3] or 0)
        offset = dt.timedelta(hours=hours, minutes=minutes)
        if minutes >= 60 or offset > _MAX_OFFSET:
            raise TimeZoneError(f"time zone {text!r}: an offset from UTC lies between −14:00 and +14:00")
        return dt.UTC if not offset else dt.timezone(sign * offset, text)
    if text in _iana_names():
        return _zone(text)
    hint = _iana_lower().get(text.lower())
    suggestion = f" (did you mean {hint!r}?)" if hint else ""
    raise TimeZoneError(
        f"unknown time zone {text!r}{suggestion}: expected AoE, UTC, UTC±H[:MM], PT/PST/PDT "
        f"or an IANA name such as Europe/London"
    )


def parse_local(value) -> tuple[dt.datetime, dt.tzinfo | None]:
    """Read a local date-time string; returns a naive datetime and the offset written in it, if any."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), value.tzinfo
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(23, 59, 59)), None
    text = str(value).strip()
    match = _LOCAL.match(text)
    if not match:
        raise TimeZoneError(
            f"cannot read the date-time {text!r}: expected YYYY-MM-DD HH:MM:SS, YYYY-MM-DD HH:MM, "
            f"YYYY-MM-DD or the ISO form with T"
        )
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if match["H"] is None:
        hour, minute, second = 23, 59, 59
    else:
        hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    next_day = hour == 24 and minute == 0 and second == 0  # ISO 8601's end-of-day midnight
    try:
        local = dt.datetime(year, month, day, 0 if next_day else hour, minute, second)
    except ValueError as exc:
        raise TimeZoneError(f"impossible date-time {text!r}: {exc}") from None
    if next_day:
        try:
            local += dt.timedelta(days=1)
        except OverflowError:
            raise TimeZoneError(f"impossible date-time {text!r}: past the year 9999") from None
    written = None
    if match["off"]:
        off = match["off"]
        if off == "Z":
            written = dt.UTC
        else:
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if int(digits[2:]) >= 60 or offset > _MAX_OFFSET:
                raise TimeZoneError(f"impossible UTC offset in {text!r}")
            written = dt.timezone(sign * offset)
    return local, written


def to_utc(local, zone: str | None) -> dt.datetime | None:
    """The aware UTC instant of ``local`` read in ``zone``; None while the deadline is TBD.

    Raises TimeZoneError for an unknown zone, an unreadable or impossible date-time (one whose
    instant falls outside the years 1-9999 in UTC included), a missing zone, or an offset written
    in the string that contradicts the zone.
    """
    zone_text = (zone or "").strip()
    tzinfo = parse_zone(zone_text) if zone_text and not is_tbd(zone_text) else None
    if is_tbd(local):
        return None
    naive, written = parse_local(local)
    try:
        return _instant(local, naive, written, tzinfo, zone_text)
    except OverflowError:
        # 0001-01-01 00:00 east of UTC, or 9999-12-31 in AoE: the instant has no datetime.
        raise TimeZoneError(
            f"the date-time {str(local).strip()!r} in {zone_text or 'its offset'!r} falls outside "
            f"the years 1-9999 in UTC"
        ) from None


def _instant(local, naive: dt.datetime, written, tzinfo, zone_text: str) -> dt.datetime:
    if tzinfo is None and written is None:
        raise TimeZoneError(f"the date-time {str(local).strip()!r} has no time zone")
    if tzinfo is None:
        return naive.replace(tzinfo=written).astimezone(dt.UTC)
    instant = naive.replace(tzinfo=tzinfo, fold=0).astimezone(dt.UTC)
    if written is not None:
        from_string = naive.replace(tzinfo=written).astimezone(dt.UTC)
        if from_string != instant:
            raise TimeZoneError(
                f"the date-time {str(local).strip()!r} carries an offset that contradicts the time zone "
                f"{zone_text!r}"
            )
    return instant


@functools.cache
def _zone(key: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(key)


@functools.cache
def _iana_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _iana_lower() -> dict[str, str]:
    return {name.lower(): name for name in _iana_names()}
