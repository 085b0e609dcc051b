"""Files built to break the write path each end as a stored, capped article or a failed
ingestion with a reason, on the first delivery: never a retry, never the dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from newsdesk.enrichment.caps import MAX_AUTHORS, MAX_HEADLINE_CHARS, MAX_LABEL_CHARS
from newsdesk.parsing.jsondoc import MAX_RECORDS_PER_FILE
from tests.integration.ingest_stack import IngestStack, stack

__all__ = ["stack"]

BODY = [
    "The harbour council voted on Tuesday to keep the ferry network running through winter.",
    "Councillors said the routes carry more than twelve thousand commuters a day.",
]


def nested_json(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def article_json(**fields: object) -> bytes:
    return json.dumps({"headline": "Ferries stay", "body": BODY, **fields}).encode()


def markdown_with_authors(count: int) -> bytes:
    front = ["---", "title: Ferries stay", "authors:"]
    front += [f"  - Reporter Number{n} Smith" for n in range(count)]
    return ("\n".join([*front, "---", "", *BODY]) + "\n").encode()


def jsonl(lines: int) -> bytes:
    rows = [
        json.dumps({"headline": f"Wire story {n} about the ferries", "body": BODY[:1]})
        for n in range(lines)
    ]
    return "\n".join(rows).encode()


def deliver_once(stack: IngestStack, key: str, data: bytes) -> None:
    stack.put(key, data)
    result = stack.deliver()
    assert result.failed == [], "the file was left for a retry"
    assert stack.queue_depth(stack.resources.queue_url) == 0
    assert stack.queue_depth(stack.resources.dead_letter_queue_url) == 0


FAILURES: list[tuple[str, Callable[[], bytes], str]] = [
    ("incoming/hostile/nested.json", lambda: nested_json(10_000), "too_deep"),
    ("incoming/hostile/nested-lines.jsonl", lambda: nested_json(10_000), "too_deep"),
    (
        "incoming/hostile/too-many.jsonl",
        lambda: jsonl(MAX_RECORDS_PER_FILE + 1),
        "too_many_records",
    ),
]


@pytest.mark.parametrize(("key", "make", "code"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_file_that_cannot_be_stored_is_a_failed_ingestion_with_its_reason(
    stack: IngestStack, key: str, make: Callable[[], bytes], code: str
) -> None:
    deliver_once(stack, key, make())
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and (ingestion.status, ingestion.code) == ("failed", code)
    assert ingestion.message
    assert [failure.key for failure in stack.views().failed()] == [key]


def test_a_3000_character_section_is_capped_and_listed(stack: IngestStack) -> None:
    key = "incoming/hostile/long-section.json"
    deliver_once(stack, key, article_json(section="Opinion " + "x" * 3000))
    [article_id] = stack.reader().get_ingestion(key).article_ids  # type: ignore[union-attr]
    article = stack.reader().get_article(article_id)
    assert article.section is not None and len(article.section) <= MAX_LABEL_CHARS
    assert article.section.endswith("…")
    views = stack.views()
    [section] = views.counts("section")
    assert views.ids(section=section) == [article_id]


def test_a_600_kb_headline_is_capped(stack: IngestStack) -> None:
    key = "incoming/hostile/huge-headline.json"
    deliver_once(stack, key, article_json(headline="Ferries " * 75_000))
    [article_id] = stack.reader().get_ingestion(key).article_ids  # type: ignore[union-attr]
    article = stack.reader().get_article(article_id)
    assert len(article.headline) <= MAX_HEADLINE_CHARS
    assert stack.views().ids() == [article_id]


@pytest.mark.parametrize("authors", [90, 20_000])
def test_many_authors_are_capped(stack: IngestStack, authors: int) -> None:
    key = f"incoming/hostile/authors-{authors}.md"
    data = markdown_with_authors(authors)
    deliver_once(stack, key, data)
    [article_id] = stack.reader().get_ingestion(key).article_ids  # type: ignore[union-attr]
    article = stack.reader().get_article(article_id)
    assert len(article.authors) == MAX_AUTHORS
    views = stack.views()
    assert len(views.counts("author")) == MAX_AUTHORS
    assert views.ids(author=article.authors[-1].slug) == [article_id]


def test_a_thousand_line_jsonl_is_a_thousand_single_writes(stack: IngestStack) -> None:
    key = "incoming/hostile/wire.jsonl"
    data = jsonl(MAX_RECORDS_PER_FILE)
    assert len(data) > 50_000
    stack.hook_handler_client()
    deliver_once(stack, key, data)
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and len(ingestion.article_ids) == MAX_RECORDS_PER_FILE
    # One PutItem per article and one for the ingestion item; no transaction at all
    assert stack.calls["TransactWriteItems"] == 0
    assert stack.calls["PutItem"] == MAX_RECORDS_PER_FILE + 1
    # (The listings they join are the projector's work, shown for other files above.)
