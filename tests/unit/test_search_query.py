"""The search query language: what clients type becomes FTS5 syntax, or a clear 400 (never a 500).

Every translated query is run against a real FTS5 index here, so "FTS5 accepts it" is tested,
not assumed; the property-based test throws generated adversarial text at both.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.errors import InvalidRequestError
from newsdesk.search.index import SearchIndex, SearchRequest
from newsdesk.search.query import MAX_TERMS, QueryError, parse_query
from tests.unit.search_support import article, build_index


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    path = tmp_path_factory.mktemp("query") / "index.sqlite"
    return build_index(
        path,
        [
            article(
                "wind",
                "A harbour town bets on offshore wind",
                ["The wind farm will be built by 2028.", "Fishermen worry about the turbines."],
                authors=["Maria Lindqvist"],
            ),
            article(
                "solar",
                "Solar panels cover the school roofs",
                ["The school's solar array runs the heating."],
            ),
        ],
    )


def headlines(index: SearchIndex, text: str) -> list[str]:
    return [hit.headline for hit in index.search(SearchRequest(parse_query(text))).hits]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("wind", ["A harbour town bets on offshore wind"]),
        (
            "wind OR solar",
            ["A harbour town bets on offshore wind", "Solar panels cover the school roofs"],
        ),
        ("school NOT wind", ["Solar panels cover the school roofs"]),
        ("school -solar", []),
        ("(wind OR solar) turbines", ["A harbour town bets on offshore wind"]),
        ('"offshore wind"', ["A harbour town bets on offshore wind"]),
        ('"wind offshore"', []),
        ("turb*", ["A harbour town bets on offshore wind"]),
        ("author:lindqvist", ["A harbour town bets on offshore wind"]),
        ("headline:turbines", []),
        ("title:solar", ["Solar panels cover the school roofs"]),
        ("wind AND NOT solar", ["A harbour town bets on offshore wind"]),
        ("running", ["Solar panels cover the school roofs"]),  # porter: runs ~ running
        ('"a" : b', []),
        ("NEAR wind", []),  # NEAR is a plain word here, not the FTS5 operator
        ("wind 😀 ✓", ["A harbour town bets on offshore wind"]),
        ("wind\x00\x07\x1b", ["A harbour town bets on offshore wind"]),
        ("'; DROP TABLE docs; --", []),
    ],
)
def test_queries_find_what_they_say(index: SearchIndex, text: str, found: list[str]) -> None:
    assert sorted(headlines(index, text)) == sorted(found)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('"offshore wind', "never closed"),
        ("(wind OR solar", "never closed"),
        ("wind)", "no `(`"),
        ("AND", "both sides"),
        ("wind AND", "both sides"),
        ("OR wind", "before it"),
        ("wind OR", "after it"),
        ("NOT wind", "only exclude"),
        ("-wind", "only exclude"),
        ("wind OR NOT solar", "OR"),
        ("*", "must end a word"),
        ("w*", "at least 2"),
        ("headline:", "needs a word"),
        ("headline:(author:maria)", "another field"),
        ("((((((((((wind))))))))))", "deeper"),
        ("😀 🎉", "no words"),
        (" ".join(["wind"] * (MAX_TERMS + 1)), "more than"),
        ("x" * 501, "longer than"),
        ("NEAR(wind", "never closed"),
    ],
)
def test_bad_queries_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(QueryError, match=re.escape(complaint)) as raised:
        parse_query(text)
    assert isinstance(raised.value, InvalidRequestError)
    assert raised.value.parameter == "q"


def test_words_become_fts5_strings_never_syntax() -> None:
    # A quote in the middle of a word closes nothing: the text between quotes is one phrase.
    parsed = parse_query('wind" OR rowid:1 OR "x headline:china')
    assert parsed.fts == '("wind" AND "OR rowid:1 OR" AND "x" AND {headline} : ("china"))'


# ------------------------------------------------------------ adversarial, generated

_PIECES = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(",
        "(",
        ")",
        '"',
        "*",
        "-",
        ":",
        "^",
        "{",
        "}",
        "headline:",
        "author:",
        "body:",
        "foo:",
        "'",
        ";",
        "--",
        "/*",
        "\x00",
        "\x07",
        "\u202e",
        "שלום",
        "مرحبا",
        "😀",
        "e\u0301",
        "München",
        "wind",
        "solar",
        "turb*",
        "a",
        " ",
        "  ",
        "SELECT * FROM docs",
        "rowid",
        "fts_stem",
        "\\",
        "\n",
        "\ue000",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(_PIECES, max_size=30).map("".join),
    st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=20).map(" ".join),
)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_TEXT)
def test_any_text_is_results_or_a_query_error(index: SearchIndex, text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryError as error:
        assert str(error)  # a 400 that says something
        return
    # Then FTS5 accepts the translation: no exception escapes the index.
    index.search(SearchRequest(parsed, facets=("section", "author", "tag", "lang")))


@pytest.mark.parametrize(
    "text",
    [
        " ".join(["wind"] * 1000),
        "wind " * 2000,  # 10 KB
        "(" * 1000,
        '"' * 999,
        "NOT " * 300 + "wind",
        "\u202e\u05e9\u05dc\u05d5\u05dd wind",
    ],
)
def test_huge_and_odd_queries_are_bounded(index: SearchIndex, text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    index.search(SearchRequest(parsed))
