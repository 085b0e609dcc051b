"""The single-table layout: the only place that knows how keys are spelled (DESIGN.md section 6).

Item collection of one article (PK = "ART#<id>"):
  SK "A"                 the record, or its tombstone once removed (see below).
                         GSI2PK = "CHANGES", GSI2SK = <changed_at>#<id>   (change feed: one entry
                         per article, its latest change; `change` = "updated" | "removed")
  SK "B#<gen>#<nnnn>"    body parts of a very large article (only when the zlib-compressed body
                         exceeds BODY_COMPRESSED_LIMIT): `data` (B) = consecutive slices of the
                         compressed JSON list of paragraphs; <gen> = first 12 hex chars of the
                         content_hash, so readers never mix parts of two versions.
  SK "L#<listing>"       one listing item per listing the article is in, with the summary fields;
                         GSI1PK = <listing>, GSI1SK = <sort_at>#<id>   (newest first: descending)
                         listing: "feed", "section#<slug>", "author#<slug>", "tag#<slug>",
                         "lang#<code>"
  SK "H"                 headline lookup; GSI2PK = HEADLINE#<normalized headline>, GSI2SK = <id>
Registries (PK = "REG#author" | "REG#section" | "REG#tag", SK = <slug>): name, article_count
  (kept by ADD on add/move/remove; entries at 0 are kept, readers skip them), bio (authors:
  the latest stored article's author_bio, when it names exactly one author).
Ingestion of one S3 key (PK = "OBJ#<key>", SK = "I"): status, sequencer (+ `seq`, its padded
  form), article ids, code/message when failed, at; while failed also
  GSI2PK = "INGEST#failed", GSI2SK = <at>#<key>.

Item shapes (attribute names; the encoders/decoders live in newsdesk.storage.items):
  record  "A":  entity="article", state="active", every Article field as a native attribute
                (datetimes as RFC 3339 strings, authors/related/source as lists/maps), except
                that a large body is not inline: `body` (L of S) when its JSON is at most
                BODY_INLINE_LIMIT bytes, else `body_z` (B, zlib of the JSON list), else
                `body_parts` (N) + `body_gen` (S) and the "B#" part items. Plus `sort_at`,
                `seq`, `object_key`, `change`, `changed_at` and the GSI2 change-feed keys.
  tombstone "A": entity="article", state="removed", id, object_key, removed_at, seq, change,
                changed_at, ttl (epoch seconds, TOMBSTONE_TTL_DAYS after removal), GSI2 keys.
  listing "L#": entity="listing", listing, the SUMMARY_FIELDS as native attributes, sort_at,
                GSI1 keys.
  headline "H": entity="headline", id, headline, GSI2 keys.
Reading one article: GetItem(PK, "A"); only when the record has `body_parts`, one more request,
  Query(PK, begins_with(SK, "B#<body_gen>#")). A list page: one Query on GSI1 (listing items
  carry the summary fields). Writing one article: one TransactWriteItems (record, listing
  puts/deletes, headline, registry ADDs, ingestion item with the sequencer condition).
<sort_at>/<changed_at>/<at> in keys use `format_time` (fixed width, so strings sort as times):
  "YYYY-MM-DDTHH:MM:SS.ffffffZ". <sort_at> is published_at when the file states it, else
  ingested_at.
"""

from __future__ import annotations

from datetime import UTC, datetime

ARTICLE_SK = "A"
HEADLINE_SK = "H"
LISTING_SK_PREFIX = "L#"
BODY_SK_PREFIX = "B#"
INGESTION_SK = "I"
CHANGES_PK = "CHANGES"
FAILED_PK = "INGEST#failed"
GSI_LISTINGS = "GSI1"
GSI_LOOKUPS = "GSI2"
REGISTRY_KINDS = ("author", "section", "tag")
# S3 sequencers are hex strings of varying length; AWS: right-pad the shorter with zeros, then
# compare lexicographically. Stored padded to this width so DynamoDB conditions can compare.
SEQUENCER_WIDTH = 64


def article_pk(article_id: str) -> str:
    return f"ART#{article_id}"


def body_part_sk(generation: str, index: int) -> str:
    return f"{BODY_SK_PREFIX}{generation}#{index:04d}"


def body_parts_prefix(generation: str) -> str:
    return f"{BODY_SK_PREFIX}{generation}#"


def listing_feed() -> str:
    return "feed"


def listing_section(slug: str) -> str:
    return f"section#{slug}"


def listing_author(slug: str) -> str:
    return f"author#{slug}"


def listing_tag(slug: str) -> str:
    return f"tag#{slug}"


def listing_lang(code: str) -> str:
    return f"lang#{code}"


def listing_sk(listing: str) -> str:
    return f"{LISTING_SK_PREFIX}{listing}"


def listing_sort_key(sort_at: datetime, article_id: str) -> str:
    return f"{format_time(sort_at)}#{article_id}"


def registry_pk(kind: str) -> str:
    return f"REG#{kind}"


def headline_pk(normalized: str) -> str:
    return f"HEADLINE#{normalized}"


def change_sort_key(changed_at: datetime, article_id: str) -> str:
    return f"{format_time(changed_at)}#{article_id}"


def object_pk(key: str) -> str:
    return f"OBJ#{key}"


def failed_sort_key(at: datetime, key: str) -> str:
    return f"{format_time(at)}#{key}"


def format_time(moment: datetime) -> str:
    """Fixed-width UTC time for sort keys (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize_sequencer(sequencer: str) -> str:
    """The sequencer in a form whose string order is event order (for one key).

    S3 sequencers are hex of varying length: right-padded with zeros to one width, upper case.
    """
    value = sequencer.strip().upper()
    return value.ljust(max(SEQUENCER_WIDTH, len(value)), "0")
