"""The ingest use case against an in-memory store and object reader: no AWS, a controlled clock."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.errors import NotFoundError, StaleEventError, TransientError
from newsdesk.models import Article, Ingestion, IngestionStatus, StoredVersion
from newsdesk.service.ingest import IngestService, parse_notification
from newsdesk.storage.articles import SaveResult, is_newer
from newsdesk.storage.objects import ObjectInfo
from tests.conftest import load_event

BUCKET = "newsdesk-dev-123456789012-us-east-1"
PUT_KEY = "incoming/2024/opinion/the-us-throws-china-a-bone.txt"
TEXT = b"""Opinion | Harbour city votes to keep its ferries running

By Jane Doe

The harbour council voted on Tuesday to keep the city's ferry network running through the
winter, reversing a plan that would have cut three routes.

Councillors said the routes carry more than twelve thousand commuters a day.
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class FakeObjects:
    files: dict[str, bytes] = field(default_factory=dict)
    gets: list[str] = field(default_factory=list)

    def head(self, bucket: str, key: str, *, version_id: str | None = None) -> ObjectInfo:
        if key not in self.files:
            raise NotFoundError(key)
        return ObjectInfo(bucket, key, len(self.files[key]), "etag", version_id, "text/plain")

    def get(
        self, bucket: str, key: str, *, version_id: str | None = None
    ) -> tuple[ObjectInfo, bytes]:
        self.gets.append(key)
        return self.head(bucket, key, version_id=version_id), self.files[key]


@dataclass
class FakeStore:
    """Keeps what the real store keeps, with its ordering rule, in dictionaries."""

    ingestions: dict[str, Ingestion] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    saves: int = 0
    fail_with: Exception | None = None
    versions: dict[str, int] = field(default_factory=dict)
    sequencers: dict[str, str | None] = field(default_factory=dict)

    def get_ingestion(self, key: str) -> Ingestion | None:
        return self.ingestions.get(key)

    def get_versions(self, article_ids: Sequence[str]) -> dict[str, StoredVersion]:
        found = {}
        for article_id in article_ids:
            if article_id in self.articles:
                article = self.articles[article_id]
                removed = article_id in self.removed
                found[article_id] = StoredVersion(
                    article_id=article_id,
                    version=self.versions.get(article_id, 1),
                    content_hash=None if removed else article.content_hash,
                    ingested_at=None if removed else article.ingested_at,
                    removed=removed,
                    sequencer=self.sequencers.get(article_id),
                )
        return found

    def _check(self, key: str, sequencer: str | None) -> None:
        current = self.ingestions.get(key)
        if current and not is_newer(sequencer, current.sequencer):
            raise StaleEventError(key)
        if self.fail_with:
            raise self.fail_with

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
    ) -> SaveResult:
        self._check(key, sequencer)
        self.saves += 1
        for article in changed:
            self.articles[article.id] = article
            self.removed.discard(article.id)
            self.versions[article.id] = self.versions.get(article.id, 0) + 1
            self.sequencers[article.id] = sequencer
        written = [article.id for article in changed] + list(written_ids)
        ids = written + list(unchanged_ids)
        status: IngestionStatus = "stored" if written else "unchanged"
        self.ingestions[key] = Ingestion(
            key=key,
            bucket=bucket,
            status=status,
            article_ids=ids,
            sequencer=sequencer,
            version_id=version_id,
            at=now,
        )
        return SaveResult(written, list(unchanged_ids), [])

    def remove_object(
        self, *, key: str, bucket: str | None, sequencer: str | None, now: datetime
    ) -> list[str]:
        self._check(key, sequencer)
        ids = self.ingestions[key].article_ids if key in self.ingestions else []
        self.removed.update(ids)
        self.ingestions[key] = Ingestion(
            key=key, bucket=bucket, status="removed", article_ids=ids, sequencer=sequencer, at=now
        )
        return ids

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
    ) -> None:
        self._check(key, sequencer)
        previous = self.ingestions.get(key)
        self.ingestions[key] = Ingestion(
            key=key,
            bucket=bucket,
            status="failed",
            article_ids=list(
                dict.fromkeys([*(previous.article_ids if previous else []), *article_ids])
            ),
            code=code,
            message=message,
            sequencer=sequencer,
            version_id=version_id,
            at=now,
        )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def objects() -> FakeObjects:
    return FakeObjects(files={PUT_KEY: TEXT})


