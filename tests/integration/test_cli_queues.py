"""`newsdesk reindex` / `redrive` and the local stream poller, against the template's resources."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from newsdesk_cli.commands.redrive import move_messages
from newsdesk_cli.commands.reindex import reindex
from newsdesk_cli.resources import LocalResources, create_resources
from newsdesk_cli.sqs_source import SqsEventSource
from newsdesk_cli.stream_source import StreamEventSource

REGION = "us-east-1"
ARTICLE = b"""Culture | A small museum reopens its doors after a long restoration

By Lena Park

The town museum reopened on Saturday after three years of restoration work on its roof,
its galleries and the collection of maps that made it famous.

Visitors queued from early morning, and the first tour sold out within minutes.
"""


def drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every message on the queue (received and deleted)."""
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def test_reindex_sends_one_created_event_per_current_object(resources: LocalResources) -> None:
    s3, sqs = boto3.client("s3", region_name=REGION), boto3.client("sqs", region_name=REGION)
    bucket = resources.bucket
    # Given objects under incoming/ (one overwritten, one deleted) and one outside it
    s3.put_object(Bucket=bucket, Key="incoming/a.txt", Body=b"first")
    latest = s3.put_object(Bucket=bucket, Key="incoming/a.txt", Body=b"second version")
    s3.put_object(Bucket=bucket, Key="incoming/deep/b c+d.txt", Body=b"b")
    s3.put_object(Bucket=bucket, Key="incoming/gone.txt", Body=b"gone")
    s3.delete_object(Bucket=bucket, Key="incoming/gone.txt")
    s3.put_object(Bucket=bucket, Key="elsewhere/x.txt", Body=b"x")
    drain(sqs, resources.queue_url)  # the uploads' own notifications

    # When reindex runs
    sent = reindex(
        s3,
        sqs,
        bucket=bucket,
        prefix=resources.incoming_prefix,
        queue_url=resources.queue_url,
        region=REGION,
        fresh_sequencers=True,
    )

    # Then each current object under the prefix has one ObjectCreated event, as S3 sends them
    records = [
        json.loads(message["Body"])["Records"][0] for message in drain(sqs, resources.queue_url)
    ]
    assert sent == len(records) == 2
    by_key = {unquote_plus(record["s3"]["object"]["key"]): record for record in records}
    assert set(by_key) == {"incoming/a.txt", "incoming/deep/b c+d.txt"}
    first = by_key["incoming/a.txt"]
    assert first["eventName"].startswith("ObjectCreated:")
    assert first["s3"]["bucket"]["name"] == bucket
    assert first["s3"]["object"]["size"] == len(b"second version")
    assert first["s3"]["object"]["eTag"] == latest["ETag"].strip('"')
    assert first["s3"]["object"]["versionId"] == latest["VersionId"]
    sequencers = [record["s3"]["object"]["sequencer"] for record in records]
    assert len(set(sequencers)) == 2


def test_reindexed_event_is_ingested_like_an_upload(
    resources: LocalResources, lambda_context: Any
) -> None:
    from functions.ingest import app

    s3, sqs = boto3.client("s3", region_name=REGION), boto3.client("sqs", region_name=REGION)
    source = SqsEventSource(sqs, resources.queue_url, app.lambda_handler)
    # Given an article that was ingested
    s3.put_object(Bucket=resources.bucket, Key="incoming/museum.txt", Body=ARTICLE)
    assert all(not result.failed for result in source.drain())

    # When it is reindexed and the queue delivers the synthetic event to the ingest handler
    reindex(
        s3,
        sqs,
        bucket=resources.bucket,
        prefix="incoming/",
        queue_url=resources.queue_url,
        region=REGION,
        fresh_sequencers=True,
    )
    results = source.drain()

    # Then the handler accepts it (no failure, nothing left on the queue)
    assert [len(result.succeeded) for result in results] == [1]
    assert not drain(sqs, resources.queue_url)


def test_redrive_moves_every_dead_letter_back(resources: LocalResources) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    drain(sqs, resources.queue_url)  # S3's test event for the new notification
    bodies = {json.dumps({"n": n}) for n in range(23)}
    for body in bodies:
        sqs.send_message(QueueUrl=resources.dead_letter_queue_url, MessageBody=body)

    moved = move_messages(sqs, resources.dead_letter_queue_url, resources.queue_url)

    assert moved == 23
    assert {message["Body"] for message in drain(sqs, resources.queue_url)} == bodies
    assert drain(sqs, resources.dead_letter_queue_url) == []


@dataclass
class ServerStack:
    resources: LocalResources
    session: Any
    endpoint_url: str

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)

    def put_item(self, pk: str) -> None:
        self.client("dynamodb").put_item(
            TableName=self.resources.table, Item={"PK": {"S": pk}, "SK": {"S": "A"}}
        )

    def stream_source(self, handler: Any) -> StreamEventSource:
        assert self.resources.stream_arn
        return StreamEventSource(
            self.client("dynamodbstreams"),
            self.resources.stream_arn,
            handler,
            function_name="IndexerFunction",
            log=logging.getLogger("test"),
            max_retries=2,
        )


@pytest.fixture
def server_stack() -> Iterator[ServerStack]:
    """The template's resources in moto's server, as `newsdesk dev` runs it (streams need the
    server: in-process mock_aws does not route DynamoDB Streams calls)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    reset = urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )
    try:
        yield ServerStack(
            create_resources(session, endpoint_url=endpoint_url), session, endpoint_url
        )
    finally:
        # moto's backends are process-wide: leave nothing behind for the next test.
        urllib.request.urlopen(reset, timeout=10).close()
        server.stop()


def test_stream_poller_delivers_table_changes_in_order(server_stack: ServerStack) -> None:
    seen: list[dict[str, Any]] = []
    source = server_stack.stream_source(lambda event, context: seen.extend(event["Records"]))
    server_stack.put_item("one")
    server_stack.put_item("two")

    assert source.poll_once() == 2
    assert source.poll_once() == 0

    assert [record["dynamodb"]["Keys"]["PK"]["S"] for record in seen] == ["one", "two"]
    assert {record["eventName"] for record in seen} == {"INSERT"}
    assert {record["eventSourceARN"] for record in seen} == {server_stack.resources.stream_arn}


def test_stream_poller_retries_a_failed_batch_then_moves_on(server_stack: ServerStack) -> None:
    attempts: list[str] = []

    def flaky(event: dict[str, Any], context: Any) -> None:
        pk = event["Records"][0]["dynamodb"]["Keys"]["PK"]["S"]
        attempts.append(pk)
        if pk == "poison":
            raise RuntimeError("cannot index this one")

    source = server_stack.stream_source(flaky)
    server_stack.put_item("poison")

    # The failing batch is retried max_retries times, then skipped so the stream goes on
    for _ in range(4):
        assert source.poll_once() == 0
    server_stack.put_item("fine")
    assert source.poll_once() == 1
    assert attempts == ["poison", "poison", "poison", "fine"]


def test_stream_poller_says_where_it_caught_up_once_per_burst(
    server_stack: ServerStack, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []
    source = server_stack.stream_source(
        lambda event, context: seen.extend(
            r["dynamodb"]["SequenceNumber"] for r in event["Records"]
        )
    )
    source.accept = lambda record: record["dynamodb"]["Keys"]["PK"]["S"] != "skipped"
    server_stack.put_item("one")
    server_stack.put_item("two")
    server_stack.put_item("skipped")
    caplog.set_level(logging.INFO, logger="test")

    # When the poller delivers a burst and then finds nothing more
    while source.poll_once():
        pass
    source.poll_once()

    # Then one line says where it stands: past the record its filter left out, too
    lines = [r.getMessage() for r in caplog.records if "caught up" in r.getMessage()]
    assert len(seen) == 2
    assert len(lines) == 1
    assert lines[0].startswith(f"stream  IndexerFunction caught up at {int(seen[-1]) + 1} ")
    assert lines[0].endswith("2 record(s) delivered)")
