"""The article table: the ingestion path's writes and the reads it needs (low-level client).

Every write of one article is one TransactWriteItems: the record, its listing items (stale ones
deleted), the headline lookup, the registry counts and (for a one-article file) the ingestion
item whose `seq` condition makes an older S3 event a no-op. Errors come out as newsdesk errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import GoneError, NotFoundError, StaleEventError, TransientError
from newsdesk.models import Article, ArticleSummary, Ingestion
from newsdesk.storage import items as shapes
from newsdesk.storage import keys
from newsdesk.storage.failures import cancellation_codes, error_code, translate

Item = dict[str, Any]
# DynamoDB allows 100 actions per transaction and 100 keys per BatchGetItem.
MAX_TRANSACTION_ACTIONS = 100
_BATCH_GET_KEYS = 100


@dataclass
class CapacityMeter:
    """Capacity units the store's requests consumed (ReturnConsumedCapacity=TOTAL)."""

    read_units: float = 0.0
    write_units: float = 0.0
    write_requests: int = 0

    def add(self, response: Mapping[str, Any], *, write: bool) -> None:
        consumed = response.get("ConsumedCapacity")
        entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        units = sum(float(entry.get("CapacityUnits", 0.0)) for entry in entries)
        if write:
            self.write_units += units
            self.write_requests += 1
        else:
            self.read_units += units


@dataclass(frozen=True)
class StoredVersion:
    """What is stored under an article id, as the ingest service needs it to stamp times."""

    article_id: str
    content_hash: str | None
    ingested_at: datetime | None
    removed: bool
    item: Item = field(repr=False, compare=False)


@dataclass(frozen=True)
class SaveResult:
    stored: list[str]
    unchanged: list[str]
    removed: list[str]


