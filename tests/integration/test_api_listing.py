"""GET /articles and the other read routes over a corpus ingested through the real ingest path.

One module-scoped stack: ~140 articles uploaded to the moto bucket and ingested once (S3 ->
SQS -> sqs_source -> ingest handler), then every route is called through the API handler.
Expected results come from our own ground truth and from the records GET /articles/{id}
returns; every list is walked page by page and every page is one DynamoDB Query.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from openapi_spec_validator import validate

from newsdesk.settings import get_settings
from newsdesk.storage.queries import MAX_PARTITIONS_PER_PAGE
from tests.conftest import EVENTS_DIR, load_event
from tests.integration.api_support import (
    READ_MORE_HEADLINES,
    REFERENCE_SAMPLE,
    ApiResponse,
    Stack,
    Upload,
    call_api,
    related_corpus,
    running_stack,
    sample_uploads,
    sort_key,
    synthetic_corpus,
)

LIMITS = [1, 2, 7, 20, 64, 99, 100]
BAD_FILE = Upload(key="broken/empty.txt", data=b"")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        uploads = synthetic_corpus() + related_corpus() + sample_uploads() + [BAD_FILE]
        if REFERENCE_SAMPLE.is_file():
            uploads.append(Upload(key=REFERENCE_SAMPLE.name, data=REFERENCE_SAMPLE.read_bytes()))
        running.upload(uploads)
        yield running


@pytest.fixture(scope="module")
def records(stack: Stack) -> dict[str, dict[str, Any]]:
    """Every stored record by id, read through GET /articles/{id}."""
    found = {}
    for article_id, upload in stack.uploads.items():
        if upload is BAD_FILE:
            continue
        response = stack.get(f"/articles/{article_id}")
        assert response.status == 200, (upload.key, response.raw_body)
        found[article_id] = response.json
    return found


def newest_first(records: dict[str, dict[str, Any]], keep: Any = None) -> list[str]:
    chosen = [record for record in records.values() if keep is None or keep(record)]
    return [record["id"] for record in sorted(chosen, key=sort_key, reverse=True)]


def walk(
    stack: Stack, path: str, params: dict[str, str], *, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Follow next_cursor to the end; every page is checked for size, Link and request count."""
    items: list[dict[str, Any]] = []
    pages = 0
    cursor: str | None = None
    while True:
        query = {**params, "limit": str(limit)}
        if cursor:
            query["cursor"] = cursor
        stack.counter.reset()
        response = stack.get(path, query)
        assert response.status == 200, response.raw_body
        # One Query per page; the feed and language listings are split by month, so theirs
        # take one per month the page crosses, and the month index once per instance.
        bucketed = not {"author", "section", "tag"} & set(params)
        calls = stack.counter.calls
        assert set(calls) <= {"Query", "GetItem"} and calls["GetItem"] <= 1, calls
        assert calls["Query"] <= (MAX_PARTITIONS_PER_PAGE if bucketed else 1), calls
        page = response.json
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            return items, pages
        link = response.headers["Link"]
        # Relative to the request (the stage path kept), never built from its Host header
        match = re.fullmatch(r'<(/[^>]+)>; rel="next"', link)
        assert match, link
        url = urlsplit(match.group(1))
        assert not url.netloc and not url.scheme
        assert url.path == f"/dev{path}"
        assert parse_qs(url.query)["cursor"] == [cursor]
        assert pages < 1000


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# ---------------------------------------------------------------- the corpus itself


