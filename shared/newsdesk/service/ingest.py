"""Ingestion use case: one SQS message (an S3 event notification) -> stored, failed or removed.

Deterministic failures (a file that cannot be parsed, one over the size limit) are recorded as
failed ingestions and not raised; TransientError is raised so SQS retries that message alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsdesk.errors import NotFoundError, ParseError, StaleEventError, StorageError
from newsdesk.models import Article, Ingestion, Source, StoredVersion
from newsdesk.parsing import parse_articles
from newsdesk.storage.articles import SaveResult, is_newer, is_same_event
from newsdesk.storage.objects import ObjectInfo

# The reason of a failed ingestion, as /ingestions serves it.
MAX_MESSAGE_CHARS = 500

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
OutcomeStatus = Literal["stored", "unchanged", "failed", "removed", "skipped", "stale", "duplicate"]


# ----------------------------------------------------------------- the S3 event, leniently


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class S3Bucket(_Lenient):
    name: str


class S3Object(_Lenient):
    key: str
    size: int | None = None
    e_tag: str | None = Field(default=None, alias="eTag")
    version_id: str | None = Field(default=None, alias="versionId")
    sequencer: str | None = None


class S3Entity(_Lenient):
    bucket: S3Bucket
    object: S3Object


class S3EventRecord(_Lenient):
    event_name: str = Field(alias="eventName")
    event_time: str | None = Field(default=None, alias="eventTime")
    s3: S3Entity


class S3Notification(_Lenient):
    """An S3 event notification as SQS delivers it (or S3's one-off test event)."""

    records: list[S3EventRecord] = Field(default_factory=list, alias="Records")
    event: str | None = Field(default=None, alias="Event")


@dataclass(frozen=True)
class ObjectEvent:
    """One S3 event for one object; `key` is URL-decoded."""

    kind: Literal["created", "removed", "other"]
    name: str
    bucket: str
    key: str
    size: int | None
    etag: str | None
    version_id: str | None
    sequencer: str | None


def parse_notification(body: str) -> list[ObjectEvent]:
    """The object events in an SQS message body; [] for s3:TestEvent.

    Raises ParseError("invalid_event") when the body is not an S3 notification at all.
    """
    try:
        notification = S3Notification.model_validate_json(body)
    except ValidationError as error:
        raise ParseError("invalid_event", f"not an S3 event notification: {error}") from error
    if notification.event == "s3:TestEvent":
        return []
    events = []
    for record in notification.records:
        name = record.event_name.removeprefix("s3:")
        kind: Literal["created", "removed", "other"] = (
            "created"
            if name.startswith("ObjectCreated:")
            else "removed"
            if name.startswith("ObjectRemoved:")
            else "other"
        )
        obj = record.s3.object
        events.append(
            ObjectEvent(
                kind=kind,
                name=name,
                bucket=record.s3.bucket.name,
                key=unquote_plus(obj.key),
                size=obj.size,
                etag=obj.e_tag,
                version_id=obj.version_id if obj.version_id not in (None, "", "null") else None,
                sequencer=obj.sequencer or None,
            )
        )
    return events


# ----------------------------------------------------------------- ports


class ObjectReader(Protocol):
    def head(self, bucket: str, key: str, *, version_id: str | None = None) -> ObjectInfo: ...

    def get(
        self, bucket: str, key: str, *, version_id: str | None = None
    ) -> tuple[ObjectInfo, bytes]: ...


class ArticleWriter(Protocol):
    def get_ingestion(self, key: str) -> Ingestion | None: ...

    def get_versions(self, article_ids: Sequence[str]) -> dict[str, StoredVersion]: ...

    def save_object(
        self,
        *,
        key: str,
        bucket: str | None,
        sequencer: str | None,
        changed: Sequence[Article],
        unchanged_ids: Sequence[str],
        previous: Mapping[str, StoredVersion],
        now: datetime,
        written_ids: Sequence[str] = (),
        version_id: str | None = None,
    ) -> SaveResult: ...

    def remove_object(
        self, *, key: str, bucket: str | None, sequencer: str | None, now: datetime
    ) -> list[str]: ...

    def record_failure(
        self,
        *,
        key: str,
        bucket: str | None,
        sequencer: str | None,
        code: str,
        message: str,
        now: datetime,
        version_id: str | None = None,
        article_ids: Sequence[str] = (),
    ) -> None: ...


# ----------------------------------------------------------------- the use case


@dataclass(frozen=True)
class Outcome:
    """What one object event did (for logs and metrics)."""

    key: str
    status: OutcomeStatus
    article_ids: list[str] = field(default_factory=list)
    code: str | None = None


def utc_now() -> datetime:
    return datetime.now(UTC)


class IngestService:
    """Applies S3 object events to the article store."""

    def __init__(
        self,
        *,
        store: ArticleWriter,
        objects: ObjectReader,
        incoming_prefix: str,
        max_file_bytes: int,
        now: Clock = utc_now,
    ) -> None:
        self.store = store
        self.objects = objects
        self._prefix = incoming_prefix
        self._max_bytes = max_file_bytes
        self._now = now

    def handle_message(self, body: str) -> list[Outcome]:
        """Apply every object event of one SQS message body.

        A body that is no S3 notification is logged and acknowledged (retrying cannot fix it).
        """
        try:
            events = parse_notification(body)
        except ParseError as error:
            logger.warning("message skipped: %s", error)
            return [Outcome(key="", status="skipped", code=error.code)]
        return [self.handle_event(event) for event in events]

    def handle_event(self, event: ObjectEvent) -> Outcome:
        if not event.key.startswith(self._prefix) or event.kind == "other":
            return Outcome(key=event.key, status="skipped")
        try:
            if event.kind == "removed":
                return self._remove(event)
            return self._ingest(event)
        except StaleEventError:
            logger.info("stale event for %s (sequencer %s) ignored", event.key, event.sequencer)
            return Outcome(key=event.key, status="stale")

    def _remove(self, event: ObjectEvent) -> Outcome:
        removed = self.store.remove_object(
            key=event.key, bucket=event.bucket, sequencer=event.sequencer, now=self._now()
        )
        return Outcome(key=event.key, status="removed", article_ids=removed)

    def _ingest(self, event: ObjectEvent) -> Outcome:
        # Cheap order check first: a stale or repeated event must not even download the file.
        current = self.store.get_ingestion(event.key)
        if current is not None and not is_newer(event.sequencer, current.sequencer):
            raise StaleEventError(event.key)
        if _same_version(event, current):
            # S3 may notify twice for one object version (a multipart upload): the outcome of
            # the first stays. Reindex events carry no sequencer and always apply.
            logger.info("%s version %s was already ingested", event.key, event.version_id)
            return Outcome(key=event.key, status="duplicate")
        try:
            info = self.objects.head(event.bucket, event.key, version_id=event.version_id)
            if info.size > self._max_bytes:
                return self._fail(event, "too_large", self._too_large(info.size))
            info, data = self.objects.get(event.bucket, event.key, version_id=event.version_id)
        except NotFoundError:
            # Deleted before we got to it; the ObjectRemoved event that follows settles it.
            logger.info("object %s is gone; event skipped", event.key)
            return Outcome(key=event.key, status="skipped", code="not_found")
        if len(data) > self._max_bytes:
            return self._fail(event, "too_large", self._too_large(len(data)))
        try:
            articles = parse_articles(
                data,
                filename=event.key,
                content_type=info.content_type,
                identity=f"s3://{event.bucket}/{event.key}",
                max_bytes=self._max_bytes,
            )
        except ParseError as error:
            return self._fail(event, error.code, error.message)
        except Exception as error:  # a parser bug is deterministic: record it, do not retry
            logger.exception("parser failed on %s", event.key)
            return self._fail(event, "parser_error", f"the parser failed: {type(error).__name__}")
        if not articles:
            return self._fail(event, "no_articles", "the file holds no article")
        articles = [_with_source(article, info) for article in articles]
        return self._save(event, articles)

    def _save(self, event: ObjectEvent, articles: list[Article]) -> Outcome:
        now = self._now()
        previous = self.store.get_versions([article.id for article in articles])
        changed: list[Article] = []
        unchanged: list[str] = []
        written: list[str] = []
        for article in articles:
            stored = previous.get(article.id)
            if stored and not stored.removed and stored.content_hash == article.content_hash:
                # Written by this very event before a crash (or a retry): stored, not unchanged.
                if is_same_event(event.sequencer, stored.sequencer):
                    written.append(article.id)
                else:
                    unchanged.append(article.id)
                continue
            first_seen = stored.ingested_at if stored and not stored.removed else None
            changed.append(
                article.model_copy(update={"ingested_at": first_seen or now, "updated_at": now})
            )
        try:
            result = self.store.save_object(
                key=event.key,
                bucket=event.bucket,
                sequencer=event.sequencer,
                changed=changed,
                unchanged_ids=unchanged,
                written_ids=written,
                previous=previous,
                now=now,
                version_id=event.version_id,
            )
        except StorageError as error:
            # Refused for good (an item or key over a DynamoDB limit): retrying cannot help.
            # Records written before the refusal (the first articles of a .jsonl) stay; the
            # failure keeps their ids, so that deleting the file still removes them.
            live = self.store.get_versions([article.id for article in articles])
            kept = [article_id for article_id, stored in live.items() if not stored.removed]
            return self._fail(event, error.code, str(error), article_ids=kept)
        status: OutcomeStatus = "stored" if result.stored or result.removed else "unchanged"
        return Outcome(key=event.key, status=status, article_ids=result.stored + result.unchanged)

    def _fail(
        self, event: ObjectEvent, code: str, message: str, *, article_ids: Sequence[str] = ()
    ) -> Outcome:
        from newsdesk.parsing.plaintext import plain_text

        # A reason may quote the file ("published_at: '<script>…' is not a date"): served by
        # /ingestions, so plain text and bounded like every other field a client may show.
        message = plain_text(message)[:MAX_MESSAGE_CHARS]
        logger.warning("ingestion of %s failed: %s: %s", event.key, code, message)
        self.store.record_failure(
            key=event.key,
            bucket=event.bucket,
            sequencer=event.sequencer,
            code=code,
            message=message,
            now=self._now(),
            version_id=event.version_id,
            article_ids=article_ids,
        )
        return Outcome(key=event.key, status="failed", code=code)

    def _too_large(self, size: int) -> str:
        return f"the file has {size} bytes; the limit is {self._max_bytes}"


def _same_version(event: ObjectEvent, current: Ingestion | None) -> bool:
    """Whether a notification (with a sequencer) is for the object version already ingested."""
    return bool(
        current is not None
        and event.sequencer
        and event.version_id
        and current.version_id == event.version_id
        and current.status in ("stored", "unchanged", "failed")
    )


def _with_source(article: Article, info: ObjectInfo) -> Article:
    source = Source(
        bucket=info.bucket,
        key=info.key,
        format=article.source.format,
        size=info.size,
        etag=info.etag,
        version_id=info.version_id,
    )
    return article.model_copy(update={"source": source})
