"""ProjectorFunction: the table's stream -> listings, registries, change feed and events.

A scenario of uploads, a revision and a removal goes through the real ingest path; the stream
records it produced are then fed to the projector handler in order, twice, shuffled and split,
and every way ends with the same derived items and the same events.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from functions.projector import app as projector
from newsdesk.storage.streams import decode_stream_record
from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.resources import LocalResources
from newsdesk_cli.stream_source import stream_filter
from tests.integration.ingest_stack import REGION, IngestStack, stack, synthetic_article
from tests.integration.moto_stack import read_events

__all__ = ["stack"]

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "article-event.schema.json"
# Items ingestion writes; everything else in the table is derived by the projector.
RECORD_SORT_KEYS = ("A", "I")


def stream_records(stack: IngestStack) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, in order, as the event source delivers them
    to the projector (its template filter applied)."""
    streams = boto3.client(
        "dynamodbstreams",
        region_name=REGION,
        endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
    )
    arn = stack.resources.stream_arn
    accept = stream_filter("ProjectorFunction")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not response["Records"]:
                break
            records += [r for r in response["Records"] if accept(r)]
            iterator = response.get("NextShardIterator")
    return [{**record, "eventSourceARN": arn} for record in records]


def derived_items(resources: LocalResources) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item the projector owns, by key (a scan: test only)."""
    client = boto3.client("dynamodb", region_name=REGION)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for page in client.get_paginator("scan").paginate(TableName=resources.table):
        for item in page["Items"]:
            pk, sk = item["PK"]["S"], item["SK"]["S"]
            if sk in RECORD_SORT_KEYS or sk.startswith("B#"):
                continue
            found[(pk, sk)] = item
    return found


def forget_derived(resources: LocalResources) -> None:
    """Start over: no derived item, and a fresh projector (a new Lambda container)."""
    projector.get_service.cache_clear()
    client = boto3.client("dynamodb", region_name=REGION)
    for pk, sk in derived_items(resources):
        client.delete_item(TableName=resources.table, Key={"PK": {"S": pk}, "SK": {"S": sk}})


def project(records: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = projector.lambda_handler(
        {"Records": records}, LocalLambdaContext(function_name="ProjectorFunction")
    )
    return result


def event_keys(events: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return sorted((e["detail-type"], e["detail"]["id"], e["detail"]["version"]) for e in events)


@pytest.fixture
def scenario(stack: IngestStack) -> Iterator[list[dict[str, Any]]]:
    """Five articles by two authors; one revised with another author; one removed. Returns the
    stream records of it all (nothing projected yet)."""
    projector.get_service.cache_clear()
    for number in range(5):
        author = "Seán O'Brien" if number % 2 else "Jane Doe"
        stack.put(
            f"incoming/scenario/{number}.txt",
            synthetic_article(headline=f"Ferry story {number} of the week", author=author),
        )
    stack.deliver_all()
    stack.put(
        "incoming/scenario/1.txt",
        synthetic_article(headline="Ferry story 1 of the week", author="Renée D’Arcy-Smith"),
    )
    stack.delete("incoming/scenario/3.txt")
    stack.deliver_all()
    records = stream_records(stack)
    assert len(records) == 7  # 5 inserts, 1 modify, 1 tombstone
    yield records
    projector.get_service.cache_clear()


def test_a_batch_replayed_twice_or_shuffled_ends_as_one_in_order_pass(
    stack: IngestStack, scenario: list[dict[str, Any]]
) -> None:
    # Given the state and events of one in-order pass over the batch
    assert project(scenario) == {"batchItemFailures": []}
    once = derived_items(stack.resources)
    events_once = read_events(boto3.Session(region_name=REGION), stack.resources)
    # When the same batch is delivered again
    assert project(scenario) == {"batchItemFailures": []}
    # Then nothing changes and nothing more is published
    assert derived_items(stack.resources) == once
    assert read_events(boto3.Session(region_name=REGION), stack.resources) == []

    # When the derived views are rebuilt from the batch shuffled, with duplicates in it
    forget_derived(stack.resources)
    shuffled = scenario + scenario[2:5]
    random.Random(7).shuffle(shuffled)
    assert project(shuffled) == {"batchItemFailures": []}
    # Then the items and the events are exactly those of the in-order pass
    assert derived_items(stack.resources) == once
    events_shuffled = read_events(boto3.Session(region_name=REGION), stack.resources)
    assert event_keys(events_shuffled) == event_keys(events_once)


def test_records_split_across_batches_in_any_order_converge(
    stack: IngestStack, scenario: list[dict[str, Any]]
) -> None:
    project(scenario)
    once = derived_items(stack.resources)
    forget_derived(stack.resources)
    # When the records arrive reversed, one per batch (every older version after its newer one)
    for record in reversed(scenario):
        assert project([record]) == {"batchItemFailures": []}
    # Then the derived items are the same: older versions never overwrote newer ones
    assert derived_items(stack.resources) == once


def test_what_the_views_show_after_the_scenario(
    stack: IngestStack, scenario: list[dict[str, Any]]
) -> None:
    project(scenario)
    views = stack.views()
    removed = decode_stream_record(scenario[-1])
    assert removed is not None and removed.summary is None
    # The removed article is in no listing, and the change feed reports it
    assert removed.article_id not in views.ids()
    assert removed.article_id not in views.ids(author="sean-obrien")
    assert views.listings_of(removed.article_id) == []
    changes = {change.id: (change.change, change.version) for change in views.changes()}
    assert changes[removed.article_id] == ("removed", 2)
    assert len(changes) == 5
    # Counts equal what the listings hold, for names with punctuation too
    counts = views.counts("author")
    assert counts == {"jane-doe": 3, "renee-darcy-smith": 1}
    for slug, count in counts.items():
        assert len(views.ids(author=slug)) == count
    assert len(views.ids()) == 4
    assert len(views.ids(section="opinion", author="renee-darcy-smith", tag="opinion")) == 1


def test_every_event_sent_matches_the_published_schema(
    stack: IngestStack, scenario: list[dict[str, Any]]
) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    project(scenario)
    events = read_events(boto3.Session(region_name=REGION), stack.resources)

    assert sorted(event["detail-type"] for event in events) == [
        "Article Published",
        "Article Published",
        "Article Published",
        "Article Published",
    ]  # in one batch, each article's newest state: article 3 was removed before it was ever
    # published, and article 1's revision is its first published state
    validator = jsonschema.Draft202012Validator(schema)
    for event in events:
        validator.validate(event)
        assert "body" not in event["detail"]
    # Published one batch at a time, a removal is an event of its own
    forget_derived(stack.resources)
    for record in scenario:
        project([record])
    events = read_events(boto3.Session(region_name=REGION), stack.resources)
    kinds = sorted(event["detail-type"] for event in events)
    assert kinds == ["Article Published"] * 5 + ["Article Removed", "Article Updated"]
    for event in events:
        validator.validate(event)
