"""Read access patterns of the table (DESIGN.md section 6): one GetItem or Query per page.

Never a Scan. List pages carry an opaque, signed cursor (newsdesk.storage.cursors) bound to
the query that produced it. Items are decoded with newsdesk.storage.items; callers get models.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import GoneError, NotFoundError
from newsdesk.models import (
    Article,
    ArticleFilters,
    ArticleSummary,
    AuthorProfile,
    Change,
    Ingestion,
    Page,
    SectionInfo,
    TagInfo,
)
from newsdesk.slugs import slugify
from newsdesk.storage import items, keys
from newsdesk.storage.cursors import BUCKET, decode_cursor, encode_cursor, query_id
from newsdesk.storage.failures import translate

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from newsdesk.settings import Settings

T = TypeVar("T")

# How many partitions (months) one page may read before it hands back a cursor.
MAX_PARTITIONS_PER_PAGE = 12
# How long the months of a bucketed listing are remembered (a new month is that late at most).
BUCKET_CACHE_SECONDS = 60.0
_BUCKET_CACHE_ENTRIES = 256
# How far back GET /ingestions (no filter) lists: a year of months.
RECENT_MONTHS = 12
# Above every character of a sort-key suffix (hex ids, "#", digits), so "<time>#~" bounds a time.
_KEY_CEILING = "~"
_HEADLINE_MATCHES = 5


class ContentQueries:
    """The API's reads. The low-level DynamoDB client is passed in (tests hook its events)."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        cursor_secret: str,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._table = table_name
        self._secret = cursor_secret
        self._clock = clock
        self._now = now
        self._bucket_cache: dict[str, tuple[float, list[str]]] = {}

    # ------------------------------------------------------------ articles

    def get_article(self, article_id: str) -> Article:
        """The full record; NotFoundError for unknown ids, GoneError for removed ones."""
        record = self._get_item(keys.article_pk(article_id), keys.ARTICLE_SK)
        if record is None:
            raise NotFoundError(f"no article with id {article_id}")
        if items.is_tombstone(record):
            raise GoneError(f"article {article_id} was removed")
        parts: list[dict[str, Any]] = []
        if items.needs_body_parts(record):
            parts = self._body_parts(article_id, items.body_parts_prefix(record))
        return items.article_from_items(record, parts)

    def list_articles(
        self, filters: ArticleFilters, *, limit: int, cursor: str | None
    ) -> Page[ArticleSummary]:
        """Newest first. The most selective listing is the key condition (author, section, tag,
        lang, else the feed), the time range is a GSI1SK range and the other filters are a
        FilterExpression: one Query per page (feed and language listings are split by month,
        so a page that crosses a month takes one more), pages may hold fewer than `limit`."""
        listing = _primary_listing(filters)
        condition = "GSI1PK = :pk"
        values: dict[str, Any] = {}
        low = keys.format_time(filters.start) if filters.start else None
        high = f"{keys.format_time(filters.end)}#{_KEY_CEILING}" if filters.end else None
        if low and high:
            condition += " AND GSI1SK BETWEEN :low AND :high"
            values.update({":low": low, ":high": high})
        elif low:
            condition += " AND GSI1SK >= :low"
            values[":low"] = low
        elif high:
            condition += " AND GSI1SK <= :high"
            values[":high"] = high
        clauses: list[str] = []
        names: dict[str, str] = {}
        section_check: str | None = None
        if filters.section and listing != keys.listing_section(filters.section):
            # Listing items hold the section's name; its slug is always one of the tags, and the
            # exact comparison is made on the decoded item below.
            clauses.append("contains(tags, :section)")
            values[":section"] = filters.section
            section_check = filters.section
        if filters.tag and listing != keys.listing_tag(filters.tag):
            clauses.append("contains(tags, :tag)")
            values[":tag"] = filters.tag
        if filters.lang and listing != keys.listing_lang(filters.lang):
            clauses.append("#language = :lang")
            names["#language"] = "language"
            values[":lang"] = filters.lang
        request: dict[str, Any] = {
            "IndexName": keys.GSI_LISTINGS,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        if clauses:
            request["FilterExpression"] = " AND ".join(clauses)
        if names:
            request["ExpressionAttributeNames"] = names
        request["ExpressionAttributeValues"] = values
        fingerprint = query_id(
            "articles", listing, low, high, filters.section, filters.tag, filters.lang
        )

        def partitions() -> list[tuple[str | None, str]]:
            if not keys.is_bucketed(listing):
                return [(None, listing)]
            months = self._months(
                listing,
                low=keys.month_of(filters.start) if filters.start else None,
                high=keys.month_of(filters.end) if filters.end else None,
                newest_first=True,
            )
            return [(month, keys.listing_partition(listing, month)) for month in months]

        page = self._bucketed_page(
            request,
            partitions,
            limit=limit,
            cursor=cursor,
            fingerprint=fingerprint,
            decode=_summary,
        )
        if section_check is not None:
            page.items = [
                summary
                for summary in page.items
                if summary.section and slugify(summary.section) == section_check
            ]
        return page

    def find_ids_by_headline(self, headline: str) -> list[str]:
        """Ids of stored articles whose normalized headline equals this one's (GSI2)."""
        normalized = items.normalize_headline(headline)
        if not normalized:
            return []
        response = self._call(
            self._client.query,
            TableName=self._table,
            IndexName=keys.GSI_LOOKUPS,
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues=items.to_dynamo({":pk": keys.headline_pk(normalized)}),
            Limit=_HEADLINE_MATCHES,
        )
        return [str(items.from_dynamo(raw)["id"]) for raw in response.get("Items", [])]

    # ------------------------------------------------------------ registries

    def list_authors(self, *, limit: int, cursor: str | None) -> Page[AuthorProfile]:
        return self._registry_page("author", items.author_from_item, limit=limit, cursor=cursor)

    def get_author(self, slug: str) -> AuthorProfile:
        return items.author_from_item(self._registry_item("author", slug))

    def list_sections(self, *, limit: int, cursor: str | None) -> Page[SectionInfo]:
        return self._registry_page("section", items.section_from_item, limit=limit, cursor=cursor)

    def get_section(self, slug: str) -> SectionInfo:
        return items.section_from_item(self._registry_item("section", slug))

    def list_tags(self, *, limit: int, cursor: str | None) -> Page[TagInfo]:
        return self._registry_page("tag", items.tag_from_item, limit=limit, cursor=cursor)

    # ------------------------------------------------------------ change feed, ingestions

    def list_changes(self, since: datetime, *, limit: int, cursor: str | None) -> Page[Change]:
        """Each article's latest change at or after `since`, oldest first (GSI2, by month)."""
        low = keys.format_time(since)
        request = {
            "IndexName": keys.GSI_LOOKUPS,
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK >= :low",
            "ExpressionAttributeValues": {":low": low},
            "ScanIndexForward": True,
        }

        def partitions() -> list[tuple[str | None, str]]:
            months = self._months(
                keys.CHANGES_BUCKETS, low=keys.month_of(since), high=None, newest_first=False
            )
            return [(month, keys.changes_partition(month)) for month in months]

        return self._bucketed_page(
            request,
            partitions,
            limit=limit,
            cursor=cursor,
            fingerprint=query_id("changes", low),
            decode=items.change_from_item,
        )

    def list_ingestions(self, *, limit: int, cursor: str | None) -> Page[Ingestion]:
        """Every key's latest outcome of the last RECENT_MONTHS months, newest first (GSI1)."""
        request = {
            "IndexName": keys.GSI_LISTINGS,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {},
            "ScanIndexForward": False,
        }

        def partitions() -> list[tuple[str | None, str]]:
            return [(month, keys.ingestions_partition(month)) for month in self._recent_months()]

        return self._bucketed_page(
            request,
            partitions,
            limit=limit,
            cursor=cursor,
            fingerprint=query_id("ingestions"),
            decode=items.ingestion_from_item,
        )

    def _recent_months(self) -> list[str]:
        """This month and the RECENT_MONTHS - 1 before it, newest first (ingestions happen now,
        so their months need no index)."""
        now = self._now()
        year, month = now.year, now.month
        months: list[str] = []
        for _ in range(RECENT_MONTHS):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return months

    def list_failed_ingestions(self, *, limit: int, cursor: str | None) -> Page[Ingestion]:
        """Uploads whose latest event failed to parse, newest first (GSI2 INGEST#failed)."""
        request = {
            "IndexName": keys.GSI_LOOKUPS,
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": {":pk": keys.FAILED_PK},
            "ScanIndexForward": False,
        }
        return self._query_page(
            request,
            limit=limit,
            cursor=cursor,
            fingerprint=query_id("failed"),
            decode=items.ingestion_from_item,
        )

    def get_ingestion(self, key: str) -> Ingestion:
        item = self._get_item(keys.object_pk(key), keys.INGESTION_SK)
        if item is None:
            raise NotFoundError(f"no ingestion recorded for key {key}")
        return items.ingestion_from_item(item)

    # ------------------------------------------------------------ helpers

    def _months(
        self, bucket: str, *, low: str | None, high: str | None, newest_first: bool
    ) -> list[str]:
        """The months a bucketed partition holds items in, within [low, high]. One GetItem,
        remembered for BUCKET_CACHE_SECONDS (a new month shows up at most that late)."""
        now = self._clock()
        cached = self._bucket_cache.get(bucket)
        if cached is None or now - cached[0] > BUCKET_CACHE_SECONDS:
            item = self._get_item(keys.BUCKETS_PK, bucket)
            months = sorted(item.get("months") or ()) if item else []
            cached = (now, months)
            if len(self._bucket_cache) >= _BUCKET_CACHE_ENTRIES:
                self._bucket_cache.clear()  # many languages asked for: start over
            self._bucket_cache[bucket] = cached
        chosen = [m for m in cached[1] if (low is None or m >= low) and (high is None or m <= high)]
        return chosen[::-1] if newest_first else chosen

    def _bucketed_page(
        self,
        request: dict[str, Any],
        partitions_of: Callable[[], list[tuple[str | None, str]]],
        *,
        limit: int,
        cursor: str | None,
        fingerprint: str,
        decode: Callable[[Mapping[str, Any]], T],
    ) -> Page[T]:
        """A page read across consecutive partitions (months of one listing, in order).

        The cursor says which month it continues in (and where in it); a page reads at most
        MAX_PARTITIONS_PER_PAGE partitions and then hands back a cursor to the next one.
        """
        start: dict[str, str] = {}
        if cursor:  # checked before any request: a bad cursor costs nothing
            start = decode_cursor(cursor, query=fingerprint, secret=self._secret)
        partitions = partitions_of()
        resume_month = start.pop(BUCKET, None)
        position = 0
        if resume_month is not None:
            months = [month for month, _ in partitions]
            if resume_month not in months:
                # Issued by an instance that knew a month this one has not seen yet.
                partitions = [
                    *partitions,
                    (resume_month, _partition_like(partitions, resume_month)),
                ]
                partitions.sort(key=lambda entry: entry[0] or "", reverse=_newest_first(request))
                months = [month for month, _ in partitions]
            position = months.index(resume_month)
        found: list[T] = []
        read = 0
        while position < len(partitions) and read < MAX_PARTITIONS_PER_PAGE:
            month, partition = partitions[position]
            call: dict[str, Any] = {
                **request,
                "TableName": self._table,
                "Limit": limit - len(found),
                "ExpressionAttributeValues": items.to_dynamo(
                    {**request["ExpressionAttributeValues"], ":pk": partition}
                ),
            }
            if start:
                call["ExclusiveStartKey"] = items.to_dynamo(start)
                start = {}
            response = self._call(self._client.query, **call)
            read += 1
            found.extend(decode(items.from_dynamo(raw)) for raw in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if last:
                key = {name: str(value) for name, value in items.from_dynamo(last).items()}
                if month is not None:
                    key[BUCKET] = month
                return Page[T](items=found, next_cursor=self._cursor(key, fingerprint))
            position += 1
            if len(found) >= limit:
                break
        if position < len(partitions):
            month = partitions[position][0]
            assert month is not None  # only bucketed listings have several partitions
            return Page[T](items=found, next_cursor=self._cursor({BUCKET: month}, fingerprint))
        return Page[T](items=found, next_cursor=None)

    def _cursor(self, key: dict[str, str], fingerprint: str) -> str:
        return encode_cursor(key, query=fingerprint, secret=self._secret)

    def _registry_page(
        self,
        kind: str,
        decode: Callable[[Mapping[str, Any]], T],
        *,
        limit: int,
        cursor: str | None,
    ) -> Page[T]:
        # Entries whose count fell to 0 are kept by the writer; readers skip them.
        request = {
            "KeyConditionExpression": "PK = :pk",
            "FilterExpression": "article_count > :zero",
            "ExpressionAttributeValues": {":pk": keys.registry_pk(kind), ":zero": 0},
            "ScanIndexForward": True,
        }
        return self._query_page(
            request,
            limit=limit,
            cursor=cursor,
            fingerprint=query_id("registry", kind),
            decode=decode,
        )

    def _registry_item(self, kind: str, slug: str) -> dict[str, Any]:
        item = self._get_item(keys.registry_pk(kind), slug)
        if item is None or int(item.get("article_count", 0)) <= 0:
            raise NotFoundError(f"no {kind} {slug}")
        return item

    def _get_item(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self._call(
            self._client.get_item, TableName=self._table, Key=items.to_dynamo({"PK": pk, "SK": sk})
        )
        raw = response.get("Item")
        return items.from_dynamo(raw) if raw else None

    def _body_parts(self, article_id: str, prefix: str) -> list[dict[str, Any]]:
        """The "B#" part items of a very large body, in order (only such bodies need this)."""
        parts: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": items.to_dynamo(
                {":pk": keys.article_pk(article_id), ":prefix": prefix}
            ),
        }
        while True:
            response = self._call(self._client.query, **request)
            parts.extend(items.from_dynamo(raw) for raw in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if not last:
                return parts
            request["ExclusiveStartKey"] = last

    def _query_page(
        self,
        request: dict[str, Any],
        *,
        limit: int,
        cursor: str | None,
        fingerprint: str,
        decode: Callable[[Mapping[str, Any]], T],
    ) -> Page[T]:
        call: dict[str, Any] = {
            **request,
            "TableName": self._table,
            "Limit": limit,
            "ExpressionAttributeValues": items.to_dynamo(request["ExpressionAttributeValues"]),
        }
        if cursor:
            start = decode_cursor(cursor, query=fingerprint, secret=self._secret)
            call["ExclusiveStartKey"] = items.to_dynamo(start)
        response = self._call(self._client.query, **call)
        decoded = [decode(items.from_dynamo(raw)) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_cursor = None
        if last:
            plain = {name: str(value) for name, value in items.from_dynamo(last).items()}
            next_cursor = encode_cursor(plain, query=fingerprint, secret=self._secret)
        return Page[T](items=decoded, next_cursor=next_cursor)

    @staticmethod
    def _call(operation: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = operation(**kwargs)
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"read {kwargs.get('IndexName') or 'the table'}") from error
        return response


def _newest_first(request: Mapping[str, Any]) -> bool:
    return not request.get("ScanIndexForward", True)


def _partition_like(partitions: list[tuple[str | None, str]], month: str) -> str:
    """The partition of `month` in the listing the other partitions belong to."""
    _, partition = partitions[0] if partitions else (None, "")
    return partition.rsplit("#", 1)[0] + "#" + month


def _primary_listing(filters: ArticleFilters) -> str:
    """The listing whose partition holds the fewest candidates (a guess that holds for news:
    an author writes less than a section holds, a section less than a language)."""
    if filters.author:
        return keys.listing_author(filters.author)
    if filters.section:
        return keys.listing_section(filters.section)
    if filters.tag:
        return keys.listing_tag(filters.tag)
    if filters.lang:
        return keys.listing_lang(filters.lang)
    return keys.FEED


def _summary(item: Mapping[str, Any]) -> ArticleSummary:
    return items.summary_from_item(item)


def open_content_queries(settings: Settings) -> ContentQueries:
    """ContentQueries on a new client for the configured table (called once per process); the
    cursor secret is read once, from Secrets Manager unless given as a value."""
    import boto3

    from newsdesk.storage.secrets import get_cursor_secret

    secret = get_cursor_secret(settings)
    client = boto3.client("dynamodb", region_name=settings.region)
    return ContentQueries(client, settings.table_name, cursor_secret=secret)
