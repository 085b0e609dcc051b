"""Updates and removals as the API shows them: 410 Gone, the change feed, listings and ETags.

A small corpus of its own (this module changes and deletes objects), ingested through the
real ingest path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.integration.api_support import Stack, Upload, running_stack

NAMES = [f"feed/story-{n}.json" for n in range(5)]


def story(number: int, *, revision: int = 0) -> Upload:
    document = {
        "headline": f"Story {number} about the ferry timetable",
        "section": "Transport",
        "authors": ["Ines Duarte"],
        "published_at": f"2025-03-0{number + 1}T10:00:00Z",
        "body": [
            f"The ferry timetable changes again next month, story {number} reports, revision "
            f"{revision}, after complaints from commuters on both banks of the river.",
            "The operator says the new times match the trains better; commuters are not sure.",
        ],
        "keywords": ["ferry"],
    }
    return Upload(key=NAMES[number], data=json.dumps(document).encode())


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        running.upload([story(n) for n in range(len(NAMES))])
        yield running


def changes(stack: Stack, since: str, limit: int = 100) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"since": since, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        stack.counter.reset()
        response = stack.get("/changes", params)
        assert response.status == 200, response.raw_body
        # One Query per month the page crosses (all changes here are this month), and the
        # month index once per instance.
        assert stack.counter.calls["Query"] == 1 and stack.counter.calls["GetItem"] <= 1
        found += response.json["items"]
        cursor = response.json["next_cursor"]
        if not cursor:
            return found


def feed_ids(stack: Stack, params: dict[str, str] | None = None) -> list[str]:
    return [item["id"] for item in stack.get("/articles", params or {}).json["items"]]


def test_updates_and_removals_show_in_the_feed_listings_and_change_feed(stack: Stack) -> None:
    # Given five stored stories and a moment after they were ingested
    updated, removed, untouched = (stack.id_of(NAMES[n]) for n in (1, 3, 4))
    before = stack.get(f"/articles/{updated}")
    old_etag = before.headers["ETag"]
    since = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    assert len(changes(stack, "2000-01-01")) == 5

    # When one story is revised, one removed and one re-uploaded unchanged
    stack.upload([story(1, revision=1), story(4)])
    stack.delete(NAMES[3])

    # Then the change feed since that moment reports exactly the update and the removal, in order
    feed = changes(stack, since)
    assert [(item["id"], item["change"]) for item in feed] == [
        (updated, "updated"),
        (removed, "removed"),
    ]
    assert feed[0]["at"] <= feed[1]["at"]
    assert changes(stack, since, limit=1) == feed
    everything = changes(stack, "2000-01-01")
    assert {item["id"]: item["change"] for item in everything}[removed] == "removed"
    assert len(everything) == 5
    assert untouched not in [item["id"] for item in feed]

    # And the removed story answers 410 and has left every listing and count
    gone = stack.get(f"/articles/{removed}")
    assert gone.status == 410
    assert gone.headers["Content-Type"] == "application/problem+json"
    assert gone.json["status"] == 410
    assert stack.get(f"/articles/{removed}/related").status == 410
    assert removed not in feed_ids(stack)
    assert removed not in feed_ids(stack, {"author": "ines-duarte"})
    assert removed not in feed_ids(stack, {"section": "transport", "tag": "ferry"})
    assert stack.get("/authors/ines-duarte").json["article_count"] == 4
    assert stack.get("/sections/transport").json["article_count"] == 4

    # And the revised story has a new ETag: the old one no longer gives 304
    after = stack.get(f"/articles/{updated}", headers={"If-None-Match": old_etag})
    assert after.status == 200
    assert after.headers["ETag"] != old_etag
    assert "revision 1" in after.json["body"][0]
    assert (
        stack.get(f"/articles/{updated}", headers={"If-None-Match": after.headers["ETag"]}).status
        == 304
    )


def test_changes_needs_a_valid_since(stack: Stack) -> None:
    for params in ({}, {"since": "yesterday"}, {"since": "2025-01-01T10:00:00"}):
        response = stack.get("/changes", params)
        assert response.status == 400, params
        assert response.json["errors"][0]["parameter"] == "since"
