"""Every stored field is plain text: no markup of any format reaches a record, URLs only when
http(s) (newsdesk.parsing.plaintext, applied to every format's result)."""

from __future__ import annotations

import time

import pytest

from newsdesk.errors import ParseError
from newsdesk.parsing import parse_articles
from newsdesk.parsing.plaintext import http_url, plain_text, strip_markup
from tests.hostile_inputs import BAD_URLS, PAYLOADS, markup_problems, payload_files

GOOD_URL = "https://courier.example.org/transport/ferries-stay"
FORMATS = ("text", "markdown", "json", "json-html", "jsonl", "html")


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        # References are decoded before tags are stripped, never after
        ("&lt;script&gt;alert(1)&lt;/script&gt; Ferries", "Ferries"),
        ("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;", "bold"),  # encoded twice
        ("Fish &amp; chips &gt; salad", "Fish & chips > salad"),
        ("PG&amp;E and AT&T", "PG&E and AT&T"),
        ("a=1&not=2", "a=1&not=2"),  # no semicolon: no reference
        # Tags go; script-like elements go with their content
        ("Ferries <b>stay</b> <script>alert(1)</script>open", "Ferries stay open"),
        ("<style>p { color: red }</style>Harbour", "Harbour"),
        ("before <!-- a comment --> after", "before after"),
        # A "<" that could still open a tag is dropped; one that could not stays
        ("<img src=x onerror=alert(1)", "img src=x onerror=alert(1)"),
        ("&lt;&lt;&lt;Riverside Courier", "Riverside Courier"),  # found by hypothesis
        ("at <<<<b>bold", "at bold"),
        ("dared&l&lt;t; hope", "dared< hope"),  # found by hypothesis: a new reference
        ("&amp;amp;amp;amp;amp;lt;script&gt;x", "script>x"),  # encoded past every round
        ("2 < 3 and 5 > 4", "2 < 3 and 5 > 4"),
        ("Honeywell <HON.N> rose", "Honeywell HON.N rose"),  # a wire ticker keeps its text
        # Control characters, bidi overrides and zero-width characters go; spaces collapse
        ("Ferries\x00\x07 stay\u202e open\u200b\t\nnow", "Ferries stay open now"),
        ("lone \ud800 surrogate", "lone surrogate"),
    ],
)
def test_plain_text(raw: str, plain: str) -> None:
    assert plain_text(raw) == plain


@pytest.mark.parametrize("url", BAD_URLS[:7])
def test_only_http_urls_are_kept(url: str) -> None:
    assert http_url(url) is None


def test_a_url_keeps_its_meaning_with_unsafe_characters_encoded() -> None:
    assert http_url("https://de.example.org/wiki/Zürich?q=a b") is None  # spaces: no URL
    assert (
        http_url("https://de.example.org/wiki/Zürich") == "https://de.example.org/wiki/Z%C3%BCrich"
    )
    assert http_url('https://x.example/"><b>') == "https://x.example/%22%3E%3Cb%3E"
    assert http_url(GOOD_URL) == GOOD_URL


@pytest.mark.parametrize(
    "shape",
    ["<script>", "<!--", "<a href='x' ", "<svg", "&lt;b&gt;", "&amp;amp;", "<<b>b>"],
)
def test_stripping_is_linear_in_the_length_of_unclosed_markup(shape: str) -> None:
    # One megabyte of an unclosed shape is stripped in one pass (a backtracking pattern would
    # take minutes); the result holds no tag start.
    text = "Ferries " + shape * (1_000_000 // len(shape))
    started = time.process_time()
    result = plain_text(text)
    assert time.process_time() - started < 5, "stripping unclosed markup must stay linear"
    assert "<script" not in result and "<svg" not in result and "<b>" not in result


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_reaches_a_field_of_any_format(fmt: str, payload: str) -> None:
    key, data = payload_files(payload, GOOD_URL)[fmt]
    articles = parse_articles(data, filename=key)
    for article in articles:
        record = article.model_dump(mode="json")
        problems = markup_problems(record)
        if fmt == "html" and payload.startswith("<scr<"):
            # In a page this payload is text already: a browser reads the tag "scr<script" and
            # shows "xipt>alert('XSS')"; the record may say what the page shows, never a tag.
            problems = [problem for problem in problems if "<" in problem.split(":", 1)[1]]
        assert problems == []
        # The text around each payload is kept
        assert "twelve thousand commuters" in " ".join(article.body)
        assert article.headline.startswith("Ferries stay")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("url", BAD_URLS)
def test_no_url_field_keeps_a_url_that_is_not_http(fmt: str, url: str) -> None:
    key, data = payload_files("", url)[fmt]
    for article in parse_articles(data, filename=key):
        record = article.model_dump(mode="json")
        assert markup_problems(record) == []
        if not url.startswith("https://x.example/"):
            assert record["source_url"] is None
            assert record["image"] is None


def test_a_stated_url_is_kept_in_every_format() -> None:
    for fmt, (key, data) in payload_files("", GOOD_URL).items():
        for article in parse_articles(data, filename=key):
            assert article.source_url == GOOD_URL, fmt
            if fmt != "text":
                assert article.image is not None and article.image.url == GOOD_URL, fmt


def test_json_body_entities_are_decoded_before_tags_are_stripped() -> None:
    # Stripping first and decoding after turned "&lt;script&gt;" into a live <script>
    data = (
        b'{"headline": "Ferries stay", "body": "<p>The council voted.</p>'
        b'<p>&lt;script&gt;alert(1)&lt;/script&gt;Commuters cheered.</p>"}'
    )
    [article] = parse_articles(data, filename="a.json")
    assert article.body == ["The council voted.", "Commuters cheered."]


def test_a_stated_headline_is_not_repeated_as_the_first_paragraph() -> None:
    data = b'{"headline": "Ferries stay", "body": ["Ferries stay.", "The council voted."]}'
    [article] = parse_articles(data, filename="a.json")
    assert article.body == ["The council voted."]


def test_a_body_of_nothing_but_markup_is_no_body() -> None:
    data = b'{"headline": "Ferries stay", "body": ["<script>alert(1)</script>", "<img src=x>"]}'
    with pytest.raises(ParseError) as info:
        parse_articles(data, filename="a.json")
    assert info.value.code == "no_body"


def test_strip_markup_keeps_the_text_between_tags() -> None:
    assert strip_markup("<p>one</p>\n\n<p>two <em>three</em></p>") == "one\n\ntwo three"
