"""Search end to end under moto: uploads -> ingest -> the table's stream -> IndexerFunction ->
the index file in S3 -> GET /search and /articles/{id}/related in ApiFunction.

The stream is fed to the indexer by newsdesk_cli.stream_source, as `newsdesk dev` does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk_cli.stream_source import StreamEventSource
from tests.integration.api_support import (
    REFERENCE_SAMPLE,
    Stack,
    Upload,
    related_corpus,
    running_stack,
)


def _json_upload(name: str, headline: str, body: list[str], **fields: Any) -> Upload:
    document = {"headline": headline, "body": body, "language": "en", **fields}
    return Upload(key=f"search/{name}.json", data=json.dumps(document).encode(), headline=headline)


WIND = _json_upload(
    "wind",
    "A harbour town bets its future on offshore wind",
    ["Kallvik will be the service port for a wind farm of 1.2 gigawatts.", "Fishermen <worry>."],
    authors=["Maria Lindqvist"],
    section="Analysis",
    keywords=["wind", "harbour", "energy"],
)
RIVER = _json_upload(
    "river",
    "Volunteers pull two tonnes of plastic from the Aller river",
    ["More than 400 volunteers spent Saturday in the river, near the harbour and the wind farm."],
    authors=["Maria Lindqvist"],
    section="Environment",
    keywords=["river", "harbour", "wind"],
)
BUDGET = _json_upload(
    "budget",
    "City council passes a budget that nobody quite likes",
    ["The council voted 27 to 24 for the budget."],
    section="Politics",
)


class SearchStack:
    def __init__(self, stack: Stack) -> None:
        from functions.indexer import app as indexer

        self.stack = stack
        # In-process moto answers DynamoDB Streams only at its classic endpoint.
        streams = stack.session.client(
            "dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com"
        )
        self.source = StreamEventSource(
            streams,
            stack.resources.stream_arn or "",
            indexer.lambda_handler,
            function_name="IndexerFunction",
            log=logging.getLogger("test-indexer"),
        )

    def index(self) -> None:
        """Run the indexer until the stream has nothing more for it."""
        for _ in range(50):
            if not self.source.poll_once():
                return
        raise AssertionError("the stream never ran dry")

    def search(self, **params: str) -> Any:
        response = self.stack.get("/search", dict(params))
        assert response.status == 200, response.raw_body
        return response.json

    def ids(self, **params: str) -> list[str]:
        return [hit["id"] for hit in self.search(**params)["items"]]


@pytest.fixture
def search_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SearchStack]:
    from functions.indexer import app as indexer

    monkeypatch.setenv("SEARCH_REFRESH_SECONDS", "0")
    indexer.get_service.cache_clear()
    with running_stack() as stack:
        try:
            yield SearchStack(stack)
        finally:
            indexer.get_service.cache_clear()


def test_uploads_become_searchable_once_indexed(search_stack: SearchStack) -> None:
    stack = search_stack.stack
    # Given three uploads, ingested
    stack.upload([WIND, RIVER, BUDGET])
    # When nothing was indexed yet, search answers an empty list (not an error)
    assert search_stack.ids(q="harbour") == []
    # When the indexer has run on the stream
    search_stack.index()
    # Then the headline match ranks first, with its summary, a score and an escaped snippet
    answer = search_stack.search(q="harbour", facets="section,author")
    assert [hit["id"] for hit in answer["items"]] == [
        stack.id_of(WIND.key),
        stack.id_of(RIVER.key),
    ]
    first = answer["items"][0]
    assert first["headline"] == WIND.headline and first["score"] > 0
    assert first["authors"] == [{"name": "Maria Lindqvist", "slug": "maria-lindqvist"}]
    assert "<mark>" in first["snippet"]
    assert {facet["value"] for facet in answer["facets"]["section"]} == {"analysis", "environment"}
    assert answer["facets"]["author"] == [
        {"value": "maria-lindqvist", "label": "Maria Lindqvist", "count": 2}
    ]
    # And the filters of /articles narrow it
    assert search_stack.ids(q="harbour", section="environment") == [stack.id_of(RIVER.key)]
    assert search_stack.ids(q="council OR harbour", order="newest", limit="1")


def test_a_deleted_article_disappears_and_a_changed_one_is_found_by_new_words_only(
    search_stack: SearchStack,
) -> None:
    stack = search_stack.stack
    stack.upload([WIND, RIVER])
    search_stack.index()
    # When one file is deleted and the other rewritten
    stack.delete(RIVER.key)
    rewritten = _json_upload(
        "wind",
        "A harbour town bets its future on tidal power",
        ["The port will service a tidal array instead."],
    )
    stack.upload([rewritten])
    search_stack.index()
    # Then the deleted one is gone, and the changed one matches its new words only
    assert search_stack.ids(q="volunteers") == []
    assert search_stack.ids(q="tidal") == [stack.id_of(WIND.key)]
    assert search_stack.ids(q="kallvik") == []
    # And replaying the whole stream from its start changes nothing
    search_stack.source._shards.clear()
    search_stack.index()
    assert search_stack.ids(q="volunteers") == []
    assert search_stack.ids(q="tidal") == [stack.id_of(WIND.key)]


def test_pages_follow_the_cursor_and_a_foreign_cursor_is_refused(search_stack: SearchStack) -> None:
    stack = search_stack.stack
    stack.upload([WIND, RIVER, BUDGET])
    search_stack.index()
    first = search_stack.search(q="harbour OR council", limit="2")
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = search_stack.search(q="harbour OR council", limit="2", cursor=first["next_cursor"])
    assert second["next_cursor"] is None
    seen = [hit["id"] for hit in first["items"] + second["items"]]
    assert sorted(seen) == sorted(stack.id_of(item.key) for item in (WIND, RIVER, BUDGET))
    other = stack.get("/search", {"q": "wind", "limit": "2", "cursor": first["next_cursor"]})
    assert other.status == 400 and "another query" in other.json["detail"]


@pytest.mark.parametrize(
    "q",
    ['"unclosed', "(wind", "AND", "NOT wind", "*", "", "x" * 600, "a" + " b" * 400, "\x00"],
)
def test_bad_queries_are_400_problems(search_stack: SearchStack, q: str) -> None:
    response = search_stack.stack.get("/search", {"q": q})
    assert response.status == 400, response.raw_body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["detail"]


def test_related_adds_articles_like_it_after_the_read_more_links(
    search_stack: SearchStack,
) -> None:
    stack = search_stack.stack
    uploads = related_corpus()
    stack.upload([*uploads, WIND, RIVER, BUDGET])
    search_stack.index()
    response = stack.get(f"/articles/{stack.id_of(WIND.key)}/related")
    assert response.status == 200
    reasons = [(item["reason"], item["id"]) for item in response.json["items"]]
    assert reasons[0] == ("more_like_this", stack.id_of(RIVER.key))
    assert stack.id_of(WIND.key) not in [item_id for _, item_id in reasons]


@pytest.mark.corpus
def test_the_reference_article_is_found_by_its_headline_phrase(
    search_stack: SearchStack, corpus_dir: Any
) -> None:
    stack = search_stack.stack
    stack.upload([Upload(key="000_7d4c0a3551aecea8.txt", data=REFERENCE_SAMPLE.read_bytes())])
    stack.upload([WIND])
    search_stack.index()
    answer = search_stack.search(q='"throws China a bone"')
    assert answer["items"][0]["id"] == stack.id_of("000_7d4c0a3551aecea8.txt")
    assert "<mark>" in answer["items"][0]["snippet"]


def test_the_sample_search_events_answer(search_stack: SearchStack) -> None:
    from tests.conftest import load_event
    from tests.integration.api_support import call_api

    search_stack.stack.upload([WIND, RIVER])
    search_stack.index()
    found = call_api(load_event("api_search"))
    assert found.status == 200
    assert found.json["items"][0]["id"] == search_stack.stack.id_of(WIND.key)
    assert set(found.json["facets"]) == {"section", "author"}
    refused = call_api(load_event("api_error_search_unclosed_quote"))
    assert refused.status == 400 and "never closed" in refused.json["detail"]


def test_openapi_documents_search_with_examples(search_stack: SearchStack) -> None:
    document = search_stack.stack.get("/openapi.json").json
    operation = document["paths"]["/search"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert {
        "q",
        "section",
        "author",
        "tag",
        "from",
        "to",
        "lang",
        "order",
        "limit",
        "cursor",
    } <= set(parameters)
    assert parameters["q"]["required"] is True
    assert '"throws China a bone"' in parameters["q"]["schema"]["examples"]
    assert "phrase" in operation["description"]


def test_reindex_search_rebuilds_the_index_from_the_table(search_stack: SearchStack) -> None:
    from newsdesk_cli.commands.reindex import rebuild_search_index

    stack = search_stack.stack
    # Given articles in the table that the indexer never saw, and one deleted since
    stack.upload([WIND, RIVER, BUDGET])
    stack.delete(BUDGET.key)

    class Target:
        def client(self, service: str) -> Any:
            return stack.session.client(service)

    # When the index is rebuilt from the table
    update = rebuild_search_index(
        Target(),
        bucket=stack.bucket,
        table=stack.resources.table,
        index_key="search/articles.sqlite",
    )
    # Then every active article is searchable, the removed one is not
    assert update.articles == 2
    assert sorted(search_stack.ids(q="harbour OR council")) == sorted(
        [stack.id_of(WIND.key), stack.id_of(RIVER.key)]
    )
    # And the indexer goes on from the rebuilt index (replaying the stream changes nothing)
    search_stack.index()
    assert search_stack.ids(q="council") == []
    assert len(search_stack.ids(q="harbour")) == 2


def test_related_is_answered_from_the_index_with_one_table_request(
    search_stack: SearchStack,
) -> None:
    # Given the related corpus indexed: a text whose "Read more" block names two stored columns
    stack = search_stack.stack
    stack.upload([*related_corpus(), WIND, RIVER, BUDGET])
    search_stack.index()
    article_id = stack.id_of("related/bridges.txt")
    stack.get(f"/articles/{article_id}/related")  # the API instance has the index file now
    stack.counter.reset()
    # When a client asks for its related articles
    response = stack.get(f"/articles/{article_id}/related")
    # Then the links are resolved to their articles, the author's other articles follow,
    assert response.status == 200
    items = response.json["items"]
    assert [(item["reason"], item["id"]) for item in items[:2]] == [
        ("read_more", stack.id_of(f"related/read-more-{n}.json")) for n in range(2)
    ]
    assert article_id not in [item["id"] for item in items]
    assert len({item["id"] for item in items}) == len(items)
    # and the table was asked once (the article itself); the rest came from the index
    assert stack.counter.calls == {"GetItem": 1}
