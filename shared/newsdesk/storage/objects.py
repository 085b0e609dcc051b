"""Reads uploaded article files from S3: a HEAD first (size check before download), then GET."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import NotFoundError
from newsdesk.storage.failures import error_code, translate

_MISSING = frozenset({"NoSuchKey", "404", "NotFound", "NoSuchVersion", "NoSuchBucket"})


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    size: int
    etag: str | None
    version_id: str | None
    content_type: str | None


class ObjectStore:
    """S3 objects of one client; NotFoundError when the object (or version) is gone."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        """The S3 client the store was given (e.g. to hook its events)."""
        return self._client

    def head(self, bucket: str, key: str, *, version_id: str | None = None) -> ObjectInfo:
        params = _params(bucket, key, version_id)
        try:
            response = self._client.head_object(**params)
        except ClientError as error:
            raise _object_error(error, f"head s3://{bucket}/{key}") from error
        except BotoCoreError as error:
            raise translate(error, f"head s3://{bucket}/{key}") from error
        return _info(bucket, key, response)

    def get(
        self, bucket: str, key: str, *, version_id: str | None = None
    ) -> tuple[ObjectInfo, bytes]:
        params = _params(bucket, key, version_id)
        action = f"get s3://{bucket}/{key}"
        try:
            response = self._client.get_object(**params)
            data: bytes = response["Body"].read()
        except ClientError as error:
            raise _object_error(error, action) from error
        except BotoCoreError as error:
            raise translate(error, action) from error
        return _info(bucket, key, response), data


def _params(bucket: str, key: str, version_id: str | None) -> dict[str, str]:
    params = {"Bucket": bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    return params


def _object_error(error: ClientError, action: str) -> Exception:
    if error_code(error) in _MISSING:
        return NotFoundError(f"{action}: no such object")
    return translate(error, action)


def _info(bucket: str, key: str, response: dict[str, Any]) -> ObjectInfo:
    etag = response.get("ETag")
    return ObjectInfo(
        bucket=bucket,
        key=key,
        size=int(response.get("ContentLength", 0)),
        etag=etag.strip('"') if etag else None,
        version_id=response.get("VersionId"),
        content_type=response.get("ContentType"),
    )
