"""Cursors are opaque and only accepted back for the query that issued them."""

from __future__ import annotations

import pytest

from newsdesk.errors import InvalidRequestError
from newsdesk.storage.cursors import MAX_CURSOR_CHARS, decode_cursor, encode_cursor, query_id

SECRET = "unit-test-secret"
KEY = {"PK": "ART#0123456789abcdef", "SK": "L#feed", "GSI1PK": "feed", "GSI1SK": "2024#x"}


def test_a_cursor_round_trips_for_its_query() -> None:
    query = query_id("articles", "feed", None, None)
    cursor = encode_cursor(KEY, query=query, secret=SECRET)

    assert decode_cursor(cursor, query=query, secret=SECRET) == KEY
    assert "ART#" not in cursor  # opaque enough that keys are not readable at a glance
    assert len(cursor) <= MAX_CURSOR_CHARS


def test_a_cursor_for_another_query_is_refused() -> None:
    cursor = encode_cursor(KEY, query=query_id("articles", "feed"), secret=SECRET)

    with pytest.raises(InvalidRequestError) as caught:
        decode_cursor(cursor, query=query_id("articles", "tag#china"), secret=SECRET)
    assert caught.value.parameter == "cursor"


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    query = query_id("authors")
    cursor = encode_cursor(KEY, query=query, secret="other")

    with pytest.raises(InvalidRequestError):
        decode_cursor(cursor, query=query, secret=SECRET)


@pytest.mark.parametrize("position", [0, 5, -3, -1])
def test_a_tampered_cursor_is_refused(position: int) -> None:
    query = query_id("articles", "feed")
    cursor = encode_cursor(KEY, query=query, secret=SECRET)
    index = position % len(cursor)
    flipped = "A" if cursor[index] != "A" else "B"
    tampered = cursor[:index] + flipped + cursor[index + 1 :]

    with pytest.raises(InvalidRequestError):
        decode_cursor(tampered, query=query, secret=SECRET)


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "not.base64!", "....", "é.é", "x" * (MAX_CURSOR_CHARS + 1), "eyJ9.AAAA"],
)
def test_garbage_is_refused_not_crashed_on(garbage: str) -> None:
    with pytest.raises(InvalidRequestError):
        decode_cursor(garbage, query=query_id("x"), secret=SECRET)


def test_a_signed_cursor_with_foreign_attributes_is_refused() -> None:
    # Even a correctly signed payload may only name the table's key attributes.
    query = query_id("x")
    cursor = encode_cursor({"PK": "a", "secret": "b"}, query=query, secret=SECRET)

    with pytest.raises(InvalidRequestError):
        decode_cursor(cursor, query=query, secret=SECRET)


def test_a_signed_cursor_that_inflates_beyond_the_bound_is_refused() -> None:
    # A tiny cursor must not expand into a large payload (a "zip bomb").
    query = query_id("x")
    cursor = encode_cursor({"PK": "a" * 200_000}, query=query, secret=SECRET)
    assert len(cursor) <= MAX_CURSOR_CHARS

    with pytest.raises(InvalidRequestError):
        decode_cursor(cursor, query=query, secret=SECRET)
