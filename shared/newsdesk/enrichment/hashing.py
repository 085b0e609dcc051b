"""Identity and change detection: the article id and the content hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# json.dumps with options builds a new encoder on every call; one is enough.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def article_id(identity: str) -> str:
    """16 hex chars of sha256 of the identity ("s3://bucket/key", or a path for the CLI)."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of a canonical JSON of the parsed content: the same content, the same hash."""
    canonical = _CANONICAL_JSON.encode(content)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
