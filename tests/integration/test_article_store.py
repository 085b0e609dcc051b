"""ArticleStore's own guarantees, called directly: ordering by sequencer, optimistic writes."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from newsdesk.errors import StaleEventError, TransientError
from newsdesk.models import Article, StoredVersion
from newsdesk.parsing import parse_articles
from newsdesk.storage.articles import ArticleStore
from newsdesk_cli.resources import LocalResources
from tests.integration.ingest_stack import REGION, synthetic_article

KEY = "incoming/direct.txt"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(resources: LocalResources) -> ArticleStore:
    return ArticleStore(boto3.client("dynamodb", region_name=REGION), resources.table)


def parsed(author: str = "Jane Doe") -> Article:
    [article] = parse_articles(
        synthetic_article(author=author), filename=KEY, identity=f"s3://bucket/{KEY}"
    )
    return article.model_copy(update={"ingested_at": NOW, "updated_at": NOW})


def save(
    store: ArticleStore,
    sequencer: str,
    author: str = "Jane Doe",
    previous: dict[str, StoredVersion] | None = None,
) -> None:
    article = parsed(author)
    store.save_object(
        key=KEY,
        bucket="bucket",
        sequencer=sequencer,
        changed=[article],
        unchanged_ids=[],
        previous=store.get_versions([article.id]) if previous is None else previous,
        now=NOW,
    )


def author_of(store: ArticleStore) -> str:
    return store.get_article(parsed().id).authors[0].name


def test_older_events_are_refused_by_the_store(store: ArticleStore) -> None:
    save(store, "05")

    with pytest.raises(StaleEventError):
        store.remove_object(key=KEY, bucket="bucket", sequencer="04", now=NOW)
    with pytest.raises(StaleEventError):
        store.record_failure(
            key=KEY, bucket="bucket", sequencer="05", code="empty", message="m", now=NOW
        )
    with pytest.raises(StaleEventError):
        save(store, "04FFFF", author="John Roe")

    stored = store.get_article(parsed().id)
    assert [author.name for author in stored.authors] == ["Jane Doe"]
    ingestion = store.get_ingestion(KEY)
    assert ingestion is not None and ingestion.status == "stored"


def test_a_write_based_on_an_outdated_read_is_retried(store: ArticleStore) -> None:
    # Given a writer that read the article before another writer changed it
    article_id = parsed().id
    outdated = store.get_versions([article_id])
    save(store, "05")
    # When it writes on the basis of its outdated read
    with pytest.raises(TransientError):
        save(store, "06", author="John Roe", previous=outdated)
    # Then nothing of it is applied; a retry (fresh read) succeeds
    assert author_of(store) == "Jane Doe"
    save(store, "06", author="John Roe")
    assert author_of(store) == "John Roe"
    assert store.get_versions([article_id])[article_id].version == 2


def test_an_event_without_sequencer_applies_and_keeps_the_order(store: ArticleStore) -> None:
    # Given a key last written by an event with sequencer 05
    save(store, "05")
    # When an event without a sequencer (a reindex on AWS) changes it
    store.save_object(
        key=KEY,
        bucket="bucket",
        sequencer=None,
        changed=[parsed("John Roe")],
        unchanged_ids=[],
        previous=store.get_versions([parsed().id]),
        now=NOW,
    )
    # Then it is applied, and an older real event is still refused
    assert author_of(store) == "John Roe"
    with pytest.raises(StaleEventError):
        save(store, "04", author="Ann Other")


def test_a_retried_event_counts_what_it_already_wrote_as_stored(store: ArticleStore) -> None:
    # Given an event that wrote the record, then failed before its ingestion item (a crash)
    article = parsed()
    store._put_record(article, key=KEY, sequencer="07", seen=None)
    assert store.get_ingestion(KEY) is None
    # When the same event is handled again: the record is there, written by this event
    seen = store.get_versions([article.id])
    assert seen[article.id].version == 1
    result = store.save_object(
        key=KEY,
        bucket="bucket",
        sequencer="07",
        changed=[],
        unchanged_ids=[],
        written_ids=[article.id],
        previous=seen,
        now=NOW,
    )
    # Then the outcome is "stored" (not "unchanged"), and nothing was written twice
    ingestion = store.get_ingestion(KEY)
    assert ingestion is not None and ingestion.status == "stored"
    assert result.stored == [article.id]
    assert store.get_versions([article.id])[article.id].version == 1


def test_the_same_record_write_repeated_is_accepted_not_retried(store: ArticleStore) -> None:
    # Given a record this event wrote (and nothing else since)
    article = parsed()
    store._put_record(article, key=KEY, sequencer="08", seen=None)
    # When the very same write is attempted again with the read from before it
    store._put_record(article, key=KEY, sequencer="08", seen=None)
    # Then it is taken as done: still version 1
    assert store.get_versions([article.id])[article.id].version == 1
