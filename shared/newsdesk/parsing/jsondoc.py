"""JSON (.json, one article object) and JSON Lines (.jsonl, one article per line) parsers.

Common field names of feeds and scrapers are accepted (headline/title, body/content/text, …);
a field of the wrong type is an "invalid_json" error naming the field, never a silent guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from newsdesk.errors import ParseError
from newsdesk.parsing.document import Extracted
from newsdesk.parsing.images import stated_image
from newsdesk.parsing.plaintext import decode_references, strip_markup


class _Named(BaseModel):
    """An author or publisher given as an object: {"name": "…"}."""

    model_config = ConfigDict(extra="ignore")

    name: str


class ArticleInput(BaseModel):
    """One article object: unknown fields are ignored, known ones must have the right type."""

    model_config = ConfigDict(extra="ignore")

    headline: str | None = Field(
        default=None, validation_alias=AliasChoices("headline", "title", "name")
    )
    body: str | list[str] | None = Field(
        default=None,
        validation_alias=AliasChoices("body", "content", "text", "articleBody", "paragraphs"),
    )
    authors: str | _Named | list[str | _Named] | None = Field(
        default=None, validation_alias=AliasChoices("authors", "author", "byline")
    )
    published_at: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "published_at", "publishedAt", "date", "datePublished", "published", "pubDate"
        ),
    )
    updated_at: str | None = Field(
        default=None,
        validation_alias=AliasChoices("updated_at", "updatedAt", "dateModified", "modified"),
    )
    section: str | list[str] | None = Field(
        default=None, validation_alias=AliasChoices("section", "category", "categories", "kicker")
    )
    source_url: str | None = Field(
        default=None, validation_alias=AliasChoices("source_url", "url", "link", "canonical_url")
    )
    standfirst: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "standfirst", "subtitle", "subheadline", "dek", "description"
        ),
    )
    keywords: str | list[str] | None = Field(
        default=None, validation_alias=AliasChoices("keywords", "tags")
    )
    language: str | None = Field(
        default=None, validation_alias=AliasChoices("language", "lang", "inLanguage")
    )
    publisher: str | _Named | None = Field(
        default=None, validation_alias=AliasChoices("publisher", "source", "outlet", "site_name")
    )
    image: str | dict[str, Any] | list[str | dict[str, Any]] | None = Field(
        default=None, validation_alias=AliasChoices("image", "cover", "thumbnail", "lead_image")
    )


_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_HTML_BREAKS = re.compile(r"</p\s*>|<br\s*/?>|</h[1-6]\s*>|</li\s*>|</div\s*>", re.I)
_LOOKS_LIKE_HTML = re.compile(r"<(?:p|br|div|h[1-6]|li|span|a)[\s>/]", re.I)


# A .jsonl file holds at most this many articles: each is one write, and one upload must be
# ingested within one function invocation.
MAX_RECORDS_PER_FILE = 1000


def _loads(text: str, where: str = "") -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        place = f"at column {exc.colno}" if where else f"at line {exc.lineno} column {exc.colno}"
        raise ParseError("invalid_json", f"{where}not valid JSON: {exc.msg} {place}") from exc
    except RecursionError as exc:
        raise ParseError(
            "too_deep", f"{where}the JSON is nested too deeply to be an article"
        ) from exc


def parse_json(text: str) -> Extracted:
    """A .json file holding one article object."""
    value = _loads(text)
    if isinstance(value, list):
        raise ParseError(
            "invalid_json",
            "expected one article object, got an array (several articles go in a .jsonl file)",
        )
    return extract_article(value)


def parse_jsonl(text: str) -> Iterator[tuple[int, Extracted]]:
    """A .jsonl file: (line number, article) for each non-blank line.

    The whole file is checked before anything is returned, so a bad line fails the file.
    """
    lines = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    if len(lines) > MAX_RECORDS_PER_FILE:
        raise ParseError(
            "too_many_records",
            f"the file holds {len(lines)} records; at most {MAX_RECORDS_PER_FILE} are taken "
            "from one .jsonl file: split it into several files",
        )
    articles: list[tuple[int, Extracted]] = []
    for number, line in lines:
        value = _loads(line, f"line {number}: ")
        try:
            extracted = extract_article(value)
            require_body(extracted)
        except ParseError as exc:
            raise ParseError(exc.code, f"line {number}: {exc.message}") from exc
        articles.append((number, extracted))
    if not articles:
        raise ParseError("empty", "the .jsonl file has no article lines")
    return iter(articles)


def require_body(extracted: Extracted) -> None:
    if not any(paragraph.strip() for paragraph in extracted.body):
        raise ParseError("no_body", "the article has no body text")


def extract_article(value: Any) -> Extracted:
    """Validate one decoded JSON value as an article and map it onto Extracted."""
    if not isinstance(value, dict):
        raise ParseError(
            "invalid_json", f"expected an article object, got a JSON {_json_type(value)}"
        )
    try:
        item = ArticleInput.model_validate(value)
    except ValidationError as exc:
        raise ParseError("invalid_json", _describe(exc, value)) from exc
    return Extracted(
        format="json",
        headline=_clean(item.headline),
        section=_first(item.section),
        standfirst=_clean(item.standfirst),
        authors=_names(item.authors),
        publisher=_clean(
            item.publisher.name if isinstance(item.publisher, _Named) else item.publisher
        ),
        published_at=_date(item.published_at, "published_at"),
        updated_at_source=_date(item.updated_at, "updated_at"),
        source_url=_clean(item.source_url),
        body=_paragraphs(item.body),
        language=_clean(item.language),
        keywords=_keywords(item.keywords),
        image=stated_image(item.image, base=_clean(item.source_url)),
    )


def _describe(exc: ValidationError, value: dict[str, Any]) -> str:
    problems: list[str] = []
    fields = dict.fromkeys(
        str(error["loc"][0]) if error["loc"] else "article" for error in exc.errors()
    )
    for field in list(fields)[:4]:
        # Name the field as the file spells it, not as newsdesk calls it.
        spelled = _spelling(field, value)
        got = _json_type(value.get(spelled)) if spelled in value else "a missing value"
        problems.append(f"{spelled}: {_expected(field)}, got {got}")
    return "wrong field types: " + "; ".join(problems)


def _spelling(field: str, value: dict[str, Any]) -> str:
    info = ArticleInput.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices):
        for choice in alias.choices:
            if isinstance(choice, str) and choice in value:
                return choice
    return field


_EXPECTED = {
    "body": "expected a string or a list of paragraph strings",
    "authors": 'expected a name, a list of names or of {"name": …} objects',
    "section": "expected a string or a list of strings",
    "keywords": "expected a list of strings or a comma-separated string",
    "publisher": 'expected a string or a {"name": …} object',
}


def _expected(field: str) -> str:
    return _EXPECTED.get(field, "expected a string")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return next((c for c in (_clean(v) for v in value) if c), None)
    return _clean(value)


def _names(value: str | _Named | list[str | _Named] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _clean(item.name if isinstance(item, _Named) else item)
        if name:
            names.append(name)
    return names


def _keywords(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [c for c in (_clean(item) for item in items) if c]


def _paragraphs(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        chunks = value
    else:
        text = value.replace("\r\n", "\n")
        # References decoded before tags are stripped, never after (newsdesk.parsing.plaintext).
        decoded = decode_references(text)
        if _LOOKS_LIKE_HTML.search(decoded):
            text = strip_markup(_HTML_BREAKS.sub("\n\n", decoded))
        chunks = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    return [c for c in (_clean(chunk) for chunk in chunks) if c]


def _date(value: str | None, field: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    from newsdesk.parsing.dates import parse_date

    parsed = parse_date(value)
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ParseError(
                "invalid_json", f"{field}: {value[:40]!r} is not a date newsdesk recognizes"
            ) from None
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed
