"""The local SQS event source behaves like Lambda's: event shape, partial failures, redrive."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import pytest

from newsdesk_cli.resources import LocalResources
from newsdesk_cli.sqs_source import SqsEventSource
from tests.integration.ingest_stack import REGION


class Recorder:
    """A handler that records its events and fails the message ids it is told to."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail_bodies: set[str] = set()
        self.raise_error = False

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        if self.raise_error:
            raise RuntimeError("boom")
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["messageId"]}
                for record in event["Records"]
                if record["body"] in self.fail_bodies
            ]
        }


@pytest.fixture
def queue(resources: LocalResources) -> tuple[Any, LocalResources]:
    sqs = boto3.client("sqs", region_name=REGION)
    # Drop the s3:TestEvent the bucket notification set-up sent.
    sqs.purge_queue(QueueUrl=resources.queue_url)
    return sqs, resources


def source_for(
    queue: tuple[Any, LocalResources], handler: Recorder, **options: Any
) -> SqsEventSource:
    sqs, resources = queue
    return SqsEventSource(sqs, resources.queue_url, handler, **options)


def test_event_has_the_lambda_sqs_shape(queue: tuple[Any, LocalResources]) -> None:
    sqs, resources = queue
    sqs.send_message(QueueUrl=resources.queue_url, MessageBody="hello")
    handler = Recorder()

    result = source_for(queue, handler).poll_once()

    [record] = handler.events[0]["Records"]
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == resources.queue_arn
    assert record["awsRegion"] == REGION
    assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert result.succeeded == [record["messageId"]]


def test_only_reported_failures_come_back(queue: tuple[Any, LocalResources]) -> None:
    sqs, resources = queue
    for body in ("ok-1", "bad", "ok-2"):
        sqs.send_message(QueueUrl=resources.queue_url, MessageBody=body)
    handler = Recorder()
    handler.fail_bodies = {"bad"}
    source = source_for(queue, handler)

    first = source.poll_once()
    second = source.poll_once()

    assert len(first.succeeded) == 2 and len(first.failed) == 1
    assert [record["body"] for record in handler.events[1]["Records"]] == ["bad"]
    assert handler.events[1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert second.failed == first.failed


def test_handler_exception_fails_the_whole_batch(queue: tuple[Any, LocalResources]) -> None:
    sqs, resources = queue
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=resources.queue_url, MessageBody=body)
    handler = Recorder()
    handler.raise_error = True
    source = source_for(queue, handler)

    result = source.poll_once()

    assert result.handler_error == "RuntimeError: boom"
    assert sorted(result.failed) == sorted(result.received) and len(result.received) == 2
    handler.raise_error = False
    assert sorted(source.poll_once().succeeded) == sorted(result.received)


def test_queue_visibility_timeout_can_be_kept(queue: tuple[Any, LocalResources]) -> None:
    sqs, resources = queue
    sqs.send_message(QueueUrl=resources.queue_url, MessageBody="bad")
    handler = Recorder()
    handler.fail_bodies = {"bad"}
    source = source_for(queue, handler, retry_delay_seconds=None)

    assert len(source.poll_once().failed) == 1
    # As on AWS: the message stays invisible for the queue's visibility timeout (180 s).
    assert source.poll_once().received == []


def test_redrive_to_the_dead_letter_queue_after_max_receives(
    queue: tuple[Any, LocalResources],
) -> None:
    sqs, resources = queue
    sqs.send_message(QueueUrl=resources.queue_url, MessageBody="poison")
    handler = Recorder()
    handler.fail_bodies = {"poison"}
    source = source_for(queue, handler)

    results = source.drain(max_polls=20)

    assert resources.max_receive_count == 5
    assert [len(result.failed) for result in results] == [1] * 5
    dead = sqs.receive_message(QueueUrl=resources.dead_letter_queue_url)["Messages"]
    assert [message["Body"] for message in dead] == ["poison"]
