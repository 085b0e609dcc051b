"""The article table as ingestion writes it: records, tombstones and ingestion items.

Every write is one conditional PutItem, never a transaction: an article's record (or tombstone)
is conditional on the version ingestion read and on the S3 sequencer (an older event never
overwrites a newer one), and the key's ingestion item is conditional on the sequencer. Listings,
registries, lookups and change events are derived from the table's stream by the projector
(newsdesk.storage.projections). Errors come out as newsdesk errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import GoneError, NotFoundError, StaleEventError, TransientError
from newsdesk.models import Article, Ingestion, StoredVersion
from newsdesk.storage import items as shapes
from newsdesk.storage import keys
from newsdesk.storage.failures import error_code, translate

Item = dict[str, Any]
# DynamoDB allows 100 keys per BatchGetItem.
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
class SaveResult:
    stored: list[str]
    unchanged: list[str]
    removed: list[str]


class ArticleStore:
    """Records, tombstones and ingestions in the single table (newsdesk.storage.keys)."""

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
        found = self._batch_get(
            [(keys.article_pk(article_id), keys.ARTICLE_SK) for article_id in article_ids]
        )
        return {str(item["id"]): shapes.stored_version(item) for item in found}

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
        written_ids: Sequence[str] = (),
        version_id: str | None = None,
    ) -> SaveResult:
        """Store the articles parsed from one S3 object version.

        `changed` are stamped articles to write; `unchanged_ids` are articles of the same file
        whose content_hash is already stored (nothing of theirs is written); `written_ids` are
        articles this very event already wrote (a retry: they count as stored, nothing is
        written again); `previous` is what `get_versions` returned. Articles the key had before
        and no longer has (a shorter .jsonl) become tombstones. One PutItem per article, then
        the ingestion item. Raises
        StaleEventError when an event for the key that is newer (by S3 sequencer) was already
        applied.
        """
        ingestion = self.get_ingestion(key)
        _check_order(ingestion, sequencer, key)
        written = [article.id for article in changed] + list(written_ids)
        new_ids = list(dict.fromkeys(written + list(unchanged_ids)))
        dropped = [
            article_id
            for article_id in (ingestion.article_ids if ingestion else [])
            if article_id not in new_ids
        ]
        for article in changed:
            self._put_record(article, key=key, sequencer=sequencer, seen=previous.get(article.id))
        removed = self._remove_ids(dropped, key, sequencer, now)
        record = Ingestion(
            key=key,
            bucket=bucket,
            status="stored" if written or dropped else "unchanged",
            article_ids=new_ids,
            sequencer=_kept_sequencer(sequencer, ingestion),
            version_id=version_id,
            at=now,
        )
        self._put_ingestion(record, sequencer, f"record ingestion of {key}", ingestion)
        return SaveResult(
            stored=written,
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
        removed = self._remove_ids(article_ids, key, sequencer, now)
        record = Ingestion(
            key=key,
            bucket=bucket,
            status="removed",
            article_ids=article_ids,
            sequencer=_kept_sequencer(sequencer, ingestion),
            at=now,
        )
        self._put_ingestion(record, sequencer, f"record removal of {key}", ingestion)
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
        version_id: str | None = None,
        article_ids: Sequence[str] = (),
    ) -> None:
        """Record that the latest version of a key could not be ingested (no retry will help).

        Articles the key produced before stay as they are (the last good version), and the
        ingestion item keeps their ids, and `article_ids` (stored by this very event before it
        was refused), so a later delete still removes them. Raises StaleEventError when a
        newer event for the key was already applied.
        """
        previous = self.get_ingestion(key)
        _check_order(previous, sequencer, key)
        record = Ingestion(
            key=key,
            bucket=bucket,
            status="failed",
            article_ids=list(
                dict.fromkeys([*(previous.article_ids if previous else []), *article_ids])
            ),
            code=code,
            message=message[:1000],
            sequencer=_kept_sequencer(sequencer, previous),
            version_id=version_id,
            at=now,
        )
        self._put_ingestion(record, sequencer, f"record failure of {key}", previous)

    # ------------------------------------------------------------- internals

    def _put_record(
        self, article: Article, *, key: str, sequencer: str | None, seen: StoredVersion | None
    ) -> None:
        version = (seen.version if seen else 0) + 1
        encoded = shapes.record_item(article, object_key=key, sequencer=sequencer, version=version)
        # Parts go first under a generation of their own, so readers of the old record never
        # see them; the old generation's parts go once the new record is in place.
        for part in encoded.parts:
            self._call("put_item", f"put body part of {article.id}", Item=shapes.to_dynamo(part))
        self._put_conditionally(
            encoded.item, seen, sequencer, f"store article {article.id}", content=article
        )
        old_generation = seen.body_generation if seen else None
        if old_generation and old_generation != encoded.item.get("body_gen"):
            self._delete_prefix(keys.article_pk(article.id), keys.body_parts_prefix(old_generation))

    def _remove_ids(
        self, article_ids: Sequence[str], key: str, sequencer: str | None, now: datetime
    ) -> list[str]:
        removed: list[str] = []
        if not article_ids:
            return removed
        current = self.get_versions(article_ids)
        for article_id in article_ids:
            seen = current.get(article_id)
            if seen is None or seen.removed:
                continue
            tombstone = shapes.tombstone_item(
                article_id,
                object_key=key,
                removed_at=now,
                sequencer=sequencer,
                version=seen.version + 1,
            )
            self._put_conditionally(tombstone, seen, sequencer, f"remove article {article_id}")
            if seen.body_generation:
                self._delete_prefix(keys.article_pk(article_id), keys.BODY_SK_PREFIX)
            removed.append(article_id)
        return removed

    def _put_conditionally(
        self,
        item: Item,
        seen: StoredVersion | None,
        sequencer: str | None,
        what: str,
        *,
        content: Article | None = None,
    ) -> None:
        """PutItem unless the record changed since `seen` or a newer event already wrote it.

        A record this very event already wrote (a retry after a crash between the record and
        the ingestion item) is left as it is.
        """
        if seen is None:
            condition = "attribute_not_exists(PK)"
            values: dict[str, Any] = {}
        elif seen.version == 0:  # written before records carried versions
            condition = "attribute_not_exists(version)"
            values = {}
        else:
            condition = "version = :seen"
            values = {":seen": {"N": str(seen.version)}}
        if sequencer:
            condition = f"({condition}) AND (attribute_not_exists(seq) OR seq < :seq)"
            values[":seq"] = {"S": keys.normalize_sequencer(sequencer)}
        params: dict[str, Any] = {
            "Item": shapes.to_dynamo(item),
            "ConditionExpression": condition,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            self._call("put_item", what, **params)
        except _ConditionFailed as failed:
            _explain_conflict(failed.item, sequencer, what, content)

    def _put_ingestion(
        self, record: Ingestion, sequencer: str | None, what: str, current: Ingestion | None
    ) -> None:
        if current is not None and record.model_copy(update={"at": current.at}) == current:
            # The same outcome again (a redelivered event without a sequencer, such as a
            # reindex): only the time would change, so nothing is written.
            return
        params: dict[str, Any] = {"Item": shapes.to_dynamo(shapes.ingestion_item(record))}
        if sequencer:
            params["ConditionExpression"] = "attribute_not_exists(seq) OR seq < :seq"
            params["ExpressionAttributeValues"] = {
                ":seq": {"S": keys.normalize_sequencer(sequencer)}
            }
        try:
            self._call("put_item", what, **params)
        except _ConditionFailed as failed:
            raise StaleEventError(f"{what}: a newer event was already applied") from failed

    def _call(self, operation: str, what: str, **params: Any) -> dict[str, Any]:
        write = operation in {"put_item", "delete_item"}
        try:
            response: dict[str, Any] = getattr(self._client, operation)(
                TableName=self._table, ReturnConsumedCapacity="TOTAL", **params
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise _ConditionFailed(error) from error
            raise translate(error, what) from error
        except BotoCoreError as error:
            raise translate(error, what) from error
        self.capacity.add(response, write=write)
        return response

    def _get(self, pk: str, sk: str, *, consistent: bool) -> Item | None:
        response = self._call(
            "get_item",
            f"get {pk}/{sk}",
            Key={"PK": {"S": pk}, "SK": {"S": sk}},
            ConsistentRead=consistent,
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
                try:
                    response = self._client.batch_get_item(
                        RequestItems={self._table: {"Keys": pending, "ConsistentRead": True}},
                        ReturnConsumedCapacity="TOTAL",
                    )
                except (ClientError, BotoCoreError) as error:
                    raise translate(error, "get articles") from error
                self.capacity.add(response, write=False)
                found += [
                    shapes.from_dynamo(raw) for raw in response["Responses"].get(self._table, [])
                ]
                unprocessed = response.get("UnprocessedKeys", {}).get(self._table)
                if unprocessed and len(unprocessed["Keys"]) == len(pending):
                    raise TransientError("get articles: throttled (no keys processed)")
                pending = unprocessed["Keys"] if unprocessed else []
        return found

    def _query_prefix(self, pk: str, prefix: str) -> list[Item]:
        found: list[Item] = []
        params: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
        }
        while True:
            response = self._call("query", f"query {pk}", **params)
            found += [shapes.from_dynamo(raw) for raw in response["Items"]]
            start = response.get("LastEvaluatedKey")
            if not start:
                return found
            params["ExclusiveStartKey"] = start

    def _delete_prefix(self, pk: str, prefix: str) -> None:
        for item in self._query_prefix(pk, prefix):
            self._call(
                "delete_item",
                f"delete {pk}/{item['SK']}",
                Key={"PK": {"S": pk}, "SK": {"S": item["SK"]}},
            )


class _ConditionFailed(Exception):
    """A conditional write was refused; `item` is what the table holds (when it said)."""

    def __init__(self, error: ClientError) -> None:
        super().__init__(str(error))
        raw: Any = error.response.get("Item")
        self.item: Item | None = shapes.from_dynamo(raw) if raw else None


# ----------------------------------------------------------------- ordering


def _explain_conflict(
    stored: Item | None, sequencer: str | None, what: str, content: Article | None
) -> None:
    """Why a record write was refused: a newer event (stale), this very event earlier (done),
    or a concurrent writer between our read and write (transient: SQS retries the message)."""
    stored_seq = stored.get("seq") if stored else None
    if sequencer and stored_seq:
        ours = keys.normalize_sequencer(sequencer)
        if stored_seq > ours:
            raise StaleEventError(f"{what}: a newer event was already applied")
        same_content = (
            content is None
            or stored is None
            or (
                stored.get("content_hash") == content.content_hash
                and not shapes.is_tombstone(stored)
            )
        )
        if stored_seq == ours and same_content:
            return
    raise TransientError(f"{what}: the record changed while it was being written")


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


def is_same_event(sequencer: str | None, applied: str | None) -> bool:
    """Whether `applied` (as a record or ingestion stores it) is the event `sequencer`."""
    if not sequencer or not applied:
        return False
    return keys.normalize_sequencer(sequencer) == keys.normalize_sequencer(applied)


def _kept_sequencer(sequencer: str | None, ingestion: Ingestion | None) -> str | None:
    """An event without a sequencer (e.g. a reindex on AWS) read the object as it is now, so it
    applies; the key keeps its last sequencer so that older real events stay refused."""
    return sequencer or (ingestion.sequencer if ingestion else None)
