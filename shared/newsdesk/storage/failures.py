"""Turns botocore failures into newsdesk errors: the one place that says what is retried.

TransientError (SQS or the stream retries; after the retries the message waits in a DLQ):
throttling, timeouts, service errors, transaction conflicts, and failures of the deployment
rather than of the input (access denied, a missing table or bus), which an operator fixes before
redriving. StorageError (recorded as a failed ingestion, never retried): what the input itself
makes impossible, such as an item or key over a DynamoDB limit.
"""

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
        # The deployment, not the input: fixed by an operator, then redriven from the DLQ.
        "AccessDenied",
        "AccessDeniedException",
        "403",  # S3 HEAD has no error body: botocore names the code after the status
        "Forbidden",
        "UnrecognizedClientException",
        "ExpiredTokenException",
        "ResourceNotFoundException",
        "KMSAccessDeniedException",
    }
)
# Permanent rejections caused by the data, by what DynamoDB's message says.
_REJECTIONS = (
    ("item size", "item_too_large"),
    ("size of hashkey", "key_too_long"),
    ("size of rangekey", "key_too_long"),
    ("size of all range keys", "key_too_long"),
    ("key size", "key_too_long"),
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


def _code(code: str, message: str) -> str:
    if code == "ItemCollectionSizeLimitExceededException":
        return "item_collection_full"
    lowered = message.lower()
    for fragment, rejection in _REJECTIONS:
        if fragment in lowered:
            return rejection
    return "storage_rejected"


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
        message = str(error.response.get("Error", {}).get("Message", ""))
        return StorageError(
            f"{action}: {code or 'client error'}: {message}"[:500], code=_code(code, message)
        )
    if isinstance(error, _NETWORK_ERRORS):
        return TransientError(f"{action}: {type(error).__name__}")
    if isinstance(error, BotoCoreError):
        return StorageError(f"{action}: {type(error).__name__}")
    return StorageError(f"{action}: {error}")
