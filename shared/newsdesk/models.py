"""The article record and the other shapes newsdesk stores and serves (DESIGN.md section 3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Format = Literal["text", "html", "markdown", "json", "jsonl"]


class Author(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    slug: str


class Dateline(BaseModel):
    model_config = ConfigDict(frozen=True)

    location: str | None = None
    agency: str | None = None


class RelatedLink(BaseModel):
    """A "Read more ..." entry; `id` is filled by the API when a stored article matches."""

    headline: str
    section: str | None = None
    id: str | None = None


class LeadImage(BaseModel):
    """The article's lead picture, for client cards: an absolute http(s) URL and what the file
    says about it."""

    model_config = ConfigDict(frozen=True)

    url: str = Field(description="absolute http(s) URL of the picture")
    caption: str | None = Field(default=None, description="the caption the file states")
    credit: str | None = Field(default=None, description="photographer or agency credited")


class Source(BaseModel):
    """Where the record came from: the S3 object (or, for the CLI, the local file)."""

    bucket: str | None = None
    key: str
    format: Format
    size: int
    etag: str | None = None
    version_id: str | None = None


class Article(BaseModel):
    """One parsed article, whatever its file format. Also the API's schema."""

    id: str = Field(description="16 hex chars of sha256 of s3://bucket/key (CLI: of the path)")
    slug: str
    headline: str
    section: str | None = None
    standfirst: str | None = None
    authors: list[Author] = Field(default_factory=list)
    publisher: str | None = None
    published_at: datetime | None = None
    updated_at_source: datetime | None = None
    dateline: Dateline | None = None
    source_url: str | None = None
    image: LeadImage | None = Field(
        default=None,
        description="the lead image the file states (JSON-LD, og:image, first figure, front "
        "matter), else null",
    )
    body: list[str]
    author_bio: str | None = None
    disclaimer: str | None = None
    related: list[RelatedLink] = Field(default_factory=list)
    language: str | None = None
    word_count: int
    reading_time_minutes: int
    summary: str
    keywords: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    content_hash: str
    source: Source
    parser_version: str
    provenance: dict[str, str] = Field(
        default_factory=dict,
        description="where each metadata field came from, by field name (headline, authors, "
        "published_at, image, ...): 'json-ld', 'meta:og:title', 'h1', 'byline', 'trafilatura'"
        " and the like; empty for formats that state fields in one place only",
    )
    ingested_at: datetime | None = None
    updated_at: datetime | None = None


# Fields a list item carries (the summary fields: a list page is one Query).
SUMMARY_FIELDS: tuple[str, ...] = (
    "id",
    "slug",
    "headline",
    "section",
    "standfirst",
    "authors",
    "publisher",
    "published_at",
    "image",
    "language",
    "summary",
    "tags",
    "word_count",
    "reading_time_minutes",
    "updated_at",
)


class ArticleSummary(BaseModel):
    """What a list page shows of an article."""

    id: str
    slug: str
    headline: str
    section: str | None = None
    standfirst: str | None = None
    authors: list[Author] = Field(default_factory=list)
    publisher: str | None = None
    published_at: datetime | None = None
    image: LeadImage | None = None
    language: str | None = None
    summary: str
    tags: list[str] = Field(default_factory=list)
    word_count: int
    reading_time_minutes: int
    updated_at: datetime | None = None


RelatedReason = Literal["read_more", "more_like_this", "same_author", "shared_tag"]
# How many "more like this" entries /related takes from the search index.
RELATED_SIMILAR = 5


class RelatedArticle(BaseModel):
    """One entry of GET /articles/{id}/related."""

    reason: RelatedReason
    id: str | None = None
    headline: str
    section: str | None = None
    published_at: datetime | None = None


