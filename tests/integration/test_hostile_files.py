"""Files built to break the write path each end as a stored, capped article or a failed
ingestion with a reason, on the first delivery: never a retry, never the dead-letter queue.

The named hostile files of tests.hostile_inputs each go through the whole ingest path here
(tests/unit/test_hostile_parsing.py takes them through the parser alone, and
benchmarks/hostile.py measures their worst time and memory)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from newsdesk.enrichment.caps import MAX_AUTHORS, MAX_HEADLINE_CHARS, MAX_LABEL_CHARS
from newsdesk.parsing.jsondoc import MAX_RECORDS_PER_FILE
from tests.hostile_inputs import (
    CASES,
    HostileCase,
    jsonl,
    markdown_with_authors,
    markup_problems,
    nested_json,
)
from tests.integration.ingest_stack import IngestStack, stack
from tests.record_invariants import record_problems

__all__ = ["stack"]

BODY = [
    "The harbour council voted on Tuesday to keep the ferry network running through winter.",
    "Councillors said the routes carry more than twelve thousand commuters a day.",
]


def article_json(**fields: object) -> bytes:
    return json.dumps({"headline": "Ferries stay", "body": BODY, **fields}).encode()


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


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_named_hostile_file_is_stored_or_failed_with_its_code(
    stack: IngestStack, case: HostileCase
) -> None:
    # Given a file a hostile uploader would try / When it is uploaded and delivered once
    deliver_once(stack, case.key, case.make())
    # Then the ingestion says how it ended, and a stored record keeps every invariant
    ingestion = stack.reader().get_ingestion(case.key)
    assert ingestion is not None
    if case.outcome != "stored":
        assert (ingestion.status, ingestion.code) == ("failed", case.outcome), ingestion
        assert ingestion.message and ingestion.message.isprintable()
        return
    assert ingestion.status == "stored", ingestion
    for article_id in ingestion.article_ids:
        article = stack.reader().get_article(article_id)
        problems = record_problems(article) + markup_problems(article.model_dump(mode="json"))
        assert problems == []
