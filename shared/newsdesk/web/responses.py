"""JSON answers of the content API and their headers: Cache-Control, Link, ETag, CORS."""

import json
from typing import Any
from urllib.parse import quote, urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from newsdesk.models import Page
from newsdesk.service.content import select_fields
from newsdesk.settings import get_settings
from newsdesk.web.resolver import ContentResolver

LIST_HEADERS: dict[str, Any] = {
    "Link": {
        "description": (
            'The next page: <URL>; rel="next", relative to this request (absolute when the '
            "stack sets PublicBaseUrl); absent on the last page"
        ),
        "schema": {"type": "string"},
    }
}
ETAG_HEADERS: dict[str, Any] = {
    "ETag": {"description": "Strong entity tag from content_hash", "schema": {"type": "string"}}
}


class SettingsCORSConfig(CORSConfig):
    """CORS as settings.cors_origin says; read on the first request, not at import time."""

    def to_dict(self, origin: str | None) -> dict[str, str]:
        configured = CORSConfig(
            allow_origin=get_settings().cors_origin,
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Link", "Allow"],
            max_age=600,
        )
        return configured.to_dict(origin)


def describe_ok(
    model: Any, description: str, headers: dict[str, Any] | None = None
) -> OpenAPIResponse:
    """The OpenAPI 200 response: a JSON `model`, with these response headers."""
    response: OpenAPIResponse = {
        "description": description,
        "content": {"application/json": {"model": model}},
    }
    if headers:
        response["headers"] = headers
    return response


def answer_json(
    body: Any, *, headers: dict[str, str] | None = None, cache: str | None = None
) -> Response[Any]:
    """A 200 JSON answer, publicly cacheable unless `cache` says otherwise."""
    all_headers = {"Cache-Control": cache or get_public_cache(), **(headers or {})}
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        headers=all_headers,
    )


def answer_page(
    app: ContentResolver, page: Page[Any], fields: tuple[str, ...] | None = None
) -> Response[Any]:
    """A list answer: the page's items (restricted to `fields`) and a Link to the next page."""
    body = {
        "items": [select_fields(item, fields) for item in page.items],
        "next_cursor": page.next_cursor,
    }
    headers = {}
    if page.next_cursor:
        headers["Link"] = f'<{build_next_url(app, page.next_cursor)}>; rel="next"'
    return answer_json(body, headers=headers)


def answer_not_modified(etag: str) -> Response[Any]:
    """304 for a conditional GET whose If-None-Match matched `etag`."""
    return Response(
        status_code=304,
        body="",
        headers={"ETag": etag, "Cache-Control": get_public_cache()},
    )


def build_next_url(app: ContentResolver, cursor: str) -> str:
    """The URL of this request with `cursor` replaced: under the configured public base URL,
    else relative (stage path kept). Never from the client's Host or X-Forwarded-* headers,
    which would let a client put any scheme and host into a link others follow."""
    event = app.current_event
    pairs = [
        (name, value)
        for name, values in (event.multi_value_query_string_parameters or {}).items()
        if name != "cursor"
        for value in values
    ]
    pairs.append(("cursor", cursor))
    base = get_settings().public_base_url
    prefix = base.rstrip("/") if base else app.base_path()
    return f"{prefix}{quote(event.path)}?{urlencode(pairs)}"


def get_header(app: APIGatewayRestResolver, name: str) -> str | None:
    """The request header `name` (lower case), whatever case the client sent it in."""
    for key, value in (app.current_event.headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def get_if_none_match(app: APIGatewayRestResolver) -> str | None:
    """The request's If-None-Match header, if it sent one."""
    return app.current_event.headers.get("If-None-Match") or get_header(app, "if-none-match")


def match_etag(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison over a list of tags, or "*"."""
    if not if_none_match:
        return False
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in candidates)


def get_public_cache() -> str:
    """Cache-Control of cacheable answers, from settings.api_cache_seconds."""
    return f"public, max-age={get_settings().api_cache_seconds}"


__all__ = [
    "ETAG_HEADERS",
    "LIST_HEADERS",
    "SettingsCORSConfig",
    "answer_json",
    "answer_not_modified",
    "answer_page",
    "build_next_url",
    "describe_ok",
    "get_header",
    "get_if_none_match",
    "get_public_cache",
    "match_etag",
]
