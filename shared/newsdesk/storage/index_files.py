"""The search index file in S3: download when its ETag changed, upload only over the version read.

Uploads are conditional (If-Match on the ETag that was read, If-None-Match for the first one),
so two writers can never silently overwrite each other: the loser gets ConcurrentUpdateError,
reads the new version and applies its changes again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import ConcurrentUpdateError
from newsdesk.storage.failures import error_code, translate

if TYPE_CHECKING:
    from newsdesk.settings import Settings

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_NOT_MODIFIED = frozenset({"304", "NotModified"})
# 412: the ETag no longer matches; 409: another conditional write to the key is in flight.
_LOST_RACE = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})


@dataclass(frozen=True)
class Download:
    etag: str
    changed: bool  # False: the local copy already was this version (nothing was transferred)
    size: int


class IndexFileStore:
    """One object (the index file) of one bucket."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self._client = client
        self.bucket = bucket
        self.key = key

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def etag(self) -> str | None:
        """The current version's ETag; None when there is no index yet."""
        try:
            response = self._client.head_object(Bucket=self.bucket, Key=self.key)
        except ClientError as error:
            if error_code(error) in _MISSING:
                return None
            raise translate(error, f"head {self.where}") from error
        except BotoCoreError as error:
            raise translate(error, f"head {self.where}") from error
        return str(response["ETag"])

    def download(self, path: Path, *, known_etag: str | None = None) -> Download | None:
        """Fetch the file to path (atomically replaced) unless `known_etag` is still current.

        None when there is no index object yet.
        """
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if known_etag and path.exists():
            params["IfNoneMatch"] = known_etag
        try:
            response = self._client.get_object(**params)
        except ClientError as error:
            code = error_code(error)
            if code in _NOT_MODIFIED and known_etag:
                return Download(etag=known_etag, changed=False, size=path.stat().st_size)
            if code in _MISSING:
                return None
            raise translate(error, f"get {self.where}") from error
        except BotoCoreError as error:
            raise translate(error, f"get {self.where}") from error
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".download-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(response["Body"], out, length=1024 * 1024)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Download(etag=str(response["ETag"]), changed=True, size=path.stat().st_size)

    def upload(self, path: Path, *, replacing: str | None) -> str:
        """Put the file as the new version if the current one is still `replacing` (None: if
        there is none yet); return the new ETag. ConcurrentUpdateError when it changed."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if replacing:
            params["IfMatch"] = replacing
        else:
            params["IfNoneMatch"] = "*"
        try:
            with path.open("rb") as body:
                response = self._client.put_object(
                    Body=body, ContentType="application/vnd.sqlite3", **params
                )
        except ClientError as error:
            if error_code(error) in _LOST_RACE:
                raise ConcurrentUpdateError(
                    f"{self.where} changed since it was read (ETag {replacing})"
                ) from error
            if replacing and error_code(error) in _MISSING:
                raise ConcurrentUpdateError(
                    f"{self.where} was deleted since it was read"
                ) from error
            raise translate(error, f"put {self.where}") from error
        except BotoCoreError as error:
            raise translate(error, f"put {self.where}") from error
        return str(response["ETag"])


def open_index_files(settings: Settings) -> IndexFileStore:
    """The index object of the configured bucket, on a new S3 client."""
    import boto3

    client = boto3.client("s3", region_name=settings.region)
    return IndexFileStore(client, settings.bucket_name, settings.search_index_key)
