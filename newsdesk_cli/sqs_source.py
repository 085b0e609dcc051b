"""A local SQS event source mapping: what Lambda does between a queue and a function, in-process.

Receives up to 10 messages, invokes the handler with the exact Lambda SQS event shape, deletes
the messages the handler did not report in `batchItemFailures`, and leaves the rest to be
received again (a handler exception fails the whole batch, as in Lambda). Messages received
maxReceiveCount times move to the dead-letter queue on the next receive: that is the queue's
RedrivePolicy, applied by SQS itself (moto included: it moves them during ReceiveMessage), so
this module does not move anything. Used by the integration tests and by `newsdesk dev`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsdesk_cli.lambda_context import LocalLambdaContext

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]
MAX_BATCH = 10


@dataclass
class PollResult:
    """What one poll did: message ids received, deleted (succeeded) and left on the queue."""

    received: list[str] = field(default_factory=list)
    succeeded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    handler_error: str | None = None
    response: Any = None
    event: dict[str, Any] = field(default_factory=dict)

    def body_of(self, message_id: str) -> str:
        """The body of one received message."""
        return next(
            str(record["body"])
            for record in self.event.get("Records", [])
            if record["messageId"] == message_id
        )


class SqsEventSource:
    """Delivers one queue's messages to a Lambda handler in batches, like an event source mapping.

    retry_delay_seconds: visibility given to failed messages; 0 makes them receivable again at
    once (fast local retries), None keeps the queue's visibility timeout as AWS would.
    """

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        queue_arn: str | None = None,
        function_name: str = "IngestFunction",
        context_factory: Callable[[], Any] | None = None,
        wait_time_seconds: int = 0,
        batch_size: int = MAX_BATCH,
        retry_delay_seconds: int | None = 0,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
        self._sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = (
            queue_arn
            or sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
        )
        self._handler = handler
        self._context_factory = context_factory or (
            lambda: LocalLambdaContext(function_name=function_name)
        )
        self._wait = wait_time_seconds
        self._batch_size = batch_size
        self._retry_delay = retry_delay_seconds
        parts = self.queue_arn.split(":")
        self._region = parts[3] if len(parts) > 3 else "us-east-1"

    def poll_once(self, wait_seconds: int | None = None) -> PollResult:
        """Receive one batch, invoke the handler, settle the messages. Empty queue: no call."""
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=self._wait if wait_seconds is None else wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        result = PollResult(received=[message["MessageId"] for message in messages])
        if not messages:
            return result
        event = {"Records": [self.lambda_record(message) for message in messages]}
        result.event = event
        try:
            result.response = self._handler(event, self._context_factory())
        except Exception as error:  # noqa: BLE001 - Lambda fails the whole batch on any error
            logger.warning("handler raised %s: the whole batch will be retried", error)
            result.handler_error = f"{type(error).__name__}: {error}"
            failed_ids = set(result.received)
        else:
            failed_ids = _failed_ids(result.response, set(result.received))
        for message in messages:
            if message["MessageId"] in failed_ids:
                result.failed.append(message["MessageId"])
                if self._retry_delay is not None:
                    self._sqs.change_message_visibility(
                        QueueUrl=self.queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=self._retry_delay,
                    )
            else:
                result.succeeded.append(message["MessageId"])
        self._delete([message for message in messages if message["MessageId"] in result.succeeded])
        return result

    def drain(self, max_polls: int = 100) -> list[PollResult]:
        """Poll until a poll receives nothing (or max_polls); failed messages come back."""
        results = []
        for _ in range(max_polls):
            result = self.poll_once(wait_seconds=0)
            if not result.received:
                break
            results.append(result)
        return results

    def lambda_record(self, message: dict[str, Any]) -> dict[str, Any]:
        """One SQS message as a Lambda SQS event record."""
        body: str = message["Body"]
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": body,
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _lambda_message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self._region,
        }

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        if not messages:
            return
        response = self._sqs.delete_message_batch(
            QueueUrl=self.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ],
        )
        for failure in response.get("Failed", []):
            logger.warning("could not delete message: %s", failure)


def _failed_ids(response: Any, received: set[str]) -> set[str]:
    """Message ids a ReportBatchItemFailures response names; a malformed one fails the batch."""
    if response is None:
        return set()
    if not isinstance(response, dict):
        return set(received)
    failures = response.get("batchItemFailures") or []
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in received:
            # Lambda treats an invalid identifier as a failure of the whole batch.
            return set(received)
        failed.add(identifier)
    return failed


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value.get("DataType", "String"),
    }