@pytest.fixture
def service(store: FakeStore, objects: FakeObjects, clock: Clock) -> IngestService:
    return IngestService(
        store=store, objects=objects, incoming_prefix="incoming/", max_file_bytes=4096, now=clock
    )


def body(
    name: str = "sqs_s3_put",
    *,
    key: str | None = None,
    sequencer: str | None = None,
    version_id: str | None = None,
) -> str:
    """The S3 notification inside one of the sample SQS events, optionally altered."""
    event = json.loads(load_event(name)["Records"][0]["body"])
    obj = event["Records"][0]["s3"]["object"]
    if key is not None:
        obj["key"] = key
    if sequencer is not None:
        obj["sequencer"] = sequencer
    if version_id is not None:
        obj["versionId"] = version_id
    return json.dumps(event)


def test_put_event_stores_the_article_with_its_source(
    service: IngestService, store: FakeStore, clock: Clock
) -> None:
    [outcome] = service.handle_message(body())

    assert outcome.status == "stored"
    [article] = store.articles.values()
    assert article.headline == "Harbour city votes to keep its ferries running"
    assert (article.ingested_at, article.updated_at) == (clock.now, clock.now)
    assert article.source.bucket == BUCKET
    assert article.source.key == PUT_KEY
    assert article.source.version_id == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    assert store.ingestions[PUT_KEY].article_ids == [article.id]


def test_changed_content_keeps_ingested_at_and_moves_updated_at(
    service: IngestService, store: FakeStore, objects: FakeObjects, clock: Clock
) -> None:
    service.handle_message(body(sequencer="0062F3A1C2D4E5F607"))
    first_seen = clock.now
    clock.advance(30)
    objects.files[PUT_KEY] = TEXT.replace(b"Jane Doe", b"John Roe")

    [outcome] = service.handle_message(body(sequencer="0062F3A1C2D4E5F608", version_id="v2"))

    [article] = store.articles.values()
    assert outcome.status == "stored"
    assert article.ingested_at == first_seen
    assert article.updated_at == clock.now
    assert [author.name for author in article.authors] == ["John Roe"]


def test_unchanged_content_writes_no_article(
    service: IngestService, store: FakeStore, clock: Clock
) -> None:
    service.handle_message(body(sequencer="01"))
    stored = dict(store.articles)
    clock.advance(5)

    # The same bytes uploaded again: a new object version
    [outcome] = service.handle_message(body(sequencer="02", version_id="v2"))

    assert outcome.status == "unchanged"
    assert store.articles == stored


def test_repeated_or_older_event_reads_nothing(
    service: IngestService, store: FakeStore, objects: FakeObjects
) -> None:
    service.handle_message(body(sequencer="0A"))
    objects.gets.clear()

    repeated = service.handle_message(body(sequencer="0A"))
    older = service.handle_message(body(sequencer="09FFFFFFFF"))

    assert [outcome.status for outcome in repeated + older] == ["stale", "stale"]
    assert objects.gets == []
    assert store.saves == 1


def test_test_event_is_acknowledged_and_skipped(service: IngestService, store: FakeStore) -> None:
    assert service.handle_message(load_event("sqs_s3_test_event")["Records"][0]["body"]) == []
    assert store.ingestions == {}


def test_keys_are_url_decoded(service: IngestService, objects: FakeObjects) -> None:
    key = "incoming/wire/Zürich café + more news.txt"
    objects.files[key] = TEXT

    [outcome] = service.handle_message(
        body(key="incoming/wire/Z%C3%BCrich+caf%C3%A9+%2B+more+news.txt")
    )

    assert outcome.key == key
    assert outcome.status == "stored"


def test_keys_outside_the_prefix_are_ignored(
    service: IngestService, objects: FakeObjects, store: FakeStore
) -> None:
    objects.files["elsewhere/a.txt"] = TEXT

    [outcome] = service.handle_message(body(key="elsewhere/a.txt"))

    assert outcome.status == "skipped"
    assert objects.gets == [] and store.ingestions == {}


