"""What a format parser extracts from a file, before enrichment turns it into an Article."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsdesk.models import Dateline, Format, LeadImage, RelatedLink


@dataclass
class Extracted:
    """Fields a format parser found in the file itself; nothing here is guessed."""

    format: Format
    headline: str | None = None
    section: str | None = None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    published_at: datetime | None = None
    updated_at_source: datetime | None = None
    dateline: Dateline | None = None
    source_url: str | None = None
    image: LeadImage | None = None
    body: list[str] = field(default_factory=list)
    author_bio: str | None = None
    disclaimer: str | None = None
    related: list[RelatedLink] = field(default_factory=list)
    language: str | None = None  # only when the file states it (html lang, front matter)
    keywords: list[str] = field(default_factory=list)  # only when the file states them
    provenance: dict[str, str] = field(default_factory=dict)  # field -> the source that won
