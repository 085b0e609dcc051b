"""No stored and no served field holds markup: files of every format carrying every payload of
tests.hostile_inputs go through the real ingest path, the projector and the indexer, and every
answer of the API that shows article data is searched for a tag, an encoded tag, a payload's
marker or a URL field that is not plain http(s)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.hostile_inputs import BAD_URLS, PAYLOADS, markup_problems, payload_files
from tests.integration.api_support import Stack, Upload, running_stack
from tests.integration.test_search import SearchStack

GOOD_URL = "https://courier.example.org/transport/ferries-stay"
# Every payload at once, separated so that no two of them form a tag together; but the one a
# page shows as text ("<scr<script>…": a browser reads the tag "scr<script" and shows
# "xipt>alert(…)"; tests/unit/test_plain_text.py takes it through every format).
ALL_PAYLOADS = " | ".join(payload for payload in PAYLOADS if not payload.startswith("<scr<"))


def uploads() -> list[Upload]:
    files: list[Upload] = []
    for number, url in enumerate((GOOD_URL, *BAD_URLS)):
        for fmt, (key, data) in payload_files(ALL_PAYLOADS, url).items():
            folder, name = key.removeprefix("incoming/").rsplit("/", 1)
            files.append(Upload(key=f"{folder}/{number}/{fmt}-{name}", data=data))
    return files


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Stack, SearchStack]]:
    from functions.indexer import app as indexer

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEARCH_REFRESH_SECONDS", "0")
        indexer.get_service.cache_clear()
        with running_stack() as stack:
            search = SearchStack(stack)
            stack.upload(uploads())
            search.index()
            try:
                yield stack, search
            finally:
                indexer.get_service.cache_clear()


def answers(stack: Stack) -> dict[str, Any]:
    """Every API answer that shows article data, by path."""
    found: dict[str, Any] = {}

    def get(path: str, params: dict[str, str] | None = None) -> Any:
        response = stack.get(path, params)
        assert response.status == 200, (path, response.raw_body[:500])
        found[f"{path}?{params or ''}"] = response.json
        return response.json

    feed = get("/articles", {"limit": "100"})
    get("/articles", {"limit": "100", "fields": "id,headline,section,standfirst,authors,image"})
    for item in feed["items"]:
        get(f"/articles/{item['id']}")
        get(f"/articles/{item['id']}/related")
    for kind in ("authors", "sections"):
        for entry in get(f"/{kind}", {"limit": "100"})["items"]:
            get(f"/{kind}/{entry['slug']}")
    get("/tags", {"limit": "100"})
    get("/changes", {"since": "2000-01-01T00:00:00Z", "limit": "100"})
    get("/ingestions", {"limit": "100"})
    for query in ("ferries", "commuters", "columnist", "script", "onerror", "XSS"):
        get("/search", {"q": query, "limit": "50"})
    return found


def test_every_format_with_every_payload_is_stored(served: tuple[Stack, SearchStack]) -> None:
    stack, _ = served
    feed = stack.get("/articles", {"limit": "100"}).json["items"]
    # One article per file, two for each .jsonl file (list body and HTML string body)
    assert len(feed) == len(uploads()) + len(BAD_URLS) + 1
    failed = stack.get("/ingestions", {"status": "failed"}).json["items"]
    assert failed == []


def test_no_stored_or_served_field_holds_markup(served: tuple[Stack, SearchStack]) -> None:
    stack, _ = served
    found = answers(stack)
    assert len(found) > 2 * len(uploads())
    problems = {path: markup_problems(body) for path, body in found.items()}
    assert {path: found for path, found in problems.items() if found} == {}
    # The search found the articles by their words, and not by any payload's code
    assert found["/search?{'q': 'commuters', 'limit': '50'}"]["items"]
    for query in ("script", "onerror", "XSS"):
        assert found[f"/search?{{'q': '{query}', 'limit': '50'}}"]["items"] == [], query


def test_urls_are_kept_only_when_http(served: tuple[Stack, SearchStack]) -> None:
    stack, _ = served
    for item in stack.get("/articles", {"limit": "100"}).json["items"]:
        record = stack.get(f"/articles/{item['id']}").json
        url = record["source_url"]
        assert url is None or url.startswith(("http://", "https://")), url
        if record["image"] is not None:
            assert record["image"]["url"].startswith(("http://", "https://"))
    kept = {
        stack.get(f"/articles/{item['id']}").json["source_url"]
        for item in stack.get("/articles", {"limit": "100"}).json["items"]
    }
    assert GOOD_URL in kept
