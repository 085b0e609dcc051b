"""RFC 9457 problem documents: the models, the builder, and the error → answer mappers.

The API function registers these mappers, so every error becomes a problem in one place.
"""

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as NoRouteError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, Field

from newsdesk.errors import GoneError, InvalidRequestError, NotFoundError, TransientError
from newsdesk.web.resolver import ContentResolver

PROBLEM_JSON = "application/problem+json"
_PROBLEM_BASE = "urn:newsdesk:problem:"


class ProblemError(BaseModel):
    parameter: str
    location: str = Field(default="query", description="query, path or header")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document: every error answer of this API."""

    type: str = Field(examples=["urn:newsdesk:problem:invalid-parameter"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = Field(default=None, description="Quote it when reporting a 500")
    errors: list[ProblemError] | None = Field(
        default=None, description="Parameter errors: one per offending parameter"
    )


def describe_problems(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses for these error statuses, each a problem document."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"model": Problem}},
        }
        for status in statuses
    }


def answer_problem(
    app: APIGatewayRestResolver,
    status: HTTPStatus,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """A problem answer for the current request; never cached."""
    body: dict[str, Any] = {
        "type": f"{_PROBLEM_BASE}{kind}" if kind else "about:blank",
        "title": status.phrase,
        "status": status.value,
        "detail": detail,
        "instance": app.current_event.path,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(
        status_code=status.value,
        content_type=PROBLEM_JSON,
        body=json.dumps(body, ensure_ascii=False),
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def answer_invalid_parameters(
    app: APIGatewayRestResolver, error: RequestValidationError
) -> Response[Any]:
    errors = []
    for entry in error.errors():
        location: tuple[Any, ...] = tuple(entry.get("loc") or ())
        where = str(location[0]) if location else "query"
        name = str(location[-1]) if len(location) > 1 else where
        errors.append({"parameter": name, "location": where, "message": str(entry.get("msg"))})
    detail = "; ".join(f"{item['parameter']}: {item['message']}" for item in errors)
    return answer_problem(
        app, HTTPStatus.BAD_REQUEST, detail, kind="invalid-parameter", errors=errors
    )


def answer_invalid_request(
    app: APIGatewayRestResolver, error: InvalidRequestError
) -> Response[Any]:
    errors = None
    if error.parameter:
        errors = [{"parameter": error.parameter, "location": "query", "message": str(error)}]
    return answer_problem(
        app, HTTPStatus.BAD_REQUEST, str(error), kind="invalid-parameter", errors=errors
    )


def answer_not_found(app: APIGatewayRestResolver, error: NotFoundError) -> Response[Any]:
    return answer_problem(app, HTTPStatus.NOT_FOUND, str(error))


def answer_gone(app: APIGatewayRestResolver, error: GoneError) -> Response[Any]:
    return answer_problem(app, HTTPStatus.GONE, str(error), kind="removed")


def answer_unavailable(
    app: APIGatewayRestResolver, logger: Logger, error: TransientError
) -> Response[Any]:
    logger.warning("storage busy", extra={"error": str(error)})
    return answer_problem(
        app,
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The service is busy; retry shortly.",
        headers={"Retry-After": "1"},
    )


def answer_no_route(app: ContentResolver, _: NoRouteError) -> Response[Any]:
    """404 for an unknown path; 405 with Allow when the path exists under other methods."""
    allowed = app.allowed_methods(app.current_event.path)
    # A path the route table matches but the resolver did not (a segment with characters no
    # id or slug has) is no resource at all, whatever the method.
    if allowed and app.current_event.http_method not in allowed:
        return answer_problem(
            app,
            HTTPStatus.METHOD_NOT_ALLOWED,
            f"{app.current_event.http_method} is not supported here; use {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    return answer_problem(app, HTTPStatus.NOT_FOUND, "No such resource; see /docs for the routes.")


def answer_unexpected(
    app: APIGatewayRestResolver, logger: Logger, metrics: Metrics, error: Exception
) -> Response[Any]:
    # Logged in full with the correlation id; the client sees neither trace nor internal names.
    logger.exception("unhandled error")
    metrics.add_metric(name="ApiErrors", unit=MetricUnit.Count, value=1)
    response = answer_problem(
        app,
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "An unexpected error occurred; quote the request_id when reporting it.",
    )
    body = json.loads(str(response.body))
    # The API Gateway request id (the correlation id of every log line of this request).
    body["request_id"] = logger.get_correlation_id() or app.lambda_context.aws_request_id
    response.body = json.dumps(body)
    return response


__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemError",
    "answer_gone",
    "answer_invalid_parameters",
    "answer_invalid_request",
    "answer_no_route",
    "answer_not_found",
    "answer_problem",
    "answer_unavailable",
    "answer_unexpected",
    "describe_problems",
]