def test_too_large_file_fails_without_download(
    service: IngestService, objects: FakeObjects, store: FakeStore
) -> None:
    objects.files[PUT_KEY] = TEXT * 20

    [outcome] = service.handle_message(body())

    assert (outcome.status, outcome.code) == ("failed", "too_large")
    assert objects.gets == []
    assert store.ingestions[PUT_KEY].code == "too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary")],
)
def test_unparseable_file_is_recorded_not_raised(
    service: IngestService, objects: FakeObjects, store: FakeStore, data: bytes, code: str
) -> None:
    objects.files[PUT_KEY] = data

    [outcome] = service.handle_message(body())

    assert (outcome.status, outcome.code) == ("failed", code)
    failure = store.ingestions[PUT_KEY]
    assert (failure.status, failure.code) == ("failed", code)
    assert failure.message


def test_a_failure_reason_quoting_the_file_is_plain_text(
    service: IngestService, objects: FakeObjects, store: FakeStore
) -> None:
    # Given a JSON article whose date is markup (the reason quotes the value)
    key = "incoming/hostile-date.json"
    objects.files[key] = json.dumps(
        {
            "headline": "Ferries stay",
            "body": "The council voted.",
            "published_at": "<img src=x onerror=alert(1)>",
        }
    ).encode()

    [outcome] = service.handle_message(body(key=key))

    # Then the failure names the field, and /ingestions would serve no markup
    failure = store.ingestions[key]
    assert (outcome.status, failure.code) == ("failed", "invalid_json")
    assert "published_at" in failure.message
    assert "<" not in failure.message and ">" not in failure.message


def test_transient_store_error_is_raised_for_retry(
    service: IngestService, store: FakeStore
) -> None:
    store.fail_with = TransientError("throttled")

    with pytest.raises(TransientError):
        service.handle_message(body())


def test_delete_event_removes_the_key_articles(service: IngestService, store: FakeStore) -> None:
    service.handle_message(body())
    [article_id] = store.articles

    [outcome] = service.handle_message(body("sqs_s3_delete"))

    assert (outcome.status, outcome.article_ids) == ("removed", [article_id])
    assert store.removed == {article_id}


def test_object_gone_before_ingestion_is_skipped(
    service: IngestService, objects: FakeObjects, store: FakeStore
) -> None:
    objects.files.clear()

    [outcome] = service.handle_message(body())

    assert (outcome.status, outcome.code) == ("skipped", "not_found")
    assert store.ingestions == {}


def test_a_body_that_is_no_s3_event_is_skipped(service: IngestService) -> None:
    [outcome] = service.handle_message('{"hello": "world"')
    assert (outcome.status, outcome.code) == ("skipped", "invalid_event")


def test_lenient_event_model_accepts_moto_style_records() -> None:
    # moto's records lack userIdentity, requestParameters, sequencer, versionId...
    minimal = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "b"}, "object": {"key": "incoming/a+b.txt"}},
            }
        ]
    }
    [event] = parse_notification(json.dumps(minimal))
    assert (event.kind, event.key, event.sequencer, event.version_id) == (
        "created",
        "incoming/a b.txt",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("newer", "older"),
    [
        ("0055AED6DCD90281E6", "0055AED6DCD90281E5"),
        ("0A", "09FFFFFFFF"),  # lengths differ: right-padded with zeros, then compared
        ("0055aed6dcd90281e6", "0055AED6DCD90281E5"),
        ("1", "0FFFFFFFFFFFFFFFFF"),
    ],
)
def test_sequencer_order(newer: str, older: str) -> None:
    assert is_newer(newer, older)
    assert not is_newer(older, newer)
    assert not is_newer(newer, newer)


def test_a_second_notification_for_the_same_object_version_keeps_the_first_outcome(
    service: IngestService, store: FakeStore
) -> None:
    # Given an upload stored (a multipart upload, for which S3 may notify twice)
    [first] = service.handle_message(body(sequencer="0A01"))
    assert first.status == "stored"
    # When a second notification for the same object version arrives, with a newer sequencer
    [second] = service.handle_message(body(sequencer="0A02"))
    # Then it is a duplicate, and the key's outcome stays "stored"
    assert second.status == "duplicate"
    assert store.ingestions[PUT_KEY].status == "stored"
    assert store.saves == 1


def test_a_reindex_event_for_the_same_version_is_parsed_again(
    service: IngestService, store: FakeStore
) -> None:
    service.handle_message(body(sequencer="0A01"))
    # A reindex event names the current version but carries no sequencer
    event = json.loads(body())
    del event["Records"][0]["s3"]["object"]["sequencer"]
    [again] = service.handle_message(json.dumps(event))
    assert again.status == "unchanged"
