"""Item shapes of the table: articles, listings, lookups, registries and ingestions <-> models.

Items here are plain Python values (str, int, bool, None, bytes, list, dict) keyed by attribute
name; `to_dynamo` / `from_dynamo` convert them to and from the low-level client's typed form.
The layout itself is documented in newsdesk.storage.keys.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from newsdesk.models import (
    SUMMARY_FIELDS,
    Article,
    ArticleSummary,
    AuthorProfile,
    Change,
    Ingestion,
    IngestionStatus,
    ProjectionState,
    RecordImage,
    SectionInfo,
    StoredVersion,
    TagInfo,
)
from newsdesk.slugs import slugify
from newsdesk.storage import keys

Item = dict[str, Any]

# A body whose JSON is at most this many bytes is stored inline as a list of strings.
BODY_INLINE_LIMIT = 32 * 1024
# A zlib-compressed body up to this size goes into the record item (400 KB item limit, with
# room for the other fields); beyond it, the compressed bytes are split into part items.
BODY_COMPRESSED_LIMIT = 300 * 1024
BODY_PART_BYTES = 350 * 1024
TOMBSTONE_TTL_DAYS = 30

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# ----------------------------------------------------------------- conversion


def to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    """A plain item -> the low-level client's AttributeValue map."""
    return {name: _serializer.serialize(value) for name, value in item.items()}


