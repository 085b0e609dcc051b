"""Turns botocore failures into newsdesk errors: transient ones are retried, the rest are not."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from newsdesk.errors import NewsdeskError, StorageError, TransientError

TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalServerError",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "ThrottlingError",
        "TransactionConflict",
        "ProvisionedThroughputExceeded",
    }
)

_NETWORK_ERRORS = (
    ConnectTimeoutError,
    ReadTimeoutError,
    EndpointConnectionError,
    ConnectionClosedError,
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_transient(error: ClientError) -> bool:
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return error_code(error) in TRANSIENT_CODES or status >= 500


def cancellation_codes(error: ClientError) -> list[str]:
    """Per-action codes of a TransactionCanceledException ("None" for actions that were fine)."""
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "None")) for reason in reasons]


def translate(error: Exception, action: str) -> NewsdeskError:
    """The newsdesk error for a failed AWS call; `action` says what was attempted (for logs)."""
    if isinstance(error, ClientError):
        code = error_code(error)
        if code == "TransactionCanceledException":
            reasons = [reason for reason in cancellation_codes(error) if reason != "None"]
            if reasons and all(reason in TRANSIENT_CODES for reason in reasons):
                return TransientError(f"{action}: transaction cancelled ({', '.join(reasons)})")
            return StorageError(f"{action}: transaction cancelled ({', '.join(reasons)})")
        if is_transient(error):
            return TransientError(f"{action}: {code}")
        return StorageError(f"{action}: {code or 'client error'}")
    if isinstance(error, _NETWORK_ERRORS):
        return TransientError(f"{action}: {type(error).__name__}")
    if isinstance(error, BotoCoreError):
        return StorageError(f"{action}: {type(error).__name__}")
    return StorageError(f"{action}: {error}")
