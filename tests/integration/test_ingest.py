"""Uploads become articles: put_object -> S3 notification -> SQS -> IngestFunction -> table.

Every test goes through the real path under moto (resources from template.yaml) and reads the
result back through the storage API, as the content API would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from functions.ingest import app
from newsdesk.errors import GoneError
from newsdesk.parsing import parse_articles
from newsdesk.parsing.pipeline import MAX_BODY_CHARS
from newsdesk.storage import keys
from tests.integration.ingest_stack import (
    IngestStack,
    stack,
    synthetic_article,
    throttle_key,
)

__all__ = ["stack"]  # the fixture, imported for the tests below

SEED = "seed/000_7d4c0a3551aecea8.txt"


def article_id(bucket: str, key: str) -> str:
    return hashlib.sha256(f"s3://{bucket}/{key}".encode()).hexdigest()[:16]


def assert_stored_as_parsed(stack: IngestStack, key: str, data: bytes) -> None:
    expected = parse_articles(data, filename=key, identity=f"s3://{stack.bucket}/{key}")[0]
    stored = stack.reader().get_article(expected.id)
    head = stack.s3.head_object(Bucket=stack.bucket, Key=key)
    # The record is the parser's output plus where it came from and when it was ingested.
    assert stored.source.model_dump() == {
        "bucket": stack.bucket,
        "key": key,
        "format": expected.source.format,
        "size": len(data),
        "etag": head["ETag"].strip('"'),
        "version_id": head["VersionId"],
    }
    assert stored.ingested_at is not None
    assert stored.updated_at == stored.ingested_at
    provenance = {"source", "ingested_at", "updated_at"}
    assert stored.model_dump(exclude=provenance) == expected.model_dump(exclude=provenance)


def test_reference_sample_is_stored_as_parsed(stack: IngestStack, corpus_dir: Path) -> None:
    # Given the reference sample uploaded under incoming/
    data = (corpus_dir / SEED).read_bytes()
    key = "incoming/opinion/000_7d4c0a3551aecea8.txt"
    stack.put(key, data)
    # When the notification is delivered to the handler
    result = stack.deliver()
    # Then the stored record is the parse of the same bytes, plus the source fields
    assert result.failed == []
    assert_stored_as_parsed(stack, key, data)
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    assert stored.headline == "The US throws China a bone, but don't buy it"
    assert [author.name for author in stored.authors] == ["Tom Fowdy"]


def test_uploaded_article_is_stored_and_listed(stack: IngestStack) -> None:
    data = synthetic_article()
    key = "incoming/local/ferries.txt"
    stack.put(key, data)

    result = stack.deliver()

    assert result.failed == []
    assert_stored_as_parsed(stack, key, data)
    reader = stack.reader()
    article_id_ = article_id(stack.bucket, key)
    views = stack.views()
    for filters in ({}, {"author": "jane-doe"}, {"section": "opinion"}, {"lang": "en"}):
        assert views.ids(**filters) == [article_id_]
    assert views.counts("author") == {"jane-doe": 1}
    ingestion = reader.get_ingestion(key)
    assert ingestion is not None
    assert (ingestion.status, ingestion.article_ids) == ("stored", [article_id_])


def test_same_event_twice_is_written_once(stack: IngestStack) -> None:
    # Given one upload whose notification is delivered twice (SQS is at-least-once)
    key = "incoming/twice.txt"
    stack.put(key, synthetic_article())
    body = _take_message_body(stack)
    stack.hook_handler_client()
    _send(stack, body)
    stack.deliver()
    writes_after_first = stack.writes()
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    # When the same event arrives again
    _send(stack, body)
    result = stack.deliver()
    # Then nothing more is written and the record is unchanged
    assert result.failed == []
    assert writes_after_first > 0
    assert stack.writes() == writes_after_first
    assert stack.reader().get_article(stored.id) == stored


def test_out_of_order_events_newest_wins(stack: IngestStack) -> None:
    # Given two versions of one key whose events arrive newest first
    key = "incoming/ordering.txt"
    stack.put(key, synthetic_article(headline="Ferries stay: first version"))
    older = _take_message_body(stack)
    stack.put(key, synthetic_article(headline="Ferries stay: corrected version"))
    newer = _take_message_body(stack)
    # Hand-made sequencers of different lengths: compared right-padded, "0A" is after
    # "09FFFFFFFF" (as plain strings of unequal length the order would look the same, but
    # left-padding would invert it).
    older = _with_sequencer(older, "09FFFFFFFF")
    newer = _with_sequencer(newer, "0A")
    stack.hook_handler_client()
    _send(stack, newer)
    stack.deliver()
    writes_after_newer = stack.writes()
    # When the older event is delivered late
    _send(stack, older)
    stack.deliver()
    # Then the newest version stays, and the late event wrote nothing
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    assert stored.headline == "Ferries stay: corrected version"
    assert stack.writes() == writes_after_newer
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and ingestion.sequencer == "0A"


def test_unchanged_reupload_writes_no_article_change(stack: IngestStack) -> None:
    key = "incoming/same-again.txt"
    stack.put(key, synthetic_article())
    stack.deliver()
    first = stack.reader().get_article(article_id(stack.bucket, key))

    stack.put(key, synthetic_article())  # same bytes, a new version and sequencer
    stack.deliver()

    again = stack.reader().get_article(first.id)
    assert again.updated_at == first.updated_at
    changes = stack.views().changes()
    assert [(change.id, change.version) for change in changes] == [(first.id, 1)]
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and ingestion.status == "unchanged"


def test_changed_reupload_moves_the_article_between_listings(stack: IngestStack) -> None:
    # Given an article by Jane Doe
    key = "incoming/byline.txt"
    stack.put(key, synthetic_article(author="Jane Doe"))
    stack.deliver()
    first = stack.reader().get_article(article_id(stack.bucket, key))
    # When the file is re-uploaded with another author and a new paragraph
    stack.put(key, synthetic_article(author="John Roe", extra="The ferry union welcomed it."))
    result = stack.deliver()
    # Then the record is updated and the listings follow the new author
    assert result.failed == []
    reader = stack.reader()
    updated = reader.get_article(first.id)
    assert [author.name for author in updated.authors] == ["John Roe"]
    assert updated.ingested_at == first.ingested_at
    assert updated.updated_at is not None and first.updated_at is not None
    assert updated.updated_at >= first.updated_at
    assert updated.content_hash != first.content_hash
    views = stack.views()
    assert views.ids(author="jane-doe") == []
    assert views.ids(author="john-roe") == [first.id]
    assert views.ids() == [first.id]
    assert [summary.summary for summary in views.listing()] == [updated.summary]
    assert views.counts("author") == {"john-roe": 1}
    assert views.listings_of(first.id) == sorted(
        ["feed", "author#john-roe", "section#opinion", "lang#en"]
        + [f"tag#{tag}" for tag in updated.tags]
    )


def test_delete_leaves_a_tombstone_and_empties_every_listing(stack: IngestStack) -> None:
    # Given a stored article
    key = "incoming/to-delete.txt"
    stack.put(key, synthetic_article())
    stack.deliver()
    article = stack.reader().get_article(article_id(stack.bucket, key))
    # When its file is deleted
    stack.delete(key)
    result = stack.deliver()
    # Then it is gone (410), in no listing, and the change feed reports the removal
    assert result.failed == []
    reader = stack.reader()
    with pytest.raises(GoneError):
        reader.get_article(article.id)
    views = stack.views()
    assert views.listings_of(article.id) == []
    for filters in [{}, {"author": "jane-doe"}, {"section": "opinion"}, {"lang": "en"}] + [
        {"tag": tag} for tag in article.tags
    ]:
        assert views.listing(**filters) == []
    assert views.counts("author") == {}
    assert views.counts("tag") == {}
    assert [(change.id, change.change, change.version) for change in views.changes()] == [
        (article.id, "removed", 2)
    ]
    headline = stack.dynamodb.query(
        TableName=stack.resources.table,
        IndexName=keys.GSI_LOOKUPS,
        KeyConditionExpression="GSI2PK = :pk",
        ExpressionAttributeValues={
            ":pk": {"S": keys.headline_pk("harbour city votes to keep its ferries running")}
        },
    )
    assert headline["Items"] == []
    tombstone = stack.dynamodb.get_item(
        TableName=stack.resources.table,
        Key={"PK": {"S": keys.article_pk(article.id)}, "SK": {"S": keys.ARTICLE_SK}},
    )["Item"]
    assert int(tombstone["ttl"]["N"]) > 0
    ingestion = reader.get_ingestion(key)
    assert ingestion is not None and ingestion.status == "removed"


def test_batch_of_ten_with_three_bad_files(
    stack: IngestStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a size limit of 8 KB and ten uploads: 7 good, 1 undecodable, 1 empty, 1 too large
    monkeypatch.setenv("MAX_FILE_BYTES", "8000")
    app.get_service.cache_clear()
    from newsdesk.settings import get_settings

    get_settings.cache_clear()
    for number in range(7):
        stack.put(
            f"incoming/batch/good-{number}.txt",
            synthetic_article(headline=f"Ferry story number {number} of the week"),
        )
    stack.put("incoming/batch/undecodable.txt", b"\xff\xfe\x00\xd8" * 50)
    stack.put("incoming/batch/empty.txt", b"")
    stack.put("incoming/batch/huge.txt", synthetic_article(extra="More words. " * 1000))
    # When the ten notifications arrive as one batch
    result = stack.deliver()
    # Then the batch succeeds: 7 articles and 3 failed ingestions, nothing to retry
    assert len(result.received) == 10
    assert result.response == {"batchItemFailures": []}
    views = stack.views()
    assert len(views.listing()) == 7
    failed = {ingestion.key: ingestion.code for ingestion in views.failed()}
    assert failed == {
        "incoming/batch/undecodable.txt": "undecodable",
        "incoming/batch/empty.txt": "empty",
        "incoming/batch/huge.txt": "too_large",
    }
    assert stack.queue_depth(stack.resources.queue_url) == 0


def test_too_large_file_is_not_downloaded(
    stack: IngestStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_FILE_BYTES", "500")
    app.get_service.cache_clear()
    from newsdesk.settings import get_settings

    get_settings.cache_clear()
    gets: list[str] = []
    stack.put("incoming/big.txt", synthetic_article())
    s3 = stack.objects.client
    s3.meta.events.register("before-call.s3.GetObject", lambda **_: gets.append("get"))

    stack.deliver()

    ingestion = stack.reader().get_ingestion("incoming/big.txt")
    assert ingestion is not None and ingestion.code == "too_large"
    assert gets == []


def test_throttled_write_fails_only_that_record(stack: IngestStack) -> None:
    # Given three uploads, and DynamoDB throttling the writes of one of them
    for name in ("calm-1", "throttled", "calm-2"):
        stack.put(f"incoming/{name}.txt", synthetic_article(headline=f"Story {name} here"))
    recover = throttle_key(stack.hook_handler_client(), "incoming/throttled.txt")
    # When the batch is delivered
    result = stack.deliver()
    # Then only that record is reported failed; the others are stored
    assert len(result.received) == 3
    assert len(result.failed) == 1
    assert _key_of(result.body_of(result.failed[0])) == "incoming/throttled.txt"
    assert {summary.headline for summary in stack.views().listing()} == {
        "Story calm-1 here",
        "Story calm-2 here",
    }
    # And once DynamoDB recovers, the retried message stores it
    recover()
    retry = stack.deliver()
    assert retry.failed == [] and retry.received == result.failed
    assert len(stack.views().listing()) == 3


def test_message_moves_to_dead_letter_queue_after_five_failed_receives(
    stack: IngestStack,
) -> None:
    # Given an upload whose every write is throttled
    stack.put("incoming/doomed.txt", synthetic_article())
    throttle_key(stack.hook_handler_client(), "incoming/doomed.txt")
    # When it is received and fails five times
    for attempt in range(1, 6):
        result = stack.deliver()
        assert len(result.failed) == 1, f"attempt {attempt}"
    # Then the next receive finds it in the dead-letter queue, not the ingest queue
    assert stack.source.poll_once().received == []
    dead = stack.sqs.receive_message(
        QueueUrl=stack.resources.dead_letter_queue_url, AttributeNames=["All"]
    )["Messages"]
    assert len(dead) == 1
    assert _key_of(dead[0]["Body"]) == "incoming/doomed.txt"
    assert stack.queue_depth(stack.resources.queue_url) == 0


@pytest.mark.parametrize(
    "key",
    [
        "incoming/with spaces/a b c.txt",
        "incoming/plus+sign/1+1=2.txt",
        "incoming/ünïcödé/Zürich café 東京.txt",
        "incoming/a/b/c/d/deeply nested+mixed ü.txt",
    ],
)
def test_keys_round_trip(stack: IngestStack, key: str) -> None:
    # Given an upload under an awkward key
    stack.put(key, synthetic_article())
    # When it is ingested and later deleted
    stack.deliver()
    reader = stack.reader()
    expected_id = article_id(stack.bucket, key)
    stored = reader.get_article(expected_id)
    ingestion = reader.get_ingestion(key)
    stack.delete(key)
    stack.deliver()
    # Then the record names the exact key, and the delete finds it by that key
    assert stored.source.key == key
    assert ingestion is not None and ingestion.article_ids == [expected_id]
    with pytest.raises(GoneError):
        reader.get_article(expected_id)


def test_jsonl_file_gives_several_articles_and_delete_removes_all(stack: IngestStack) -> None:
    lines = [
        {
            "headline": f"Wire story {number} about the harbour ferries",
            "body": [
                "The harbour council voted on Tuesday to keep the ferry network running.",
                f"This is wire story number {number}, with its own second paragraph.",
            ],
        }
        for number in range(3)
    ]
    key = "incoming/wire/stories.jsonl"
    stack.put(key, "\n".join(json.dumps(line) for line in lines).encode())
    stack.deliver()
    reader = stack.reader()
    ingestion = reader.get_ingestion(key)
    assert ingestion is not None and len(ingestion.article_ids) == 3
    assert len(stack.views().listing()) == 3

    stack.delete(key)
    stack.deliver()

    assert stack.views().listing() == []
    for article_id_ in ingestion.article_ids:
        with pytest.raises(GoneError):
            reader.get_article(article_id_)


def test_very_large_article_fits_the_item_limit(stack: IngestStack) -> None:
    # Given a 0.9 MB article of varied text (compresses poorly enough to need part items), near
    # the longest body an article may have
    words = [hashlib.sha256(str(number).encode()).hexdigest()[:9] for number in range(95_000)]
    paragraphs = [" ".join(words[start : start + 80]) + "." for start in range(0, len(words), 80)]
    data = ("A very long record of harbour ferry logs\n\n" + "\n\n".join(paragraphs)).encode()
    key = "incoming/huge-log.txt"
    stack.put(key, data)
    # When it is ingested
    result = stack.deliver()
    # Then the whole body reads back
    assert result.failed == []
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    expected = parse_articles(data, filename=key, identity=f"s3://{stack.bucket}/{key}")[0]
    assert stored.body == expected.body
    assert len(data) > 900_000
    assert sum(map(len, stored.body)) <= MAX_BODY_CHARS


# ----------------------------------------------------------------- helpers


def _take_message_body(stack: IngestStack) -> str:
    """Remove the next message from the ingest queue and return its body (to re-send it)."""
    messages = stack.sqs.receive_message(QueueUrl=stack.resources.queue_url, MaxNumberOfMessages=1)[
        "Messages"
    ]
    stack.sqs.delete_message(
        QueueUrl=stack.resources.queue_url, ReceiptHandle=messages[0]["ReceiptHandle"]
    )
    body: str = messages[0]["Body"]
    return body


def _send(stack: IngestStack, body: str) -> None:
    stack.sqs.send_message(QueueUrl=stack.resources.queue_url, MessageBody=body)


def _with_sequencer(body: str, sequencer: str) -> str:
    event = json.loads(body)
    event["Records"][0]["s3"]["object"]["sequencer"] = sequencer
    return json.dumps(event)


def _key_of(body: str) -> str:
    return unquote_plus(json.loads(body)["Records"][0]["s3"]["object"]["key"])


def test_late_create_after_delete_does_not_resurrect(stack: IngestStack) -> None:
    # Given an upload and its deletion, whose events arrive delete first
    key = "incoming/resurrect.txt"
    stack.put(key, synthetic_article())
    created = _take_message_body(stack)
    stack.delete(key)
    deleted = _take_message_body(stack)
    _send(stack, deleted)
    stack.deliver()
    # When the older create event arrives afterwards
    _send(stack, created)
    result = stack.deliver()
    # Then the article is not stored: the key's latest event was the delete
    assert result.failed == []
    assert stack.views().listing() == []
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and ingestion.status == "removed"


def test_reupload_after_delete_brings_the_article_back(stack: IngestStack) -> None:
    key = "incoming/comeback.txt"
    stack.put(key, synthetic_article())
    stack.deliver()
    stack.delete(key)
    stack.deliver()

    stack.put(key, synthetic_article())
    stack.deliver()

    reader = stack.reader()
    article = reader.get_article(article_id(stack.bucket, key))
    views = stack.views()
    assert views.ids() == [article.id]
    assert views.counts("author") == {"jane-doe": 1}
    assert [(change.change, change.version) for change in views.changes()] == [("updated", 3)]