def from_dynamo(attributes: Mapping[str, Any]) -> Item:
    """The low-level client's AttributeValue map -> a plain item (ints, bytes, lists, dicts)."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in attributes.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return bytes(cast(Any, value).value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, set):
        return {_plain(item) for item in value}
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    return value


# ----------------------------------------------------------------- listings


def sort_time(article: Article | ArticleSummary, ingested_at: datetime | None = None) -> datetime:
    """When an article sorts in listings: the date the file states, else when it was ingested."""
    moment = article.published_at or ingested_at
    if moment is None and isinstance(article, Article):
        moment = article.ingested_at
    if moment is None:
        raise ValueError(f"article {article.id} has neither published_at nor ingested_at")
    return moment


def listings_of(article: Article | ArticleSummary) -> list[str]:
    """Every listing an article appears in: feed, its section, authors, tags and language."""
    listings = [keys.FEED]
    if article.section and (section := slugify(article.section)):
        listings.append(keys.listing_section(section))
    listings.extend(keys.listing_author(author.slug) for author in article.authors)
    listings.extend(keys.listing_tag(tag) for tag in article.tags)
    if article.language:
        listings.append(keys.listing_lang(article.language))
    return list(dict.fromkeys(listings))


def registry_entry(listing: str) -> tuple[str, str] | None:
    """(kind, slug) of the registry entry a listing counts in; None for feed and languages."""
    kind, _, slug = listing.partition("#")
    return (kind, slug) if kind in keys.REGISTRY_KINDS and slug else None


def registry_names(article: Article | ArticleSummary) -> dict[tuple[str, str], str]:
    """(kind, slug) -> display name of every registry entry an article counts in."""
    names: dict[tuple[str, str], str] = {}
    for author in article.authors:
        names[("author", author.slug)] = author.name
    if article.section and (section := slugify(article.section)):
        names[("section", section)] = article.section
    for tag in article.tags:
        names[("tag", tag)] = tag
    return names


def summary_attributes(article: Article | ArticleSummary) -> Item:
    data = article.model_dump(mode="json", include=set(SUMMARY_FIELDS))
    return {name: data.get(name) for name in SUMMARY_FIELDS}


def listing_item(summary: ArticleSummary, listing: str, *, sort_at: datetime, version: int) -> Item:
    return {
        "PK": keys.article_pk(summary.id),
        "SK": keys.listing_sk(listing),
        "GSI1PK": keys.listing_partition(listing, keys.month_of(sort_at)),
        "GSI1SK": keys.listing_sort_key(sort_at, summary.id),
        "entity": "listing",
        "listing": listing,
        "version": version,
        **summary_attributes(summary),
    }


def summary_from_item(item: Mapping[str, Any]) -> ArticleSummary:
    """A listing item (or a record item) -> the summary a list page shows."""
    return ArticleSummary.model_validate({name: item.get(name) for name in SUMMARY_FIELDS})


# ----------------------------------------------------------------- record


@dataclass(frozen=True)
class EncodedRecord:
    """A record item and, for very large bodies, the part items stored beside it."""

    item: Item
    parts: list[Item] = field(default_factory=list)


def record_item(
    article: Article, *, object_key: str, sequencer: str | None, version: int = 1
) -> EncodedRecord:
    """The record item of an active article (plus body part items when the body is huge)."""
    changed_at = article.updated_at or article.ingested_at
    if changed_at is None:
        raise ValueError(f"article {article.id} has neither updated_at nor ingested_at")
    data = article.model_dump(mode="json", exclude={"body"})
    item: Item = {
        "PK": keys.article_pk(article.id),
        "SK": keys.ARTICLE_SK,
        **data,
        "entity": "article",
        "state": "active",
        "version": version,
        "object_key": object_key,
        "sort_at": keys.format_time(sort_time(article)),
        "changed_at": keys.format_time(changed_at),
    }
    if sequencer:
        item["seq"] = keys.normalize_sequencer(sequencer)
    body_json = json.dumps(article.body, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body_json) <= BODY_INLINE_LIMIT:
        item["body"] = list(article.body)
        return EncodedRecord(item)
    compressed = zlib.compress(body_json, 6)
    if len(compressed) <= BODY_COMPRESSED_LIMIT:
        item["body_z"] = compressed
        return EncodedRecord(item)
    generation = article.content_hash[:12]
    chunks = [
        compressed[start : start + BODY_PART_BYTES]
        for start in range(0, len(compressed), BODY_PART_BYTES)
    ]
    item["body_parts"] = len(chunks)
    item["body_gen"] = generation
    parts = [
        {
            "PK": keys.article_pk(article.id),
            "SK": keys.body_part_sk(generation, index),
            "entity": "body_part",
            "data": chunk,
        }
        for index, chunk in enumerate(chunks)
    ]
    return EncodedRecord(item, parts)


_RECORD_META = frozenset(
    {
        "PK",
        "SK",
        "entity",
        "state",
        "version",
        "object_key",
        "sort_at",
        "changed_at",
        "seq",
        "body",
        "body_z",
        "body_parts",
        "body_gen",
    }
)


def is_tombstone(item: Mapping[str, Any]) -> bool:
    return item.get("state") == "removed"


def needs_body_parts(item: Mapping[str, Any]) -> bool:
    """Whether reading this record also needs its "B#" part items (Query begins_with)."""
    return "body_parts" in item and not is_tombstone(item)


def body_parts_prefix(item: Mapping[str, Any]) -> str:
    return keys.body_parts_prefix(str(item["body_gen"]))


def article_from_items(
    record: Mapping[str, Any], parts: Iterable[Mapping[str, Any]] = ()
) -> Article:
    """A record item (and its body parts, in SK order, when it has them) -> the Article."""
    if is_tombstone(record):
        raise ValueError("a tombstone holds no article")
    data = {name: value for name, value in record.items() if name not in _RECORD_META}
    if "body" in record:
        data["body"] = record["body"]
    elif "body_z" in record:
        data["body"] = json.loads(zlib.decompress(record["body_z"]))
    elif "body_parts" in record:
        chunks = [bytes(part["data"]) for part in parts]
        if len(chunks) != int(record["body_parts"]):
            raise ValueError(f"article {record.get('id')}: body parts missing")
        data["body"] = json.loads(zlib.decompress(b"".join(chunks)))
    else:
        data["body"] = []
    return Article.model_validate(data)


def tombstone_item(
    article_id: str,
    *,
    object_key: str,
    removed_at: datetime,
    sequencer: str | None,
    version: int,
) -> Item:
    expires = removed_at + timedelta(days=TOMBSTONE_TTL_DAYS)
    item: Item = {
        "PK": keys.article_pk(article_id),
        "SK": keys.ARTICLE_SK,
        "entity": "article",
        "state": "removed",
        "id": article_id,
        "version": version,
        "object_key": object_key,
        "removed_at": keys.format_time(removed_at),
        "changed_at": keys.format_time(removed_at),
        "ttl": int(expires.timestamp()),
    }
    if sequencer:
        item["seq"] = keys.normalize_sequencer(sequencer)
    return item


def stored_version(item: Mapping[str, Any]) -> StoredVersion:
    """What ingestion needs of a stored record or tombstone (records from before versions
    count as version 0)."""
    removed = is_tombstone(item)
    ingested = item.get("ingested_at")
    return StoredVersion(
        article_id=str(item["id"]),
        version=int(item.get("version", 0)),
        removed=removed,
        content_hash=None if removed else item.get("content_hash"),
        ingested_at=_parse_time(ingested) if ingested and not removed else None,
        sequencer=item.get("seq"),
        body_generation=None if removed else item.get("body_gen"),
    )


def record_image(item: Mapping[str, Any]) -> RecordImage:
    """A record or tombstone item as the stream shows it -> what the projector derives from.

    The body is not decoded: listings, lookups and events carry the summary fields only.
    """
    summary = None if is_tombstone(item) else summary_from_item(item)
    sort_at = item.get("sort_at")
    return RecordImage(
        article_id=str(item["id"]),
        version=int(item.get("version", 0)),
        changed_at=_parse_time(str(item["changed_at"])),
        summary=summary,
        sort_at=_parse_time(sort_at) if summary and sort_at else None,
        author_bio=item.get("author_bio") if summary else None,
    )


# ----------------------------------------------------------------- change feed


def change_item(image: RecordImage) -> Item:
    """The article's entry in the change feed (one per article: its latest change)."""
    return {
        "PK": keys.article_pk(image.article_id),
        "SK": keys.CHANGE_SK,
        "GSI2PK": keys.changes_partition(keys.month_of(image.changed_at)),
        "GSI2SK": keys.change_sort_key(image.changed_at, image.article_id),
        "entity": "change",
        "id": image.article_id,
        "change": "removed" if image.summary is None else "updated",
        "changed_at": keys.format_time(image.changed_at),
        "version": image.version,
    }