class ArticleStore:
    """Articles, listings, registries and ingestions in the single table (newsdesk.storage.keys)."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        capacity: CapacityMeter | None = None,
    ) -> None:
        self._client = client
        self._table = table_name
        self.capacity = capacity or CapacityMeter()

    @property
    def client(self) -> Any:
        """The DynamoDB client the store was given (e.g. to hook its events)."""
        return self._client

    # ------------------------------------------------------------- reads

    def get_ingestion(self, key: str) -> Ingestion | None:
        """What happened to the latest event of one S3 key; None if nothing did."""
        item = self._get(keys.object_pk(key), keys.INGESTION_SK, consistent=True)
        return shapes.ingestion_from_item(item) if item else None

    def get_versions(self, article_ids: Sequence[str]) -> dict[str, StoredVersion]:
        """The stored record or tombstone of each id that has one (consistent reads)."""
        found: dict[str, StoredVersion] = {}
        for item in self._batch_get(
            [(keys.article_pk(article_id), keys.ARTICLE_SK) for article_id in article_ids]
        ):
            removed = shapes.is_tombstone(item)
            ingested = item.get("ingested_at")
            found[item["id"]] = StoredVersion(
                article_id=item["id"],
                content_hash=None if removed else item.get("content_hash"),
                ingested_at=_parse(ingested) if ingested and not removed else None,
                removed=removed,
                item=item,
            )
        return found

    def get_article(self, article_id: str) -> Article:
        """The full record; NotFoundError if never stored, GoneError if removed.

        One GetItem; a second request (Query on the body parts) only for bodies too large
        to fit the record item even compressed.
        """
        item = self._get(keys.article_pk(article_id), keys.ARTICLE_SK, consistent=False)
        if item is None:
            raise NotFoundError(f"no article {article_id}")
        if shapes.is_tombstone(item):
            raise GoneError(f"article {article_id} was removed")
        parts: list[Item] = []
        if shapes.needs_body_parts(item):
            parts = self._query_prefix(keys.article_pk(article_id), shapes.body_parts_prefix(item))
        return shapes.article_from_items(item, parts)

    def list_listing(self, listing: str, *, limit: int = 100) -> list[ArticleSummary]:
        """Newest first: one Query on GSI1 (e.g. listing "feed", "author#tom-fowdy")."""
        response = self._call(
            "query",
            f"list {listing}",
            TableName=self._table,
            IndexName=keys.GSI_LISTINGS,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": listing}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [shapes.summary_from_item(shapes.from_dynamo(raw)) for raw in response["Items"]]

    def listings_of_article(self, article_id: str) -> list[str]:
        """The listings an article's items are in (reads its own partition, SK "L#...")."""
        found = self._query_prefix(keys.article_pk(article_id), keys.LISTING_SK_PREFIX)
        return sorted(str(item["listing"]) for item in found)

    def list_failed_ingestions(self, *, limit: int = 100) -> list[Ingestion]:
        """Failed ingestions, newest first: one Query on GSI2."""
        response = self._call(
            "query",
            "list failed ingestions",
            TableName=self._table,
            IndexName=keys.GSI_LOOKUPS,
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.FAILED_PK}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [shapes.ingestion_from_item(shapes.from_dynamo(raw)) for raw in response["Items"]]

    def list_registry(self, kind: str) -> list[Item]:
        """Registry items of one kind ("author", "section", "tag") with a positive count."""
        found = self._query_prefix(keys.registry_pk(kind), "")
        return [item for item in found if int(item.get("article_count", 0)) > 0]

    # ------------------------------------------------------------- writes

    def save_object(
        self,
        *,
        key: str,
        bucket: str | None,
        sequencer: str | None,
        changed: Sequence[Article],
        unchanged_ids: Sequence[str],
        previous: Mapping[str, StoredVersion],
        now: datetime,
    ) -> SaveResult:
        """Store the articles parsed from one S3 object version.

        `changed` are stamped articles to write; `unchanged_ids` are articles of the same file
        whose content_hash is already stored (nothing of theirs is written); `previous` is what
        `get_versions` returned. Articles the key had before and no longer has (a shorter
        .jsonl) become tombstones. Raises StaleEventError when an event for the key that is
        as new or newer (by S3 sequencer) was already applied: nothing is written then.
        """
        ingestion = self.get_ingestion(key)
        _check_order(ingestion, sequencer, key)
        new_ids = list(dict.fromkeys([article.id for article in changed] + list(unchanged_ids)))
        dropped = [
            article_id
            for article_id in (ingestion.article_ids if ingestion else [])
            if article_id not in new_ids
        ]
        record = Ingestion(
            key=key,
            bucket=bucket,
            status="stored" if changed or dropped else "unchanged",
            article_ids=new_ids,
            sequencer=_kept_sequencer(sequencer, ingestion),
            at=now,
        )
        ingestion_put = _ingestion_put(self._table, record, sequencer)
        # One article (the usual file): its ingestion item rides in the article's transaction.
        # Several (.jsonl): each transaction re-checks the order; the ingestion item goes last.
        single = len(changed) == 1 and not dropped
        order_check = None if single else _order_check(self._table, key, sequencer)
        for article in changed:
            self._write_article(
                article,
                key=key,
                sequencer=sequencer,
                previous=previous.get(article.id),
                guard=ingestion_put if single else order_check,
            )
        removed = self._remove_ids(dropped, key, sequencer, now, guard=order_check)
        if not single:
            self._transact([ingestion_put], f"record ingestion of {key}", stale_index=0)
        return SaveResult(
            stored=[article.id for article in changed],
            unchanged=[article_id for article_id in new_ids if article_id in unchanged_ids],
            removed=removed,
        )

    def remove_object(
        self, *, key: str, bucket: str | None, sequencer: str | None, now: datetime
    ) -> list[str]:
        """Tombstone every article of a deleted S3 key; returns the ids that were removed.

        Raises StaleEventError when a newer event for the key was already applied.
        """
        ingestion = self.get_ingestion(key)
        _check_order(ingestion, sequencer, key)
        article_ids = ingestion.article_ids if ingestion else []
        removed = self._remove_ids(
            article_ids, key, sequencer, now, guard=_order_check(self._table, key, sequencer)
        )
        record = Ingestion(
            key=key,
            bucket=bucket,
            status="removed",
            article_ids=article_ids,
            sequencer=_kept_sequencer(sequencer, ingestion),
            at=now,
        )
        self._transact(
            [_ingestion_put(self._table, record, sequencer)],
            f"record removal of {key}",
            stale_index=0,
        )
        return removed

    def record_failure(
        self,
        *,
        key: str,
        bucket: str | None,
        sequencer: str | None,
        code: str,
        message: str,
        now: datetime,
    ) -> None:
        """Record that the latest version of a key could not be ingested (no retry will help).

        Articles the key produced before stay as they are (the last good version), and the
        ingestion item keeps their ids so a later delete still removes them. Raises
        StaleEventError when a newer event for the key was already applied.
        """
        previous = self.get_ingestion(key)
        _check_order(previous, sequencer, key)
        record = Ingestion(
            key=key,
            bucket=bucket,
            status="failed",
            article_ids=previous.article_ids if previous else [],
            code=code,
            message=message[:1000],
            sequencer=_kept_sequencer(sequencer, previous),
            at=now,
        )
        self._transact(
            [_ingestion_put(self._table, record, sequencer)],
            f"record failure of {key}",
            stale_index=0,
        )

    # ------------------------------------------------------------- internals

    def _write_article(
        self,
        article: Article,
        *,
        key: str,
        sequencer: str | None,
        previous: StoredVersion | None,
        guard: dict[str, Any] | None,
    ) -> None:
        encoded = shapes.record_item(article, object_key=key, sequencer=sequencer)
        old_item = previous.item if previous and not previous.removed else None
        old_listings = set(shapes.listings_of(old_item)) if old_item else set()
        new_listings = shapes.listings_of(article)
        actions: list[dict[str, Any]] = [
            _put(self._table, encoded.item, _unchanged_since(previous)),
        ]
        actions += [_put(self._table, shapes.listing_item(article, name)) for name in new_listings]
        actions += [
            _delete(self._table, keys.article_pk(article.id), keys.listing_sk(name))
            for name in sorted(old_listings - set(new_listings))
        ]
        actions.append(_put(self._table, shapes.headline_item(article)))
        actions += _registry_updates(self._table, old_item, article)
        stale_index = None
        if guard is not None:
            actions.append(guard)
            stale_index = len(actions) - 1
        # Parts go first under a generation of their own, so readers of the old record never
        # see them; the old generation's parts go once the new record is in place.
        for part in encoded.parts:
            self._call(
                "put_item",
                f"put body part of {article.id}",
                TableName=self._table,
                Item=shapes.to_dynamo(part),
                ReturnConsumedCapacity="TOTAL",
            )
        self._transact(actions, f"store article {article.id}", stale_index=stale_index)
        stale_parts = old_item is not None and shapes.needs_body_parts(old_item)
        if old_item and stale_parts and old_item.get("body_gen") != encoded.item.get("body_gen"):
            self._delete_prefix(keys.article_pk(article.id), shapes.body_parts_prefix(old_item))

    def _remove_ids(
        self,
        article_ids: Iterable[str],
        key: str,
        sequencer: str | None,
        now: datetime,
        *,
        guard: dict[str, Any] | None,
    ) -> list[str]:
        removed: list[str] = []
        ids = list(article_ids)
        if not ids:
            return removed
        current = self.get_versions(ids)
        for article_id in ids:
            version = current.get(article_id)
            if version is None or version.removed:
                continue
            old = version.item
            tombstone = shapes.tombstone_item(
                article_id, object_key=key, removed_at=now, sequencer=sequencer
            )
            actions = [_put(self._table, tombstone, _unchanged_since(version))]
            actions += [
                _delete(self._table, keys.article_pk(article_id), keys.listing_sk(name))
                for name in shapes.listings_of(old)
            ]
            actions.append(_delete(self._table, keys.article_pk(article_id), keys.HEADLINE_SK))
            actions += _registry_updates(self._table, old, None)
            stale_index = None
            if guard is not None:
                actions.append(guard)
                stale_index = len(actions) - 1
            self._transact(actions, f"remove article {article_id}", stale_index=stale_index)
            if shapes.needs_body_parts(old):
                self._delete_prefix(keys.article_pk(article_id), keys.BODY_SK_PREFIX)
            removed.append(article_id)
        return removed

    def _transact(
        self, actions: list[dict[str, Any]], what: str, *, stale_index: int | None
    ) -> None:
        if len(actions) > MAX_TRANSACTION_ACTIONS:
            raise translate(
                ValueError(f"{len(actions)} actions exceed {MAX_TRANSACTION_ACTIONS}"), what
            )
        if len(actions) == 1 and "Put" in actions[0]:
            self._put_alone(actions[0]["Put"], what, stale=stale_index == 0)
            return
        try:
            response = self._client.transact_write_items(
                TransactItems=actions, ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as error:
            codes = cancellation_codes(error)
            if error_code(error) == "TransactionCanceledException" and codes:
                failed_checks = [
                    index for index, code in enumerate(codes) if code == "ConditionalCheckFailed"
                ]
                if stale_index is not None and stale_index in failed_checks:
                    raise StaleEventError(f"{what}: a newer event was already applied") from error
                if failed_checks:
                    # Someone else changed the article between our read and write: retry.
                    raise TransientError(f"{what}: concurrent update") from error
            raise translate(error, what) from error
        except BotoCoreError as error:
            raise translate(error, what) from error
        self.capacity.add(response, write=True)

    def _put_alone(self, put: dict[str, Any], what: str, *, stale: bool) -> None:
        """A one-item write as a plain conditional PutItem (half a transaction's capacity)."""
        try:
            response = self._client.put_item(**put, ReturnConsumedCapacity="TOTAL")
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                if stale:
                    raise StaleEventError(f"{what}: a newer event was already applied") from error
                raise TransientError(f"{what}: concurrent update") from error
            raise translate(error, what) from error
        except BotoCoreError as error:
            raise translate(error, what) from error
        self.capacity.add(response, write=True)

    def _call(self, operation: str, what: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**params)
        except (ClientError, BotoCoreError) as error:
            raise translate(error, what) from error
        self.capacity.add(response, write=operation in {"put_item", "delete_item"})
        return response

    def _get(self, pk: str, sk: str, *, consistent: bool) -> Item | None:
        response = self._call(
            "get_item",
            f"get {pk}/{sk}",
            TableName=self._table,
            Key={"PK": {"S": pk}, "SK": {"S": sk}},
            ConsistentRead=consistent,
            ReturnConsumedCapacity="TOTAL",
        )
        raw = response.get("Item")
        return shapes.from_dynamo(raw) if raw else None

    def _batch_get(self, wanted: list[tuple[str, str]]) -> list[Item]:
        found: list[Item] = []
        for start in range(0, len(wanted), _BATCH_GET_KEYS):
            pending: list[dict[str, Any]] = [
                {"PK": {"S": pk}, "SK": {"S": sk}}
                for pk, sk in dict.fromkeys(wanted[start : start + _BATCH_GET_KEYS])
            ]
            while pending:
                response = self._call(
                    "batch_get_item",
                    "get articles",
                    RequestItems={self._table: {"Keys": pending, "ConsistentRead": True}},
                    ReturnConsumedCapacity="TOTAL",
                )
                found += [
                    shapes.from_dynamo(raw) for raw in response["Responses"].get(self._table, [])
                ]
                unprocessed = response.get("UnprocessedKeys", {}).get(self._table)
                if unprocessed and len(unprocessed["Keys"]) == len(pending):
                    raise TransientError("get articles: throttled (no keys processed)")
                pending = unprocessed["Keys"] if unprocessed else []
        return found

    def _query_prefix(self, pk: str, prefix: str) -> list[Item]:
        condition = "PK = :pk AND begins_with(SK, :prefix)" if prefix else "PK = :pk"
        values: dict[str, Any] = {":pk": {"S": pk}}
        if prefix:
            values[":prefix"] = {"S": prefix}
        found: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            params: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
                "ReturnConsumedCapacity": "TOTAL",
            }
            if start:
                params["ExclusiveStartKey"] = start
            response = self._call("query", f"query {pk}", **params)
            found += [shapes.from_dynamo(raw) for raw in response["Items"]]
            start = response.get("LastEvaluatedKey")
            if not start:
                return found

    def _delete_prefix(self, pk: str, prefix: str) -> None:
        for item in self._query_prefix(pk, prefix):
            self._call(
                "delete_item",
                f"delete {pk}/{item['SK']}",
                TableName=self._table,
                Key={"PK": {"S": pk}, "SK": {"S": item["SK"]}},
                ReturnConsumedCapacity="TOTAL",
            )


