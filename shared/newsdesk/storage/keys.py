"""The single-table layout: the only place that knows how keys are spelled (DESIGN.md section 6).

Written by ingestion (IngestFunction), one conditional PutItem each, no transaction:
  ART#<id> / "A"        the record, or its tombstone once removed. No index keys: no GSI copies
                        it. `version` (N) grows by 1 with every write of the item and each write
                        is conditional on the version it read; `seq` is the S3 sequencer of the
                        event that wrote it (an older event never overwrites a newer one).
  ART#<id> / "B#<gen>#<nnnn>"  body parts of a very large article (only when the zlib-compressed
                        body exceeds BODY_COMPRESSED_LIMIT): `data` (B) = consecutive slices of
                        the compressed JSON list of paragraphs; <gen> = first 12 hex chars of the
                        content_hash, so readers never mix parts of two versions.
  OBJ#<key> / "I"       ingestion of one S3 key: status, sequencer (+ `seq`, its padded form),
                        article ids, code/message when failed, object version, at;
                        GSI1PK = "INGESTIONS#<month of at>", GSI1SK = <at>#<key> (recent
                        ingestions, newest first); while failed also GSI2PK = "INGEST#failed",
                        GSI2SK = <at>#<key>.

Derived from the table's stream (ProjectorFunction), every item carrying the record `version`
it was built from (a write never replaces a newer version):
  ART#<id> / "P"        what the projector last applied for the article: version, state,
                        registry entries it counts in. Written in one transaction with the
                        registry counts it changes, so counts move exactly once per version.
  ART#<id> / "L#<listing>"  one listing item per listing, with the summary fields;
                        GSI1PK = <listing partition>, GSI1SK = <sort_at>#<id>  (newest first).
                        listing: "feed", "lang#<code>", "section#<slug>", "author#<slug>",
                        "tag#<slug>". Every article joins "feed" and a "lang#": their partitions
                        are bucketed by the month of sort_at ("feed#2026-12", "lang#en#2026-12").
  ART#<id> / "C"        the article's latest change: id, change, changed_at, version;
                        GSI2PK = "CHANGES#<month of changed_at>", GSI2SK = <changed_at>#<id>.
  ART#<id> / "H"        headline lookup; GSI2PK = HEADLINE#<normalized headline>, GSI2SK = <id>.
  REG#author | REG#section | REG#tag / <slug>   registries: name, article_count (ADD, once per
                        stream batch per entry; entries at 0 are kept, readers skip them), bio.
  BUCKETS / "feed" | "lang#<code>" | "changes"   `months` (SS): the months that hold items of a
                        bucketed partition, so readers page across months without probing.

No partition key is written by every article: the record, its listing items and its lookups
live in the article's own partition; the shared index partitions are per listing (feed,
language and recent ingestions per month); registry counters and bucket sets are written once
per stream batch.

<sort_at>/<changed_at>/<at> in keys use `format_time` (fixed width, so strings sort as times):
  "YYYY-MM-DDTHH:MM:SS.ffffffZ". <sort_at> is published_at when the file states it, else
  ingested_at. Months are "YYYY-MM".
"""

from __future__ import annotations

from datetime import UTC, datetime

ARTICLE_SK = "A"
PROJECTION_SK = "P"
CHANGE_SK = "C"
HEADLINE_SK = "H"
LISTING_SK_PREFIX = "L#"
BODY_SK_PREFIX = "B#"
INGESTION_SK = "I"
FAILED_PK = "INGEST#failed"
BUCKETS_PK = "BUCKETS"
CHANGES_BUCKETS = "changes"
GSI_LISTINGS = "GSI1"
GSI_LOOKUPS = "GSI2"
REGISTRY_KINDS = ("author", "section", "tag")
FEED = "feed"
# S3 sequencers are hex strings of varying length; AWS: right-pad the shorter with zeros, then
# compare lexicographically. Stored padded to this width so DynamoDB conditions can compare.
SEQUENCER_WIDTH = 64


def article_pk(article_id: str) -> str:
    return f"ART#{article_id}"


def body_part_sk(generation: str, index: int) -> str:
    return f"{BODY_SK_PREFIX}{generation}#{index:04d}"


def body_parts_prefix(generation: str) -> str:
    return f"{BODY_SK_PREFIX}{generation}#"


def listing_section(slug: str) -> str:
    return f"section#{slug}"


def listing_author(slug: str) -> str:
    return f"author#{slug}"


def listing_tag(slug: str) -> str:
    return f"tag#{slug}"


def listing_lang(code: str) -> str:
    return f"lang#{code}"


def is_bucketed(listing: str) -> bool:
    """Whether every article may join the listing, so its partition is split by month."""
    return listing == FEED or listing.startswith("lang#")


def listing_partition(listing: str, month: str) -> str:
    """The GSI1 partition that holds a listing's items of one month (or all, if not bucketed)."""
    return f"{listing}#{month}" if is_bucketed(listing) else listing


def listing_sk(listing: str) -> str:
    return f"{LISTING_SK_PREFIX}{listing}"


def listing_sort_key(sort_at: datetime, article_id: str) -> str:
    return f"{format_time(sort_at)}#{article_id}"


def registry_pk(kind: str) -> str:
    return f"REG#{kind}"


def headline_pk(normalized: str) -> str:
    return f"HEADLINE#{normalized}"


def changes_partition(month: str) -> str:
    return f"CHANGES#{month}"


def change_sort_key(changed_at: datetime, article_id: str) -> str:
    return f"{format_time(changed_at)}#{article_id}"


def object_pk(key: str) -> str:
    return f"OBJ#{key}"


def ingestions_partition(month: str) -> str:
    return f"INGESTIONS#{month}"


def failed_sort_key(at: datetime, key: str) -> str:
    return f"{format_time(at)}#{key}"


def format_time(moment: datetime) -> str:
    """Fixed-width UTC time for sort keys (naive datetimes are taken as UTC)."""
    moment = _utc(moment)
    # Not strftime: its %Y is not zero-padded for years before 1000 on every platform.
    return f"{moment.year:04d}-{moment.strftime('%m-%dT%H:%M:%S.%f')}Z"


def month_of(moment: datetime) -> str:
    """The bucket ("YYYY-MM", UTC) a time falls in."""
    moment = _utc(moment)
    return f"{moment.year:04d}-{moment.month:02d}"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalize_sequencer(sequencer: str) -> str:
    """The sequencer in a form whose string order is event order (for one key).

    S3 sequencers are hex of varying length: right-padded with zeros to one width, upper case.
    """
    value = sequencer.strip().upper()
    return value.ljust(max(SEQUENCER_WIDTH, len(value)), "0")
