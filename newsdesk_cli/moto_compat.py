"""Makes moto's S3 notifications look like real ones, for the local stack and the tests.

It also takes the quadratic and per-request costs out of the moto paths the local stack leans on
under load (1,000 uploads at once): TransactWriteItems copying the whole table, the server
listing its own package on every request, SQS recounting a queue for each message it hands
out, and DynamoDB Streams records walked through a generic serializer. Each patch keeps what
the API answers; only the time it takes changes.

Real S3 events carry a `sequencer` (ordering of events for one key) and `versionId`, and a
delete in a versioned bucket sends `ObjectRemoved:DeleteMarkerCreated`. moto sends neither the
two fields nor that event, so without this the local stack could not show ordering or deletes.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_lock = threading.Lock()
_installed = False
_counter = itertools.count()
# Called as observer(event_name, bucket_name, key_name, value, content_type) for every S3
# notification moto sends; value is None for removals (newsdesk dev keeps uploads on disk).
ObjectObserver = Callable[[str, str, str, bytes | None, str | None], None]
_observers: list[ObjectObserver] = []


def observe_objects(observer: ObjectObserver) -> None:
    """Call `observer` for each object created or removed, before S3 answers the request."""
    with _lock:
        _observers.append(observer)


@dataclass
class _DeleteMarkerView:
    """What moto's event builder reads from a key, for a delete marker."""

    name: str
    version_id: str
    size: int = 0
    etag: str = ""


def _next_sequencer() -> str:
    # Hex, fixed width, increasing within this process, like S3's per-key sequencer.
    return f"{time.time_ns():016X}{next(_counter) % 0x10000:04X}"


def install() -> None:
    """Patch moto once per process (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.s3 import models, notifications

        original_event = notifications._get_s3_event

        def event_with_sequencer(
            event_name: str, bucket: Any, key: Any, notification_id: str
        ) -> dict[str, Any]:
            event: dict[str, Any] = original_event(event_name, bucket, key, notification_id)
            obj = event["Records"][0]["s3"]["object"]
            obj["sequencer"] = _next_sequencer()
            version_id = getattr(key, "version_id", None)
            if version_id and str(version_id) != "null":
                obj["versionId"] = str(version_id)
            return event

        notifications._get_s3_event = event_with_sequencer

        original_send = notifications.send_event

        def send_event_observed(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
            name = str(getattr(event_name, "value", event_name))
            for observer in list(_observers):
                removed = "ObjectRemoved" in name
                value = None if removed else getattr(key, "value", None)
                metadata = getattr(key, "metadata", None) or {}
                observer(name, bucket.name, key.name, value, metadata.get("Content-Type"))
            original_send(account_id, event_name, bucket, key)

        notifications.send_event = send_event_observed

        original_delete = models.S3Backend.delete_object

        def delete_object(
            self: Any,
            bucket_name: str,
            key_name: str,
            version_id: str | None = None,
            bypass: bool = False,
        ) -> tuple[bool, dict[str, Any]]:
            bucket = self.get_bucket(bucket_name)
            existed = key_name in bucket.keys
            result: tuple[bool, dict[str, Any]] = original_delete(
                self, bucket_name, key_name, version_id, bypass
            )
            marker = result[1].get("version-id")
            if bucket.is_versioned and version_id is None and existed and marker:
                notifications.send_event(
                    self.account_id,
                    notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
                    bucket,
                    _DeleteMarkerView(name=key_name, version_id=marker),
                )
            return result

        models.S3Backend.delete_object = delete_object
        _copy_tables_once_per_transaction()
        _cache_backend_lookups()
        _count_queues_once()
        _dump_stream_records_directly()
        _installed = True


def _cache_backend_lookups() -> None:
    """moto's server finds the backend of each request from its host name under one global
    lock, by listing moto's package directory (a stat per service, ~200) and trying every
    service's URL patterns: 1.5 ms per request before any work, serialized. The answer for a
    host never changes, so it is looked up once per host."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host not in found:
            found[host] = original(self, host)
        return found[host]

    setattr(DomainDispatcherApplication, "get_backend_for_host", get_backend_for_host)  # noqa: B010