# ----------------------------------------------------------------- action builders


def _check_order(ingestion: Ingestion | None, sequencer: str | None, key: str) -> None:
    """StaleEventError unless `sequencer` is newer than the last event applied to the key."""
    if not is_newer(sequencer, ingestion.sequencer if ingestion else None):
        raise StaleEventError(f"{key}: event {sequencer} is not newer than {ingestion}")


def is_newer(sequencer: str | None, applied: str | None) -> bool:
    """Whether an event with `sequencer` comes after the applied one (S3 sequencer order).

    Events without a sequencer (hand-made, or from a store that sends none) always apply.
    """
    if not sequencer or not applied:
        return True
    return keys.normalize_sequencer(sequencer) > keys.normalize_sequencer(applied)


def _kept_sequencer(sequencer: str | None, ingestion: Ingestion | None) -> str | None:
    """An event without a sequencer (e.g. a reindex on AWS) read the object as it is now, so it
    applies; the key keeps its last sequencer so that older real events stay refused."""
    return sequencer or (ingestion.sequencer if ingestion else None)


def _ingestion_put(table: str, record: Ingestion, sequencer: str | None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "TableName": table,
        "Item": shapes.to_dynamo(shapes.ingestion_item(record)),
    }
    if sequencer:
        action["ConditionExpression"] = "attribute_not_exists(seq) OR seq < :seq"
        action["ExpressionAttributeValues"] = {":seq": {"S": keys.normalize_sequencer(sequencer)}}
    return {"Put": action}


