"""Read access patterns of the table (DESIGN.md section 6): one GetItem or Query per page.

Never a Scan. List pages carry an opaque, signed cursor (newsdesk.storage.cursors) bound to
the query that produced it. Items are decoded with newsdesk.storage.items; callers get models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import GoneError, NotFoundError, StorageError, TransientError
from newsdesk.models import (
    Article,
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
from newsdesk.storage.cursors import decode_cursor, encode_cursor, query_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from newsdesk.service.content import ArticleFilters
    from newsdesk.settings import Settings

T = TypeVar("T")

_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "LimitExceededException",
    }
)
# Above every character of a sort-key suffix (hex ids, "#", digits), so "<time>#~" bounds a time.
_KEY_CEILING = "~"
_HEADLINE_MATCHES = 5


class ContentQueries:
    """The API's reads. The low-level DynamoDB client is passed in (tests hook its events)."""

    def __init__(self, client: DynamoDBClient, table_name: str, *, cursor_secret: str) -> None:
        self._client = client
        self._table = table_name
        self._secret = cursor_secret

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
        FilterExpression: one Query per page, pages may hold fewer than `limit` items."""
        listing = _primary_listing(filters)
        condition = "GSI1PK = :pk"
        values: dict[str, Any] = {":pk": listing}
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
        page = self._query_page(
            request, limit=limit, cursor=cursor, fingerprint=fingerprint, decode=_summary
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
        """Each article's latest change at or after `since`, oldest first (GSI2 CHANGES)."""
        low = keys.format_time(since)
        request = {
            "IndexName": keys.GSI_LOOKUPS,
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK >= :low",
            "ExpressionAttributeValues": {":pk": keys.CHANGES_PK, ":low": low},
            "ScanIndexForward": True,
        }
        return self._query_page(
            request,
            limit=limit,
            cursor=cursor,
            fingerprint=query_id("changes", low),
            decode=items.change_from_item,
        )

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
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _TRANSIENT_CODES:
                raise TransientError(f"DynamoDB is busy ({code}); retry later") from error
            raise StorageError(f"DynamoDB request failed ({code})") from error
        except BotoCoreError as error:
            raise TransientError("DynamoDB could not be reached; retry later") from error
        return response


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
    return keys.listing_feed()


def _summary(item: Mapping[str, Any]) -> ArticleSummary:
    return items.summary_from_item(item)


def open_content_queries(settings: Settings) -> ContentQueries:
    """ContentQueries on a new client for the configured table (called once per process)."""
    import boto3

    client = boto3.client("dynamodb", region_name=settings.region)
    return ContentQueries(client, settings.table_name, cursor_secret=settings.cursor_secret)
