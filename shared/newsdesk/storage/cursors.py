"""Opaque list cursors: a DynamoDB LastEvaluatedKey bound to its query and signed (HMAC-SHA256).

A client can only hand back a cursor this service issued for the same query: anything else
(garbage, tampered, oversized, or issued for another listing or filter) is an
InvalidRequestError, which the API answers with 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import zlib
from typing import Any

from newsdesk.errors import InvalidRequestError

MAX_CURSOR_CHARS = 1024
_MAC_BYTES = 16
_QUERY_ID_BYTES = 12
# Every key attribute of the table and its indexes is a string; nothing else may be in a cursor
# but BUCKET: the month partition ("YYYY-MM") a list of a month-bucketed listing continues in.
BUCKET = "M"
_KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", BUCKET})
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MAX_KEY_VALUE_CHARS = 300
_MAX_PAYLOAD_BYTES = 4096


def query_id(*parts: object) -> str:
    """A short, stable fingerprint of a query (index, key condition and filter values)."""
    canonical = json.dumps(parts, separators=(",", ":"), sort_keys=True, default=str)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()[:_QUERY_ID_BYTES]
    return _b64encode(digest)


def encode_cursor(last_key: dict[str, Any], *, query: str, secret: str) -> str:
    """The opaque cursor for the page after `last_key` of the query fingerprinted `query`."""
    payload = json.dumps({"q": query, "k": last_key}, separators=(",", ":"), sort_keys=True)
    # Compressed: shorter, and the key layout is not readable at a glance (the MAC protects it).
    body = _b64encode(zlib.compress(payload.encode("utf-8"), 9))
    return f"{body}.{_b64encode(_mac(body, secret))}"


def decode_cursor(cursor: str, *, query: str, secret: str) -> dict[str, str]:
    """The ExclusiveStartKey a cursor stands for; InvalidRequestError unless ours, for `query`."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise _invalid("the cursor is too long")
    if not cursor.isascii():
        raise _invalid("the cursor is malformed")
    body, dot, signature = cursor.partition(".")
    if not dot or not body or not signature:
        raise _invalid("the cursor is malformed")
    try:
        given_mac = _b64decode(signature)
    except ValueError:
        raise _invalid("the cursor is malformed") from None
    # Compare the canonical text too: base64's spare bits would let two texts decode alike.
    if _b64encode(given_mac) != signature or not hmac.compare_digest(given_mac, _mac(body, secret)):
        raise _invalid("the cursor is not valid (tampered with or from another deployment)")
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(_b64decode(body), _MAX_PAYLOAD_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError("payload too large")
        payload = json.loads(text)
    except (ValueError, UnicodeDecodeError, zlib.error):
        raise _invalid("the cursor is malformed") from None
    if not isinstance(payload, dict) or payload.get("q") != query:
        raise _invalid("the cursor belongs to another query; repeat the same parameters")
    return _checked_key(payload.get("k"))


def encode_position(offset: int, *, query: str, secret: str) -> str:
    """The opaque cursor of a ranked list (search) that continues at `offset` of `query`."""
    payload = json.dumps({"q": query, "o": offset}, separators=(",", ":"), sort_keys=True)
    body = _b64encode(zlib.compress(payload.encode("utf-8"), 9))
    return f"{body}.{_b64encode(_mac(body, secret))}"


def decode_position(cursor: str, *, query: str, secret: str, max_offset: int) -> int:
    """The offset a position cursor stands for; InvalidRequestError unless ours, for `query`."""
    if len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise _invalid("the cursor is malformed")
    body, dot, signature = cursor.partition(".")
    try:
        given_mac = _b64decode(signature) if dot and body else b""
    except ValueError:
        given_mac = b""
    if not given_mac or _b64encode(given_mac) != signature:
        raise _invalid("the cursor is malformed")
    if not hmac.compare_digest(given_mac, _mac(body, secret)):
        raise _invalid("the cursor is not valid (tampered with or from another deployment)")
    try:
        inflater = zlib.decompressobj()
        payload = json.loads(inflater.decompress(_b64decode(body), _MAX_PAYLOAD_BYTES))
    except (ValueError, UnicodeDecodeError, zlib.error):
        raise _invalid("the cursor is malformed") from None
    if not isinstance(payload, dict) or payload.get("q") != query:
        raise _invalid("the cursor belongs to another query; repeat the same parameters")
    offset = payload.get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset <= max_offset:
        raise _invalid("the cursor is malformed")
    return offset


def _checked_key(key: object) -> dict[str, str]:
    if not isinstance(key, dict) or not key or not set(key) <= _KEY_ATTRIBUTES:
        raise _invalid("the cursor is malformed")
    for value in key.values():
        if not isinstance(value, str) or len(value) > _MAX_KEY_VALUE_CHARS:
            raise _invalid("the cursor is malformed")
    if BUCKET in key and not _MONTH.match(key[BUCKET]):
        raise _invalid("the cursor is malformed")
    return dict(key)


def _mac(body: str, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), body.encode("ascii"), hashlib.sha256).digest()[
        :_MAC_BYTES
    ]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def _invalid(message: str) -> InvalidRequestError:
    return InvalidRequestError(message, parameter="cursor")
