"""Read use cases of the content API: list, filter, page, get and relate articles.

Pure apart from the store it is given (newsdesk.storage.queries.ContentQueries in Lambda, a
fake in unit tests). Parameter parsing that the HTTP layer cannot express as a type (RFC 3339
dates, field selection) lives here too, so every rule about input is in one place.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel

from newsdesk.errors import InvalidRequestError, NotFoundError
from newsdesk.models import (
    SUMMARY_FIELDS,
    Article,
    ArticleFilters,
    ArticleSummary,
    AuthorProfile,
    Change,
    Ingestion,
    Page,
    RelatedArticle,
    SearchHit,
    SearchPage,
    SectionInfo,
    TagInfo,
    add_unseen,
)
from newsdesk.slugs import slugify

if TYPE_CHECKING:
    from newsdesk.service.search import SearchQuery

MAX_FIELDS_CHARS = 500
RELATED_LIMIT = 10
# How far the related lookups reach: bounded so one request stays a handful of queries.
_RELATED_AUTHORS = 2
_RELATED_TAGS = 3

ARTICLE_FIELDS: tuple[str, ...] = tuple(Article.model_fields)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# RFC 3339 date-time: a full date, "T" (or space/"t"), a time with optional fraction, and an
# explicit offset ("Z" or +hh:mm). Python's fromisoformat alone accepts much more than this.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


class ArticleStore(Protocol):
    """The read side of storage the use cases need (newsdesk.storage.queries implements it)."""

    def get_article(self, article_id: str) -> Article: ...

    def list_articles(
        self, filters: ArticleFilters, *, limit: int, cursor: str | None
    ) -> Page[ArticleSummary]: ...

    def list_authors(self, *, limit: int, cursor: str | None) -> Page[AuthorProfile]: ...

    def get_author(self, slug: str) -> AuthorProfile: ...

    def list_sections(self, *, limit: int, cursor: str | None) -> Page[SectionInfo]: ...

    def get_section(self, slug: str) -> SectionInfo: ...

    def list_tags(self, *, limit: int, cursor: str | None) -> Page[TagInfo]: ...

    def list_changes(self, since: datetime, *, limit: int, cursor: str | None) -> Page[Change]: ...

    def list_ingestions(self, *, limit: int, cursor: str | None) -> Page[Ingestion]: ...

    def list_failed_ingestions(self, *, limit: int, cursor: str | None) -> Page[Ingestion]: ...

    def get_ingestion(self, key: str) -> Ingestion: ...

    def find_ids_by_headline(self, headline: str) -> list[str]: ...


class Searcher(Protocol):
    """The search side the use cases need (newsdesk.service.search.SearchService implements it)."""

    def search(self, query: SearchQuery) -> SearchPage: ...

    def more_like_this(self, article: Article, *, limit: int) -> list[SearchHit]: ...

    def related_from_index(
        self, article: Article, *, limit: int, authors: int, tags: list[str]
    ) -> list[RelatedArticle] | None: ...


class ContentService:
    """The read use cases the API routes call."""

    def __init__(self, store: ArticleStore, search: Searcher | None = None) -> None:
        self._store = store
        self._search = search

    def search(self, query: SearchQuery) -> SearchPage:
        """GET /search: the filters' slugs are read as /articles reads them."""
        if self._search is None:
            raise NotFoundError("search is not configured")
        filters = replace(
            query.filters,
            section=_as_slug(query.filters.section, "section"),
            author=_as_slug(query.filters.author, "author"),
            tag=_as_slug(query.filters.tag, "tag"),
        )
        return self._search.search(replace(query, filters=filters))

    def list_articles(
        self, filters: ArticleFilters, *, limit: int, cursor: str | None
    ) -> Page[ArticleSummary]:
        if filters.start and filters.end and filters.start > filters.end:
            raise InvalidRequestError("`from` is after `to`", parameter="from")
        filters = replace(
            filters,
            section=_as_slug(filters.section, "section"),
            author=_as_slug(filters.author, "author"),
            tag=_as_slug(filters.tag, "tag"),
        )
        return self._store.list_articles(filters, limit=limit, cursor=cursor)

    def get_article(self, article_id: str) -> Article:
        return self._store.get_article(article_id)

    def related_articles(
        self, article_id: str, *, limit: int = RELATED_LIMIT
    ) -> list[RelatedArticle]:
        """ "Read more" links first (with ids when stored), then articles like it by content
        (the search index), then same-author, then shared-tag. From the search index when
        there is one (one table request: the article); else from the table's listings."""
        article = self._store.get_article(article_id)
        section_tag = slugify(article.section) if article.section else None
        tags = [tag for tag in article.tags if tag != section_tag][:_RELATED_TAGS]
        if self._search is not None:
            found = self._search.related_from_index(
                article, limit=limit, authors=_RELATED_AUTHORS, tags=tags
            )
            if found is not None:
                return found
        seen = {article.id}
        related: list[RelatedArticle] = []
        for link in article.related:
            ids = [
                found
                for found in self._store.find_ids_by_headline(link.headline)
                if found not in seen
            ]
            resolved = ids[0] if ids else None
            if resolved:
                seen.add(resolved)
            related.append(
                RelatedArticle(
                    reason="read_more", id=resolved, headline=link.headline, section=link.section
                )
            )
        candidates: list[tuple[Literal["same_author", "shared_tag"], ArticleFilters]] = [
            ("same_author", ArticleFilters(author=author.slug))
            for author in article.authors[:_RELATED_AUTHORS]
        ]
        candidates += [("shared_tag", ArticleFilters(tag=tag)) for tag in tags]
        for reason, filters in candidates:
            if len(related) >= limit:
                break
            page = self._store.list_articles(filters, limit=limit + 1, cursor=None)
            add_unseen(related, seen, reason, page.items, limit=limit)
        return related[:limit]

    def list_authors(self, *, limit: int, cursor: str | None) -> Page[AuthorProfile]:
        return self._store.list_authors(limit=limit, cursor=cursor)

    def get_author(self, slug: str) -> AuthorProfile:
        return self._store.get_author(_as_slug(slug, "slug") or slug)

    def list_sections(self, *, limit: int, cursor: str | None) -> Page[SectionInfo]:
        return self._store.list_sections(limit=limit, cursor=cursor)

    def get_section(self, slug: str) -> SectionInfo:
        return self._store.get_section(_as_slug(slug, "slug") or slug)

    def list_tags(self, *, limit: int, cursor: str | None) -> Page[TagInfo]:
        return self._store.list_tags(limit=limit, cursor=cursor)

    def list_changes(self, since: datetime, *, limit: int, cursor: str | None) -> Page[Change]:
        return self._store.list_changes(since, limit=limit, cursor=cursor)

    def list_ingestions(self, *, limit: int, cursor: str | None) -> Page[Ingestion]:
        return self._store.list_ingestions(limit=limit, cursor=cursor)

    def list_failed_ingestions(self, *, limit: int, cursor: str | None) -> Page[Ingestion]:
        return self._store.list_failed_ingestions(limit=limit, cursor=cursor)

    def get_ingestion(self, key: str) -> Ingestion:
        return self._store.get_ingestion(key)


