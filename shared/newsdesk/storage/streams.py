"""Reading the table's stream: which records are article records, and what they hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from newsdesk.models import RecordImage
from newsdesk.storage import items as shapes
from newsdesk.storage import keys

# The stream event source's filter (template.yaml FilterCriteria) lets only these through;
# decode_stream_record checks again, so a mapping without the filter does no harm.
ARTICLE_RECORD_FILTER = {"dynamodb": {"Keys": {"SK": {"S": [keys.ARTICLE_SK]}}}}


def decode_stream_record(record: Mapping[str, Any]) -> RecordImage | None:
    """The article record (or tombstone) a stream record shows; None for any other item.

    A REMOVE of a tombstone (its TTL expired) comes back with `expired` set: the article's
    derived state can be forgotten, so a later upload of the same key starts afresh.
    """
    change = record.get("dynamodb") or {}
    key = shapes.from_dynamo(change.get("Keys") or {})
    if key.get("SK") != keys.ARTICLE_SK or not str(key.get("PK", "")).startswith("ART#"):
        return None
    new_image = change.get("NewImage")
    old_image = change.get("OldImage")
    if new_image:
        item = shapes.from_dynamo(new_image)
        return shapes.record_image(item) if item.get("entity") == "article" else None
    if old_image:
        item = shapes.from_dynamo(old_image)
        if item.get("entity") != "article":
            return None
        return replace(shapes.record_image(item), expired=True)
    return None


def sequence_number(record: Mapping[str, Any]) -> str:
    """The stream position of a record (what batchItemFailures reports)."""
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
