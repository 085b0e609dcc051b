"""Hostile files at the parser: whatever the bytes, parse_articles returns records that keep the
invariants of tests.record_invariants (valid JSON, no control characters, word_count = the
body's tokens, a stated headline never repeated in the body, no markup), or raises ParseError
with a code. Nothing else escapes.

Property-based (hypothesis, derandomized so every run tries the same inputs): arbitrary bytes,
text and a soup of the fragments parsers react to under every file name extension; JSON
article objects with hostile field values; the project's fixtures and the shared corpus with
bytes deleted, inserted, repeated and cut. Then the named cases of tests.hostile_inputs, each
with the outcome it must have. Their worst time and memory are measured by benchmarks/hostile.py,
not here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.enrichment.caps import MAX_AUTHORS
from newsdesk.errors import ParseError
from newsdesk.models import Article
from newsdesk.parsing import parse_articles
from tests.conftest import CORPUS_DIR, FIXTURES_DIR
from tests.hostile_inputs import CASES, HostileCase, markup_problems
from tests.record_invariants import record_problems

NAMES = (
    "article.txt",
    "article",
    "page.html",
    "page.htm",
    "story.md",
    "story.json",
    "wire.jsonl",
)
# What the parsers react to: markup, entities, front matter, JSON tokens, header and trailer
# lines, whitespace and the characters a record must never hold.
FRAGMENTS = (
    *("Ferries", "stay", "the council voted.", "Boats ran on time.", "Opinion | ", "Comment"),
    *("By Jane Doe and Tom Fowdy", "SAN FRANCISCO (Reuters) - ", "-- ", "Source: "),
    *("https://x.example/a", "javascript:alert(1)", "2024-03-14T08:30:00Z", "Read more:"),
    *("The author is a columnist.", "The views do not necessarily reflect those of Courier."),
    *("<p>", "</p>", "<div>", "</div>", "<h1>", "</h1>", "<br>", "<script>", "</script>"),
    *("<style>", "<!--", "-->", "<a href=", "javascript:", " onclick=", "<img src=x ", ">", "<"),
    *("<html>", "<head>", "<title>", "</title>", "<body>", "<article>", '<meta name="author" '),
    *('content="', '<meta property="og:title" ', '<link rel="canonical" href="', '">'),
    *('<script type="application/ld+json">', "&lt;", "&gt;", "&amp;", "&#60;", "&#x3C;", "&"),
    *("---\n", "title: ", "authors:\n  - ", "tags: [", "date: ", "# ", "**", "_", "[", "](", ")"),
    *("![", "```", "> ", "&a ", "*a ", "!!python/object ", "{{< x >}}"),
    *("{", "}", "[", "]", '"headline": ', '"body": ', '"authors": ', '"url": ', '"image": ', '"'),
    *(",", ":", "null", "1e999", "\\u0000", "\\ud800", "\\n"),
    *("\n", "\n\n", " ", "\t", "\r\n", "\r", "\f", "\x00", "\x1b", "\x7f", "\x85", "\u2028"),
    *("\u202e", "\u200b", "\ufeff", "\u00a0", "\u00ad", "é", "中文", "😀", "ا"),
)
# Bounded for CI: about 20 s for the module on an idle core, well under a minute when loaded.
BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TOKEN = re.compile(r"[a-z][a-z0-9_]*")


def parse_outcome(data: bytes, filename: str) -> str:
    """ "stored" when every article keeps every invariant, else the ParseError's code; any other
    exception fails the test that calls it."""
    try:
        articles = parse_articles(data, filename=filename)
    except ParseError as error:
        assert TOKEN.fullmatch(error.code), error.code
        # The message is stored with the failed ingestion and served: one printable line
        assert error.message.strip() and error.message.isprintable(), repr(error.message)
        return error.code
    assert articles, "parse_articles returned no article and raised nothing"
    for article in articles:
        assert_sound(article)
    return "stored"


def assert_sound(article: Article) -> None:
    problems = record_problems(article) + markup_problems(article.model_dump(mode="json"))
    assert not problems, problems


PROSE = (
    "The harbour council voted on Tuesday to keep the ferry network running through winter. ",
    "Councillors said the routes carry more than twelve thousand commuters a day.",
    "A final budget vote is expected next month, when the council meets again. ",
    "Ferries stay",
)
# A third of the pieces are prose, so that many soups still make an article.
soup = st.lists(
    st.sampled_from(FRAGMENTS) | st.sampled_from(PROSE) | st.text(max_size=6), max_size=60
).map("".join)


@settings(BOUNDED, max_examples=600)
@given(data=st.binary(max_size=3000), filename=st.sampled_from(NAMES))
def test_arbitrary_bytes(data: bytes, filename: str) -> None:
    parse_outcome(data, filename)


@settings(BOUNDED, max_examples=800)
@given(
    text=st.text(max_size=400) | soup,
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    filename=st.sampled_from(NAMES),
)
def test_text_and_markup_soup(text: str, encoding: str, filename: str) -> None:
    parse_outcome(text.encode(encoding, errors="replace"), filename)


field_text = soup | st.text(max_size=40)
texts = st.lists(field_text, max_size=4)
# Any JSON value: a field of the wrong type makes the file an invalid_json failure.
field_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | field_text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["name", "url", "caption", "credit", "@type"]), inner)
    ),
    max_leaves=8,
)
# Each field with a value of a type it takes (text, a list of texts, a {"name"} or an image
# object), the text hostile.
FIELD_SHAPES: dict[str, st.SearchStrategy[Any]] = {
    "title": field_text,
    "section": field_text | texts,
    "standfirst": field_text,
    "authors": field_text | texts | st.lists(st.fixed_dictionaries({"name": field_text})),
    "publisher": field_text | st.fixed_dictionaries({"name": field_text}),
    "url": field_text,
    "image": field_text
    | st.fixed_dictionaries({"url": field_text}, optional={"caption": field_text}),
    "keywords": field_text | texts,
    "language": field_text,
    "published_at": field_text,
}
article_object = st.fixed_dictionaries(
    {"headline": field_text, "body": field_text | texts}, optional=FIELD_SHAPES
)
# Any value in any field (mostly an invalid_json failure, which must name the field).
wild_object = st.fixed_dictionaries(
    {"headline": field_value, "body": field_value},
    optional=dict.fromkeys([*FIELD_SHAPES, "related", "dateline"], field_value),
)


@settings(BOUNDED, max_examples=400)
@given(
    objects=st.lists(
        st.integers(0, 3).flatmap(lambda n: wild_object if n == 0 else article_object),
        min_size=1,
        max_size=3,
    ),
    lines=st.booleans(),
)
def test_json_articles_with_hostile_field_values(
    objects: list[dict[str, Any]], lines: bool
) -> None:
    if lines:
        parse_outcome("\n".join(map(json.dumps, objects)).encode(), "wire.jsonl")
    else:
        parse_outcome(json.dumps(objects[0]).encode(), "story.json")


def fixture_files() -> list[Path]:
    return sorted(path for path in FIXTURES_DIR.rglob("*") if path.is_file())


@cache
def corpus_files() -> tuple[Path, ...]:
    truth = CORPUS_DIR / "truth.jsonl"
    if not truth.is_file():
        return ()
    lines = truth.read_text(encoding="utf-8").splitlines()
    return tuple(CORPUS_DIR / json.loads(line)["file"] for line in lines if line.strip())


@cache
def read(path: Path) -> bytes:
    return path.read_bytes()


# A mutation: (kind, where as a fraction of the file in 1/1000s, how many bytes, inserted bytes)
mutation = st.tuples(
    st.sampled_from(["delete", "insert", "repeat", "cut", "replace", "swap"]),
    st.integers(0, 1000),
    st.integers(1, 400),
    st.sampled_from(FRAGMENTS).map(lambda text: text.encode("utf-8", errors="replace"))
    | st.binary(min_size=1, max_size=8),
)


def mutate(data: bytes, mutations: list[tuple[str, int, int, bytes]]) -> bytes:
    for kind, where, size, inserted in mutations:
        at = len(data) * where // 1000
        if kind == "delete":
            data = data[:at] + data[at + size :]
        elif kind == "insert":
            data = data[:at] + inserted * (1 + size // 40) + data[at:]
        elif kind == "repeat":
            data = data[:at] + data[at : at + size] * 3 + data[at:]
        elif kind == "cut":
            data = data[:at]
        elif kind == "replace":
            data = data[:at] + inserted + data[at + len(inserted) :]
        else:  # swap: the chunk at `at` with the one after it
            data = (
                data[:at]
                + data[at + size : at + 2 * size]
                + data[at : at + size]
                + data[at + 2 * size :]
            )
    return data


@settings(BOUNDED, max_examples=400)
@given(
    path=st.sampled_from(fixture_files()),
    mutations=st.lists(mutation, min_size=1, max_size=4),
)
def test_mutated_fixtures(path: Path, mutations: list[tuple[str, int, int, bytes]]) -> None:
    parse_outcome(mutate(read(path), mutations), path.name)


@pytest.mark.corpus
@pytest.mark.skipif(
    not corpus_files(), reason=f"the shared corpus is absent ({CORPUS_DIR}): ../shared/corpus"
)
@settings(BOUNDED, max_examples=300)
@given(
    path=st.sampled_from(corpus_files()),
    mutations=st.lists(mutation, min_size=1, max_size=4),
)
def test_mutated_corpus_articles(path: Path, mutations: list[tuple[str, int, int, bytes]]) -> None:
    name = path.name if path.suffix else f"{path.name}.txt"
    parse_outcome(mutate(read(path), mutations), name)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_named_hostile_file(case: HostileCase) -> None:
    # Given a file a hostile uploader would try / When it is parsed
    outcome = parse_outcome(case.make(), case.key.rsplit("/", 1)[-1])
    # Then it is a record that keeps every invariant, or a failure with the expected code
    assert outcome == case.outcome


def test_twenty_thousand_authors_keep_the_first_twenty() -> None:
    [article] = parse_articles(CASES[0].make(), filename="authors.md")
    assert [author.name for author in article.authors[:2]] == [
        "Reporter Number0 Smith",
        "Reporter Number1 Smith",
    ]
    assert len(article.authors) == MAX_AUTHORS


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("path", fixture_files(), ids=lambda path: path.name)
def test_a_fixture_without_bom_in_utf16_or_utf32_gives_the_same_record(
    path: Path, encoding: str
) -> None:
    text = read(path).decode("utf-8")
    try:
        expected = parse_articles(text.encode("utf-8"), filename=path.name)
    except ParseError as error:
        # a fixture of a bad file fails the same way in any encoding
        with pytest.raises(ParseError) as raised:
            parse_articles(text.encode(encoding), filename=path.name)
        assert raised.value.code == error.code
        return
    articles = parse_articles(text.encode(encoding), filename=path.name)
    assert [(a.headline, a.body, a.authors) for a in articles] == [
        (a.headline, a.body, a.authors) for a in expected
    ]


def test_urls_with_an_unclosed_bracket_host_are_dropped_not_raised() -> None:
    # Found by hypothesis over mutated fixtures: urlsplit raises ValueError on "https://[…"
    page = (
        b'<html><head><title>Ferries stay</title><link rel="canonical" href="https://[x/a">'
        b'<meta property="og:image" content="https://[x/a.jpg"></head><body><article>'
        b"<h1>Ferries stay</h1><p>The harbour council voted on Tuesday to keep the ferries.</p>"
        b'<figure><img src="/b.jpg" width="800"></figure></article></body></html>'
    )
    [article] = parse_articles(page, filename="page.html")
    assert (article.source_url, article.image) == (None, None)
    assert_sound(article)