def _order_check(table: str, key: str, sequencer: str | None) -> dict[str, Any] | None:
    """A transaction action that fails (as stale) once a newer event for the key is applied."""
    if not sequencer:
        return None
    return {
        "ConditionCheck": {
            "TableName": table,
            "Key": {"PK": {"S": keys.object_pk(key)}, "SK": {"S": keys.INGESTION_SK}},
            "ConditionExpression": "attribute_not_exists(seq) OR seq < :seq",
            "ExpressionAttributeValues": {":seq": {"S": keys.normalize_sequencer(sequencer)}},
        }
    }


def _unchanged_since(previous: StoredVersion | None) -> tuple[str, dict[str, Any]]:
    """Condition: the record is still what we read (optimistic concurrency on changed_at)."""
    if previous is None:
        return "attribute_not_exists(PK)", {}
    return "changed_at = :seen", {":seen": {"S": str(previous.item.get("changed_at", ""))}}


def _put(
    table: str, item: Mapping[str, Any], condition: tuple[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    action: dict[str, Any] = {"TableName": table, "Item": shapes.to_dynamo(item)}
    if condition:
        expression, values = condition
        action["ConditionExpression"] = expression
        if values:
            action["ExpressionAttributeValues"] = values
    return {"Put": action}


def _delete(table: str, pk: str, sk: str) -> dict[str, Any]:
    return {"Delete": {"TableName": table, "Key": {"PK": {"S": pk}, "SK": {"S": sk}}}}


def _registry_updates(
    table: str, old_item: Mapping[str, Any] | None, article: Article | None
) -> list[dict[str, Any]]:
    """ADD +1/-1 on the author/section/tag registry entries an article joins or leaves."""
    actions: list[dict[str, Any]] = []
    old_entries = shapes.registry_entries(old_item) if old_item else {}
    new_entries = shapes.registry_entries(article) if article else {}
    bio = article.author_bio if article and len(article.authors) == 1 else None
    for entry in sorted(set(old_entries) | set(new_entries)):
        kind, slug = entry
        delta = (entry in new_entries) - (entry in old_entries)
        name = new_entries.get(entry) or old_entries.get(entry)
        sets: list[str] = []
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        if entry in new_entries and name:
            sets.append("#name = :name")
            names["#name"] = "name"
            values[":name"] = {"S": name}
        if kind == "author" and bio and entry in new_entries:
            sets.append("bio = :bio")
            values[":bio"] = {"S": bio}
        expression = ""
        if sets:
            expression += "SET " + ", ".join(sets)
        if delta:
            expression += " ADD article_count :delta"
            values[":delta"] = {"N": str(delta)}
        if not expression:
            continue
        update: dict[str, Any] = {
            "TableName": table,
            "Key": {"PK": {"S": keys.registry_pk(kind)}, "SK": {"S": slug}},
            "UpdateExpression": expression.strip(),
            "ExpressionAttributeValues": values,
        }
        if names:
            update["ExpressionAttributeNames"] = names
        actions.append({"Update": update})
    return actions


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
