"""The table's stream, as consumers of article records see it (newsdesk.storage.keys layouts).

Only article records (SK "A": an active record or its tombstone) are changes of an article;
every other item (listings, registries, ingestions, body parts) is not, and is skipped here even
when the event source mapping's filter already dropped it. A change's `version` is the record's
`changed_at` (fixed width: string order is time order), so consumers can ignore replays and
older records that arrive late.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.models import Article
from newsdesk.storage import items as shapes
from newsdesk.storage import keys
from newsdesk.storage.failures import translate

# The filter of an event source mapping on the stream that passes article records only
# (Lambda FilterCriteria pattern; template.yaml declares the same).
ARTICLE_RECORD_PATTERN: dict[str, Any] = {"dynamodb": {"Keys": {"SK": {"S": [keys.ARTICLE_SK]}}}}


@dataclass(frozen=True)
class ArticleRecordChange:
    """An article record as of one stream record: `item` is its new record item when it is
    active, None when the article was removed (tombstone, or the record deleted)."""

    article_id: str
    version: str
    item: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def removed(self) -> bool:
        return self.item is None

    @property
    def needs_body_parts(self) -> bool:
        """The record's body is in part items: read the article with the store's get_article."""
        return self.item is not None and shapes.needs_body_parts(self.item)

    def article(self) -> Article:
        """The article of an active record whose body is in the item (see needs_body_parts)."""
        if self.item is None:
            raise ValueError(f"article {self.article_id} was removed")
        return shapes.article_from_items(self.item)


def is_article_record(record: Mapping[str, Any]) -> bool:
    sk = record.get("dynamodb", {}).get("Keys", {}).get("SK", {}).get("S")
    return bool(sk == keys.ARTICLE_SK)


def article_changes(records: Iterable[Mapping[str, Any]]) -> list[ArticleRecordChange]:
    """The article record changes of a batch of stream records, in stream order."""
    changes: list[ArticleRecordChange] = []
    for record in records:
        if not is_article_record(record):
            continue
        data = record.get("dynamodb", {})
        new_image = data.get("NewImage")
        if record.get("eventName") == "REMOVE" or not new_image:
            old = shapes.from_dynamo(data.get("OldImage") or {})
            if old.get("id") and not shapes.is_tombstone(old):
                changes.append(ArticleRecordChange(old["id"], str(old.get("changed_at", ""))))
            continue  # a tombstone expiring (TTL) changes nothing
        item = shapes.from_dynamo(new_image)
        if item.get("entity") != "article" or not item.get("id"):
            continue
        version = str(item.get("changed_at", ""))
        if shapes.is_tombstone(item):
            changes.append(ArticleRecordChange(item["id"], version))
        else:
            changes.append(ArticleRecordChange(item["id"], version, item))
    return changes


def scan_article_changes(client: Any, table: str) -> Iterator[ArticleRecordChange]:
    """Every article record of the table, as changes (a full read, for rebuilding the index:
    one paginated Scan of the records only, never used to answer a request)."""
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "SK = :record",
        "ExpressionAttributeValues": {":record": {"S": keys.ARTICLE_SK}},
    }
    while True:
        try:
            response = client.scan(**request)
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"scan {table}") from error
        for raw in response.get("Items", []):
            item = shapes.from_dynamo(raw)
            if item.get("entity") != "article" or not item.get("id"):
                continue
            version = str(item.get("changed_at", ""))
            active = None if shapes.is_tombstone(item) else item
            yield ArticleRecordChange(item["id"], version, active)
        start = response.get("LastEvaluatedKey")
        if not start:
            return
        request["ExclusiveStartKey"] = start
