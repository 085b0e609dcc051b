"""Projection use case: article records from the table's stream -> derived views and events.

For each article in a stream batch only its newest version counts; a version at or below what
was already projected is skipped (replays, duplicates, reordering). Views are written first,
then the events are published, then the new states and registry counts are committed: a crash
anywhere repeats the batch, which rewrites the same views, may publish an event twice
(consumers dedupe by id and version), and counts every change exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from newsdesk.models import ArticleEvent, EventType, ProjectionState, RecordImage
from newsdesk.storage.projections import Commit


class ProjectionWriter(Protocol):
    def get_states(self, article_ids: Sequence[str]) -> dict[str, ProjectionState]: ...

    def write_views(
        self, changes: Sequence[tuple[RecordImage, ProjectionState | None]]
    ) -> list[Commit]: ...

    def add_months(self, images: Iterable[RecordImage]) -> None: ...

    def forget(self, image: RecordImage) -> None: ...

    def commit(self, commits: Sequence[Commit]) -> None: ...


class EventSink(Protocol):
    def publish(self, events: Sequence[ArticleEvent]) -> None: ...


@dataclass
class ProjectionReport:
    """What one batch did (for logs and metrics)."""

    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    events: list[ArticleEvent] = field(default_factory=list)


class ProjectionService:
    def __init__(self, *, store: ProjectionWriter, events: EventSink) -> None:
        self.store = store
        self.events = events

    def project(self, images: Sequence[RecordImage]) -> ProjectionReport:
        latest: dict[str, RecordImage] = {}
        for image in images:
            known = latest.get(image.article_id)
            if known is None or (image.version, image.expired) > (known.version, known.expired):
                latest[image.article_id] = image
        report = ProjectionReport()
        states = self.store.get_states(list(latest))
        changes: list[tuple[RecordImage, ProjectionState | None]] = []
        for image in latest.values():
            before = states.get(image.article_id)
            if image.expired:
                self.store.forget(image)
                continue
            if before is not None and before.version >= image.version:
                report.skipped.append(image.article_id)
                continue
            changes.append((image, before))
            event = _event(image, before)
            if event is not None:
                report.events.append(event)
            report.applied.append(image.article_id)
        commits = self.store.write_views(changes)
        self.store.add_months(image for image, _ in changes)
        if report.events:
            self.events.publish(report.events)
        self.store.commit(commits)
        return report


def _event(image: RecordImage, before: ProjectionState | None) -> ArticleEvent | None:
    was_active = before is not None and before.active
    detail_type: EventType
    if image.summary is not None:
        detail_type = "Article Updated" if was_active else "Article Published"
    elif was_active:
        detail_type = "Article Removed"
    else:
        return None  # removed before it was ever projected: nothing to tell
    return ArticleEvent(
        detail_type=detail_type,
        article_id=image.article_id,
        version=image.version,
        changed_at=image.changed_at,
        summary=image.summary,
    )
