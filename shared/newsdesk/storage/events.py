"""Change events to the EventBridge bus (DESIGN §11): one per article change, never the body."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsdesk.errors import StorageError, TransientError
from newsdesk.models import ArticleEvent
from newsdesk.storage.failures import translate

EVENT_SOURCE = "newsdesk"
# PutEvents takes at most 10 entries and 256 KB per request; one entry is at most 256 KB.
_ENTRIES_PER_REQUEST = 10
MAX_ENTRY_BYTES = 256 * 1024


class EventPublisher:
    """Puts article events on one bus; a rejected entry fails the call (the batch is retried,
    and consumers dedupe by (id, version))."""

    def __init__(self, client: Any, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    @property
    def client(self) -> Any:
        """The EventBridge client the publisher was given (e.g. to hook its events)."""
        return self._client

    def publish(self, events: Sequence[ArticleEvent]) -> None:
        entries = [self._entry(event) for event in events]
        for start in range(0, len(entries), _ENTRIES_PER_REQUEST):
            chunk = entries[start : start + _ENTRIES_PER_REQUEST]
            try:
                response = self._client.put_events(Entries=chunk)
            except (ClientError, BotoCoreError) as error:
                raise translate(error, "publish article events") from error
            failed = int(response.get("FailedEntryCount", 0))
            if failed:
                codes = sorted(
                    {str(entry.get("ErrorCode")) for entry in response.get("Entries", [])}
                    - {"None"}
                )
                rejected = f"{failed} of {len(chunk)} rejected ({', '.join(codes)})"
                raise TransientError(f"publish article events: {rejected}")

    def _entry(self, event: ArticleEvent) -> dict[str, Any]:
        detail = json.dumps(event.detail(), ensure_ascii=False, separators=(",", ":"))
        if len(detail.encode()) > MAX_ENTRY_BYTES:
            raise StorageError(f"event for article {event.article_id} exceeds 256 KB")
        return {
            "Source": EVENT_SOURCE,
            "DetailType": event.detail_type,
            "Detail": detail,
            "EventBusName": self._bus,
            "Time": event.changed_at,
        }
