"""The derived views as the projector writes them: listings, lookups, change feed, registries.

Every derived item carries the record version it was built from. The article's projection
state ("P") says which version its views show; an image at or below it is never applied, so
replayed, duplicated or reordered stream records never put an older state over a newer one.
Registry counts move in one transaction with the projection state, so each version changes
them exactly once; the counts of a whole stream batch are summed first (one update per
registry entry per transaction, not per article).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import TransientError
from newsdesk.models import ProjectionState, RecordImage
from newsdesk.storage import items as shapes
from newsdesk.storage import keys
from newsdesk.storage.articles import CapacityMeter
from newsdesk.storage.failures import cancellation_codes, error_code, translate

Item = dict[str, Any]
MAX_TRANSACTION_ACTIONS = 100
_BATCH_GET_KEYS = 100
_BATCH_WRITE_ITEMS = 25
_BATCH_WRITE_ATTEMPTS = 4


@dataclass(frozen=True)
class Commit:
    """One article's new projection state, the state it replaces (None: never projected), and
    what the registries should show for the entries it joins (display names, an author bio)."""

    state: ProjectionState
    replaces: ProjectionState | None
    names: Mapping[tuple[str, str], str] = field(default_factory=dict)
    bio: str | None = None


@dataclass(frozen=True)
class RegistryChange:
    """What one transaction does to one registry entry: count delta, name and bio to show."""

    kind: str
    slug: str
    delta: int = 0
    name: str | None = None
    bio: str | None = None


class ProjectionStore:
    """Writes the projector's items in the single table (newsdesk.storage.keys)."""

    def __init__(
        self, client: Any, table_name: str, *, capacity: CapacityMeter | None = None
    ) -> None:
        self._client = client
        self._table = table_name
        self.capacity = capacity or CapacityMeter()
        # Months already known to be in each bucket set (per process; the set ADD is idempotent).
        self._known_months: set[tuple[str, str]] = set()

    @property
    def client(self) -> Any:
        """The DynamoDB client the store was given (e.g. to hook its events)."""
        return self._client

    def get_states(self, article_ids: Sequence[str]) -> dict[str, ProjectionState]:
        """The projection state of each id that has one (consistent reads)."""
        found: dict[str, ProjectionState] = {}
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), _BATCH_GET_KEYS):
            pending: list[dict[str, Any]] = [
                {"PK": {"S": keys.article_pk(article_id)}, "SK": {"S": keys.PROJECTION_SK}}
                for article_id in ids[start : start + _BATCH_GET_KEYS]
            ]
            while pending:
                response = self._request(
                    "batch_get_item",
                    "get projection states",
                    RequestItems={self._table: {"Keys": pending, "ConsistentRead": True}},
                )
                for raw in response["Responses"].get(self._table, []):
                    state = shapes.projection_from_item(shapes.from_dynamo(raw))
                    found[state.article_id] = state
                unprocessed = response.get("UnprocessedKeys", {}).get(self._table)
                if unprocessed and len(unprocessed["Keys"]) == len(pending):
                    raise TransientError("get projection states: throttled (no keys processed)")
                pending = unprocessed["Keys"] if unprocessed else []
        return found

    # ------------------------------------------------------------- views of one article

    def write_views(
        self, changes: Sequence[tuple[RecordImage, ProjectionState | None]]
    ) -> list[Commit]:
        """Bring each article's listing items, change entry and headline lookup to its image,
        in BatchWriteItem requests of 25; returns the states to commit.

        The caller passes only images newer than the article's committed state, and a stream
        shard delivers an article's records in order (a retry repeats the same batch), so no
        older version can overwrite these items: the state check is their version guard.
        """
        requests: list[dict[str, Any]] = []
        commits: list[Commit] = []
        for image, before in changes:
            summary = image.summary
            listings = shapes.listings_of(summary) if summary is not None else []
            held = before.listings if before is not None and before.active else ()
            pk = keys.article_pk(image.article_id)
            version = image.version
            if summary is not None and image.sort_at is not None:
                requests += [
                    _put(shapes.listing_item(summary, name, sort_at=image.sort_at, version=version))
                    for name in listings
                ]
                requests.append(_put(shapes.headline_item(summary, version=version)))
            else:
                requests.append(_delete(pk, keys.HEADLINE_SK))
            requests += [
                _delete(pk, keys.listing_sk(name)) for name in held if name not in listings
            ]
            requests.append(_put(shapes.change_item(image)))
            single_author = summary is not None and len(summary.authors) == 1
            commits.append(
                Commit(
                    state=ProjectionState(
                        article_id=image.article_id,
                        version=image.version,
                        active=summary is not None,
                        listings=tuple(listings),
                    ),
                    replaces=before,
                    names=shapes.registry_names(summary) if summary is not None else {},
                    bio=image.author_bio if single_author else None,
                )
            )
        for start in range(0, len(requests), _BATCH_WRITE_ITEMS):
            self._batch_write(requests[start : start + _BATCH_WRITE_ITEMS])
        return commits

    def add_months(self, images: Iterable[RecordImage]) -> None:
        """Record which months the bucketed partitions (feed, languages, changes) now hold."""
        months: dict[str, set[str]] = {}
        for image in images:
            months.setdefault(keys.CHANGES_BUCKETS, set()).add(keys.month_of(image.changed_at))
            if image.summary is None or image.sort_at is None:
                continue
            for listing in shapes.listings_of(image.summary):
                if keys.is_bucketed(listing):
                    months.setdefault(listing, set()).add(keys.month_of(image.sort_at))
        for bucket, wanted in sorted(months.items()):
            new = {month for month in wanted if (bucket, month) not in self._known_months}
            if not new:
                continue
            self._request(
                "update_item",
                f"add months of {bucket}",
                Key={"PK": {"S": keys.BUCKETS_PK}, "SK": {"S": bucket}},
                UpdateExpression="ADD months :months",
                ExpressionAttributeValues={":months": {"SS": sorted(new)}},
            )
            self._known_months.update((bucket, month) for month in new)

    def forget(self, image: RecordImage) -> None:
        """An expired tombstone's derived state (projection state, change entry) goes too."""
        for sk in (keys.PROJECTION_SK, keys.CHANGE_SK):
            try:
                self._request(
                    "delete_item",
                    f"forget {image.article_id}",
                    Key={"PK": {"S": keys.article_pk(image.article_id)}, "SK": {"S": sk}},
                    ConditionExpression="attribute_not_exists(version) OR version <= :version",
                    ExpressionAttributeValues={":version": {"N": str(image.version)}},
                )
            except _NewerVersion:
                continue  # the key was uploaded again since: its new state stays

    # ------------------------------------------------------------- commit

    def commit(self, commits: Sequence[Commit]) -> None:
        """Store the new projection states and apply the registry changes they imply.

        Transactions of at most 100 actions: each holds some articles' states (conditional on
        the state they replace) and one summed update per registry entry of those articles.
        """
        for chunk in _chunks(commits):
            actions = [self._state_put(commit) for commit in chunk]
            actions += [self._registry_update(change) for change in registry_changes(chunk)]
            self._transact(actions, f"commit projection of {len(chunk)} article(s)")

    def _state_put(self, commit: Commit) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": shapes.to_dynamo(shapes.projection_item(commit.state)),
        }
        if commit.replaces is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :replaced"
            put["ExpressionAttributeValues"] = {":replaced": {"N": str(commit.replaces.version)}}
        return {"Put": put}

    def _registry_update(self, change: RegistryChange) -> dict[str, Any]:
        sets: list[str] = []
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        if change.name:
            sets.append("#name = :name")
            names["#name"] = "name"
            values[":name"] = {"S": change.name}
        if change.bio:
            sets.append("bio = :bio")
            values[":bio"] = {"S": change.bio}
        expression = "SET " + ", ".join(sets) if sets else ""
        if change.delta or not sets:
            expression += " ADD article_count :delta"
            values[":delta"] = {"N": str(change.delta)}
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"PK": {"S": keys.registry_pk(change.kind)}, "SK": {"S": change.slug}},
            "UpdateExpression": expression.strip(),
            "ExpressionAttributeValues": values,
        }
        if names:
            update["ExpressionAttributeNames"] = names
        return {"Update": update}

    # ------------------------------------------------------------- internals

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        """One BatchWriteItem; what DynamoDB leaves unprocessed (throttling) is sent again a
        few times, then the batch fails as transient (the stream retries it)."""
        pending = requests
        for attempt in range(_BATCH_WRITE_ATTEMPTS):
            response = self._request(
                "batch_write_item", "write derived views", RequestItems={self._table: pending}
            )
            pending = response.get("UnprocessedItems", {}).get(self._table, [])
            if not pending:
                return
            time.sleep(0.05 * 2**attempt)
        raise TransientError(f"write derived views: {len(pending)} item(s) left unprocessed")

    def _transact(self, actions: list[dict[str, Any]], what: str) -> None:
        try:
            response = self._client.transact_write_items(
                TransactItems=actions, ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                # A state changed since it was read: only another projector run does that.
                raise TransientError(f"{what}: projection state changed concurrently") from error
            raise translate(error, what) from error
        except BotoCoreError as error:
            raise translate(error, what) from error
        self.capacity.add(response, write=True)

    def _request(self, operation: str, what: str, **params: Any) -> dict[str, Any]:
        batch = operation.startswith("batch_")
        if not batch:
            params["TableName"] = self._table
        try:
            response: dict[str, Any] = getattr(self._client, operation)(
                ReturnConsumedCapacity="TOTAL", **params
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise _NewerVersion(what) from error
            raise translate(error, what) from error
        except BotoCoreError as error:
            raise translate(error, what) from error
        self.capacity.add(response, write=operation != "batch_get_item")
        return response


def _put(item: Item) -> dict[str, Any]:
    return {"PutRequest": {"Item": shapes.to_dynamo(item)}}


def _delete(pk: str, sk: str) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": {"PK": {"S": pk}, "SK": {"S": sk}}}}


class _NewerVersion(Exception):
    """A derived item already holds a newer (or the same) version: the write is not needed."""


def _chunks(commits: Sequence[Commit]) -> list[list[Commit]]:
    """Consecutive groups of commits whose transaction stays within 100 actions."""
    chunks: list[list[Commit]] = []
    current: list[Commit] = []
    touched: set[tuple[str, str]] = set()
    for commit in commits:
        entries = _touched(commit)
        if current and len(current) + 1 + len(touched | entries) > MAX_TRANSACTION_ACTIONS:
            chunks.append(current)
            current, touched = [], set()
        current.append(commit)
        touched |= entries
    if current:
        chunks.append(current)
    return chunks


def registry_changes(commits: Sequence[Commit]) -> list[RegistryChange]:
    """The summed registry updates of some commits: one per entry whose count moves or whose
    author bio is set. Names are set with every update (the latest spelling wins)."""
    deltas: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, str], str] = {}
    bios: dict[tuple[str, str], str] = {}
    for commit in commits:
        for entry, delta in registry_deltas(commit).items():
            deltas[entry] = deltas.get(entry, 0) + delta
        names.update(commit.names)
        if commit.bio:
            bios.update({entry: commit.bio for entry in _bio_entries(commit)})
    entries = {entry for entry, delta in deltas.items() if delta} | set(bios)
    return [
        RegistryChange(
            kind=kind,
            slug=slug,
            delta=deltas.get((kind, slug), 0),
            name=names.get((kind, slug)) if kind != "tag" else None,
            bio=bios.get((kind, slug)),
        )
        for kind, slug in sorted(entries)
    ]


def registry_deltas(commit: Commit) -> dict[tuple[str, str], int]:
    """+1 for each registry entry the article joins, -1 for each it leaves."""
    before = _entries(commit.replaces)
    after = _entries(commit.state)
    deltas = dict.fromkeys(after - before, 1)
    deltas.update(dict.fromkeys(before - after, -1))
    return deltas


def _entries(state: ProjectionState | None) -> set[tuple[str, str]]:
    if state is None or not state.active:
        return set()
    return {entry for listing in state.listings if (entry := shapes.registry_entry(listing))}


def _bio_entries(commit: Commit) -> set[tuple[str, str]]:
    return {entry for entry in _entries(commit.state) if entry[0] == "author"}


def _touched(commit: Commit) -> set[tuple[str, str]]:
    return set(registry_deltas(commit)) | (_bio_entries(commit) if commit.bio else set())
