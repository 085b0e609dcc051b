"""What newsdesk asks of DynamoDB, metered: every request its code makes, and the capacity units
DynamoDB bills for it, computed from item sizes with DynamoDB's rules (not moto's figures).

The meter hooks the botocore session the handlers' clients come from (boto3's default), so the
storage module encodes the items exactly as it does on Lambda; a second, unhooked client reads
the items before and after a write where the rules need their size.

Rules (DynamoDB developer guide, "Item sizes and formats", "Read/write capacity mode"): an item's
size is its attribute names plus values (strings and binary by length, numbers about one byte per
two significant digits plus one, booleans and nulls one byte, lists and maps three bytes plus one
per element); a write costs one unit per KB of the item (the larger of before and after for an
update), two inside a transaction, plus one per KB of the projected item for each global
secondary index the write changes (an index key that changes: a delete and a put); a read costs
one unit per 4 KB, half when eventually consistent, two per 4 KB in a transaction; a Query's size
is the sum of the items it reads.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from newsdesk_cli.template import load_template, resources_of_type

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value (DynamoDB JSON)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        digits = Decimal(content).normalize().as_tuple().digits
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(item.encode("utf-8")) for item in content)
    if kind == "NS":
        return sum(attribute_size({"N": item}) for item in content)
    if kind == "BS":
        return sum(len(item) for item in content)
    if kind == "L":
        return 3 + sum(1 + attribute_size(item) for item in content)
    if kind == "M":
        return 3 + sum(
            1 + len(name.encode("utf-8")) + attribute_size(item) for name, item in content.items()
        )
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + attribute_size(value) for name, value in item.items())


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL | KEYS_ONLY | INCLUDE
    included: tuple[str, ...]

    def projected(self, item: dict[str, Any], table_keys: tuple[str, ...]) -> dict[str, Any]:
        if self.projection == "ALL":
            return item
        wanted = set(self.keys) | set(table_keys) | set(self.included)
        return {name: value for name, value in item.items() if name in wanted}

    def key_of(self, item: dict[str, Any] | None) -> tuple[Any, ...] | None:
        if not item or any(name not in item for name in self.keys):
            return None
        return tuple(repr(item[name]) for name in self.keys)


def table_shape() -> tuple[tuple[str, ...], list[Index]]:
    """The table's key attributes and global secondary indexes, as template.yaml declares them."""
    (table,) = resources_of_type(load_template(), "AWS::DynamoDB::Table").values()
    keys = tuple(key["AttributeName"] for key in table["KeySchema"])
    indexes = [
        Index(
            index["IndexName"],
            tuple(key["AttributeName"] for key in index["KeySchema"]),
            index["Projection"]["ProjectionType"],
            tuple(index["Projection"].get("NonKeyAttributes", ())),
        )
        for index in table.get("GlobalSecondaryIndexes", [])
    ]
    return keys, indexes


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


@dataclass
class Meter:
    """Requests and capacity units of everything the hooked clients asked of DynamoDB."""

    reader: Any  # an unhooked DynamoDB client of the same endpoint
    table_keys: tuple[str, ...]
    indexes: list[Index]
    requests: Counter[str] = field(default_factory=Counter)
    write_units: float = 0.0
    read_units: float = 0.0
    items_written: int = 0
    index_writes: int = 0
    _before: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    _consistent: bool = False

    def install(self, session: Any) -> None:
        """Hook a botocore session (boto3.DEFAULT_SESSION._session, say)."""
        session.register("provide-client-params.dynamodb", self._before_call)
        session.register("after-call.dynamodb", self._after_call)

    def reset(self) -> None:
        self.requests.clear()
        self.write_units = self.read_units = 0.0
        self.items_written = self.index_writes = 0

    # A write's item before it happens, read with the unhooked client.
    def _get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.reader.get_item(
            TableName=table, Key=key, ConsistentRead=True
        ).get("Item")
        return item

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self.table_keys}

    def _before_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        self.requests[operation] += 1
        self._consistent = bool(params.get("ConsistentRead"))
        self._before = []
        for table, kind, request in _write_actions(operation, params):
            key = request["Key"] if "Key" in request else self._key(request["Item"])
            before = self._get(table, key)
            self._before.append((kind, {"TableName": table, "Key": key, **request}, before))

    def _after_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        if operation in WRITES:
            factor = 2 if operation == "TransactWriteItems" else 1
            for kind, request, before in self._before:
                if kind == "ConditionCheck":
                    self.write_units += factor  # a condition check is billed as a write
                    continue
                after = self._get(request["TableName"], request["Key"])
                self.items_written += 1
                self.write_units += factor * write_units(max(item_size(before), item_size(after)))
                for index in self.indexes:
                    old, new = index.key_of(before), index.key_of(after)
                    if old is None and new is None:
                        continue
                    changes = 2 if old is not None and new is not None and old != new else 1
                    if old == new and item_size(before) == item_size(after) and kind != "Put":
                        continue
                    size = item_size(index.projected(after or before or {}, self.table_keys))
                    self.index_writes += changes
                    self.write_units += changes * write_units(size)
        elif operation in ("GetItem", "Query", "Scan"):
            items = [parsed["Item"]] if "Item" in parsed else parsed.get("Items", [])
            size = sum(map(item_size, items))
            self.read_units += read_units(size, consistent=self._consistent)
        elif operation == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                for item in items:
                    self.read_units += read_units(item_size(item), consistent=False)
        elif operation == "TransactGetItems":
            for response in parsed.get("Responses", []):
                self.read_units += 2 * read_units(item_size(response.get("Item")), consistent=True)


def _write_actions(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(table, kind, request) of each item a write request touches."""
    if operation == "PutItem":
        return [(params["TableName"], "Put", params)]
    if operation == "UpdateItem":
        return [(params["TableName"], "Update", params)]
    if operation == "DeleteItem":
        return [(params["TableName"], "Delete", params)]
    if operation == "TransactWriteItems":
        actions = []
        for action in params["TransactItems"]:
            ((kind, request),) = action.items()
            actions.append((request["TableName"], kind, request))
        return actions
    if operation == "BatchWriteItem":
        actions = []
        for table, requests in params["RequestItems"].items():
            for request in requests:
                ((kind, body),) = request.items()
                actions.append((table, "Put" if kind == "PutRequest" else "Delete", body))
        return actions
    return []