def test_the_corpus_is_big_enough_and_stored_as_uploaded(
    stack: Stack, records: dict[str, dict[str, Any]]
) -> None:
    assert len(records) >= 120
    for article_id, upload in stack.uploads.items():
        if upload.published_at is None:
            continue
        record = records[article_id]
        assert [author["name"] for author in record["authors"]] == list(upload.authors)
        assert record["section"] == upload.section
        published = datetime.fromisoformat(record["published_at"].replace("Z", "+00:00"))
        assert published == upload.published_at


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize("limit", LIMITS)
def test_the_feed_pages_through_every_article_newest_first(
    stack: Stack, records: dict[str, dict[str, Any]], limit: int
) -> None:
    items, pages = walk(stack, "/articles", {}, limit=limit)

    assert ids(items) == newest_first(records)
    assert pages >= -(-len(records) // limit)


def test_next_links_ignore_the_client_host_and_forwarded_headers(stack: Stack) -> None:
    # When a client sends a Host and X-Forwarded-* of its choosing
    response = stack.get(
        "/articles",
        {"limit": "2"},
        headers={
            "Host": "evil.example",
            "X-Forwarded-Proto": "javascript",
            "X-Forwarded-Host": "evil.example",
        },
    )

    # Then the next-page link is relative to the request and names neither
    link = response.headers["Link"]
    assert link.startswith("</dev/articles?limit=2&cursor="), link
    assert "evil" not in link and "javascript" not in link


def test_next_links_use_the_configured_public_base_url(stack: Stack) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUBLIC_BASE_URL", "https://news.example.com/v1")
        get_settings.cache_clear()
        try:
            link = stack.get("/articles", {"limit": "2"}, headers={"Host": "evil.example"})
        finally:
            patch.undo()
            get_settings.cache_clear()

    assert link.headers["Link"].startswith("<https://news.example.com/v1/articles?limit=2&cursor=")


def test_the_default_page_is_twenty_summaries(
    stack: Stack, records: dict[str, dict[str, Any]]
) -> None:
    response = stack.get("/articles")

    page = response.json
    assert ids(page["items"]) == newest_first(records)[: len(page["items"])]
    # A page may hold fewer when it crosses more months than one page reads
    assert 10 <= len(page["items"]) <= 20
    assert set(page["items"][0]) == {
        "id", "slug", "headline", "section", "standfirst", "authors", "publisher",
        "published_at", "image", "language", "summary", "tags", "word_count",
        "reading_time_minutes", "updated_at",
    }  # fmt: skip
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Content-Type"] == "application/json"


def test_fields_selects_what_each_item_carries(stack: Stack) -> None:
    response = stack.get("/articles", {"fields": "id,headline,published_at", "limit": "5"})

    assert response.status == 200
    assert [set(item) for item in response.json["items"]] == [
        {"id", "headline", "published_at"}
    ] * 5


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize("limit", [4, 100])
def test_each_author_lists_exactly_their_articles(
    stack: Stack, records: dict[str, dict[str, Any]], limit: int
) -> None:
    slugs = sorted({a["slug"] for record in records.values() for a in record["authors"]})
    assert len(slugs) >= 8
    for slug in slugs:
        items, _ = walk(stack, "/articles", {"author": slug}, limit=limit)
        expected = newest_first(
            records, lambda record, s=slug: s in [a["slug"] for a in record["authors"]]
        )
        assert ids(items) == expected, slug


def test_an_author_pages_one_article_at_a_time(
    stack: Stack, records: dict[str, dict[str, Any]]
) -> None:
    items, pages = walk(stack, "/articles", {"author": "jonas-berg"}, limit=1)

    expected = newest_first(records, lambda r: "jonas-berg" in [a["slug"] for a in r["authors"]])
    assert ids(items) == expected
    assert pages >= len(expected)


@pytest.mark.parametrize("limit", [3, 100])
def test_each_section_lists_exactly_its_articles(
    stack: Stack, records: dict[str, dict[str, Any]], limit: int
) -> None:
    for section in ("World", "Business", "Science", "Culture", "Opinion", "Politics"):
        slug = section.lower()
        items, _ = walk(stack, "/articles", {"section": slug}, limit=limit)
        assert ids(items) == newest_first(records, lambda r, s=section: r["section"] == s)
        assert ids(items), section


@pytest.mark.parametrize("tag", ["harbour", "energy", "diplomacy", "opinion", "no-such-tag"])
def test_a_tag_lists_exactly_the_articles_carrying_it(
    stack: Stack, records: dict[str, dict[str, Any]], tag: str
) -> None:
    items, _ = walk(stack, "/articles", {"tag": tag}, limit=6)

    assert ids(items) == newest_first(records, lambda record: tag in record["tags"])


def test_lang_lists_articles_in_that_language(
    stack: Stack, records: dict[str, dict[str, Any]]
) -> None:
    items, _ = walk(stack, "/articles", {"lang": "en"}, limit=50)
    assert ids(items) == newest_first(records, lambda record: record["language"] == "en")
    items, _ = walk(stack, "/articles", {"lang": "xx"}, limit=50)
    assert items == []


def _published(record: dict[str, Any]) -> datetime | None:
    value = record.get("published_at")
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _listed_at(record: dict[str, Any]) -> datetime:
    value = record.get("published_at") or record["ingested_at"]
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-03-01", "2024-06-30"),
        ("2024-02-17T08:00:00Z", "2024-02-17T08:00:00Z"),  # both bounds inclusive: a tie
        ("2024-02-17T10:00:00+02:00", None),
        (None, "2024-01-23"),
        ("2025-01-01", None),
    ],
)
def test_a_date_range_bounds_the_feed_inclusively(
    stack: Stack, records: dict[str, dict[str, Any]], start: str | None, end: str | None
) -> None:
    low = _bound(start, end=False)
    high = _bound(end, end=True)
    params = {name: value for name, value in (("from", start), ("to", end)) if value}

    items, _ = walk(stack, "/articles", params, limit=9)

    expected = newest_first(
        records,
        lambda r: (low is None or _listed_at(r) >= low) and (high is None or _listed_at(r) <= high),
    )
    assert ids(items) == expected
    assert expected


