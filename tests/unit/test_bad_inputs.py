"""Files that cannot be articles fail with the right ParseError code, never another exception."""

from __future__ import annotations

import contextlib
import random

import pytest

from newsdesk.errors import ParseError
from newsdesk.parsing import MAX_PARSE_BYTES, parse_article, parse_articles
from tests.conftest import FIXTURES_DIR


def parse_error(data: bytes, filename: str = "incoming/file.txt", **kwargs: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_articles(data, filename=filename, **kwargs)  # type: ignore[arg-type]
    assert info.value.message, "a ParseError carries a message a user can read"
    return info.value


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\ufeff \n".encode()])
@pytest.mark.parametrize("filename", ["a.txt", "a.html", "a.md", "a.json", "a.jsonl", "noext"])
def test_empty_files(data: bytes, filename: str) -> None:
    assert parse_error(data, filename).code == "empty"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
GZIP = b"\x1f\x8b\x08\x00" + bytes(20)


@pytest.mark.parametrize(
    "data", [PNG, PDF, ZIP, JPEG, GZIP], ids=["png", "pdf", "zip", "jpeg", "gzip"]
)
@pytest.mark.parametrize("filename", ["a.txt", "a.html", "a.json", "noext"])
def test_binary_files_by_magic_number(data: bytes, filename: str) -> None:
    assert parse_error(data, filename).code == "binary"


def test_random_bytes_are_binary() -> None:
    data = random.Random(20240101).randbytes(4096)
    assert parse_error(data).code == "binary"


def test_text_with_nul_bytes_is_binary() -> None:
    assert parse_error(b"Headline\n\nBody\x00\x00 text with \x00 NULs.").code == "binary"


def test_any_random_input_gives_a_parse_error_or_an_article() -> None:
    # Whatever the bytes, parsing ends in an Article or a ParseError: never another exception
    rng = random.Random(7)
    alphabet = b'abc <>{}[]":,\n\t-#*\xc3\xa9\xe2\x80\x94\x80\xff'
    for _ in range(300):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 300)))
        for filename in ("a.txt", "a.html", "a.md", "a.json", "a.jsonl"):
            with contextlib.suppress(ParseError):
                parse_articles(data, filename=filename)


def test_a_50_mb_file_is_too_large() -> None:
    data = b"word " * (10 * 1024 * 1024)  # 50 MiB, built in memory
    error = parse_error(data)
    assert error.code == "too_large"
    assert f"{MAX_PARSE_BYTES:,}" in error.message


def test_the_size_limit_is_configurable() -> None:
    assert parse_error(b"Headline\n\nA body.", max_bytes=5).code == "too_large"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b'{"headline": 42, "body": "Text."}', "headline"),
        (b'{"title": ["a", "list"], "body": "Text."}', "title"),
        (b'{"headline": "A", "body": {"text": "an object"}}', "body"),
        (b'{"headline": "A", "body": [1, 2]}', "body"),
        (b'{"headline": "A", "body": "Text.", "authors": 7}', "authors"),
        (b'{"headline": "A", "body": "Text.", "author": [{"id": 3}]}', "author"),
        (b'{"headline": "A", "body": "Text.", "tags": {"a": 1}}', "tags"),
    ],
)
def test_json_with_wrong_types_names_the_field(data: bytes, field: str) -> None:
    error = parse_error(data, "a.json")
    assert error.code == "invalid_json"
    assert f"{field}:" in error.message


def test_json_fixture_with_wrong_types() -> None:
    path = FIXTURES_DIR / "json/wrong_types.json"
    error = parse_error(path.read_bytes(), str(path))
    assert error.code == "invalid_json"
    assert "headline: expected a string, got number" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b'{"headline": "A", "body": ',
        b"not json at all {",
        b"[1, 2",
        b"42",
        b'"just a string"',
        b"[]",
    ],
)
def test_invalid_json(data: bytes) -> None:
    assert parse_error(data, "a.json").code == "invalid_json"


def test_json_without_body() -> None:
    assert parse_error(b'{"headline": "Only a headline"}', "a.json").code == "no_body"


def test_jsonl_bad_line_is_named() -> None:
    data = b'{"headline": "A", "body": "One."}\n\n{"headline": "B", "body": \n'
    error = parse_error(data, "feed.jsonl")
    assert error.code == "invalid_json"
    assert error.message.startswith("line 3:")


def test_jsonl_line_with_wrong_types_is_named() -> None:
    data = b'{"headline": "A", "body": "One."}\n{"headline": 5, "body": "Two."}\n'
    error = parse_error(data, "feed.jsonl")
    assert (error.code, error.message[:7]) == ("invalid_json", "line 2:")


@pytest.mark.parametrize(
    "data",
    [
        b"<html><head><title>Nothing</title></head><body></body></html>",
        b"<html><body><nav><a href='/'></a></nav><script>var x = 1;</script></body></html>",
        b"<!DOCTYPE html><html><body><img src='a.png'><div></div></body></html>",
    ],
)
def test_html_with_no_text(data: bytes) -> None:
    assert parse_error(data, "page.html").code == "no_body"


def test_markdown_with_broken_front_matter() -> None:
    path = FIXTURES_DIR / "markdown/broken_front_matter.md"
    assert parse_error(path.read_bytes(), str(path)).code == "invalid_front_matter"


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: never closed\n\nBody text.",
        b"---\n- a\n- list\n---\nBody text.",
        b"---\ntitle: [unclosed\n---\nBody text.",
    ],
)
def test_markdown_front_matter_problems(data: bytes) -> None:
    assert parse_error(data, "a.md").code == "invalid_front_matter"


def test_markdown_with_only_front_matter_has_no_body() -> None:
    assert parse_error(b"---\ntitle: A\n---\n\n", "a.md").code == "no_body"


def test_a_good_file_still_parses() -> None:
    # The guard rails above do not reject an ordinary article
    article = parse_article(b"Headline here\n\nThe body of the article.", filename="a.txt")
    assert article.body == ["The body of the article."]
