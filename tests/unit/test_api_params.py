"""Parameter rules of the content API that are not plain types: dates and field selection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.errors import InvalidRequestError
from newsdesk.models import SUMMARY_FIELDS, ArticleSummary, Author
from newsdesk.service.content import parse_fields, parse_time_bound, select_fields


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2024-05-01", False, datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01", True, datetime(2024, 5, 1, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2024-05-01T12:30:00Z", False, datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T14:30:00+02:00", False, datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01t12:30:00.123456789z", False, datetime(2024, 5, 1, 12, 30, 0, 123456, UTC)),
    ],
)
def test_rfc3339_dates_and_date_times_become_utc_bounds(
    text: str, end: bool, expected: datetime
) -> None:
    assert parse_time_bound(text, parameter="from", end=end) == expected


@pytest.mark.parametrize(
    "text",
    ["yesterday", "2024-13-01", "2024-05-01T12:30:00", "2024-5-1", "1714567890", "2024-02-30"],
)
def test_anything_else_is_refused_naming_the_parameter(text: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_time_bound(text, parameter="to", end=True)
    assert caught.value.parameter == "to"


def test_fields_select_known_names_in_order_without_duplicates() -> None:
    assert parse_fields("headline,id,headline", SUMMARY_FIELDS) == ("headline", "id")
    assert parse_fields(None, SUMMARY_FIELDS) is None


@pytest.mark.parametrize("value", ["body", "id,nope", "", "id,,headline", " , "])
def test_unknown_or_empty_field_names_are_refused(value: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_fields(value, SUMMARY_FIELDS)
    assert caught.value.parameter == "fields"


def test_selection_keeps_only_the_chosen_fields() -> None:
    summary = ArticleSummary(
        id="0123456789abcdef",
        slug="a-headline",
        headline="A headline",
        authors=[Author(name="Ann Lee", slug="ann-lee")],
        summary="Lead.",
        word_count=3,
        reading_time_minutes=1,
    )

    assert select_fields(summary, ("id", "authors")) == {
        "id": "0123456789abcdef",
        "authors": [{"name": "Ann Lee", "slug": "ann-lee"}],
    }
    assert set(select_fields(summary, None)) == set(SUMMARY_FIELDS)