def parse_time_bound(value: str | None, *, parameter: str, end: bool) -> datetime | None:
    """An RFC 3339 date or date-time as a UTC instant; a date means its first (or, for an
    end bound, last) instant. InvalidRequestError names `parameter` when it is neither."""
    if value is None:
        return None
    text = value.strip()
    try:
        if _DATE_ONLY.match(text):
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        if _DATE_TIME.match(text):
            normalized = text.replace("z", "Z").replace("t", "T").replace(" ", "T")
            # Python < 3.11 parsers reject more than 6 fraction digits; RFC 3339 allows them.
            normalized = re.sub(r"(\.\d{6})\d+", r"\1", normalized)
            return datetime.fromisoformat(normalized.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        pass
    raise InvalidRequestError(
        f"`{parameter}` must be an RFC 3339 date (2024-05-01) or date-time (2024-05-01T12:00:00Z)",
        parameter=parameter,
    )


def parse_fields(value: str | None, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """The field selection `a,b,c` checked against `allowed`; None means every field."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",")]
    if not names or any(not name for name in names):
        raise InvalidRequestError("`fields` is a comma-separated list of names", parameter="fields")
    unknown = sorted({name for name in names if name not in allowed})
    if unknown:
        raise InvalidRequestError(
            f"unknown field(s) {', '.join(unknown)}; choose from {', '.join(allowed)}",
            parameter="fields",
        )
    return tuple(dict.fromkeys(names))


def select_fields(model: BaseModel, fields: tuple[str, ...] | None) -> dict[str, Any]:
    """The JSON form of `model`, restricted to `fields` when given."""
    data: dict[str, Any] = model.model_dump(mode="json", include=set(fields) if fields else None)
    return data


def _as_slug(value: str | None, parameter: str) -> str | None:
    """A filter as the one slug rule spells it ("Art & Design" and "art-and-design" agree)."""
    if value is None:
        return None
    slug = slugify(value)
    if not slug:
        raise InvalidRequestError(f"`{parameter}` holds no letter or digit", parameter=parameter)
    return slug


__all__ = [
    "ARTICLE_FIELDS",
    "SUMMARY_FIELDS",
    "ArticleFilters",
    "ArticleStore",
    "ContentService",
    "RelatedArticle",
    "parse_fields",
    "parse_time_bound",
    "select_fields",
]
