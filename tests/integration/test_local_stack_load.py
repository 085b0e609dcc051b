"""1,000 uploads at once on `newsdesk dev`, 5% bad files, 5% duplicates, 5% deleted right after
upload: once the queue and the stream are drained, the API's counts are exact and nothing is left
in flight or in a dead-letter queue.

Duplicates are the same bytes uploaded again under the same key (a pipeline that retries a
PUT): per DESIGN §5 the key's content is unchanged, so it stays one article and no second
"Article Published" is sent. (The same bytes under another key would be an article of its own:
ids derive from the S3 key, DESIGN §3.)
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from newsdesk_cli.localstack import article_id
from newsdesk_cli.stream_source import STREAM_CONSUMERS, stream_filter
from tests.integration.devstack import DevStack, running_stack, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "newsdesk-local"
PREFIX = "incoming/load/"
UPLOADS = 1000
UPLOAD_THREADS = 16
SHARE = 50  # 5% of UPLOADS each: bad files, duplicate uploads, deletions
GOOD = UPLOADS - 2 * SHARE  # distinct good keys (the duplicates re-upload SHARE of them)
AUTHORS = ["Ines Vidal", "Seán O'Brien", "Renée D’Arcy-Smith", "Tom Fowdy", "Mei Lin"]
SECTIONS = ["Art & Design", "World", "C++ & Rust", "Science"]
# A stream poller's line when it has caught up (newsdesk_cli.stream_source).
CAUGHT_UP = re.compile(r"stream  (\w+) caught up at (\d+) \(shard ")


def good_file(number: int) -> tuple[str, bytes]:
    """(extension, bytes) of one good article, in one of three formats."""
    section = SECTIONS[number % len(SECTIONS)]
    author = AUTHORS[number % len(AUTHORS)]
    headline = f"Harbour story number {number} of the load test"
    paragraphs = [
        f"The harbour council met for the {number}th time this year to discuss the ferries, "
        "the bridges and the winter timetable that commuters have asked about for months.",
        "Residents of the outer islands said the boats are their only way to school and work.",
    ]
    kind = number % 3
    if kind == 0:
        text = f"{section} | {headline}\n\nBy {author}\n\n" + "\n\n".join(paragraphs) + "\n"
        return ".txt", text.encode()
    if kind == 1:
        front = f"---\ntitle: {json.dumps(headline)}\nsection: {json.dumps(section)}\n"
        front += f"author: {json.dumps(author)}\n---\n\n"
        return ".md", (front + "\n\n".join(paragraphs) + "\n").encode()
    document = {"headline": headline, "section": section, "authors": [author], "body": paragraphs}
    return ".json", json.dumps(document, ensure_ascii=False).encode()


# Ten kinds of bad file, SHARE // 10 of each: (name suffix, bytes, the failure code expected).
BAD_FILES: list[tuple[str, bytes, str]] = [
    (".txt", b"", "empty"),
    (".txt", b"  \n\n\t \n", "empty"),
    (".txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    (".txt", b"harbour\x00ferry\x00" * 64, "binary"),
    (".txt", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 100, "binary"),
    (".json", b'{"headline": "Broken", "body": ["a paragraph"', "invalid_json"),
    (".jsonl", b'{"headline": "Fine", "body": "one line"}\nnot json at all\n', "invalid_json"),
    (".json", b"[" * 10_000 + b"]" * 10_000, "too_deep"),
    (
        ".md",
        b"---\ntitle: Never closed\nauthor: Someone\n\nThe body goes on.\n",
        "invalid_front_matter",
    ),
    (".json", json.dumps({"headline": "A headline and nothing else"}).encode(), "no_body"),
]


@dataclass(frozen=True)
class Plan:
    """What the test uploads: every key with its bytes, and which keys are special."""

    files: dict[str, bytes]
    bad: dict[str, str]  # key -> failure code expected
    duplicated: list[str]
    deleted: list[str]

    @property
    def live(self) -> set[str]:
        return set(self.files) - set(self.bad) - set(self.deleted)


def make_plan() -> Plan:
    files: dict[str, bytes] = {}
    bad: dict[str, str] = {}
    good_keys = []
    for number in range(GOOD):
        extension, data = good_file(number)
        key = f"{PREFIX}good/{number:04d}{extension}"
        files[key] = data
        good_keys.append(key)
    for number in range(SHARE):
        extension, data, code = BAD_FILES[number % len(BAD_FILES)]
        key = f"{PREFIX}bad/{number:03d}{extension}"
        files[key] = data
        bad[key] = code
    # Disjoint, spread over the good keys (and so over the three formats).
    chooser = random.Random(10)
    chosen = chooser.sample(good_keys, 2 * SHARE)
    return Plan(files, bad, duplicated=chosen[:SHARE], deleted=chosen[SHARE:])


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


def test_a_thousand_parallel_uploads_end_in_exact_counts_with_nothing_in_flight() -> None:
    plan = make_plan()
    begun = time.monotonic()
    with running_stack(ready_timeout=120) as stack:
        ready = time.monotonic() - begun
        samples = {item["id"] for item in pages(stack, "/articles")}
        # One connection per uploading thread.
        s3 = stack.boto_client("s3", Config(max_pool_connections=UPLOAD_THREADS))
        sqs = stack.boto_client("sqs")
        queues = sqs.list_queues()["QueueUrls"]
        ingest_queue = next(url for url in queues if url.endswith("/newsdesk-ingest"))
        # Every queue but the local event tap (which `newsdesk events` reads).
        drained_queues = [url for url in queues if not url.endswith("/newsdesk-events")]

        def upload(task: tuple[str, str]) -> None:
            action, key = task
            s3.put_object(Bucket=BUCKET, Key=key, Body=plan.files[key])
            if action == "put+delete":
                s3.delete_object(Bucket=BUCKET, Key=key)

        tasks = [("put+delete" if key in plan.deleted else "put", key) for key in plan.files]
        tasks += [("put", key) for key in plan.duplicated]  # the same bytes a second time
        random.Random(1000).shuffle(tasks)
        assert len(tasks) == UPLOADS

        # When 1,000 uploads arrive at once
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        time.sleep(1)  # the change feed's `since` has whole seconds
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
            list(pool.map(upload, tasks))
        uploaded = time.monotonic() - started

        # Then the ingest queue drains (nothing visible, nothing in flight)
        # (polled each second: moto counts a queue's messages one by one)
        wait_for(
            "the ingest queue to drain",
            lambda: queue_empty(sqs, ingest_queue),
            stack,
            timeout=600,
            interval=1.0,
        )
        ingested = time.monotonic() - started
        # And every stream consumer reads past the last stream record it accepts (the ingest
        # function writes the article records; no record a consumer accepts comes after it)
        last_accepted = last_accepted_records(stack)
        positions = wait_for(
            "the stream consumers",
            lambda: caught_up(stack, last_accepted),
            stack,
            timeout=300,
            interval=0.5,
        )
        drained = time.monotonic() - started
        assert last_accepted_records(stack) == last_accepted

        # And the feed holds exactly the live articles, each once
        feed = pages(stack, "/articles")
        listed = [item["id"] for item in feed]
        live_ids = {article_id(BUCKET, key) for key in plan.live}
        assert len(listed) == len(set(listed)) == len(samples) + len(live_ids)
        assert set(listed) == samples | live_ids

        # And every bad file is a failed ingestion with its code, and no other upload is
        failed = {
            item["key"]: item["code"]
            for item in pages(stack, "/ingestions?status=failed")
            if item["key"].startswith(PREFIX)
        }
        assert failed == plan.bad

        # And every file deleted right after upload is a tombstone: 410, in no listing
        deleted_ids = {article_id(BUCKET, key) for key in plan.deleted}
        gone = [stack.get(f"/articles/{deleted}")[0] == 410 for deleted in deleted_ids]
        assert sum(gone) == len(plan.deleted)
        # And the change feed reports exactly those removals, and every live article
        changes = pages(stack, f"/changes?since={since}")
        removed = {change["id"] for change in changes if change["change"] == "removed"}
        assert removed == deleted_ids
        assert {change["id"] for change in changes} - removed == live_ids

        # And every upload has its outcome: failed, removed, or stored (a duplicate: stored or
        # unchanged, by which of its two events came last)
        outcomes = {
            item["key"]: item["status"]
            for item in pages(stack, "/ingestions")
            if item["key"].startswith(PREFIX)
        }
        assert set(outcomes) == set(plan.files)
        for key, status in outcomes.items():
            expected = (
                {"failed"}
                if key in plan.bad
                else {"removed"}
                if key in plan.deleted
                else {"stored", "unchanged"}
                if key in plan.duplicated
                else {"stored"}
            )
            assert status in expected, (key, status)

        # And /authors and /sections count what the feed holds, and each one's listing agrees
        in_feed = {
            "authors": Counter(a["slug"] for item in feed for a in item["authors"]),
            "sections": Counter(_slug(item["section"]) for item in feed if item["section"]),
        }
        for kind, filter_name in (("authors", "author"), ("sections", "section")):
            entries = pages(stack, f"/{kind}")
            counted = {e["slug"]: e["article_count"] for e in entries if e["article_count"]}
            assert counted == in_feed[kind], kind
            # (one listing paged through: moto scans the whole table for every page)
            busiest = max(entries, key=lambda entry: entry["article_count"])
            filtered = pages(stack, f"/articles?{filter_name}={busiest['slug']}")
            assert len(filtered) == busiest["article_count"], (kind, busiest)
            assert {item["id"] for item in filtered} <= live_ids | samples

        # And the bus announced each live article once, and nothing was ever "updated"
        events = newsdesk_events(stack)
        kinds = Counter(event["detail-type"] for event in events)
        published = Counter(
            event["detail"]["id"] for event in events if event["detail-type"] == "Article Published"
        )
        assert set(published) >= live_ids | samples
        assert set(published.values()) == {1}
        assert kinds["Article Updated"] == 0

        # And no queue holds anything, the dead-letter queues included
        leftovers = {url.rsplit("/", 1)[1]: queue_depth(sqs, url) for url in drained_queues}
        assert set(leftovers.values()) == {0}, leftovers

        checked = time.monotonic() - started
        statuses = Counter(outcomes.values())
        print(
            f"\n{UPLOADS} uploads ({len(plan.files)} keys: {len(plan.bad)} bad, "
            f"{len(plan.duplicated)} uploaded twice, {len(plan.deleted)} deleted): "
            f"PUTs done in {uploaded:.1f} s, queue drained at {ingested:.1f} s, "
            f"streams drained at {drained:.1f} s, checks done at {checked:.1f} s "
            f"(stack ready after {ready:.1f} s)\n"
            f"  articles listed {len(listed)} ({len(samples)} samples + {len(live_ids)}), "
            f"failed {len(failed)} {dict(Counter(failed.values()))}, tombstones {sum(gone)} "
            f"(change feed: {len(removed)} removed of {len(changes)})\n"
            f"  latest outcome per key {dict(statuses)}; events {dict(kinds)}\n"
            f"  queues {leftovers}; stream positions {positions}"
        )


def _slug(name: str) -> str:
    from newsdesk.slugs import slugify

    return slugify(name)


def queue_depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def queue_empty(sqs: Any, url: str) -> bool:
    return queue_depth(sqs, url) == 0


def caught_up(stack: DevStack, last_accepted: dict[str, str]) -> dict[str, str] | None:
    """Each stream consumer's last logged position, once it is at or past the last record of
    the stream that its filter accepts (records past it are ones it never receives)."""
    positions: dict[str, str] = {}
    for line in stack.lines:
        match = CAUGHT_UP.search(line)
        if match:
            positions[match[1]] = match[2]
    for _, function_name in STREAM_CONSUMERS:
        wanted = last_accepted.get(function_name)
        logged = positions.get(function_name)
        if wanted is not None and (logged is None or int(logged) < int(wanted)):
            return None
    return positions


def last_accepted_records(stack: DevStack) -> dict[str, str]:
    """The sequence number of the stream's last record each consumer accepts (read from moto)."""
    streams = stack.boto_client("dynamodbstreams")
    arn = streams.list_streams()["Streams"][0]["StreamArn"]
    accepts: dict[str, Callable[[dict[str, Any]], bool]] = {
        name: stream_filter(name) for _, name in STREAM_CONSUMERS
    }
    last: dict[str, str] = {}
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            records = response.get("Records", [])
            if not records:
                break
            for record in records:
                for name, accept in accepts.items():
                    if accept(record):
                        last[name] = record["dynamodb"]["SequenceNumber"]
            iterator = response.get("NextShardIterator")
    return last


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
