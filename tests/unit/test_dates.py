"""Newsroom date forms become timezone-aware UTC datetimes; anything else gives None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.parsing.dates import parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Reuters archive header lines, US zone abbreviations
        ("Fri Apr 27, 2007 11:43pm EDT", datetime(2007, 4, 28, 3, 43, tzinfo=UTC)),
        ("Tue Apr 24, 2007 7:01pm EDT", datetime(2007, 4, 24, 23, 1, tzinfo=UTC)),
        ("Thu Mar 6, 2008 12:26pm EST", datetime(2008, 3, 6, 17, 26, tzinfo=UTC)),
        ("Mon Dec 1, 2008 1:42am EST", datetime(2008, 12, 1, 6, 42, tzinfo=UTC)),
        ("Sat Jan 5, 2008 12:05am PST", datetime(2008, 1, 5, 8, 5, tzinfo=UTC)),
        # Generic US zones follow daylight saving time
        ("10:32 AM ET, Tue May 2, 2023", datetime(2023, 5, 2, 14, 32, tzinfo=UTC)),
        ("10:32 AM ET, Tue January 10, 2023", datetime(2023, 1, 10, 15, 32, tzinfo=UTC)),
        ("March 3, 2023 9:15 p.m. PT", datetime(2023, 3, 4, 5, 15, tzinfo=UTC)),
        # Date only: midnight UTC
        ("March 3, 2023", datetime(2023, 3, 3, tzinfo=UTC)),
        ("Sept. 14, 2022", datetime(2022, 9, 14, tzinfo=UTC)),
        ("3 March 2023", datetime(2023, 3, 3, tzinfo=UTC)),
        ("Tuesday 2 May 2023", datetime(2023, 5, 2, tzinfo=UTC)),
        ("2023-03-03", datetime(2023, 3, 3, tzinfo=UTC)),
        ("2023/03/03", datetime(2023, 3, 3, tzinfo=UTC)),
        # ISO 8601 with an offset or Z
        ("2023-03-03T10:15:00Z", datetime(2023, 3, 3, 10, 15, tzinfo=UTC)),
        ("2023-03-03T10:15:00+02:00", datetime(2023, 3, 3, 8, 15, tzinfo=UTC)),
        ("2023-03-03 10:15", datetime(2023, 3, 3, 10, 15, tzinfo=UTC)),
        # Other zones and numeric offsets
        ("2 May 2023 10:32 BST", datetime(2023, 5, 2, 9, 32, tzinfo=UTC)),
        ("May 2, 2023 10:32 GMT+0530", datetime(2023, 5, 2, 5, 2, tzinfo=UTC)),
        ("May 2, 2023 12:00 UTC", datetime(2023, 5, 2, 12, tzinfo=UTC)),
        # Web pages: day-first dotted dates, other languages' month names, loose ISO
        ("20.12.2022", datetime(2022, 12, 20, tzinfo=UTC)),
        ("06.11.2023 13:30", datetime(2023, 11, 6, 13, 30, tzinfo=UTC)),
        ("18. Mai 2014", datetime(2014, 5, 18, tzinfo=UTC)),
        ("10. September 2017", datetime(2017, 9, 10, tzinfo=UTC)),
        ("mardi 5 juin 2018", datetime(2018, 6, 5, tzinfo=UTC)),
        ("4 de enero de 2021", datetime(2021, 1, 4, tzinfo=UTC)),
        ("2022-1-26T14:32:06+02:00", datetime(2022, 1, 26, 12, 32, 6, tzinfo=UTC)),
    ],
)
def test_newsroom_date_forms(value: str, expected: datetime) -> None:
    parsed = parse_date(value)

    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() is not None
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "He graduated in 2018.",
        "February 30, 2023",
        "March 3, 2023 25:10",
        "2023-13-45",
        "31.02.2023",
        "18. Mai",
    ],
)
def test_values_without_a_real_date_give_none(value: str) -> None:
    assert parse_date(value) is None
