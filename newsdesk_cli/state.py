"""What `newsdesk dev` keeps across restarts: the uploaded files, in a folder (.newsdesk/).

moto holds everything in memory, so a restart (or a kill) would lose every upload. The local
stack mirrors each object under the incoming prefix into this folder as S3 stores it (the write
happens before S3 answers the upload), forgets it when it is deleted, and on the next start
uploads the files again, oldest first, so they are ingested through the normal path: the same
records, failed ingestions and listings come back (ingestion times are new; a deletion from
before the restart is forgotten with its object, so that id answers 404 instead of 410).

Layout: `objects/<sha256 of bucket/key>.body` (the bytes) and `.json` beside it (bucket, key,
content type, order). File names never come from the key, so no key can escape the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MARKER = "newsdesk-state.json"
FORMAT = 1


@dataclass(frozen=True)
class SavedObject:
    bucket: str
    key: str
    content_type: str | None
    path: Path
    order: int


class LocalState:
    """The folder of saved uploads. Safe to call from moto's request threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.objects = folder / "objects"
        self._lock = threading.Lock()

    @property
    def is_new(self) -> bool:
        """True until the folder has been used once (then the samples are not uploaded again)."""
        return not (self.folder / MARKER).is_file()

    def open(self) -> None:
        """Create the folder (and its marker) if needed."""
        self.objects.mkdir(parents=True, exist_ok=True)
        marker = self.folder / MARKER
        if not marker.is_file():
            marker.write_text(json.dumps({"format": FORMAT, "created": time.time()}) + "\n")

    def clear(self) -> None:
        """Forget every saved upload (`newsdesk dev --fresh`)."""
        with self._lock:
            for path in self.objects.glob("*"):
                path.unlink(missing_ok=True)
            (self.folder / MARKER).unlink(missing_ok=True)

    def save(self, bucket: str, key: str, data: bytes, content_type: str | None) -> None:
        """Keep the object's bytes (replacing an earlier version of the same key)."""
        stem = self._stem(bucket, key)
        meta = {
            "bucket": bucket,
            "key": key,
            "content_type": content_type,
            "order": time.time_ns(),
        }
        with self._lock:
            _write_atomically(self.objects / f"{stem}.body", data)
            _write_atomically(self.objects / f"{stem}.json", json.dumps(meta).encode())

    def remove(self, bucket: str, key: str) -> None:
        stem = self._stem(bucket, key)
        with self._lock:
            (self.objects / f"{stem}.json").unlink(missing_ok=True)
            (self.objects / f"{stem}.body").unlink(missing_ok=True)

    def saved(self) -> list[SavedObject]:
        """Every saved upload, oldest first; half-written entries are skipped."""
        return sorted(self._read_all(), key=lambda saved: saved.order)

    def _read_all(self) -> Iterator[SavedObject]:
        for meta_path in self.objects.glob("*.json"):
            body = meta_path.with_suffix(".body")
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if body.is_file() and isinstance(meta, dict) and {"bucket", "key"} <= set(meta):
                yield SavedObject(
                    bucket=str(meta["bucket"]),
                    key=str(meta["key"]),
                    content_type=meta.get("content_type"),
                    path=body,
                    order=int(meta.get("order", 0)),
                )

    @staticmethod
    def _stem(bucket: str, key: str) -> str:
        return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename it: a kill never leaves half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
