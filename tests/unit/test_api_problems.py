"""The API's error mapping: every failure is an RFC 9457 problem, and nothing internal leaks.

No AWS here: these requests are answered before any storage call (or by a fake service).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsdesk.errors import GoneError, InvalidRequestError, NotFoundError
from newsdesk.service.content import ContentService
from newsdesk_cli.lambda_context import LocalLambdaContext
from tests.conftest import load_event


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "newsdesk")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    from functions.api import app

    return app


def invoke(api: Any, name: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    result = api.lambda_handler(load_event(name), LocalLambdaContext(function_name="unit"))
    headers = {key: ", ".join(values) for key, values in result["multiValueHeaders"].items()}
    return result["statusCode"], headers, json.loads(result["body"])


@pytest.mark.parametrize(
    ("event", "status", "title"),
    [
        ("api_error_unknown_route", 404, "Not Found"),
        ("api_error_wrong_method", 405, "Method Not Allowed"),
        ("api_error_limit_zero", 400, "Bad Request"),
        ("api_error_unknown_field", 400, "Bad Request"),
        ("api_error_oversized_parameter", 400, "Bad Request"),
    ],
)
def test_errors_are_problem_documents(api: Any, event: str, status: int, title: str) -> None:
    code, headers, problem = invoke(api, event)

    assert code == status
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Cache-Control"] == "no-store"
    assert problem["status"] == status
    assert problem["title"] == title
    assert problem["type"].startswith(("about:blank", "urn:newsdesk:problem:"))
    assert problem["detail"]


def test_a_validation_problem_names_each_offending_parameter(api: Any) -> None:
    _, _, problem = invoke(api, "api_error_limit_too_large")

    assert problem["errors"] == [
        {
            "parameter": "limit",
            "location": "query",
            "message": "Input should be less than or equal to 100",
        }
    ]


class _Store:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_article(self, article_id: str) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFoundError("no article with id 0000000000000000"), 404),
        (GoneError("article 0000000000000000 was removed"), 410),
        (InvalidRequestError("bad", parameter="fields"), 400),
    ],
)
def test_newsdesk_errors_map_to_their_status(
    api: Any, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int
) -> None:
    monkeypatch.setattr(api, "_content", lambda: ContentService(_Store(error)))  # type: ignore[arg-type]

    code, headers, problem = invoke(api, "api_error_article_unknown")

    assert (code, problem["status"]) == (status, status)
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["instance"] == "/articles/0000000000000000"
