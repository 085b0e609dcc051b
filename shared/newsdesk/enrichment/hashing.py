"""Identity and change detection: the article id and the content hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# json.dumps with options builds a new encoder on every call; one is enough.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
# The same with ensure_ascii: its C string escaper is about twice as fast on ASCII text, and
# where it writes no "\u" escape its output is the canonical JSON to the byte (below U+0080
# the two differ only in DEL, which it writes as "\u007f").
_ASCII_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def article_id(identity: str) -> str:
    """16 hex chars of sha256 of the identity ("s3://bucket/key", or a path for the CLI)."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of a canonical JSON of the parsed content: the same content, the same hash.

    The canonical JSON is json.dumps(content, sort_keys=True, ensure_ascii=False,
    separators=(",", ":")), UTF-8 encoded; stored records compare hashes, so it never changes.
    """
    canonical = None
    body = content.get("body")
    # A body of non-ASCII text (most of the content) goes straight to the canonical encoder.
    if not isinstance(body, list) or all(isinstance(p, str) and p.isascii() for p in body):
        canonical = _ASCII_JSON.encode(content)
        if "\\u" in canonical:  # a character escaped (or a backslash before "u"): not plain
            canonical = None
    if canonical is None:
        canonical = _CANONICAL_JSON.encode(content)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
