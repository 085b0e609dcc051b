"""Enrichment: what newsdesk derives from a parsed article (id, slug, language, keywords, …).

Pure and deterministic: the same Extracted always gives the same Article. No clock — the service
sets ingested_at/updated_at. One module per concern: language, keywords (and tags), summary,
hashing; the stoplists are data files (stoplists/).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from newsdesk.enrichment.caps import MAX_AUTHORS, bounded
from newsdesk.enrichment.hashing import article_id, content_hash
from newsdesk.enrichment.keywords import (
    MAX_KEYWORDS,
    extract_keywords,
    rank_keywords,
    stated_keywords,
    tags_of,
)
from newsdesk.enrichment.language import (
    choose_language,
    detect_language,
    normalize_language,
    tokenize,
)
from newsdesk.enrichment.summary import derive_headline, summarize
from newsdesk.models import Article, Author, Source
from newsdesk.parsing.document import Extracted
from newsdesk.slugs import slugify

WORDS_PER_MINUTE = 230


def enrich(extracted: Extracted, *, identity: str, source: Source, parser_version: str) -> Article:
    """Turn what a format parser found into the article record (fields within the caps of
    newsdesk.enrichment.caps)."""
    extracted = bounded(extracted)
    identifier = article_id(identity)
    body = [paragraph for paragraph in (p.strip() for p in extracted.body) if paragraph]
    headline = (extracted.headline or "").strip() or derive_headline(
        body, has_dateline=extracted.dateline is not None
    )
    authors = _authors(extracted.authors)
    text = "\n".join(body)
    word_count = _word_count(text, body)
    # One pass of token counting serves both language detection and keyword extraction.
    full = f"{headline}\n{text}"
    lower = full.lower()
    tokens = tokenize(lower)
    counts = Counter(tokens)
    language = choose_language(normalize_language(extracted.language), counts)
    keywords = stated_keywords(extracted.keywords)
    provenance = dict(extracted.provenance)
    if not (extracted.headline or "").strip():
        provenance["headline"] = "lead"  # the file states none: the lead's first sentence
    if keywords:
        provenance.setdefault("keywords", "file")
    else:
        keywords = rank_keywords(full, lower, counts, headline, language, tokens=tokens)
        provenance["keywords"] = "text"
    content = {
        "headline": headline,
        "section": extracted.section,
        "standfirst": extracted.standfirst,
        "authors": [author.name for author in authors],
        "publisher": extracted.publisher,
        "published_at": _iso(extracted.published_at),
        "updated_at_source": _iso(extracted.updated_at_source),
        "dateline": extracted.dateline.model_dump() if extracted.dateline else None,
        "source_url": extracted.source_url,
        "image": extracted.image.model_dump() if extracted.image else None,
        "body": body,
        "author_bio": extracted.author_bio,
        "disclaimer": extracted.disclaimer,
        "related": [
            {"headline": link.headline, "section": link.section} for link in extracted.related
        ],
        "language": language,
    }
    return Article(
        id=identifier,
        slug=slugify(headline) or f"article-{identifier[:8]}",
        headline=headline,
        section=extracted.section,
        standfirst=extracted.standfirst,
        authors=authors,
        publisher=extracted.publisher,
        published_at=extracted.published_at,
        updated_at_source=extracted.updated_at_source,
        dateline=extracted.dateline,
        source_url=extracted.source_url,
        image=extracted.image,
        body=body,
        author_bio=extracted.author_bio,
        disclaimer=extracted.disclaimer,
        related=list(extracted.related),
        language=language,
        word_count=word_count,
        reading_time_minutes=max(1, round(word_count / WORDS_PER_MINUTE)),
        summary=summarize(body),
        keywords=keywords,
        tags=tags_of(keywords, extracted.section),
        content_hash=content_hash(content),
        source=source,
        parser_version=parser_version,
        provenance=provenance,
    )


def _word_count(text: str, body: list[str]) -> int:
    """len(text.split()) without building the list: when no paragraph holds a space other than
    single " " (isprintable is false for every other space), words are spaces + 1 each."""
    if "  " not in text and _printable(text, body):
        return text.count(" ") + len(body)
    return len(text.split())


# The characters of ASCII that are not printable: controls and DEL.
_ASCII_CONTROLS = bytes([*range(0x20), 0x7F])


def _printable(text: str, body: list[str]) -> bool:
    """all(map(str.isprintable, body)) for text = "\n".join(body).

    str.isprintable looks each character up in the Unicode tables; ASCII text is printable
    when the only controls in it are the newlines joining its paragraphs, which bytes.translate
    counts in C several times faster.
    """
    if not body or not text.isascii():
        return all(map(str.isprintable, body))
    data = text.encode("ascii")
    return len(data) - len(data.translate(None, _ASCII_CONTROLS)) == len(body) - 1


def _authors(names: list[str]) -> list[Author]:
    authors: list[Author] = []
    slugs: set[str] = set()
    for name in names:
        if len(authors) == MAX_AUTHORS:
            break
        cleaned = " ".join(name.split())
        slug = slugify(cleaned)
        if cleaned and slug and slug not in slugs:
            slugs.add(slug)
            authors.append(Author(name=cleaned, slug=slug))
    return authors


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


__all__ = [
    "MAX_KEYWORDS",
    "WORDS_PER_MINUTE",
    "content_hash",
    "derive_headline",
    "detect_language",
    "enrich",
    "extract_keywords",
    "normalize_language",
    "summarize",
]
