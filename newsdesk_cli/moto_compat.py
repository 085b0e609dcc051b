"""Makes moto's S3 notifications look like real ones, for the local stack and the tests.

It also keeps moto's TransactWriteItems from copying the whole table for every transaction.

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
        _installed = True


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