def _bound(value: str | None, *, end: bool) -> datetime | None:
    if value is None:
        return None
    if len(value) == 10:
        day = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return day + timedelta(days=1) - timedelta(microseconds=1) if end else day
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def test_author_with_a_date_range(stack: Stack, records: dict[str, dict[str, Any]]) -> None:
    params = {"author": "amara-okafor", "from": "2024-03-01", "to": "2025-03-31"}

    items, _ = walk(stack, "/articles", params, limit=2)

    low, high = _bound("2024-03-01", end=False), _bound("2025-03-31", end=True)
    assert low and high
    expected = newest_first(
        records,
        lambda r: (
            "amara-okafor" in [a["slug"] for a in r["authors"]] and low <= _listed_at(r) <= high
        ),
    )
    assert ids(items) == expected
    assert 2 < len(expected) < 18


@pytest.mark.parametrize(
    "params",
    [
        {"section": "opinion", "tag": "museum"},
        {"section": "world", "tag": "harbour", "lang": "en"},
        {"author": "lena-fischer", "section": "opinion"},
        {"author": "mei-lin", "tag": "railway", "from": "2024-06-01"},
        {"tag": "energy", "lang": "en", "to": "2024-12-31"},
    ],
)
def test_combined_filters_give_exactly_the_intersection(
    stack: Stack, records: dict[str, dict[str, Any]], params: dict[str, str]
) -> None:
    def keep(record: dict[str, Any]) -> bool:
        if "section" in params and (record["section"] or "").lower() != params["section"]:
            return False
        if "author" in params and params["author"] not in [a["slug"] for a in record["authors"]]:
            return False
        if "tag" in params and params["tag"] not in record["tags"]:
            return False
        if "lang" in params and record["language"] != params["lang"]:
            return False
        low, high = _bound(params.get("from"), end=False), _bound(params.get("to"), end=True)
        return (low is None or _listed_at(record) >= low) and (
            high is None or _listed_at(record) <= high
        )

    for limit in (1, 5, 100):
        items, _ = walk(stack, "/articles", params, limit=limit)
        assert ids(items) == newest_first(records, keep), (params, limit)
    assert newest_first(records, keep)


# ---------------------------------------------------------------- cursors


def test_a_cursor_only_works_for_the_query_that_issued_it(stack: Stack) -> None:
    first = stack.get("/articles", {"author": "amara-okafor", "limit": "2"}).json
    cursor = first["next_cursor"]
    assert cursor

    same = stack.get("/articles", {"author": "amara-okafor", "limit": "2", "cursor": cursor})
    other = stack.get("/articles", {"author": "mei-lin", "limit": "2", "cursor": cursor})
    authors = stack.get("/authors", {"cursor": cursor})

    assert same.status == 200
    for response in (other, authors):
        assert_problem(response, 400, parameter="cursor")