class _Listed(Protocol):
    """What a related entry is made of: an ArticleSummary or a SearchHit."""

    @property
    def id(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def section(self) -> str | None: ...
    @property
    def published_at(self) -> datetime | None: ...


def add_unseen(
    related: list[RelatedArticle],
    seen: set[str],
    reason: RelatedReason,
    items: Iterable[_Listed],
    *,
    limit: int,
) -> None:
    """Append `items` not seen yet to `related` as `reason`, until it holds `limit` entries."""
    for item in items:
        if len(related) >= limit:
            return
        if item.id in seen:
            continue
        seen.add(item.id)
        related.append(
            RelatedArticle(
                reason=reason,
                id=item.id,
                headline=item.headline,
                section=item.section,
                published_at=item.published_at,
            )
        )


class AuthorProfile(BaseModel):
    slug: str
    name: str
    article_count: int
    bio: str | None = None


class SectionInfo(BaseModel):
    slug: str
    name: str
    article_count: int


class TagInfo(BaseModel):
    slug: str
    article_count: int


IngestionStatus = Literal["stored", "unchanged", "failed", "removed", "skipped"]


class Ingestion(BaseModel):
    """What happened to the latest event for one S3 key."""

    key: str
    bucket: str | None = None
    status: IngestionStatus
    article_ids: list[str] = Field(default_factory=list)
    code: str | None = None
    message: str | None = None
    sequencer: str | None = None
    version_id: str | None = Field(
        default=None, description="The S3 object version this outcome is for (versioned buckets)"
    )
    at: datetime


class Change(BaseModel):
    """One entry of the change feed: an article updated or removed at a time."""

    id: str
    change: Literal["updated", "removed"]
    at: datetime
    version: int | None = Field(
        default=None, description="The article's version after this change (grows by 1 a write)"
    )


@dataclass(frozen=True)
class ArticleFilters:
    """What GET /articles narrows by; slugs as the API takes them, times as UTC bounds."""

    section: str | None = None
    author: str | None = None
    tag: str | None = None
    lang: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class StoredVersion:
    """What the table holds under an article id, as ingestion needs it to write the next one.

    `version` counts the writes of the article's record (record or tombstone): every write is
    conditional on the version it read, and every derived item and change event carries it.
    """

    article_id: str
    version: int
    removed: bool
    content_hash: str | None = None
    ingested_at: datetime | None = None
    sequencer: str | None = None
    body_generation: str | None = None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list; `next_cursor` is opaque to clients."""

    items: list[T]
    next_cursor: str | None = None


class SearchHit(ArticleSummary):
    """One result of GET /search: the summary fields, a relevance score and a snippet."""

    score: float = Field(description="Relevance (BM25; higher is better)")
    snippet: str = Field(
        description="Where the query matched: HTML-escaped text with the matches in <mark>…</mark>"
    )


class FacetCount(BaseModel):
    """How many results of the whole result set have one value of a facet."""

    value: str = Field(description="The value to filter by (a slug or language code)")
    label: str = Field(description="How to show it (a section's or author's name)")
    count: int


class SearchPage(BaseModel):
    """A page of search results; `facets` count the whole result set, not only this page."""

    items: list[SearchHit]
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)
    next_cursor: str | None = None


@dataclass(frozen=True)
class RecordImage:
    """An article record or tombstone as the table's stream shows it (what views derive from).

    `summary` is None for a tombstone; `sort_at` is when the article sorts in listings;
    `expired` marks the item itself leaving the table (a tombstone's TTL ran out).
    """

    article_id: str
    version: int
    changed_at: datetime
    summary: ArticleSummary | None
    sort_at: datetime | None = None
    author_bio: str | None = None
    expired: bool = False


@dataclass(frozen=True)
class ProjectionState:
    """What the projector last applied for one article: the version, and the listings it is
    in (its registry entries are the author/section/tag ones among them)."""

    article_id: str
    version: int
    active: bool
    listings: tuple[str, ...] = ()


EventType = Literal["Article Published", "Article Updated", "Article Removed"]


@dataclass(frozen=True)
class ArticleEvent:
    """A change event for the bus (DESIGN §11): summary fields plus version, never the body."""

    detail_type: EventType
    article_id: str
    version: int
    changed_at: datetime
    summary: ArticleSummary | None = None

    def detail(self) -> dict[str, object]:
        data: dict[str, object] = (
            self.summary.model_dump(mode="json") if self.summary else {"id": self.article_id}
        )
        changed_at = self.changed_at.isoformat().replace("+00:00", "Z")
        return {**data, "version": self.version, "changed_at": changed_at}
