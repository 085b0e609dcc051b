"""Pure parsing: bytes of an article file in, Article records out. No AWS, clock or environment.

Entry points: `parse_article` (one article) and `parse_articles` (a file may hold many: .jsonl).
Every failure is a `newsdesk.errors.ParseError` with a machine-readable code.
"""

from __future__ import annotations

from newsdesk.models import Article, Format, Source

PARSER_VERSION = "3"
MAX_PARSE_BYTES = 10 * 1024 * 1024


def parse_articles(
    data: bytes,
    *,
    filename: str,
    content_type: str | None = None,
    identity: str | None = None,
    fmt: Format | None = None,
    source: Source | None = None,
    max_bytes: int = MAX_PARSE_BYTES,
) -> list[Article]:
    """Parse a file into its articles (one, except for .jsonl).

    identity: what the article id is derived from (ingestion: "s3://bucket/key"; CLI: the path);
    defaults to `filename`. Articles of a .jsonl file get "<identity>#<line number>".
    source: the Source to record; defaults to one built from filename, format and size.
    """
    from newsdesk.parsing.pipeline import run_pipeline

    return run_pipeline(
        data,
        filename=filename,
        content_type=content_type,
        identity=identity if identity is not None else filename,
        fmt=fmt,
        source=source,
        max_bytes=max_bytes,
    )


def parse_article(
    data: bytes,
    *,
    filename: str,
    content_type: str | None = None,
    identity: str | None = None,
    fmt: Format | None = None,
    source: Source | None = None,
    max_bytes: int = MAX_PARSE_BYTES,
) -> Article:
    """Parse a file that holds exactly one article (the first one of a .jsonl file)."""
    return parse_articles(
        data,
        filename=filename,
        content_type=content_type,
        identity=identity,
        fmt=fmt,
        source=source,
        max_bytes=max_bytes,
    )[0]


__all__ = ["MAX_PARSE_BYTES", "PARSER_VERSION", "parse_article", "parse_articles"]
