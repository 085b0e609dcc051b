"""The one exception hierarchy of newsdesk; every layer raises these, the API maps them to HTTP."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""


class ParseError(NewsdeskError):
    """A file cannot become an article. Deterministic: retrying the same bytes fails the same way.

    `code` is machine-readable and stable: empty, binary, too_large, undecodable, no_body,
    invalid_json, invalid_front_matter, unsupported_format, no_headline, ...
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFoundError(NewsdeskError):
    """The requested resource does not exist (HTTP 404)."""


class GoneError(NewsdeskError):
    """The requested article existed and was removed (HTTP 410)."""


class InvalidRequestError(NewsdeskError):
    """A client sent a parameter the service cannot use (HTTP 400), e.g. a tampered cursor."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class StorageError(NewsdeskError):
    """A storage call failed for a reason that retrying will not fix.

    `code` is machine-readable (what a failed ingestion records): item_too_large,
    key_too_long, item_collection_full, storage_rejected.
    """

    def __init__(self, message: str, *, code: str = "storage_rejected") -> None:
        super().__init__(message)
        self.code = code


class TransientError(NewsdeskError):
    """A storage call failed for a reason that may pass (throttling, timeouts); retry later."""


class StaleEventError(NewsdeskError):
    """An event is older than what is already stored for its key (by S3 sequencer); a no-op."""


class ConcurrentUpdateError(NewsdeskError):
    """A conditional write lost a race (the object changed since it was read): read, retry."""
