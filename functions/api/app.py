"""Content API (API Gateway REST, Lambda proxy): the routes, and where errors become HTTP.

Every answer is JSON; every error is an RFC 9457 problem (application/problem+json), mapped
by the handlers registered below (newsdesk.web.problems). Parameter errors, including a bad
cursor, are 400. Settings and clients are built on the first request.
"""

from functools import partial
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

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
    SearchPage,
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
from newsdesk.tracing import DeferredTracer
from newsdesk.web.docs import answer_openapi
from newsdesk.web.limits import (
    MAX_KEY_CHARS,
    MAX_SLUG_CHARS,
    Cursor,
    Limit,
    describe_slug,
    refuse_oversized_inputs,
)
from newsdesk.web.problems import (
    answer_gone,
    answer_invalid_parameters,
    answer_invalid_request,
    answer_no_route,
    answer_not_found,
    answer_unavailable,
    answer_unexpected,
    describe_problems,
)
from newsdesk.web.resolver import ContentResolver
from newsdesk.web.responses import (
    ETAG_HEADERS,
    LIST_HEADERS,
    SettingsCORSConfig,
    answer_json,
    answer_not_modified,
    answer_page,
    build_next_url,
    describe_ok,
    get_if_none_match,
    match_etag,
)

logger = Logger()
tracer = DeferredTracer()  # the X-Ray SDK loads on the first event, not at import
metrics = Metrics()


class Health(BaseModel):
    status: str


class Index(BaseModel):
    name: str
    docs: str
    openapi: str


app = ContentResolver(enable_validation=True, cors=SettingsCORSConfig())
app.configure_openapi(
    title="newsdesk content API",
    version="1.0.0",
    description=(
        "Articles parsed from files uploaded to S3. Lists are newest first and paged with an "
        "opaque `cursor`; errors are RFC 9457 problem documents (application/problem+json)."
    ),
)

# (settings, service) of this process; the settings object is kept so a new one (tests clear
# get_settings' cache) is never mistaken for the old one.
_service_cache: list[tuple[Settings, ContentService]] = []


def _content() -> ContentService:
    """The service for the current settings, built on the first request that needs it."""
    settings = get_settings()
    if not _service_cache or _service_cache[0][0] is not settings:
        from newsdesk.service.search import open_search_service
        from newsdesk.storage.queries import open_content_queries

        # The search service opens the index (S3 client, packaged SQLite) on its first search.
        service = ContentService(open_content_queries(settings), open_search_service(settings))
        _service_cache[:] = [(settings, service)]
    return _service_cache[0][1]


# ---------------------------------------------------------------- routes


@app.get(
    "/",
    summary="Where the documentation is",
    responses={200: describe_ok(Index, "Links to the docs"), **describe_problems(400)},
)
def get_index() -> Response[Any]:
    base = app.base_path()
    return answer_json(
        {"name": "newsdesk", "docs": f"{base}/docs", "openapi": f"{base}/openapi.json"}
    )


