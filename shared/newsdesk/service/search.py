"""Search use cases of the API: GET /search and the "more like this" part of related articles.

The index file is kept in a local directory (/tmp on Lambda) and replaced when its ETag in S3
changes, checked at most every `refresh_seconds`. Queries are parsed by newsdesk.search.query,
so nothing a client types reaches SQLite as syntax; a bad query is an InvalidRequestError (400).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsdesk.errors import InvalidRequestError
from newsdesk.models import (
    RELATED_SIMILAR,
    Article,
    ArticleFilters,
    FacetCount,
    RelatedArticle,
    RelatedReason,
    SearchHit,
    SearchPage,
    add_unseen,
)
from newsdesk.search.index import (
    FACETS,
    IndexFileError,
    Order,
    SearchIndex,
    SearchRequest,
)
from newsdesk.search.query import any_of, parse_query
from newsdesk.storage.cursors import decode_position, encode_position, query_id
from newsdesk.storage.index_files import IndexFileStore

if TYPE_CHECKING:
    from newsdesk.settings import Settings

# How deep a client can page into one ranked result list (offset of the last page's end).
MAX_RESULTS_DEPTH = 1000
INDEX_FILE = "index.sqlite"


@dataclass(frozen=True)
class SearchQuery:
    """One GET /search request, its parameters as the API took them."""

    q: str
    filters: ArticleFilters = field(default_factory=ArticleFilters)
    order: Order = "relevance"
    limit: int = 20
    cursor: str | None = None
    facets: tuple[str, ...] = ()


def parse_facets(value: str | None) -> tuple[str, ...]:
    """`facets=section,author` checked against the facets search counts."""
    if value is None:
        return ()
    names = [name.strip() for name in value.split(",")]
    unknown = sorted({name for name in names if name not in FACETS})
    if unknown or not names:
        raise InvalidRequestError(
            f"unknown facet(s) {', '.join(unknown) or '(empty)'}; choose from {', '.join(FACETS)}",
            parameter="facets",
        )
    return tuple(dict.fromkeys(names))


class SearchService:
    def __init__(
        self,
        files: IndexFileStore | Callable[[], IndexFileStore],
        *,
        cache_dir: Path | Callable[[], Path],
        refresh_seconds: float,
        cursor_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Factories are called on the first search: routes that never search pay nothing.
        self._files_of = files
        self._dir_of = cache_dir
        self._refresh = refresh_seconds
        self._secret = cursor_secret
        self._clock = clock
        self._index: SearchIndex | None = None
        self._etag: str | None = None
        self._checked: float | None = None
        self._lock = threading.Lock()

    def search(self, query: SearchQuery) -> SearchPage:
        parsed = parse_query(query.q)
        filters = query.filters
        if filters.start and filters.end and filters.start > filters.end:
            raise InvalidRequestError("`from` is after `to`", parameter="from")
        fingerprint = query_id(
            "search", parsed.fts, query.order, query.limit, *_filter_key(filters), *query.facets
        )
        offset = 0
        if query.cursor:
            offset = decode_position(
                query.cursor, query=fingerprint, secret=self._secret, max_offset=MAX_RESULTS_DEPTH
            )
        index = self._current()
        if index is None:  # nothing indexed yet
            return SearchPage(items=[], facets={name: [] for name in query.facets})
        limit = max(0, min(query.limit, MAX_RESULTS_DEPTH - offset))
        results = index.search(
            SearchRequest(
                parsed,
                filters,
                order=query.order,
                limit=limit,
                offset=offset,
                facets=query.facets,
            )
        )
        end = offset + len(results.hits)
        more = results.more and end < MAX_RESULTS_DEPTH
        facets: dict[str, list[FacetCount]] = results.facets
        return SearchPage(
            items=results.hits,
            facets=facets,
            next_cursor=encode_position(end, query=fingerprint, secret=self._secret)
            if more
            else None,
        )

    def more_like_this(self, article: Article, *, limit: int) -> list[SearchHit]:
        """Articles whose text best matches this one's keywords (the best first), itself excluded.

        Keywords are in order of weight: the first ones are repeated so they weigh more in BM25.
        """
        keywords = list(article.keywords)
        weighted = keywords[:3] + keywords
        fts = any_of(weighted)
        index = self._current()
        if fts is None or index is None:
            return []
        return index.more_like_this(article.id, fts, limit=limit)

    def related_from_index(
        self, article: Article, *, limit: int, authors: int, tags: list[str]
    ) -> list[RelatedArticle] | None:
        """/related answered from the index alone (no table request): "Read more" links
        resolved by headline, then articles like it, then the authors' and the tags' newest.
        None when there is no index yet (the caller asks the table instead)."""
        index = self._current()
        if index is None:
            return None
        seen = {article.id}
        related: list[RelatedArticle] = []
        for link in article.related:
            found = [hit for hit in index.by_headline(link.headline) if hit.id not in seen]
            resolved = found[0].id if found else None
            if resolved:
                seen.add(resolved)
            related.append(
                RelatedArticle(
                    reason="read_more", id=resolved, headline=link.headline, section=link.section
                )
            )
        groups: list[tuple[RelatedReason, list[SearchHit]]] = []
        if len(related) < limit:
            wanted = min(limit - len(related), RELATED_SIMILAR)
            groups.append(
                ("more_like_this", self.more_like_this(article, limit=wanted + 1)[:wanted])
            )
        for author in article.authors[:authors]:
            groups.append(
                ("same_author", index.latest(ArticleFilters(author=author.slug), limit=limit + 1))
            )
        for tag in tags:
            groups.append(("shared_tag", index.latest(ArticleFilters(tag=tag), limit=limit + 1)))
        for reason, hits in groups:
            add_unseen(related, seen, reason, hits, limit=limit)
        return related[:limit]

    def _current(self) -> SearchIndex | None:
        """The local index, refreshed when S3 has a new version (checked every refresh_seconds)."""
        with self._lock:
            now = self._clock()
            if self._checked is not None and now - self._checked < self._refresh:
                return self._index
            self._checked = now
            if not isinstance(self._files_of, IndexFileStore):
                self._files_of = self._files_of()
            if not isinstance(self._dir_of, Path):
                self._dir_of = self._dir_of()
            path = self._dir_of / INDEX_FILE
            download = self._files_of.download(
                path, known_etag=self._etag if self._index is not None else None
            )
            if download is None:
                self._close()
                return None
            if download.changed or self._index is None:
                self._close()
                try:
                    self._index = SearchIndex.open(path, read_only=True)
                except IndexFileError:
                    self._checked = None  # try again on the next request
                    raise
                self._etag = download.etag
            return self._index

    def _close(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index, self._etag = None, None


def local_cache_dir(settings: Settings, purpose: str) -> Path:
    """Where this process keeps its copy of the index: SEARCH_CACHE_DIR/<purpose>, else a new
    directory under the system's temp dir (/tmp on Lambda), removed when the process exits."""
    if settings.search_cache_dir:
        return Path(settings.search_cache_dir) / purpose
    folder = Path(tempfile.mkdtemp(prefix=f"newsdesk-{purpose}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def open_search_service(settings: Settings) -> SearchService:
    """The API's search service for the configured bucket and index key."""
    from newsdesk.storage.index_files import open_index_files
    from newsdesk.storage.secrets import get_cursor_secret

    return SearchService(
        lambda: open_index_files(settings),
        cache_dir=lambda: local_cache_dir(settings, "search"),
        refresh_seconds=settings.search_refresh_seconds,
        cursor_secret=get_cursor_secret(settings),
    )


def _filter_key(filters: ArticleFilters) -> tuple[str | None, ...]:
    return (
        filters.section,
        filters.author,
        filters.tag,
        filters.lang,
        filters.start.isoformat() if filters.start else None,
        filters.end.isoformat() if filters.end else None,
    )
