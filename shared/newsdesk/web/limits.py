"""Input bounds (DESIGN.md section 10): the limits, the parameter types that carry them, and
the middleware that refuses oversized requests before any work is done."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import Query

from newsdesk.errors import InvalidRequestError
from newsdesk.storage.cursors import MAX_CURSOR_CHARS

MAX_QUERY_CHARS = 4096
MAX_PARAMETER_CHARS = 1024
MAX_PATH_CHARS = 1024
MAX_SLUG_CHARS = 100
MAX_KEY_CHARS = 1024

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100)")]
Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_CHARS, description="next_cursor of the previous page"),
]


def describe_slug(what: str) -> Any:
    """A bounded slug query parameter."""
    return Query(min_length=1, max_length=MAX_SLUG_CHARS, description=f"{what} slug")


def refuse_oversized_inputs(
    app: APIGatewayRestResolver, next_middleware: NextMiddleware
) -> Response[Any]:
    """Refuse oversized input before any route logic: paths, each value, the whole query."""
    event = app.current_event
    params = event.multi_value_query_string_parameters or {}
    total = sum(
        len(name) + sum(len(value) + 1 for value in values) for name, values in params.items()
    )
    oversized = [
        name
        for name, values in params.items()
        if len(name) > MAX_SLUG_CHARS or any(len(value) > MAX_PARAMETER_CHARS for value in values)
    ]
    if oversized:
        raise InvalidRequestError(
            f"parameter value longer than {MAX_PARAMETER_CHARS} characters",
            parameter=oversized[0][:MAX_SLUG_CHARS],
        )
    if total > MAX_QUERY_CHARS:
        raise InvalidRequestError(f"query string longer than {MAX_QUERY_CHARS} characters")
    if len(event.path) > MAX_PATH_CHARS:
        raise InvalidRequestError(f"path longer than {MAX_PATH_CHARS} characters")
    return next_middleware(app)


__all__ = [
    "MAX_KEY_CHARS",
    "MAX_PARAMETER_CHARS",
    "MAX_PATH_CHARS",
    "MAX_QUERY_CHARS",
    "MAX_SLUG_CHARS",
    "Cursor",
    "Limit",
    "describe_slug",
    "refuse_oversized_inputs",
]
