"""The single-table layout: the only place that knows how keys are spelled (DESIGN.md section 6).

Item collection of one article (PK = "ART#<id>"):
  SK "A"                 the record (or its tombstone once removed); GSI2 = CHANGES / <updated_at>#<id>
  SK "L#<listing>"       one listing item per listing the article is in, with the summary fields;
                         GSI1PK = <listing>, GSI1SK = <sort_at>#<id>   (newest first = descending)
                         listing: "feed", "section#<slug>", "author#<slug>", "tag#<slug>",
                         "lang#<code>"
  SK "H"                 headline lookup; GSI2 = HEADLINE#<normalized headline> / <id>
Registries (PK = "REG#author" | "REG#section" | "REG#tag", SK = <slug>): name, count, bio.
Ingestion of one S3 key (PK = "OBJ#<key>", SK = "I"): status, sequencer, article ids, error;
  while failed also GSI2 = INGEST#failed / <at>#<key>.
<sort_at> is published_at when the file states it, else ingested_at (RFC 3339 UTC, "Z").
"""

from __future__ import annotations

ARTICLE_SK = "A"
HEADLINE_SK = "H"
LISTING_SK_PREFIX = "L#"
INGESTION_SK = "I"
CHANGES_PK = "CHANGES"
FAILED_PK = "INGEST#failed"
GSI_LISTINGS = "GSI1"
GSI_LOOKUPS = "GSI2"


def article_pk(article_id: str) -> str:
    return f"ART#{article_id}"


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


def registry_pk(kind: str) -> str:
    return f"REG#{kind}"


def headline_pk(normalized: str) -> str:
    return f"HEADLINE#{normalized}"


def object_pk(key: str) -> str:
    return f"OBJ#{key}"
