"""Markdown parser: YAML front matter gives the metadata, the body becomes plain-text paragraphs.

The paragraphs then go through the same trailer cleanup as plain text (bios, disclaimers, …).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from newsdesk.errors import ParseError
from newsdesk.parsing.document import Extracted
from newsdesk.parsing.images import stated_image
from newsdesk.parsing.plaintext import drop_raw_elements, strip_markup

# A front matter is a few hundred bytes; a megabyte holds 30,000 author names.
MAX_FRONT_MATTER_CHARS = 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_LEADING_H1 = re.compile(r"\A\s*#[ \t]+([^\n]+)(?:\n|\Z)")
_FENCE = re.compile(r"^\s*(?:```|~~~)")

# Inline markup, applied in order: what each pattern keeps is its replacement. No pattern scans
# past the next bracket, brace or emphasis marker, so a file of unclosed markup ("**a **a …",
# "![a](![a](…") costs linear time, not quadratic.
_LINKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\{\{[<%][^{}]*?[%>]\}\}"), ""),  # Hugo shortcodes
    (re.compile(r"!\[[^\[\]]*\]\((?:[^()]|\([^()]*\))*\)"), ""),  # images: not body text
    (re.compile(r"!\[[^\[\]]*\]\[[^\[\]]*\]"), ""),
    # [text](url), [text](url "title")
    (re.compile(r"\[([^\[\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"), r"\1"),
    (re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^<>\s]+)>"), r"\1"),  # autolinks
)
_EMPHASIS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"\*\*(?=[^\s*])([^*]+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=[^\s_])([^_]+?)(?<=\S)__"), r"\1"),
    (re.compile(r"~~(?=[^\s~])([^~]+?)(?<=\S)~~"), r"\1"),
)
_ESCAPES = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_LINE_MARKERS = re.compile(r"^\s{0,3}(?:>\s?)*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+)?")
_HEADING_TAIL = re.compile(r"\s+#+\s*$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_ITEM_START = re.compile(r"^\s{0,3}(?:>\s?)*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s)")


def parse_markdown(text: str) -> Extracted:
    """A Markdown file, with or without YAML front matter."""
    meta, body_text = split_front_matter(text)
    # Scripts, styles and comments go before paragraphs are split: they may span blank lines.
    body_text = drop_raw_elements(body_text)
    headline = _string(meta, "title")
    if headline is None:
        # Without a front-matter title, a leading "# Heading" is the headline.
        match = _LEADING_H1.match(body_text)
        if match is not None:
            headline = _inline(match.group(1).rstrip(" \t#")) or None
            body_text = body_text[match.end() :]
    from newsdesk.parsing.trailer import clean_trailer

    trailer = clean_trailer(markdown_paragraphs(body_text))
    source_url = _string(meta, "source_url", "url", "canonical_url", "canonical", "link")
    return Extracted(
        format="markdown",
        headline=headline,
        section=_first_string(meta, "section", "categories", "category"),
        standfirst=_string(meta, "subtitle", "standfirst", "description", "summary"),
        authors=_strings(meta, "authors", "author", "byline"),
        publisher=_string(meta, "publisher", "site_name") or trailer.publisher,
        published_at=_date(meta, "date", "published_at", "published", "pubDate"),
        updated_at_source=_date(meta, "updated_at", "lastmod", "modified", "updated"),
        source_url=source_url,
        body=trailer.body,
        author_bio=trailer.author_bio,
        disclaimer=trailer.disclaimer,
        related=trailer.related,
        language=_string(meta, "language", "lang", "locale"),
        keywords=_strings(meta, "keywords", "tags"),
        image=stated_image(
            _first_value(meta, "image", "cover", "cover_image", "featured_image", "thumbnail"),
            base=source_url,
        ),
    )


def _first_value(meta: dict[str, Any], *keys: str) -> Any:
    return next((meta[key] for key in keys if meta.get(key)), None)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping, the rest). No front matter gives an empty mapping."""
    stripped = text.lstrip("\n")
    if not stripped.startswith("---"):
        return {}, text
    match = _FRONT_MATTER.match(stripped)
    if match is None:
        raise ParseError("invalid_front_matter", "the front matter opened with '---' never closes")
    front = match.group(1)
    if len(front) > MAX_FRONT_MATTER_CHARS:
        raise ParseError(
            "front_matter_too_large",
            f"the front matter has {len(front):,} characters; at most "
            f"{MAX_FRONT_MATTER_CHARS:,} are read",
        )
    import yaml

    # libyaml's loader where PyYAML has it (14x faster on a long author list); the same safe
    # constructors either way: a tag such as !!python/object is an error, never a call.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        meta = yaml.load(front, Loader=loader)  # a safe loader (above)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ParseError("invalid_front_matter", f"the front matter{where}: {problem}") from exc
    except RecursionError as exc:
        raise ParseError("too_deep", "the front matter is nested too deeply") from exc
    except ValueError as exc:  # a date that does not exist, a number of 5,000 digits
        raise ParseError(
            "invalid_front_matter",
            "the front matter holds a value YAML cannot read (a date that does not exist, or a "
            "number too long)",
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ParseError(
            "invalid_front_matter",
            f"the front matter must be a mapping of fields, not a {type(meta).__name__}",
        )
    return meta, stripped[match.end() :]


def markdown_paragraphs(text: str) -> list[str]:
    """Markdown to plain-text paragraphs: markup removed, link text kept, images dropped."""
    paragraphs: list[str] = []
    in_fence = False
    for block in _BLOCK_SPLIT.split(text):
        current: list[str] = []
        for line in block.split("\n"):
            if _FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                current.append(line.strip())
                continue
            if _RULE.match(line) or _LINK_DEFINITION.match(line):
                continue
            if _SETEXT.match(line) and current:
                continue  # the underline of a "Heading\n=====" heading
            if _ITEM_START.match(line) and current:
                # A heading or list item starts a paragraph of its own.
                paragraphs.append(_inline(" ".join(current)))
                current = []
            current.append(_HEADING_TAIL.sub("", _LINE_MARKERS.sub("", line, count=1)).strip())
        if current:
            paragraphs.append(_inline(" ".join(current)))
    return [p for p in paragraphs if p]


def _inline(text: str) -> str:
    for pattern, replacement in _LINKS:
        text = pattern.sub(replacement, text)
    text = strip_markup(text)  # inline HTML and comments (scripts with their content)
    # Twice: emphasis nests ("***both***", "**bold *and* italic**"), inner pairs first.
    for _ in range(2):
        for pattern, replacement in _EMPHASIS:
            text = pattern.sub(replacement, text)
    text = _ESCAPES.sub(r"\1", text)
    return " ".join(text.split())


def _value(meta: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if meta.get(key) not in (None, "", []):
            return meta[key]
    return None


def _scalar(value: Any) -> str | None:
    """A field's text: a string, a number or a date as written; nothing for other YAML values
    (lists, sets, binary, booleans), which are never turned into text (an alias-expanded list
    of a billion strings would not fit in memory as one)."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, date):
        value = value.isoformat()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _string(meta: dict[str, Any], *keys: str) -> str | None:
    return _scalar(_value(meta, *keys))


def _strings(meta: dict[str, Any], *keys: str) -> list[str]:
    value = _value(meta, *keys)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [s for s in (_scalar(item) for item in items) if s]


def _first_string(meta: dict[str, Any], *keys: str) -> str | None:
    values = _strings(meta, *keys)
    return values[0] if values else None


def _date(meta: dict[str, Any], *keys: str) -> datetime | None:
    value = _value(meta, *keys)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    text = _scalar(value)
    if text is None or len(text) > _MAX_DATE_CHARS:
        return None  # a list, a mapping, a paragraph: no date
    from newsdesk.parsing.dates import parse_date

    parsed = parse_date(text)
    if parsed is None:
        parsed = _iso_date(text)
        if parsed is None:
            return None  # front matter dates are free text in many generators; no guess
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed


_MAX_DATE_CHARS = 100
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _iso_date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(value, form)
        except ValueError:
            continue
    return None