@pytest.mark.parametrize("position", [0, 17, -1, -30])
def test_a_tampered_cursor_is_a_400_problem(stack: Stack, position: int) -> None:
    cursor = stack.get("/articles", {"limit": "3"}).json["next_cursor"]
    index = position % len(cursor)
    tampered = cursor[:index] + ("B" if cursor[index] == "A" else "A") + cursor[index + 1 :]

    assert_problem(stack.get("/articles", {"cursor": tampered}), 400, parameter="cursor")


def assert_problem(response: ApiResponse, status: int, *, parameter: str | None = None) -> None:
    assert response.status == status, response.raw_body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Cache-Control"] == "no-store"
    problem = response.json
    assert problem["status"] == status
    assert {"type", "title", "status", "detail"} <= set(problem)
    if parameter:
        assert parameter in [error["parameter"] for error in problem["errors"]]
    assert "Traceback" not in response.raw_body


# ---------------------------------------------------------------- one article, related


def test_an_article_has_a_strong_etag_and_answers_304_when_unchanged(
    stack: Stack, records: dict[str, dict[str, Any]]
) -> None:
    article_id, record = next(iter(records.items()))
    stack.counter.reset()
    response = stack.get(f"/articles/{article_id}")
    assert stack.counter.calls == Counter({"GetItem": 1})
    etag = response.headers["ETag"]
    assert etag == f'"{record["content_hash"]}"'
    assert response.headers["Cache-Control"] == "public, max-age=60"

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = stack.get(f"/articles/{article_id}", headers={"If-None-Match": header})
        assert again.status == 304, header
        assert again.raw_body == ""
        assert again.headers["ETag"] == etag
    changed = stack.get(f"/articles/{article_id}", headers={"If-None-Match": '"stale"'})
    assert changed.status == 200
    assert changed.json == record


def test_an_unknown_article_is_a_404_problem(stack: Stack) -> None:
    assert_problem(stack.get("/articles/0123456789abcdef"), 404)
    assert_problem(stack.get("/articles/0123456789abcdef/related"), 404)


def test_related_resolves_read_more_links_then_same_author_and_shared_tags(
    stack: Stack, records: dict[str, dict[str, Any]]
) -> None:
    article_id = stack.id_of("related/bridges.txt")
    stored = {stack.id_of(f"related/read-more-{n}.json") for n in range(2)}

    response = stack.get(f"/articles/{article_id}/related")

    items = response.json["items"]
    assert [item["reason"] for item in items[:2]] == ["read_more", "read_more"]
    assert [item["headline"] for item in items[:2]] == list(READ_MORE_HEADLINES)
    assert {item["id"] for item in items[:2]} == stored
    assert article_id not in ids(items)
    assert len(ids(items)) == len(set(ids(items)))
    rest = items[2:]
    assert all(item["reason"] in ("same_author", "shared_tag") for item in rest)
    for item in rest:
        if item["reason"] == "same_author":
            assert "tom-fowdy" in [a["slug"] for a in records[item["id"]]["authors"]]


@pytest.mark.corpus
def test_related_resolves_the_reference_samples_read_more_headlines(stack: Stack) -> None:
    if not REFERENCE_SAMPLE.is_file():
        pytest.skip(f"the reference sample is absent ({REFERENCE_SAMPLE})")
    article_id = stack.id_of(REFERENCE_SAMPLE.name)

    items = stack.get(f"/articles/{article_id}/related").json["items"]

    assert [(item["reason"], item["headline"]) for item in items[:2]] == [
        ("read_more", headline) for headline in READ_MORE_HEADLINES
    ]
    assert [item["id"] for item in items[:2]] == [
        stack.id_of(f"related/read-more-{n}.json") for n in range(2)
    ]


# ---------------------------------------------------------------- registries


