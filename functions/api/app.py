"""Content API (API Gateway REST, Lambda proxy): the routes, and the one place errors become HTTP.

Every answer is JSON; every error is an RFC 9457 problem (application/problem+json). Parameter
errors, including a bad cursor, are 400. Settings and clients are built on the first request.
"""

import json
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import urlencode

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as NoRouteError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from newsdesk.errors import (
    GoneError,
    InvalidRequestError,
    NotFoundError,
    TransientError,
)
from newsdesk.models import (
    Article,
    ArticleSummary,
    AuthorProfile,
    Change,
    Ingestion,
    Page,
    SectionInfo,
    TagInfo,
)
from newsdesk.service.content import (
    ARTICLE_FIELDS,
    SUMMARY_FIELDS,
    ArticleFilters,
    ContentService,
    RelatedArticle,
    parse_fields,
    parse_time_bound,
    select_fields,
)
from newsdesk.settings import Settings, get_settings
from newsdesk.storage.cursors import MAX_CURSOR_CHARS

logger = Logger()
tracer = Tracer()
metrics = Metrics()

# Input bounds (DESIGN.md section 10): anything larger is refused before any work is done.
MAX_QUERY_CHARS = 4096
MAX_PARAMETER_CHARS = 1024
MAX_PATH_CHARS = 1024
MAX_SLUG_CHARS = 100
MAX_KEY_CHARS = 1024
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


class Health(BaseModel):
    status: str


class Index(BaseModel):
    name: str
    docs: str
    openapi: str


class _SettingsCORSConfig(CORSConfig):
    """CORS as settings.cors_origin says; read on the first request, not at import time."""

    def to_dict(self, origin: str | None) -> dict[str, str]:
        configured = CORSConfig(
            allow_origin=get_settings().cors_origin,
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Link", "Allow"],
            max_age=600,
        )
        return configured.to_dict(origin)


app = APIGatewayRestResolver(enable_validation=True, cors=_SettingsCORSConfig())
app.configure_openapi(
    title="newsdesk content API",
    version="1.0.0",
    description=(
        "Articles parsed from files uploaded to S3. Lists are newest first and paged with an "
        "opaque `cursor`; errors are RFC 9457 problem documents (application/problem+json)."
    ),
)
# Swagger UI's assets ship inside aws-lambda-powertools (in the layer already); /docs serves
# them from this function, so the page works with no internet access.
_SWAGGER_ASSETS = {
    "swagger-ui-bundle.min.js": "application/javascript",
    "swagger-ui.min.css": "text/css",
}
_DOCS_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>newsdesk content API</title>
  <link rel="stylesheet" href="{base}/docs/swagger-ui.min.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{base}/docs/swagger-ui-bundle.min.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{base}/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null
    }});
  </script>
