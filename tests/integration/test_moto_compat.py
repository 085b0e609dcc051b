"""The moto patches newsdesk_cli.moto_compat makes for speed answer what moto itself answers:
stream records as written, queue attributes and receives as SQS gives them."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from newsdesk_cli import moto_compat

REGION = "us-east-1"


@pytest.fixture
def server() -> Iterator[boto3.Session]:
    """moto's server, patched as `newsdesk dev` runs it, and a session whose clients use it."""
    from moto.server import ThreadedMotoServer

    moto_compat.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    reset = urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )
    session.endpoint_url = endpoint_url  # type: ignore[attr-defined]
    try:
        yield session
    finally:
        urllib.request.urlopen(reset, timeout=10).close()
        server.stop()


def client(session: boto3.Session, service: str) -> Any:
    return session.client(service, endpoint_url=session.endpoint_url)  # type: ignore[attr-defined]


ITEM = {
    "PK": {"S": "ART#1"},
    "SK": {"S": "A"},
    "headline": {"S": "Ferries return — “at last”"},
    "version": {"N": "3"},
    "authors": {"L": [{"M": {"name": {"S": "Ines Vidal"}, "slug": {"S": "ines-vidal"}}}]},
    "tags": {"SS": ["ferries", "harbour"]},
    "scores": {"NS": ["1", "2.5"]},
    "active": {"BOOL": True},
    "image": {"NULL": True},
    "body": {"B": b"\x00\x01compressed"},
}


def test_stream_records_carry_the_images_as_written_in_order_and_in_pages(
    server: boto3.Session,
) -> None:
    dynamodb = client(server, "dynamodb")
    streams = client(server, "dynamodbstreams")
    dynamodb.create_table(
        TableName="t",
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    # Given an item written, changed and deleted
    dynamodb.put_item(TableName="t", Item=ITEM)
    changed = {**ITEM, "version": {"N": "4"}}
    dynamodb.put_item(TableName="t", Item=changed)
    dynamodb.delete_item(TableName="t", Key={"PK": ITEM["PK"], "SK": ITEM["SK"]})

    # When a consumer reads the stream two records at a time
    arn = streams.list_streams()["Streams"][0]["StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = streams.get_records(ShardIterator=iterator, Limit=2)
    second = streams.get_records(ShardIterator=first["NextShardIterator"], Limit=2)
    records = first["Records"] + second["Records"]

    # Then it gets each change once, in order, with the images as written
    assert len(first["Records"]) == 2
    assert [record["eventName"] for record in records] == ["INSERT", "MODIFY", "REMOVE"]
    numbers = [int(record["dynamodb"]["SequenceNumber"]) for record in records]
    assert numbers == sorted(set(numbers))
    insert, modify, remove = (record["dynamodb"] for record in records)
    assert insert["Keys"] == {"PK": {"S": "ART#1"}, "SK": {"S": "A"}}
    assert _plain(insert["NewImage"]) == _plain(ITEM)
    assert "OldImage" not in insert
    assert _plain(modify["OldImage"]) == _plain(ITEM)
    assert _plain(modify["NewImage"]) == _plain(changed)
    assert _plain(remove["OldImage"]) == _plain(changed)
    assert "NewImage" not in remove
    moment = insert["ApproximateCreationDateTime"]
    assert isinstance(moment, datetime)
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)


def _plain(image: dict[str, Any]) -> dict[str, Any]:
    """An image with its sets as sorted lists (their order is not part of DynamoDB's answer)."""
    plain: dict[str, Any] = {}
    for name, value in image.items():
        kind, content = next(iter(value.items()))
        plain[name] = {kind: sorted(content) if kind in ("SS", "NS", "BS") else content}
    return plain


def test_a_long_queue_answers_its_counts_and_receives_like_sqs(server: boto3.Session) -> None:
    sqs = client(server, "sqs")
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    # Given 1,000 messages queued
    for start in range(0, 1000, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": f"message {start + n}"} for n in range(10)],
        )

    # When ten are received
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    # Then they are the oldest ten, and the counts say what is visible and what is in flight
    assert sorted(message["Body"] for message in received) == sorted(
        f"message {n}" for n in range(10)
    )
    counts = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert counts == {
        "ApproximateNumberOfMessages": "990",
        "ApproximateNumberOfMessagesNotVisible": "10",
    }
    everything = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert everything["ApproximateNumberOfMessages"] == "990"
    assert everything["VisibilityTimeout"] == "60"
    assert everything["QueueArn"].endswith(":q")
    with pytest.raises(ClientError) as refused:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchAttribute"])
    assert "InvalidAttributeName" in str(refused.value)


def test_a_message_past_the_retention_period_is_never_received(server: boto3.Session) -> None:
    from moto.sqs.models import sqs_backends

    sqs = client(server, "sqs")
    url = sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="new")
    sqs.send_message(QueueUrl=url, MessageBody="old")
    # Given the second message was sent two minutes ago (moto keeps the time it was sent)
    queue = sqs_backends["123456789012"][REGION].queues["short"]
    old = next(message for message in queue._messages if message.body == "old")
    old.sent_timestamp -= 120_000

    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)

    assert [message["Body"] for message in received["Messages"]] == ["new"]
    assert "Messages" not in again
