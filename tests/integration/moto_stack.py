"""One way to stand up the template's resources in moto, for fixtures of any scope."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from newsdesk.settings import get_settings
from newsdesk_cli import moto_compat
from newsdesk_cli.resources import LocalResources, create_resources
from newsdesk_cli.stream_source import StreamEventSource, stream_filter

REGION = "us-east-1"

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_SERVICE_NAME": "newsdesk",
    "POWERTOOLS_METRICS_NAMESPACE": "newsdesk",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_DEV": "false",
}


@contextmanager
def template_stack(
    patch: pytest.MonkeyPatch, **extra_env: str
) -> Iterator[tuple[boto3.Session, LocalResources]]:
    """Bucket, queues and table as template.yaml declares them, in moto; env points at them."""
    for name, value in {**TEST_ENV, **extra_env}.items():
        patch.setenv(name, value)
    patch.delenv("AWS_PROFILE", raising=False)
    patch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_compat.install()
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        resources = create_resources(session)
        patch.setenv("TABLE_NAME", resources.table)
        patch.setenv("BUCKET_NAME", resources.bucket)
        patch.setenv("INCOMING_PREFIX", resources.incoming_prefix)
        patch.setenv("EVENT_BUS_NAME", resources.event_bus)
        patch.setenv("CURSOR_SECRET_ARN", resources.cursor_secret_arn)
        get_settings.cache_clear()
        try:
            yield session, resources
        finally:
            get_settings.cache_clear()


class ProjectorFeed:
    """The table's stream into functions.projector.app, as Lambda's event source mapping would
    deliver it (the template's filter applied); `drain` runs until the stream is caught up."""

    def __init__(self, session: boto3.Session, resources: LocalResources) -> None:
        from functions.projector import app as projector

        assert resources.stream_arn, "template.yaml declares the table's stream"
        projector.get_service.cache_clear()
        # The regional endpoint: botocore would pick the account-based one from the stream ARN,
        # which moto's in-process mock does not route.
        streams = session.client(
            "dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com"
        )
        self.source = StreamEventSource(
            streams,
            resources.stream_arn,
            projector.lambda_handler,
            function_name="ProjectorFunction",
            log=logging.getLogger("tests.projector"),
            accept=stream_filter("ProjectorFunction"),
        )

    def drain(self, max_polls: int = 200) -> int:
        delivered = 0
        for _ in range(max_polls):
            count = self.source.poll_once()
            if not count and not self.source.failing():
                return delivered
            delivered += count
        raise AssertionError(f"the stream did not settle within {max_polls} polls")


def read_events(session: boto3.Session, resources: LocalResources) -> list[dict[str, Any]]:
    """Every event the bus delivered to the local tap queue so far (and removes them)."""
    sqs = session.client("sqs")
    events: list[dict[str, Any]] = []
    while True:
        response = sqs.receive_message(
            QueueUrl=resources.event_tap_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        )
        messages = response.get("Messages", [])
        if not messages:
            return events
        for message in messages:
            events.append(json.loads(message["Body"]))
            sqs.delete_message(
                QueueUrl=resources.event_tap_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