</body>
</html>
"""

# (settings, service) of this process; the settings object is kept so a new one (tests clear
# get_settings' cache) is never mistaken for the old one.
_service_cache: list[tuple[Settings, ContentService]] = []


def _content() -> ContentService:
    """The service for the current settings, built on the first request that needs it."""
    settings = get_settings()
    if not _service_cache or _service_cache[0][0] is not settings:
        from newsdesk.storage.queries import open_content_queries

        _service_cache[:] = [(settings, ContentService(open_content_queries(settings)))]
    return _service_cache[0][1]


# ---------------------------------------------------------------- OpenAPI helpers


def _ok(model: Any, description: str, headers: dict[str, Any] | None = None) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {"application/json": {"model": model}},
    }
    if headers:
        response["headers"] = headers
    return response


def _problems(*statuses: int) -> dict[int, OpenAPIResponse]:
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"model": Problem}},
        }
        for status in statuses
    }


_LIST_HEADERS: dict[str, Any] = {
    "Link": {
        "description": 'The next page: <absolute URL>; rel="next" (absent on the last page)',
        "schema": {"type": "string"},
    }
}
_ETAG_HEADERS: dict[str, Any] = {
    "ETag": {"description": "Strong entity tag from content_hash", "schema": {"type": "string"}}
}

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100)")]
Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_CHARS, description="next_cursor of the previous page"),
]


def _slug_param(what: str) -> Any:
    return Query(min_length=1, max_length=MAX_SLUG_CHARS, description=f"{what} slug")


# ---------------------------------------------------------------- routes


@app.get(
    "/",
    summary="Where the documentation is",
    responses={200: _ok(Index, "Links to the docs"), **_problems(400)},
)
def get_index() -> Response[Any]:
    base = app._get_base_path()
    return _json({"name": "newsdesk", "docs": f"{base}/docs", "openapi": f"{base}/openapi.json"})


@app.get("/health", summary="Liveness", responses={200: _ok(Health, "Alive"), **_problems(400)})
def get_health() -> Response[Any]:
    return _json({"status": "ok"}, cache="no-store")


@app.get(
    "/articles",
    summary="List articles, newest first",
    description=(
        "Filters combine (AND). `from`/`to` bound the listing time (published_at when the file "
        "states it, else ingested_at); a date means the whole day. `fields` selects summary "
        "fields. Pages may hold fewer than `limit` items when filters combine; follow "
        "`next_cursor` until it is null."
    ),
    responses={
        200: _ok(Page[ArticleSummary], "A page of article summaries", _LIST_HEADERS),
        **_problems(400),
    },
)
def list_articles(
    section: Annotated[str | None, _slug_param("Section")] = None,
    author: Annotated[str | None, _slug_param("Author")] = None,
    tag: Annotated[str | None, _slug_param("Tag")] = None,
    from_: Annotated[
        str | None,
        Query(alias="from", max_length=40, description="RFC 3339 date or date-time (inclusive)"),
    ] = None,
    to: Annotated[
        str | None,
        Query(max_length=40, description="RFC 3339 date or date-time (inclusive)"),
    ] = None,
    lang: Annotated[
        str | None, Query(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 language code")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    fields: Annotated[
        str | None,
        Query(max_length=500, description=f"Comma-separated: {', '.join(SUMMARY_FIELDS)}"),
    ] = None,
) -> Response[Any]:
    selected = parse_fields(fields, SUMMARY_FIELDS)
    filters = ArticleFilters(
        section=section,
        author=author,
        tag=tag,
        lang=lang,
        start=parse_time_bound(from_, parameter="from", end=False),
        end=parse_time_bound(to, parameter="to", end=True),
    )
    page = _content().list_articles(filters, limit=limit, cursor=cursor)
    return _page(page, selected)


@app.get(
    "/articles/<article_id>",
    summary="One article",
    description="Strong ETag from content_hash; send If-None-Match to get 304 when unchanged.",
    responses={
        200: _ok(Article, "The article record", _ETAG_HEADERS),
        304: {"description": "Not modified (If-None-Match matched)"},
        **_problems(400, 404, 410),
    },
)
def get_article(
    article_id: Annotated[str, Path(max_length=64, description="Article id")],
    fields: Annotated[
        str | None,
        Query(max_length=500, description="Comma-separated names of article fields"),
    ] = None,
) -> Response[Any]:
    selected = parse_fields(fields, ARTICLE_FIELDS)
    article = _content().get_article(article_id)
    etag = f'"{article.content_hash}"'
    if _matches(app.current_event.headers.get("If-None-Match") or _header("if-none-match"), etag):
        return Response(
            status_code=304,
            body="",
            headers={"ETag": etag, "Cache-Control": _public_cache()},
        )
    return _json(select_fields(article, selected), headers={"ETag": etag})


@app.get(
    "/articles/<article_id>/related",
    summary="Related articles",
    description=(
        'The article\'s "Read more" links first (with `id` when a stored article has that '
        "headline), then articles by the same authors, then articles sharing tags."
    ),
    responses={200: _ok(Page[RelatedArticle], "Related articles"), **_problems(400, 404, 410)},
)
def get_related(
    article_id: Annotated[str, Path(max_length=64, description="Article id")],
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many")] = 10,
) -> Response[Any]:
    related = _content().related_articles(article_id, limit=limit)
    return _json({"items": [item.model_dump(mode="json") for item in related], "next_cursor": None})


@app.get(
    "/authors",
    summary="Authors with article counts and bio",
    responses={200: _ok(Page[AuthorProfile], "A page of authors", _LIST_HEADERS), **_problems(400)},
)
def list_authors(limit: Limit = 20, cursor: Cursor = None) -> Response[Any]:
    return _page(_content().list_authors(limit=limit, cursor=cursor))


@app.get(
    "/authors/<slug>",
    summary="One author",
    responses={200: _ok(AuthorProfile, "The author"), **_problems(400, 404)},
)
def get_author(slug: Annotated[str, Path(max_length=MAX_SLUG_CHARS)]) -> Response[Any]:
    return _json(_content().get_author(slug).model_dump(mode="json"))


@app.get(
    "/sections",
    summary="Sections with article counts",
    responses={200: _ok(Page[SectionInfo], "A page of sections", _LIST_HEADERS), **_problems(400)},
)
def list_sections(limit: Limit = 20, cursor: Cursor = None) -> Response[Any]:
    return _page(_content().list_sections(limit=limit, cursor=cursor))


@app.get(
    "/sections/<slug>",
    summary="One section",
    responses={200: _ok(SectionInfo, "The section"), **_problems(400, 404)},
)
def get_section(slug: Annotated[str, Path(max_length=MAX_SLUG_CHARS)]) -> Response[Any]:
    return _json(_content().get_section(slug).model_dump(mode="json"))


@app.get(
    "/tags",
    summary="Tags with article counts",
    responses={200: _ok(Page[TagInfo], "A page of tags", _LIST_HEADERS), **_problems(400)},
)
def list_tags(limit: Limit = 20, cursor: Cursor = None) -> Response[Any]:
    return _page(_content().list_tags(limit=limit, cursor=cursor))


@app.get(
    "/changes",
    summary="Change feed: articles updated or removed since a time",
    description=(
        "Each article's latest change at or after `since`, oldest first; removals are "
        "reported for 30 days. Sync by remembering the last `at` you processed."
    ),
    responses={200: _ok(Page[Change], "A page of changes", _LIST_HEADERS), **_problems(400)},
)
def list_changes(
    since: Annotated[str, Query(max_length=40, description="RFC 3339 date or date-time")],
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response[Any]:
    moment = parse_time_bound(since, parameter="since", end=False)
    if moment is None:  # unreachable: `since` is required; keeps the type checker honest
        raise InvalidRequestError("`since` is required", parameter="since")
    return _page(_content().list_changes(moment, limit=limit, cursor=cursor))


@app.get(
    "/ingestions",
    summary="What happened to uploads",
    description=(
        "`status=failed`: uploads whose latest event could not be parsed, newest first. "
        "`key=incoming/…`: the latest outcome for one S3 key (a one-item list)."
    ),
    responses={
        200: _ok(Page[Ingestion], "Ingestion outcomes", _LIST_HEADERS),
        **_problems(400, 404),
    },
)
def list_ingestions(
    status: Annotated[str | None, Query(pattern="^failed$", description="Only `failed`")] = None,
    key: Annotated[
        str | None, Query(min_length=1, max_length=MAX_KEY_CHARS, description="S3 object key")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Any]:
    if (status is None) == (key is None):
        raise InvalidRequestError(
            "give exactly one of `status=failed` or `key`", parameter="status"
        )
    if key is not None:
        ingestion = _content().get_ingestion(key)
        return _json({"items": [ingestion.model_dump(mode="json")], "next_cursor": None})
    return _page(_content().list_failed_ingestions(limit=limit, cursor=cursor))


@app.get("/openapi.json", include_in_schema=False)
def get_openapi() -> Response[Any]:
    return _json(_openapi_document())


@app.get("/docs", include_in_schema=False)
def get_docs() -> Response[Any]:
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=_DOCS_HTML.format(base=app._get_base_path()),
        headers={"Cache-Control": _public_cache()},
    )


@app.get("/docs/<asset>", include_in_schema=False, compress=True)
def get_docs_asset(asset: str) -> Response[Any]:
    content_type = _SWAGGER_ASSETS.get(asset)
    if content_type is None:
        raise NotFoundError(f"no documentation asset {asset}")
    from importlib.resources import files

    text = files("aws_lambda_powertools.event_handler.openapi.swagger_ui").joinpath(asset)
    return Response(
        status_code=200,
        content_type=content_type,
        body=text.read_text(encoding="utf-8"),
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _openapi_document() -> dict[str, Any]:
    """The generated OpenAPI 3.1 document, adjusted to what the API really answers: parameter
    errors are 400 problems (not powertools' default 422 shape) and a 304 has no body."""
    from aws_lambda_powertools.event_handler.openapi.models import Server

    servers = [Server(url=app._get_base_path() or "/")]
    document: dict[str, Any] = json.loads(app.get_openapi_json_schema(servers=servers))
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            responses.pop("422", None)
            if "304" in responses:
                responses["304"].pop("content", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    return document


# ---------------------------------------------------------------- responses


def _json(
    body: Any, *, headers: dict[str, str] | None = None, cache: str | None = None
) -> Response[Any]:
    all_headers = {"Cache-Control": cache or _public_cache(), **(headers or {})}
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        headers=all_headers,
    )


def _page(page: Page[Any], fields: tuple[str, ...] | None = None) -> Response[Any]:
    body = {
        "items": [select_fields(item, fields) for item in page.items],
        "next_cursor": page.next_cursor,
    }
    headers = {}
    if page.next_cursor:
        headers["Link"] = f'<{_next_url(page.next_cursor)}>; rel="next"'
    return _json(body, headers=headers)


def _next_url(cursor: str) -> str:
    """The absolute URL of this request with `cursor` replaced (host and stage path kept)."""
    event = app.current_event
    host = _header("host") or event.request_context.domain_name or "localhost"
    proto = _header("x-forwarded-proto") or (
        "http" if host.startswith(("127.0.0.1", "localhost")) else "https"
    )
    path = app._get_base_path() + event.path
    pairs = [
        (name, value)
        for name, values in (event.multi_value_query_string_parameters or {}).items()
        if name != "cursor"
        for value in values
    ]
    pairs.append(("cursor", cursor))
    return f"{proto}://{host}{path}?{urlencode(pairs)}"


def _header(name: str) -> str | None:
    for key, value in (app.current_event.headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison over a list of tags, or "*"."""
    if not if_none_match:
        return False
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in candidates)


def _public_cache() -> str:
    return f"public, max-age={get_settings().api_cache_seconds}"


def _problem(
    status: HTTPStatus,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
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


# ---------------------------------------------------------------- errors, in one place


def _invalid_parameters(error: RequestValidationError) -> Response[Any]:
    errors = []
    for entry in error.errors():
        location: tuple[Any, ...] = tuple(entry.get("loc") or ())
        where = str(location[0]) if location else "query"
        name = str(location[-1]) if len(location) > 1 else where
        errors.append({"parameter": name, "location": where, "message": str(entry.get("msg"))})
    detail = "; ".join(f"{item['parameter']}: {item['message']}" for item in errors)
    return _problem(HTTPStatus.BAD_REQUEST, detail, kind="invalid-parameter", errors=errors)


def _invalid_request(error: InvalidRequestError) -> Response[Any]:
    errors = None
    if error.parameter:
        errors = [{"parameter": error.parameter, "location": "query", "message": str(error)}]
    return _problem(HTTPStatus.BAD_REQUEST, str(error), kind="invalid-parameter", errors=errors)


def _not_found(error: NotFoundError) -> Response[Any]:
    return _problem(HTTPStatus.NOT_FOUND, str(error))


def _gone(error: GoneError) -> Response[Any]:
    return _problem(HTTPStatus.GONE, str(error), kind="removed")


def _unavailable(error: TransientError) -> Response[Any]:
    logger.warning("storage busy", extra={"error": str(error)})
    return _problem(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The service is busy; retry shortly.",
        headers={"Retry-After": "1"},
    )


@app.not_found
def _no_route(_: NoRouteError) -> Response[Any]:
    allowed = _methods_for(app.current_event.path)
    if allowed:
        return _problem(
            HTTPStatus.METHOD_NOT_ALLOWED,
            f"{app.current_event.http_method} is not supported here; use {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    return _problem(HTTPStatus.NOT_FOUND, "No such resource; see /docs for the routes.")


def _unexpected(error: Exception) -> Response[Any]:
    # Logged in full with the correlation id; the client sees neither trace nor internal names.
    logger.exception("unhandled error")
    metrics.add_metric(name="ApiErrors", unit=MetricUnit.Count, value=1)
    response = _problem(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "An unexpected error occurred; quote the request_id when reporting it.",
    )
    body = json.loads(str(response.body))
    # The API Gateway request id (the correlation id of every log line of this request).
    body["request_id"] = logger.get_correlation_id() or app.lambda_context.aws_request_id
    response.body = json.dumps(body)
    return response


def _methods_for(path: str) -> list[str]:
    """Methods of the routes whose pattern matches `path` (for 405 and its Allow header)."""
    routes = app._static_routes + app._dynamic_routes
    methods = {route.method for route in routes if route.rule.match(path)}
    return sorted(methods | ({"OPTIONS"} if methods else set()))


# ---------------------------------------------------------------- input bounds


def _bounded_inputs(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
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


# Registered without decorator syntax: powertools' decorator is untyped (mypy strict).
app.exception_handler(RequestValidationError)(_invalid_parameters)
app.exception_handler(InvalidRequestError)(_invalid_request)
app.exception_handler(NotFoundError)(_not_found)
app.exception_handler(GoneError)(_gone)
app.exception_handler(TransientError)(_unavailable)
app.exception_handler(Exception)(_unexpected)
app.use(middlewares=[_bounded_inputs])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="ApiRequests", unit=MetricUnit.Count, value=1)
    return app.resolve(event, context)


__all__ = ["app", "lambda_handler"]