@app.get(
    "/health",
    summary="Liveness",
    responses={200: describe_ok(Health, "Alive"), **describe_problems(400)},
)
def get_health() -> Response[Any]:
    return answer_json({"status": "ok"}, cache="no-store")


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
        200: describe_ok(Page[ArticleSummary], "A page of article summaries", LIST_HEADERS),
        **describe_problems(400),
    },
)
def list_articles(
    section: Annotated[str | None, describe_slug("Section")] = None,
    author: Annotated[str | None, describe_slug("Author")] = None,
    tag: Annotated[str | None, describe_slug("Tag")] = None,
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
    filters = _article_filters(section, author, tag, lang, from_, to)
    page = _content().list_articles(filters, limit=limit, cursor=cursor)
    return answer_page(app, page, selected)


def _article_filters(
    section: str | None,
    author: str | None,
    tag: str | None,
    lang: str | None,
    from_: str | None,
    to: str | None,
) -> ArticleFilters:
    """The /articles filters, as /articles and /search both take them."""
    return ArticleFilters(
        section=section,
        author=author,
        tag=tag,
        lang=lang,
        start=parse_time_bound(from_, parameter="from", end=False),
        end=parse_time_bound(to, parameter="to", end=True),
    )


_SEARCH_SYNTAX = (
    "Words are ANDed; `OR`, `NOT` (or `-word`) and parentheses combine them; "
    '`"a phrase"` keeps words in order; `clim*` matches words starting so (2 letters at least); '
    "`headline:`, `standfirst:`, `body:` and `author:` search one field. Case and accents do not "
    "matter; English words match their other forms (running ~ runs). Filters are those of "
    "/articles. `order=relevance` (BM25, headline above standfirst above body) or `newest`. "
    "`facets=section,author,tag,lang` counts each value over the whole result set. A query that "
    "cannot be searched (unclosed quote or parenthesis, an operator without a term, …) is a 400 "
    "whose detail says what is wrong."
)


@app.get(
    "/search",
    summary="Search every article (full text, ranked)",
    description=_SEARCH_SYNTAX,
    responses={
        200: describe_ok(SearchPage, "A page of hits, with facets when asked", LIST_HEADERS),
        **describe_problems(400),
    },
)
def search_articles(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="The query (see the syntax above)",
            examples=['"throws China a bone"', "wind OR solar NOT nuclear", "author:fowdy clim*"],
        ),
    ],
    section: Annotated[str | None, describe_slug("Section")] = None,
    author: Annotated[str | None, describe_slug("Author")] = None,
    tag: Annotated[str | None, describe_slug("Tag")] = None,
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
    order: Annotated[
        str, Query(pattern="^(relevance|newest)$", description="`relevance` or `newest`")
    ] = "relevance",
    limit: Annotated[int, Query(ge=1, le=50, description="Hits per page (1-50)")] = 10,
    cursor: Cursor = None,
    facets: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Comma-separated: section, author, tag, lang",
            examples=["section,author"],
        ),
    ] = None,
) -> Response[Any]:
    from newsdesk.service.search import SearchQuery, parse_facets

    query = SearchQuery(
        q=q,
        filters=_article_filters(section, author, tag, lang, from_, to),
        order="newest" if order == "newest" else "relevance",
        limit=limit,
        cursor=cursor,
        facets=parse_facets(facets),
    )
    page = _content().search(query)
    headers = {}
    if page.next_cursor:
        headers["Link"] = f'<{build_next_url(app, page.next_cursor)}>; rel="next"'
    return answer_json(page.model_dump(mode="json"), headers=headers)


