"""200 uploads at once on `newsdesk dev`: every one listed once, counts that match the listings,
one Published event per article."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.integration.devstack import DevStack, running_stack, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 200
AUTHORS = ["Ines Vidal", "Seán O'Brien", "Renée D’Arcy-Smith", "Tom Fowdy", "Mei Lin"]
SECTIONS = ["Art & Design", "World", "C++ & Rust", "Science"]


def article(number: int) -> bytes:
    return (
        f"{SECTIONS[number % len(SECTIONS)]} | Harbour story number {number} of the load test\n\n"
        f"By {AUTHORS[number % len(AUTHORS)]}\n\n"
        f"The harbour council met for the {number}th time this year to discuss the ferries, "
        "the bridges and the winter timetable that commuters have asked about for months.\n\n"
        "Residents of the outer islands said the boats are their only way to school and work.\n"
    ).encode()


def pages(stack: DevStack, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        separator = "&" if "?" in path else "?"
        url = f"{path}{separator}limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = stack.get(url)
        assert status == 200, page
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_two_hundred_parallel_uploads_are_each_listed_counted_and_announced() -> None:
    with running_stack(ready_timeout=120) as stack:
        samples = len(pages(stack, "/articles"))
        s3 = stack.boto_client("s3")
        # When 200 files are uploaded at once
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(
                pool.map(
                    lambda n: s3.put_object(
                        Bucket="newsdesk-local", Key=f"incoming/load/{n:03d}.txt", Body=article(n)
                    ),
                    range(UPLOADS),
                )
            )
        # Then, once ingestion and the stream consumers settled, the feed holds each once
        wait_for(
            "200 more articles in the feed",
            lambda: len(pages(stack, "/articles")) == samples + UPLOADS,
            stack,
            timeout=240,
        )
        feed = pages(stack, "/articles")
        assert len({item["id"] for item in feed}) == samples + UPLOADS
        # And every author's and section's count is what its listing holds
        for kind, filter_name in (("authors", "author"), ("sections", "section")):
            for entry in pages(stack, f"/{kind}"):
                listed = pages(stack, f"/articles?{filter_name}={entry['slug']}")
                assert entry["article_count"] == len(listed), (kind, entry)
        # And the bus carried one Published event per article
        events = newsdesk_events(stack)
        published = Counter(
            event["detail"]["id"] for event in events if event["detail-type"] == "Article Published"
        )
        assert len(published) == samples + UPLOADS
        assert set(published.values()) == {1}


def newsdesk_events(stack: DevStack) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    command = ["events", "--json", "--endpoint-url", stack.endpoint_url]
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk_cli.main", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]
