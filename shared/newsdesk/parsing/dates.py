"""Dates as newsrooms write them ("Fri Apr 27, 2007 11:43pm EDT", "March 3, 2023", ISO 8601)
to timezone-aware UTC datetimes. Pure: no clock, no locale, no tz database needed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_MONTHS: dict[str, int] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

# Fixed offsets in hours. "ET"/"CT"/"MT"/"PT" depend on US daylight saving (see _us_zone).
_ZONES: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "UT": 0,
    "EDT": -4,
    "EST": -5,
    "CDT": -5,
    "CST": -6,
    "MDT": -6,
    "MST": -7,
    "PDT": -7,
    "PST": -8,
    "AKDT": -8,
    "AKST": -9,
    "HST": -10,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "WET": 0,
    "WEST": 1,
    "JST": 9,
    "KST": 9,
    "HKT": 8,
    "SGT": 8,
    "AEST": 10,
    "AEDT": 11,
}
_US_GENERIC: dict[str, float] = {"ET": -5, "CT": -6, "MT": -7, "PT": -8}

_MONTH_NAME = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH_NAME}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I
)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME},?\s+(?P<year>\d{{4}})\b", re.I
)
_NUMERIC = re.compile(r"\b(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})\b")
_TIME = re.compile(
    r"\b(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<ampm>[ap])?\.?(?:m\b\.?)?",
    re.I,
)
_OFFSET = re.compile(r"(?:(?<=\d)|\b(?:UTC|GMT))\s*(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})\b")
_ZONE_WORD = re.compile(r"\b(?P<zone>[A-Z]{1,4})\b")


def parse_date(value: str) -> datetime | None:
    """A date in a common newsroom form as an aware UTC datetime, or None when there is none.

    Date-only values are midnight UTC. Times without a zone are taken as UTC. US zone
    abbreviations (EDT, EST, ET, PT, ...) are mapped to their offsets.
    """
    text = value.strip()
    if not text or len(text) > 120:
        return None
    iso = _parse_iso(text)
    if iso is not None:
        return iso
    day = _find_date(text)
    if day is None:
        return None
    rest = text
    hour = minute = second = 0
    time_match = _TIME.search(text)
    if time_match is not None:
        hour, minute = int(time_match["hour"]), int(time_match["minute"])
        second = int(time_match["second"] or 0)
        ampm = (time_match["ampm"] or "").lower()
        if ampm == "p" and hour < 12:
            hour += 12
        elif ampm == "a" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59 or second > 59:
            return None
        rest = text[time_match.end() :]
    offset = _find_offset(rest, day)
    local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=offset)
    return local.astimezone(UTC)


def _parse_iso(text: str) -> datetime | None:
    if not text[:4].isdigit() or "-" not in text[:8]:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _find_date(text: str) -> date | None:
    for pattern in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR):
        match = pattern.search(text)
        if match is not None:
            month = _MONTHS[match["month"][:3].lower()]
            return _safe_date(int(match["year"]), month, int(match["day"]))
    match = _NUMERIC.search(text)
    if match is not None:
        return _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_offset(text: str, day: date) -> timezone:
    match = _OFFSET.search(text)
    if match is not None:
        minutes = int(match["hh"]) * 60 + int(match["mm"])
        return timezone(timedelta(minutes=minutes if match["sign"] == "+" else -minutes))
    for word in _ZONE_WORD.finditer(text):
        zone = word["zone"]
        if zone in _ZONES:
            return timezone(timedelta(hours=_ZONES[zone]))
        if zone in _US_GENERIC:
            return _us_zone(_US_GENERIC[zone], day)
    return UTC


def _us_zone(standard_hours: float, day: date) -> timezone:
    """US generic zones: daylight time from the 2nd Sunday of March to the 1st Sunday of Nov."""
    start = _nth_sunday(day.year, 3, 2)
    end = _nth_sunday(day.year, 11, 1)
    hours = standard_hours + 1 if start <= day < end else standard_hours
    return timezone(timedelta(hours=hours))


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    days_to_sunday = (6 - first.weekday()) % 7
    return first + timedelta(days=days_to_sunday + 7 * (n - 1))