def _copy_tables_once_per_transaction() -> None:
    """moto snapshots whole tables for each TransactWriteItems, to roll back when a condition
    fails half-way: O(table) per transaction. Check every condition first instead (a failing
    transaction then touches nothing), and apply one that passes without a snapshot."""
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import TransactionCanceledException
    from moto.dynamodb.models.table import Table

    class _NoTableCopy:
        def deepcopy(self, value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

    def failed_conditions(backend: Any, transact_items: list[dict[str, Any]]) -> list[Any]:
        errors: list[Any] = []
        for action in transact_items:
            op_type, op = next(iter(action.items()))
            table = backend.get_table(op["TableName"])
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            expression = op.get("ConditionExpression")
            if expression is None:
                errors.append((None, None, None))
                continue
            current = backend.get_item(op["TableName"], key)
            condition = get_filter_expression(
                expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            )
            if condition.expr(current):
                errors.append((None, None, None))
            else:
                errors.append(("ConditionalCheckFailed", "The conditional request failed", None))
        return errors

    original = dynamodb_models.DynamoDBBackend.transact_write_items
    transaction_lock = threading.Lock()

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with transaction_lock:
            errors = failed_conditions(self, transact_items)
            if any(code is not None for code, _, _ in errors):
                raise TransactionCanceledException(errors)
            setattr(dynamodb_models, "copy", _NoTableCopy())  # noqa: B010
            try:
                original(self, transact_items)
            finally:
                setattr(dynamodb_models, "copy", copy)  # noqa: B010

    setattr(dynamodb_models.DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010


def _count_queues_once() -> None:
    """moto's SQS is O(messages) where SQS is O(1), with two datetimes built per message:
    a receive asks for the queue's retention period once per message handed out, by computing
    every attribute of the queue (three counts over all its messages), and asking for one
    attribute computes them all once per attribute. With 1,000 messages queued a receive took
    0.8 s. Same answers: the retention period is read from the queue, the attributes are
    computed once per request, and "now" comes from time.time()."""
    from moto.core import utils as core_utils
    from moto.sqs import models as sqs_models

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else float(core_utils.unix_time(dt))

    def unix_time_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else float(core_utils.unix_time_millis(dt))

    setattr(sqs_models, "unix_time", unix_time)  # noqa: B010
    setattr(sqs_models, "unix_time_millis", unix_time_millis)  # noqa: B010

    backend = sqs_models.SQSBackend
    original_attributes = backend.get_queue_attributes

    def is_message_valid_based_on_retention_period(
        self: Any, queue_name: str, message: Any
    ) -> bool:
        retention = int(self.get_queue(queue_name).message_retention_period)
        return bool(message.sent_timestamp / 1000 + retention > time.time())

    def get_queue_attributes(
        self: Any, queue_name: str, attribute_names: list[str]
    ) -> dict[str, Any]:
        queue = self.get_queue(queue_name)
        known = set(queue.BASE_ATTRIBUTES + queue.FIFO_ATTRIBUTES + queue.KMS_ATTRIBUTES)
        if not attribute_names or not set(attribute_names) <= known:
            # Nothing asked, "All", or a name moto refuses: its own answer or error.
            result: dict[str, Any] = original_attributes(self, queue_name, attribute_names)
            return result
        current = queue.attributes
        return {name: current[name] for name in attribute_names if current.get(name) is not None}

    setattr(  # noqa: B010
        backend,
        "is_message_valid_based_on_retention_period",
        is_message_valid_based_on_retention_period,
    )
    setattr(backend, "get_queue_attributes", get_queue_attributes)  # noqa: B010


def _dump_stream_records_directly() -> None:
    """GetRecords answers records that are already in DynamoDB's JSON wire format, but moto
    walks each value through its model-driven serializer: 3 ms a record, 0.3 s a batch of 100.
    They are dumped as JSON instead (ApproximateCreationDateTime as epoch seconds, as AWS
    sends it, binary values in base64)."""
    import base64
    import json
    from datetime import UTC, datetime

    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def wire(value: Any) -> Any:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return moment.timestamp()
        if isinstance(value, bytes):  # a B or BS value: base64 on the wire
            return base64.b64encode(value).decode("ascii")
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    def get_records(self: Any) -> str:
        limit = self._get_param("Limit")
        result = self.backend.get_records(
            self._get_param("ShardIterator"), 1000 if limit is None else limit
        )
        return json.dumps(result, default=wire)

    setattr(DynamoDBStreamsHandler, "get_records", get_records)  # noqa: B010
