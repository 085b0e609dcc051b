"""Articles for search tests, made the way ingestion makes them (parsed from JSON files)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsdesk.models import Article
from newsdesk.parsing import parse_article
from newsdesk.search.index import SearchIndex, Upsert

INGESTED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def article(name: str, headline: str, body: list[str], **fields: Any) -> Article:
    """An article parsed from a JSON file `name`.json, stamped as ingestion stamps it."""
    document = {"headline": headline, "body": body, "language": "en", **fields}
    parsed = parse_article(json.dumps(document).encode(), filename=f"{name}.json")
    return parsed.model_copy(update={"ingested_at": INGESTED, "updated_at": INGESTED})


def build_index(path: Path, articles: list[Article], version: str = "v1") -> SearchIndex:
    index = SearchIndex.create(path)
    index.apply(Upsert(item, version) for item in articles)
    return index
