"""The ingestion path under moto, end to end: put_object -> notification -> queue -> handler.

Shared by the ingestion integration tests: a fixture `stack` with the template's resources,
the local SQS event source delivering to functions.ingest.app.lambda_handler, and the store.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from functions.ingest import app
from newsdesk.models import ArticleFilters, ArticleSummary, Change, Ingestion
from newsdesk.storage.articles import ArticleStore
from newsdesk.storage.objects import ObjectStore
from newsdesk.storage.queries import ContentQueries
from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.resources import LocalResources
from newsdesk_cli.sqs_source import PollResult, SqsEventSource
from tests.integration.moto_stack import ProjectorFeed

REGION = "us-east-1"
WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
)

SYNTHETIC_ARTICLE = """Opinion | Harbour city votes to keep its ferries running

By Jane Doe

The harbour council voted on Tuesday to keep the city's ferry network running through the
winter, reversing a plan that would have cut three routes.

Councillors said the routes carry more than twelve thousand commuters a day and that the
savings promised by the cuts had been overstated in the original proposal.

The decision follows weeks of protests by residents of the outer islands, who depend on
the boats for school, work and hospital visits.

A final budget vote is expected next month, when the council will also consider a plan to
replace the two oldest vessels in the fleet.
"""


def synthetic_article(
    headline: str = "Harbour city votes to keep its ferries running",
    author: str = "Jane Doe",
    extra: str = "",
) -> bytes:
    text = SYNTHETIC_ARTICLE.replace(
        "Harbour city votes to keep its ferries running", headline
    ).replace("Jane Doe", author)
    return (text + (f"\n{extra}\n" if extra else "")).encode()


@dataclass
class IngestStack:
    resources: LocalResources
    s3: Any
    sqs: Any
    dynamodb: Any
    source: SqsEventSource
    projector: ProjectorFeed
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def bucket(self) -> str:
        return self.resources.bucket

    @property
    def store(self) -> ArticleStore:
        """The handler's own store (its capacity meter counts what the handler consumed)."""
        store = app.get_service().store
        assert isinstance(store, ArticleStore)
        return store

    @property
    def objects(self) -> ObjectStore:
        objects = app.get_service().objects
        assert isinstance(objects, ObjectStore)
        return objects

    def reader(self) -> ArticleStore:
        """A separate store for reading back (its reads do not count as the handler's)."""
        return ArticleStore(self.dynamodb, self.resources.table)

    def put(self, key: str, data: bytes) -> str | None:
        response = self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        version: str | None = response.get("VersionId")
        return version

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def deliver(self) -> PollResult:
        """One poll of the queue into the handler; asserts there was something to deliver."""
        result = self.source.poll_once(wait_seconds=0)
        assert result.received, "expected a message in the ingest queue"
        return result

    def deliver_all(self) -> list[PollResult]:
        return self.source.drain(max_polls=20)

    def views(self) -> Views:
        """The derived views as the API reads them, once the projector caught up."""
        self.projector.drain()
        return Views(
            ContentQueries(
                self.dynamodb, self.resources.table, cursor_secret="t", clock=_always_stale()
            ),
            self,
        )

    def writes(self) -> int:
        return sum(self.calls[name] for name in WRITE_OPERATIONS)

    def hook_handler_client(self) -> Any:
        """The handler's DynamoDB client, with every call counted in `calls`."""
        client = self.store.client

        def count(model: Any, **_: Any) -> None:
            self.calls[model.name] += 1

        client.meta.events.register("before-call.dynamodb.*", count)
        return client

    def queue_depth(self, url: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


def throttle_key(client: Any, key_fragment: str) -> Callable[[], None]:
    """Make the client's writes for one S3 key fail as DynamoDB throttling would; returns undo."""

    def fail(params: dict[str, Any], **_: Any) -> None:
        if key_fragment in repr(params):
            raise ClientError(
                {
                    "Error": {
                        "Code": "ProvisionedThroughputExceededException",
                        "Message": "The level of configured provisioned throughput was exceeded",
                    },
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "PutItem",
            )

    event_name = "provide-client-params.dynamodb.PutItem"
    client.meta.events.register(event_name, fail)
    return lambda: client.meta.events.unregister(event_name, fail)


@dataclass
class Views:
    """Listings, registries, change feed and failures, read through the API's queries."""

    queries: ContentQueries
    stack: IngestStack

    def listing(self, **filters: str) -> list[ArticleSummary]:
        found: list[ArticleSummary] = []
        cursor = None
        while True:
            page = self.queries.list_articles(ArticleFilters(**filters), limit=100, cursor=cursor)
            found += page.items
            cursor = page.next_cursor
            if cursor is None:
                return found

    def ids(self, **filters: str) -> list[str]:
        return [summary.id for summary in self.listing(**filters)]

    def counts(self, kind: str) -> dict[str, int]:
        pages = {
            "author": self.queries.list_authors,
            "section": self.queries.list_sections,
            "tag": self.queries.list_tags,
        }
        items = pages[kind](limit=100, cursor=None).items
        return {item.slug: item.article_count for item in items}

    def changes(self, since: datetime | None = None) -> list[Change]:
        since = since or datetime(2000, 1, 1, tzinfo=UTC)
        return self.queries.list_changes(since, limit=100, cursor=None).items

    def failed(self) -> list[Ingestion]:
        return self.queries.list_failed_ingestions(limit=100, cursor=None).items

    def listings_of(self, article_id: str) -> list[str]:
        """The listing items an article has in its own partition (SK "L#...")."""
        response = self.stack.dynamodb.query(
            TableName=self.stack.resources.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"ART#{article_id}"},
                ":prefix": {"S": "L#"},
            },
        )
        return sorted(item["listing"]["S"] for item in response["Items"])


def _always_stale() -> Callable[[], float]:
    """A clock for ContentQueries that makes it re-read the month index every time."""
    ticks = itertools.count(step=3600)
    return lambda: float(next(ticks))


@pytest.fixture
def stack(resources: LocalResources, monkeypatch: pytest.MonkeyPatch) -> Iterator[IngestStack]:
    app.get_service.cache_clear()
    sqs = boto3.client("sqs", region_name=REGION)
    source = SqsEventSource(
        sqs,
        resources.queue_url,
        app.lambda_handler,
        queue_arn=resources.queue_arn,
        context_factory=lambda: LocalLambdaContext(function_name="IngestFunction"),
    )
    built = IngestStack(
        resources=resources,
        s3=boto3.client("s3", region_name=REGION),
        sqs=sqs,
        dynamodb=boto3.client("dynamodb", region_name=REGION),
        source=source,
        projector=ProjectorFeed(boto3.Session(region_name=REGION), resources),
    )
    # S3 sends s3:TestEvent when the notification is configured: acknowledged, nothing stored.
    first = built.deliver()
    assert first.succeeded == first.received
    yield built
    app.get_service.cache_clear()
