"""The parsing pipeline: size and binary checks, decoding, format choice, format parser, enrichment.

Format parsers are imported when chosen, so parsing plain text never loads trafilatura or YAML.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import replace

from newsdesk.enrichment import enrich
from newsdesk.errors import ParseError
from newsdesk.models import Article, Format, Source
from newsdesk.parsing.decoding import decode_bytes, utf32_byte_order
from newsdesk.parsing.document import Extracted
from newsdesk.parsing.plaintext import plain_fields

_EXTENSIONS: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_CONTENT_TYPES: dict[str, Format] = {
    "text/plain": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/json": "json",
    "application/jsonl": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
}

# Magic numbers of files that are certainly not articles: (name, prefix, offset).
_MAGIC: tuple[tuple[str, bytes, int], ...] = (
    ("PNG image", b"\x89PNG\r\n\x1a\n", 0),
    ("JPEG image", b"\xff\xd8\xff", 0),
    ("GIF image", b"GIF8", 0),
    ("TIFF image", b"II*\x00", 0),
    ("TIFF image", b"MM\x00*", 0),
    ("WebP/RIFF media", b"RIFF", 0),
    ("PDF document", b"%PDF-", 0),
    ("ZIP archive (or docx/xlsx/epub)", b"PK\x03\x04", 0),
    ("gzip archive", b"\x1f\x8b", 0),
    ("bzip2 archive", b"BZh", 0),
    ("xz archive", b"\xfd7zXZ\x00", 0),
    ("7-Zip archive", b"7z\xbc\xaf\x27\x1c", 0),
    ("RAR archive", b"Rar!\x1a\x07", 0),
    ("OLE document (doc/xls)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0),
    ("ELF executable", b"\x7fELF", 0),
    ("MP3 audio", b"ID3", 0),
    ("MP4/QuickTime media", b"ftyp", 4),
    ("WebAssembly module", b"\x00asm", 0),
)
# The magic numbers at offset 0 in one startswith() call: the common (text) path is one test.
_MAGIC_AT_START = tuple(magic for _, magic, offset in _MAGIC if offset == 0)
_MAGIC_ELSEWHERE = tuple((magic, offset) for _, magic, offset in _MAGIC if offset)
_SNIFF_BYTES = 8192
# Control bytes other than \t \n \f \r; a text file has next to none.
_CONTROL_BYTES = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}))
_MAX_CONTROL_RATIO = 0.05
_UNICODE_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_HTML_TAGS = re.compile(rb"<(?:p|div|article|h1|h2|br|span|a)[\s>/]", re.I)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_FRONT_MATTER_START = re.compile(rb"^---[ \t]*\r?\n")
_NOT_WORD = re.compile(r"[\W_]+")
# The body of one article (the longest of the shared corpus: 31,000 characters, 113 paragraphs;
# a million characters is 4 MB of UTF-8 at most, within what the API may answer).
MAX_PARAGRAPHS = 5_000
MAX_BODY_CHARS = 1_000_000


def run_pipeline(
    data: bytes,
    *,
    filename: str,
    content_type: str | None,
    identity: str,
    fmt: Format | None,
    source: Source | None,
    max_bytes: int,
) -> list[Article]:
    """Parse one file into its articles (see newsdesk.parsing.parse_articles)."""
    check_size(data, max_bytes)
    check_not_binary(data)
    fmt = fmt or choose_format(data, filename=filename, content_type=content_type)
    text = decode_bytes(data, declared_charset(data, content_type, fmt))
    if not text.strip():
        raise ParseError("empty", "the file holds only whitespace")
    if source is None:
        source = Source(key=filename, format=fmt, size=len(data))
    from newsdesk import parsing

    version = parsing.PARSER_VERSION
    if fmt == "jsonl":
        from newsdesk.parsing.jsondoc import parse_jsonl

        articles: list[Article] = []
        for line, extracted in parse_jsonl(text):
            try:
                finished = finish(extracted)
            except ParseError as error:
                raise ParseError(error.code, f"line {line}: {error.message}") from error
            articles.append(
                enrich(
                    finished, identity=f"{identity}#{line}", source=source, parser_version=version
                )
            )
        return articles
    extracted = finish(_parse_one(text, fmt))
    return [enrich(extracted, identity=identity, source=source, parser_version=version)]


def finish(extracted: Extracted) -> Extracted:
    """What every format's result goes through: plain text in every field (no markup, http(s)
    URLs only), a stated headline never repeated as a paragraph, a body to store."""
    extracted = plain_fields(extracted)
    headline = _words_only(extracted.headline or "")
    if headline:
        # Pages repeat their headline in the body (a second heading, a breadcrumb, a share box
        # quoting it): a reader sees it once.
        body = [paragraph for paragraph in extracted.body if not _says(paragraph, headline)]
        if len(body) != len(extracted.body):
            extracted = replace(extracted, body=body)
    if not extracted.body:
        raise ParseError("no_body", "no article text was found in the file")
    check_body(extracted.body)
    return extracted


def check_body(body: list[str]) -> None:
    """Refuse a body no article has: more paragraphs or characters than MAX_PARAGRAPHS and
    MAX_BODY_CHARS (the record, the API's answer and the search index stay bounded)."""
    if len(body) > MAX_PARAGRAPHS:
        raise ParseError(
            "too_long",
            f"the text has {len(body):,} paragraphs; an article has at most {MAX_PARAGRAPHS:,}",
        )
    chars = sum(map(len, body))
    if chars > MAX_BODY_CHARS:
        raise ParseError(
            "too_long",
            f"the text has {chars:,} characters; an article has at most {MAX_BODY_CHARS:,}",
        )


def _says(text: str, words: str) -> bool:
    """Whether `text` says exactly `words` (a _words_only result)."""
    # The words of a text's start are the start of its words (casefold and _NOT_WORD work a
    # character at a time): a paragraph that is not the headline mostly shows it within twice
    # the headline's length, without casefolding the whole paragraph.
    if not words.startswith(_words_only(text[: 2 * len(words) + 2])):
        return False
    return _words_only(text) == words


def _words_only(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())


def _parse_one(text: str, fmt: Format) -> Extracted:
    if fmt == "text":
        from newsdesk.parsing.text import parse_text

        extracted = parse_text(text)
    elif fmt == "html":
        from newsdesk.parsing.html import parse_html

        extracted = parse_html(text)
    elif fmt == "markdown":
        from newsdesk.parsing.markdown import parse_markdown

        extracted = parse_markdown(text)
    elif fmt == "json":
        from newsdesk.parsing.jsondoc import parse_json

        extracted = parse_json(text)
    else:
        raise ParseError("unsupported_format", f"no parser for format {fmt!r}")
    return extracted


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse files over the limit and files with nothing in them."""
    if len(data) > max_bytes:
        raise ParseError(
            "too_large", f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes"
        )
    if not data.strip():
        raise ParseError(
            "empty", "the file is empty" if not data else "the file holds only whitespace"
        )


def check_not_binary(data: bytes) -> None:
    """Refuse images, archives, PDFs and other binary files before trying to decode them."""
    if data.startswith(_MAGIC_AT_START) or any(
        data.startswith(magic, offset) for magic, offset in _MAGIC_ELSEWHERE
    ):
        for name, magic, offset in _MAGIC:
            if data[offset : offset + len(magic)] == magic:
                raise ParseError("binary", f"the file is a {name}, not an article")
    head = data[:_SNIFF_BYTES]
    if head.startswith(_UNICODE_BOMS):
        return  # UTF-16/32 text has NUL bytes by design
    if b"\x00" in head:
        if _looks_like_utf16(head) or utf32_byte_order(head) is not None:
            return  # NULs in every other byte, or in three of every four
        raise ParseError("binary", "the file holds NUL bytes: it is binary, not text")
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_RATIO * len(head):
        raise ParseError("binary", "the file is mostly control bytes: it is binary, not text")


def _looks_like_utf16(head: bytes) -> bool:
    half = len(head) // 2
    if half < 2:
        return False
    even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
    return (odd_nuls > 0.6 * half and even_nuls < 0.05 * half) or (
        even_nuls > 0.6 * half and odd_nuls < 0.05 * half
    )


def declared_charset(data: bytes, content_type: str | None, fmt: Format) -> str | None:
    """The charset the upload's content type or, for HTML, the page's own <meta> states."""
    if content_type:
        match = _CHARSET.search(content_type)
        if match is not None:
            return match.group(1)
    if fmt == "html":
        meta = _META_CHARSET.search(data[:_SNIFF_BYTES])
        if meta is not None:
            return meta.group(1).decode("ascii")
    return None


def choose_format(data: bytes, *, filename: str, content_type: str | None) -> Format:
    """Extension first, then the declared content type, then a look at the content."""
    extension = posixpath.splitext(filename.rsplit("/", 1)[-1])[1].lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if content_type:
        declared = _CONTENT_TYPES.get(content_type.split(";", 1)[0].strip().lower())
        # text/plain is what many uploaders send for anything; let the content speak.
        if declared is not None and declared != "text":
            return declared
    return sniff_format(data)


def sniff_format(data: bytes) -> Format:
    """Guess the format of a file with no telling extension or content type; text by default."""
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) or len(_HTML_TAGS.findall(head)) >= 3:
        return "html"
    if _FRONT_MATTER_START.match(head) and re.search(rb"\n---[ \t]*\r?\n", head[3:]):
        return "markdown"
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) > 1 and all(line.lstrip().startswith(b"{") for line in lines[:20]):
            try:
                json.loads(lines[0])
                return "jsonl"
            except ValueError:
                return "json"
        return "json"
    return "text"