@app.get(
    "/articles/<article_id>",
    summary="One article",
    description="Strong ETag from content_hash; send If-None-Match to get 304 when unchanged.",
    responses={
        200: describe_ok(Article, "The article record", ETAG_HEADERS),
        304: {"description": "Not modified (If-None-Match matched)"},
        **describe_problems(400, 404, 410),
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
    if match_etag(get_if_none_match(app), etag):
        return answer_not_modified(etag)
    return answer_json(select_fields(article, selected), headers={"ETag": etag})


@app.get(
    "/articles/<article_id>/related",
    summary="Related articles",
    description=(
        'The article\'s "Read more" links first (with `id` when a stored article has that '
        "headline), then articles like it by content (its keywords searched in the index), "
        "then articles by the same authors, then articles sharing tags."
    ),
    responses={
        200: describe_ok(Page[RelatedArticle], "Related articles"),
        **describe_problems(400, 404, 410),
    },
)
def get_related(
    article_id: Annotated[str, Path(max_length=64, description="Article id")],
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many")] = 10,
) -> Response[Any]:
    related = _content().related_articles(article_id, limit=limit)
    return answer_json(
        {"items": [item.model_dump(mode="json") for item in related], "next_cursor": None}
    )


@app.get(
    "/authors",
    summary="Authors with article counts and bio",
    responses={
        200: describe_ok(Page[AuthorProfile], "A page of authors", LIST_HEADERS),
        **describe_problems(400),
    },
)
def list_authors(limit: Limit = 20, cursor: Cursor = None) -> Response[Any]:
    return answer_page(app, _content().list_authors(limit=limit, cursor=cursor))


@app.get(
    "/authors/<slug>",
    summary="One author",
    responses={200: describe_ok(AuthorProfile, "The author"), **describe_problems(400, 404)},
)
def get_author(slug: Annotated[str, Path(max_length=MAX_SLUG_CHARS)]) -> Response[Any]:
    return answer_json(_content().get_author(slug).model_dump(mode="json"))


@app.get(
    "/sections",
    summary="Sections with article counts",
    responses={
        200: describe_ok(Page[SectionInfo], "A page of sections", LIST_HEADERS),
        **describe_problems(400),
    },
)
def list_sections(limit: Limit = 20, cursor: Cursor = None) -> Response[Any]:
    return answer_page(app, _content().list_sections(limit=limit, cursor=cursor))


@app.get(
    "/sections/<slug>",
    summary="One section",
    responses={200: describe_ok(SectionInfo, "The section"), **describe_problems(400, 404)},
)
def get_section(slug: Annotated[str, Path(max_length=MAX_SLUG_CHARS)]) -> Response[Any]:
    return answer_json(_content().get_section(slug).model_dump(mode="json"))


@app.get(
    "/tags",
    summary="Tags with article counts",
    responses={
        200: describe_ok(Page[TagInfo], "A page of tags", LIST_HEADERS),
        **describe_problems(400),
    },
)
def list_tags(limit: Limit = 20, cursor: Cursor = None) -> Response[Any]:
    return answer_page(app, _content().list_tags(limit=limit, cursor=cursor))


@app.get(
    "/changes",
    summary="Change feed: articles updated or removed since a time",
    description=(
        "Each article's latest change at or after `since`, oldest first; removals are "
        "reported for 30 days. Sync by remembering the last `at` you processed."
    ),
    responses={
        200: describe_ok(Page[Change], "A page of changes", LIST_HEADERS),
        **describe_problems(400),
    },
)
def list_changes(
    since: Annotated[str, Query(max_length=40, description="RFC 3339 date or date-time")],
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response[Any]:
    moment = parse_time_bound(since, parameter="since", end=False)
    if moment is None:  # unreachable: `since` is required; keeps the type checker honest
        raise InvalidRequestError("`since` is required", parameter="since")
    return answer_page(app, _content().list_changes(moment, limit=limit, cursor=cursor))


@app.get(
    "/ingestions",
    summary="What happened to uploads",
    description=(
        "Without a filter: every upload's latest outcome of the last twelve months, newest "
        "first. `status=failed`: uploads whose latest event could not be parsed, newest "
        "first. `key=incoming/…`: the latest outcome for one S3 key (a one-item list)."
    ),
    responses={
        200: describe_ok(Page[Ingestion], "Ingestion outcomes", LIST_HEADERS),
        **describe_problems(400, 404),
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
    if status is not None and key is not None:
        raise InvalidRequestError("give `status=failed` or `key`, not both", parameter="status")
    if key is not None:
        ingestion = _content().get_ingestion(key)
        return answer_json({"items": [ingestion.model_dump(mode="json")], "next_cursor": None})
    if status is None:
        return answer_page(app, _content().list_ingestions(limit=limit, cursor=cursor))
    return answer_page(app, _content().list_failed_ingestions(limit=limit, cursor=cursor))


@app.get("/openapi.json", include_in_schema=False)
def get_openapi() -> Response[Any]:
    return answer_openapi(app)


# Swagger UI over the same document, assets inlined: it works offline.
app.enable_swagger(path="/docs")


# ---------------------------------------------------------------- errors, in one place

# Registered without decorator syntax: powertools' decorator is untyped (mypy strict).
app.exception_handler(RequestValidationError)(partial(answer_invalid_parameters, app))
app.exception_handler(InvalidRequestError)(partial(answer_invalid_request, app))
app.exception_handler(NotFoundError)(partial(answer_not_found, app))
app.exception_handler(GoneError)(partial(answer_gone, app))
app.exception_handler(TransientError)(partial(answer_unavailable, app, logger))
app.exception_handler(Exception)(partial(answer_unexpected, app, logger, metrics))
app.not_found(partial(answer_no_route, app))
app.use(middlewares=[refuse_oversized_inputs])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="ApiRequests", unit=MetricUnit.Count, value=1)
    return app.resolve(event, context)


__all__ = ["app", "lambda_handler"]