def change_from_item(item: Mapping[str, Any]) -> Change:
    """A change feed item -> the Change entry."""
    version = item.get("version")
    return Change(
        id=item["id"],
        change=item["change"],
        at=_parse_time(item["changed_at"]),
        version=int(version) if version is not None else None,
    )


# ----------------------------------------------------------------- headline lookup

_NON_WORD = re.compile(r"[^\w]+")


def normalize_headline(headline: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to resolve "Read more" links."""
    text = unicodedata.normalize("NFKD", headline.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", text).split())


def headline_item(summary: ArticleSummary, *, version: int) -> Item:
    return {
        "PK": keys.article_pk(summary.id),
        "SK": keys.HEADLINE_SK,
        "GSI2PK": keys.headline_pk(normalize_headline(summary.headline)),
        "GSI2SK": summary.id,
        "entity": "headline",
        "id": summary.id,
        "version": version,
    }


# ----------------------------------------------------------------- projection state


def projection_item(state: ProjectionState) -> Item:
    return {
        "PK": keys.article_pk(state.article_id),
        "SK": keys.PROJECTION_SK,
        "entity": "projection",
        "id": state.article_id,
        "version": state.version,
        "active": state.active,
        "listings": list(state.listings),
    }


def projection_from_item(item: Mapping[str, Any]) -> ProjectionState:
    return ProjectionState(
        article_id=str(item["id"]),
        version=int(item["version"]),
        active=bool(item.get("active")),
        listings=tuple(item.get("listings") or ()),
    )


# ----------------------------------------------------------------- registries


def author_from_item(item: Mapping[str, Any]) -> AuthorProfile:
    return AuthorProfile(
        slug=item["SK"],
        name=item.get("name") or item["SK"],
        article_count=int(item.get("article_count", 0)),
        bio=item.get("bio"),
    )


def section_from_item(item: Mapping[str, Any]) -> SectionInfo:
    return SectionInfo(
        slug=item["SK"],
        name=item.get("name") or item["SK"],
        article_count=int(item.get("article_count", 0)),
    )


def tag_from_item(item: Mapping[str, Any]) -> TagInfo:
    return TagInfo(slug=item["SK"], article_count=int(item.get("article_count", 0)))


# ----------------------------------------------------------------- ingestions


def ingestion_item(ingestion: Ingestion) -> Item:
    item: Item = {
        "PK": keys.object_pk(ingestion.key),
        "SK": keys.INGESTION_SK,
        "entity": "ingestion",
        "key": ingestion.key,
        "bucket": ingestion.bucket,
        "status": ingestion.status,
        "article_ids": list(ingestion.article_ids),
        "code": ingestion.code,
        "message": ingestion.message,
        "sequencer": ingestion.sequencer,
        "version_id": ingestion.version_id,
        "at": keys.format_time(ingestion.at),
    }
    if ingestion.sequencer:
        item["seq"] = keys.normalize_sequencer(ingestion.sequencer)
    item["GSI1PK"] = keys.ingestions_partition(keys.month_of(ingestion.at))
    item["GSI1SK"] = keys.failed_sort_key(ingestion.at, ingestion.key)
    if ingestion.status == "failed":
        item["GSI2PK"] = keys.FAILED_PK
        item["GSI2SK"] = keys.failed_sort_key(ingestion.at, ingestion.key)
    return item


def ingestion_from_item(item: Mapping[str, Any]) -> Ingestion:
    status: IngestionStatus = item["status"]
    return Ingestion(
        key=item["key"],
        bucket=item.get("bucket"),
        status=status,
        article_ids=list(item.get("article_ids") or []),
        code=item.get("code"),
        message=item.get("message"),
        sequencer=item.get("sequencer"),
        version_id=item.get("version_id"),
        at=_parse_time(item["at"]),
    )


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
