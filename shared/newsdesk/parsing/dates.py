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
_NUMERIC = re.compile(r"\b(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)")
# Day first with dots, as most of Europe writes it: "20.12.2022", "6. 11. 2023".
_DOTTED = re.compile(r"\b(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4})\b")
# Month names of the archive's other languages (de, fr, es, pt, it, nl), by their first letters.
_FOREIGN_MONTHS: dict[str, int] = {
    "januar": 1,
    "jänner": 1,
    "janvier": 1,
    "enero": 1,
    "janeiro": 1,
    "gennaio": 1,
    "januari": 1,
    "februar": 2,
    "feber": 2,
    "février": 2,
    "febrero": 2,
    "fevereiro": 2,
    "febbraio": 2,
    "februari": 2,
    "märz": 3,
    "mars": 3,
    "marzo": 3,
    "março": 3,
    "maart": 3,
    "avril": 4,
    "abril": 4,
    "aprile": 4,
    "mai": 5,
    "mayo": 5,
    "maio": 5,
    "maggio": 5,
    "mei": 5,
    "juni": 6,
    "juin": 6,
    "junio": 6,
    "junho": 6,
    "giugno": 6,
    "juli": 7,
    "juillet": 7,
    "julio": 7,
    "julho": 7,
    "luglio": 7,
    "août": 8,
    "agosto": 8,
    "augustus": 8,
    "septembre": 9,
    "septiembre": 9,
    "setembro": 9,
    "settembre": 9,
    "oktober": 10,
    "octobre": 10,
    "octubre": 10,
    "outubro": 10,
    "ottobre": 10,
    "dezember": 12,
    "décembre": 12,
    "diciembre": 12,
    "dezembro": 12,
    "dicembre": 12,
    "december": 12,
    "novembre": 11,
    "noviembre": 11,
    "novembro": 11,
}
# "18. Mai 2014", "5 juin 2018", "4 de enero de 2021".
_FOREIGN_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>\d{1,2})\.?\s+(?:de\s+)?(?P<month>[^\W\d_]{3,10})\.?,?\s+(?:de\s+)?"
    r"(?P<year>\d{4})\b"
)
_TIME = re.compile(
    r"(?:\b|(?<=\dT))(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?"
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
        rest = text[time_match.end() - 1 :]  # from its last digit: "+02:00" follows a digit
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
    match = _FOREIGN_DAY_MONTH_YEAR.search(text)
    if match is not None and (number := _month_number(match["month"])) is not None:
        return _safe_date(int(match["year"]), number, int(match["day"]))
    for pattern in (_NUMERIC, _DOTTED):
        match = pattern.search(text)
        if match is not None:
            return _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
    return None


def _month_number(name: str) -> int | None:
    lower = name.lower()
    return _FOREIGN_MONTHS.get(lower) or _MONTHS.get(lower[:3]) if lower.isalpha() else None


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
