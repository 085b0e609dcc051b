"""The indexer's use cases: apply the table's article changes to the search index file in S3,
and rebuild the whole index from the table.

The indexer is the index's only writer (reserved concurrency 1), yet every upload is conditional
on the ETag it read, so even a second writer (a rebuild, a stray invocation) loses nothing: the
loser reads the new version and applies its changes again. The local copy is kept between
invocations and only downloaded again when its ETag is no longer current.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.errors import (
    ConcurrentUpdateError,
    GoneError,
    NotFoundError,
    StorageError,
    TransientError,
)
from newsdesk.models import Article
from newsdesk.search.index import Change, IndexFileError, Removal, SearchIndex, Upsert
from newsdesk.storage.article_stream import ArticleRecordChange
from newsdesk.storage.index_files import IndexFileStore
from newsdesk.storage.items import TOMBSTONE_TTL_DAYS
from newsdesk.storage.keys import format_time

MAX_ATTEMPTS = 4
INDEX_FILE = "index.sqlite"


@dataclass(frozen=True)
class IndexUpdate:
    """What one update did: counts of the changes, and the index it left in S3."""

    upserted: int
    removed: int
    skipped: int
    attempts: int
    articles: int
    size: int
    etag: str | None


class IndexerService:
    def __init__(
        self,
        files: IndexFileStore,
        *,
        work_dir: Path,
        fetch_article: Callable[[str], Article],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._files = files
        self._dir = work_dir
        self._fetch = fetch_article
        self._now = now
        self._etag: str | None = None  # version of the local copy, when it is current

    @property
    def _path(self) -> Path:
        return self._dir / INDEX_FILE

    def changes_of(self, records: Sequence[ArticleRecordChange]) -> list[Change]:
        """Index changes for record changes: the newest of each article, in stream order."""
        latest: dict[str, ArticleRecordChange] = {}
        for record in records:
            known = latest.get(record.article_id)
            if known is None or record.version >= known.version:
                latest[record.article_id] = record
        changes: list[Change] = []
        for record in latest.values():
            if record.removed:
                changes.append(Removal(record.article_id, record.version))
                continue
            if not record.needs_body_parts:
                changes.append(Upsert(record.article(), record.version))
                continue
            try:
                changes.append(Upsert(self._fetch(record.article_id), record.version))
            except (GoneError, NotFoundError):
                continue  # replaced since: the newer record is later in the stream
        return changes

    def apply(self, changes: Sequence[Change]) -> IndexUpdate:
        """Apply changes to the index in S3 (creating it when there is none)."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            index, etag = self._open_current()
            try:
                counts = index.apply(changes)
                forget_before = self._now() - timedelta(days=TOMBSTONE_TTL_DAYS)
                index.forget_removals_before(format_time(forget_before))
                articles = index.count()
            finally:
                index.close()
            if not (counts.upserted or counts.removed) and etag is not None:
                return self._result(
                    counts.upserted, counts.removed, counts.skipped, attempt, articles, etag
                )
            try:
                self._etag = self._files.upload(self._path, replacing=etag)
            except ConcurrentUpdateError:
                self._etag = None  # our copy holds changes S3 never got: read it again
                continue
            return self._result(
                counts.upserted, counts.removed, counts.skipped, attempt, articles, self._etag
            )
        raise TransientError(
            f"the search index changed under {MAX_ATTEMPTS} updates in a row; retrying the batch"
        )

    def rebuild(self, changes: Iterable[Change]) -> IndexUpdate:
        """A new index from every article (a full read of the table), replacing the one in S3
        only if nobody changed it meanwhile (ConcurrentUpdateError: run it again)."""
        seen = self._files.etag()
        with tempfile.TemporaryDirectory(dir=self._dir) as scratch:
            path = Path(scratch) / INDEX_FILE
            index = SearchIndex.create(path)
            try:
                counts = index.apply(changes)
                index.optimize()
                articles = index.count()
            finally:
                index.close()
            etag = self._files.upload(path, replacing=seen)
            size = path.stat().st_size
        self._etag = None
        return IndexUpdate(counts.upserted, counts.removed, counts.skipped, 1, articles, size, etag)

    def _open_current(self) -> tuple[SearchIndex, str | None]:
        self._dir.mkdir(parents=True, exist_ok=True)
        download = self._files.download(self._path, known_etag=self._etag)
        if download is None:
            self._etag = None
            return SearchIndex.create(self._path), None
        try:
            index = SearchIndex.open(self._path)
        except IndexFileError as error:
            if not download.changed:  # a damaged local copy: fetch it whole
                self._etag = None
                return self._open_current()
            raise StorageError(
                f"{self._files.where} is no search index ({error}); "
                "rebuild it with `newsdesk reindex --search`"
            ) from error
        self._etag = download.etag
        return index, download.etag

    def _result(
        self,
        upserted: int,
        removed: int,
        skipped: int,
        attempts: int,
        articles: int,
        etag: str | None,
    ) -> IndexUpdate:
        size = self._path.stat().st_size if self._path.exists() else 0
        return IndexUpdate(upserted, removed, skipped, attempts, articles, size, etag)