def _counts(records: dict[str, dict[str, Any]], values: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in records.values():
        counts.update(set(values(record)))
    return counts


@pytest.mark.parametrize("limit", [1, 3, 100])
def test_authors_list_every_author_with_their_count(
    stack: Stack, records: dict[str, dict[str, Any]], limit: int
) -> None:
    items, _ = walk_registry(stack, "/authors", limit)

    expected = _counts(records, lambda r: [a["slug"] for a in r["authors"]])
    assert {item["slug"]: item["article_count"] for item in items} == dict(expected)
    assert [item["slug"] for item in items] == sorted(expected)


def walk_registry(stack: Stack, path: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        stack.counter.reset()
        response = stack.get(path, params)
        assert response.status == 200, response.raw_body
        assert stack.counter.calls == Counter({"Query": 1})
        items += response.json["items"]
        pages += 1
        cursor = response.json["next_cursor"]
        if not cursor:
            return items, pages


def test_one_author_has_a_count_and_a_bio(stack: Stack) -> None:
    stack.counter.reset()
    response = stack.get("/authors/tom-fowdy")

    assert stack.counter.calls == Counter({"GetItem": 1})
    author = response.json
    assert author["name"] == "Tom Fowdy"
    assert author["article_count"] >= 3
    assert author["bio"] and author["bio"].startswith("The author is")
    assert_problem(stack.get("/authors/nobody-at-all"), 404)


@pytest.mark.parametrize("limit", [2, 100])
def test_sections_and_tags_list_with_counts(
    stack: Stack, records: dict[str, dict[str, Any]], limit: int
) -> None:
    sections, _ = walk_registry(stack, "/sections", limit)
    tags, _ = walk_registry(stack, "/tags", limit)

    expected_sections = _counts(records, lambda r: [r["section"]] if r["section"] else [])
    assert {item["name"]: item["article_count"] for item in sections} == dict(expected_sections)
    assert {item["slug"]: item["article_count"] for item in tags} == dict(
        _counts(records, lambda r: r["tags"])
    )


def test_one_section(stack: Stack, records: dict[str, dict[str, Any]]) -> None:
    response = stack.get("/sections/opinion")

    assert response.json == {
        "slug": "opinion",
        "name": "Opinion",
        "article_count": sum(1 for r in records.values() if r["section"] == "Opinion"),
    }
    assert_problem(stack.get("/sections/no-such-section"), 404)


# ---------------------------------------------------------------- ingestions


def test_failed_uploads_and_one_keys_outcome(stack: Stack) -> None:
    failed = stack.get("/ingestions", {"status": "failed"}).json["items"]
    one = stack.get(
        "/ingestions",
        {
            "key": stack.key(
                "synthetic/000-lisbon-harbour-plan-0-wins-backing-after-shipping-row.json"
            )
        },
    )

    assert [item["key"] for item in failed] == [stack.key(BAD_FILE.key)]
    assert failed[0]["status"] == "failed" and failed[0]["code"]
    assert one.json["items"][0]["status"] == "stored"
    assert one.json["items"][0]["article_ids"] == [
        stack.id_of("synthetic/000-lisbon-harbour-plan-0-wins-backing-after-shipping-row.json")
    ]
    assert_problem(stack.get("/ingestions", {"key": "incoming/never-uploaded.txt"}), 404)


def test_recent_ingestions_list_every_upload_newest_first(stack: Stack) -> None:
    # Given every upload of the corpus, the bad file among them
    items, _ = walk(stack, "/ingestions", {}, limit=25)
    # Then each key appears once, with its latest outcome, newest first
    keys = [item["key"] for item in items]
    assert sorted(keys) == sorted(stack.key(upload.key) for upload in stack.uploads.values())
    assert [item["at"] for item in items] == sorted((item["at"] for item in items), reverse=True)
    statuses = {item["key"]: item["status"] for item in items}
    assert statuses[stack.key(BAD_FILE.key)] == "failed"
    assert {status for key, status in statuses.items() if key != stack.key(BAD_FILE.key)} == {
        "stored"
    }


# ---------------------------------------------------------------- request budget per route


MONTH_BUCKETED = ("/articles", "/changes", "/ingestions")
ROUTES = [
    ("/articles", {"limit": "100"}),
    ("/articles", {"section": "opinion", "tag": "museum"}),
    ("/articles", {"author": "amara-okafor", "from": "2024-03-01", "to": "2025-03-31"}),
    ("/authors", {}),
    ("/authors/tom-fowdy", {}),
    ("/sections", {}),
    ("/sections/opinion", {}),
    ("/tags", {"limit": "100"}),
    ("/changes", {"since": "2020-01-01"}),
    ("/ingestions", {"status": "failed"}),
    ("/ingestions", {"key": "incoming/city-budget-vote.txt"}),
    ("/ingestions", {"limit": "5"}),
    ("/health", {}),
    ("/openapi.json", {}),
    ("/docs", {}),
]


@pytest.mark.parametrize(("path", "params"), ROUTES)
def test_every_route_makes_at_most_one_dynamodb_request_and_never_scans(
    stack: Stack, path: str, params: dict[str, str]
) -> None:
    # Given an instance that has served the route once (it knows which months the feed holds)
    stack.get(path, params)
    stack.counter.reset()
    # When the route is asked again
    response = stack.get(path, params)

    assert response.status == 200, response.raw_body
    assert stack.counter.calls["Scan"] == 0
    if path in MONTH_BUCKETED and not {"author", "section", "status", "key"} & set(params):
        # Feed and change feed are split by month: one Query per month the page crosses.
        assert stack.counter.calls == {"Query": stack.counter.total}, stack.counter.calls
        assert stack.counter.total <= MAX_PARTITIONS_PER_PAGE
    else:
        assert stack.counter.total <= 1, stack.counter.calls


def test_a_cold_instance_reads_the_month_index_once(stack: Stack) -> None:
    from functions.api import app as api

    api._service_cache.clear()
    stack.counter.reset()
    stack.get("/articles", {"limit": "5"})
    stack.get("/articles", {"limit": "5"})
    stack.get("/changes", {"since": "2020-01-01", "limit": "5"})

    # One GetItem per bucketed listing (the months it holds), then only Queries
    assert stack.counter.calls["GetItem"] == 2
    assert set(stack.counter.calls) == {"GetItem", "Query"}


def test_related_makes_a_bounded_number_of_requests_and_no_scan(stack: Stack) -> None:
    stack.counter.reset()
    stack.get(f"/articles/{stack.id_of('related/bridges.txt')}/related")

    # One GetItem, one Query per "Read more" link, per author (<= 2) and per tag (<= 3).
    assert stack.counter.calls["GetItem"] == 1
    assert stack.counter.calls["Scan"] == 0
    assert stack.counter.calls["Query"] <= 2 + 2 + 3


# ---------------------------------------------------------------- events/ and documentation


@pytest.mark.parametrize(
    "name", sorted(path.stem for path in EVENTS_DIR.glob("api_*.json")), ids=str
)
def test_every_api_event_gets_the_answer_its_name_promises(stack: Stack, name: str) -> None:
    response = call_api(load_event(name))

    if name.startswith("api_error_"):
        assert 400 <= response.status < 500, response.raw_body
        assert response.headers["Content-Type"] == "application/problem+json"
    else:
        assert response.status in (200, 204, 304), (name, response.raw_body[:500])


def test_the_openapi_document_validates_and_lists_every_route(stack: Stack) -> None:
    document = stack.get("/openapi.json").json

    validate(document)
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/", "/health", "/articles", "/articles/{article_id}", "/articles/{article_id}/related",
        "/authors", "/authors/{slug}", "/sections", "/sections/{slug}", "/tags", "/changes",
        "/ingestions", "/search",
    }  # fmt: skip
    parameters = {p["name"] for p in document["paths"]["/articles"]["get"]["parameters"]}
    assert parameters == {
        "section", "author", "tag", "from", "to", "lang", "limit", "cursor", "fields"
    }  # fmt: skip
    for path_item in document["paths"].values():
        responses = path_item["get"]["responses"]
        assert "200" in responses and "400" in responses
        assert "422" not in responses
    assert document["servers"] == [{"url": "/dev"}]


def test_the_docs_page_is_swagger_ui_over_the_served_document(stack: Stack) -> None:
    page = stack.get("/docs")
    html = page.raw_body

    # powertools' Swagger UI, assets inlined: nothing is loaded from another host
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in html
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)=["\']https?://', html)
    # and the document it embeds lists exactly the routes /openapi.json lists
    served = stack.get("/openapi.json").json
    assert all(f'"{path}"' in html for path in served["paths"])
    assert '"422"' not in html
