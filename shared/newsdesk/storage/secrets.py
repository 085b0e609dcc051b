"""Reads the secrets the functions need (the API's cursor-signing key) from Secrets Manager."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import StorageError
from newsdesk.storage.failures import translate

if TYPE_CHECKING:
    from newsdesk.settings import Settings

MAX_SECRET_CHARS = 4096
# Secret values by ARN: read once per container (cold start), then kept.
_read: dict[str, str] = {}
_lock = threading.Lock()


def get_cursor_secret(settings: Settings) -> str:
    """The key that signs cursors: CURSOR_SECRET if set, else the Secrets Manager secret
    CURSOR_SECRET_ARN names, read on first use and kept. StorageError if neither is set."""
    if settings.cursor_secret is not None:
        return settings.cursor_secret
    arn = settings.cursor_secret_arn
    if arn is None:
        raise StorageError("no cursor secret: set CURSOR_SECRET_ARN (the stack does)")
    with _lock:
        if arn not in _read:
            import boto3

            client = boto3.client("secretsmanager", region_name=settings.region)
            _read[arn] = read_secret(client, arn)
        return _read[arn]


def read_secret(client: Any, secret_id: str) -> str:
    """The secret string of `secret_id`; TransientError to retry, StorageError if unusable."""
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except (ClientError, BotoCoreError) as error:
        raise translate(error, "read the cursor secret") from error
    value = response.get("SecretString")
    if not isinstance(value, str) or not value or len(value) > MAX_SECRET_CHARS:
        raise StorageError("the cursor secret is empty, binary or over 4 KiB")
    return value


__all__ = ["get_cursor_secret", "read_secret"]
