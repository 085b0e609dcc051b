"""Every bad request gets an RFC 9457 problem: parameters, routes, methods and failures.

Bad parameters are refused before any storage call, so an empty table is enough here.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk.errors import TransientError
from newsdesk.service.content import ContentService
from tests.integration.api_support import Stack, api_event, call_api, running_stack

TEN_KB = "x" * 10240


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        yield running


BAD_PARAMETERS: list[tuple[str, dict[str, Any], str]] = [
    ("/articles", {"limit": "0"}, "limit"),
    ("/articles", {"limit": "10000"}, "limit"),
    ("/articles", {"limit": "ten"}, "limit"),
    ("/articles", {"limit": "-1"}, "limit"),
    ("/articles", {"from": "2025-02-01", "to": "2025-01-01"}, "from"),
    ("/articles", {"from": "2025-02-01T00:00:01Z", "to": "2025-02-01T00:00:00Z"}, "from"),
    ("/articles", {"from": "01/02/2025"}, "from"),
    ("/articles", {"to": "2025-02-30"}, "to"),
    ("/articles", {"from": "2025-02-01T10:00"}, "from"),
    ("/articles", {"cursor": "garbage"}, "cursor"),
    ("/articles", {"cursor": "a.b"}, "cursor"),
    ("/articles", {"cursor": "x" * 2000}, "cursor"),
    ("/articles", {"fields": "id,password"}, "fields"),
    ("/articles", {"fields": ""}, "fields"),
    ("/articles", {"fields": "body"}, "fields"),  # list items carry summary fields only
    ("/articles", {"lang": "english"}, "lang"),
    ("/articles", {"section": TEN_KB}, "section"),
    ("/articles", {"author": TEN_KB}, "author"),
    ("/articles", {"tag": TEN_KB}, "tag"),
    ("/articles", {"cursor": TEN_KB}, "cursor"),
    ("/articles", {"fields": TEN_KB}, "fields"),
    ("/articles", {"unknown": TEN_KB}, "unknown"),
    ("/articles/0123456789abcdef", {"fields": "nope"}, "fields"),
    ("/authors", {"limit": "101"}, "limit"),
    ("/authors", {"cursor": "garbage"}, "cursor"),
    ("/sections", {"limit": "0"}, "limit"),
    ("/tags", {"cursor": TEN_KB}, "cursor"),
    ("/changes", {}, "since"),
    ("/changes", {"since": "soon"}, "since"),
    ("/ingestions", {"status": "stored"}, "status"),
    ("/ingestions", {"status": "failed", "key": "incoming/a.txt"}, "status"),
    ("/ingestions", {"key": TEN_KB}, "key"),
    ("/articles/0123456789abcdef/related", {"limit": "0"}, "limit"),
]


@pytest.mark.parametrize(("path", "params", "parameter"), BAD_PARAMETERS)
def test_a_bad_parameter_is_a_400_problem_naming_it(
    stack: Stack, path: str, params: dict[str, Any], parameter: str
) -> None:
    stack.counter.reset()
    response = stack.get(path, params)

    assert response.status == 400, response.raw_body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Cache-Control"] == "no-store"
    problem = response.json
    assert problem["type"] == "urn:newsdesk:problem:invalid-parameter"
    assert problem["title"] == "Bad Request"
    assert problem["status"] == 400
    assert problem["detail"]
    assert problem["instance"] == path
    assert parameter in [error["parameter"] for error in problem["errors"]]
    assert all(error["message"] for error in problem["errors"])
    assert stack.counter.total == 0  # refused before any storage call


def test_a_path_parameter_that_is_too_long_is_refused(stack: Stack) -> None:
    response = stack.get(f"/articles/{TEN_KB}")

    assert response.status in (400, 404)
    assert response.headers["Content-Type"] == "application/problem+json"


def test_an_unknown_route_is_a_404_problem(stack: Stack) -> None:
    response = stack.get("/no/such/thing")

    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["title"] == "Not Found"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_wrong_method_is_a_405_problem_with_allow(stack: Stack, method: str) -> None:
    response = stack.get("/articles/0123456789abcdef", method=method)

    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == 405


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/health", {}),
        ("/articles", {"limit": "1"}),
        ("/articles", {"limit": "0"}),
        ("/articles/0123456789abcdef", {}),
        ("/no/such/thing", {}),
        ("/openapi.json", {}),
    ],
)
def test_head_answers_like_get_without_a_body(
    stack: Stack, path: str, params: dict[str, str]
) -> None:
    get = stack.get(path, params)

    head = stack.get(path, params, method="HEAD")

    assert head.status == get.status
    assert head.raw_body == ""
    for name in ("Content-Type", "Cache-Control", "Link", "ETag", "Allow"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_cors_headers_follow_the_request_origin(stack: Stack) -> None:
    response = stack.get("/health", headers={"Origin": "https://reader.example"})
    preflight = stack.get(
        "/articles",
        method="OPTIONS",
        headers={"Origin": "https://reader.example", "Access-Control-Request-Method": "GET"},
    )

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert preflight.status == 204
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


class _FailingStore:
    """A store whose every read fails the way the named error says."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    def __getattr__(self, name: str) -> Any:
        def fail(*_: Any, **__: Any) -> Any:
            raise self._error

        return fail


def test_an_unexpected_error_is_a_500_problem_without_internals(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.api import app as api

    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(api.logger.registered_formatter)
    api.logger.addHandler(handler)

    error = RuntimeError("boom in newsdesk.storage.queries at /work/main/secret.py")
    monkeypatch.setattr(api, "_content", lambda: ContentService(_FailingStore(error)))
    event = api_event("/articles")

    try:
        response = call_api(event)
    finally:
        api.logger.removeHandler(handler)

    assert response.status == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json
    assert problem["status"] == 500
    for leak in ("boom", "newsdesk", "secret.py", "Traceback", "RuntimeError"):
        assert leak not in response.raw_body
    assert problem["request_id"] == event["requestContext"]["requestId"]
    # The log has the whole story, under the same correlation id the client was given.
    logged = log.getvalue()
    assert "boom in newsdesk.storage.queries" in logged
    assert event["requestContext"]["requestId"] in logged


def test_a_busy_table_is_a_503_problem_with_retry_after(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.api import app as api

    store = _FailingStore(TransientError("throttled"))
    monkeypatch.setattr(api, "_content", lambda: ContentService(store))

    response = stack.get("/authors")

    assert response.status == 503
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Content-Type"] == "application/problem+json"
