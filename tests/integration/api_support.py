"""Content API tests: a synthetic corpus ingested through the real ingest path, and API events.

Articles reach the table the way uploads do: put_object to the moto bucket -> S3 notification
-> SQS -> newsdesk_cli.sqs_source -> functions.ingest.app.lambda_handler. Nothing is written to
the table by hand. API requests are events/ files (load_event) adjusted per request.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from newsdesk.settings import get_settings
from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.resources import LocalResources
from newsdesk_cli.sqs_source import SqsEventSource
from tests.conftest import load_event
from tests.integration.moto_stack import ProjectorFeed, template_stack

REGION = "us-east-1"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE_SAMPLE = ROOT.parent / "shared" / "corpus" / "seed" / "000_7d4c0a3551aecea8.txt"
READ_MORE_HEADLINES = (
    "The most hypocritical statement of all time",
    "The Endgame of the Ukraine War, and the 'Damming' of the Conflict",
)

AUTHORS = [
    "Amara Okafor",
    "Lena Fischer",
    "Tomás Herrera",
    "Priya Raman",
    "Daniel Brooks",
    "Mei Lin",
    "Jonas Berg",
    "Sofia Marques",
]
SECTIONS = ["World", "Business", "Science", "Culture", "Opinion"]
TOPICS = [
    ("harbour", "shipping"),
    ("vaccine", "health"),
    ("election", "parliament"),
    ("solar", "energy"),
    ("museum", "heritage"),
    ("railway", "transport"),
    ("drought", "farming"),
    ("startup", "funding"),
]
PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tromsø", "Adelaide", "Tbilisi", "Halifax"]


@dataclass(frozen=True)
class Upload:
    """One synthetic file and what it states (the ground truth the API must reproduce)."""

    key: str
    data: bytes
    authors: tuple[str, ...] = ()
    section: str | None = None
    published_at: datetime | None = None
    headline: str = ""


def _slug(text: str) -> str:
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _body(index: int, topic: tuple[str, str], place: str) -> list[str]:
    subject, field_ = topic
    return [
        f"Officials in {place} said on Monday that the {subject} plan number {index} would move "
        f"ahead after months of debate about {field_}, cost and who should pay for it.",
        f"Supporters of the {subject} project argue that the city has waited long enough, while "
        f"critics say the {field_} figures were never tested against a bad year.",
        f"A final report on the {subject} scheme is due in the spring, and residents of {place} "
        f"will be asked for their views at three public meetings before any contract is signed.",
    ]


def synthetic_corpus(count: int = 124) -> list[Upload]:
    """`count` articles in three formats with varied authors, sections, dates and topics."""
    uploads: list[Upload] = []
    start = datetime(2024, 1, 3, 8, 0, tzinfo=UTC)
    for index in range(count):
        topic = TOPICS[index % len(TOPICS)]
        place = PLACES[(index * 3) % len(PLACES)]
        section = SECTIONS[index % len(SECTIONS)]
        # One author mostly, two for every seventh article; index 5 of every 30 has none.
        authors: tuple[str, ...] = (AUTHORS[index % len(AUTHORS)],)
        if index % 7 == 3:
            authors += (AUTHORS[(index + 3) % len(AUTHORS)],)
        if index % 30 == 5:
            authors = ()
        # Every 11th article shares its time with the previous one: ties order by id.
        step = index - 1 if index % 11 == 10 else index
        published = start + timedelta(days=step * 5, hours=step % 9)
        headline = f"{place} {topic[0]} plan {index} wins backing after {topic[1]} row"
        body = _body(index, topic, place)
        stem = f"synthetic/{index:03d}-{_slug(headline)}"
        if index % 10 == 9:
            authors = authors[:1]
            front = ["---", f"title: {headline}"]
            front += [f"author: {authors[0]}"] if authors else []
            front += [
                f"section: {section}",
                f"date: {published.strftime('%Y-%m-%dT%H:%M:%SZ')}",
                f"tags: [{topic[0]}, {topic[1]}]",
                "language: en",
                "---",
                "",
            ]
            data = ("\n".join(front) + "\n\n".join(body) + "\n").encode()
            key = f"{stem}.md"
        else:
            document: dict[str, Any] = {
                "headline": headline,
                "section": section,
                "published_at": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "body": body,
                "keywords": [topic[0], topic[1]],
                "language": "en",
            }
            if authors:
                document["authors"] = list(authors)
            data = json.dumps(document, ensure_ascii=False, indent=1).encode()
            key = f"{stem}.json"
        uploads.append(
            Upload(
                key=key,
                data=data,
                authors=authors,
                section=section,
                published_at=published,
                headline=headline,
            )
        )
    return uploads


def related_corpus() -> list[Upload]:
    """The two articles the reference sample's "Read more" block names, and a text article of
    our own whose "Read more" block names them too (so the test never needs the corpus)."""
    uploads = []
    for number, headline in enumerate(READ_MORE_HEADLINES):
        document = {
            "headline": headline,
            "section": "Opinion",
            "authors": ["Tom Fowdy"],
            "published_at": f"2023-0{number + 5}-1{number}T09:00:00Z",
            "body": [
                f"This column, number {number}, argues a point about diplomacy at some length "
                "and with a great deal of confidence.",
                "It goes on to weigh the evidence, which is thinner than the tone suggests.",
            ],
            "keywords": ["diplomacy"],
        }
        uploads.append(
            Upload(
                key=f"related/read-more-{number}.json",
                data=json.dumps(document).encode(),
                authors=("Tom Fowdy",),
                section="Opinion",
                headline=headline,
            )
        )
    text = "\n\n".join(
        [
            "Opinion | Bridges are cheaper than walls, and last longer",
            "By Tom Fowdy",
            "Every few years a government rediscovers that talking costs less than not talking, "
            "and every few years it forgets again within a season.",
            "The pattern is old enough that it should surprise nobody, yet each turn of the "
            "wheel is greeted as a revelation by the people who turned it.",
            "The author is a writer who has covered diplomacy for a decade.",
            "Read more articles by Tom Fowdy:\nOpinion | "
            + READ_MORE_HEADLINES[0]
            + "\nOpinion | "
            + READ_MORE_HEADLINES[1],
        ]
    )
    uploads.append(
        Upload(
            key="related/bridges.txt",
            data=(text + "\n").encode(),
            authors=("Tom Fowdy",),
            section="Opinion",
            headline="Bridges are cheaper than walls, and last longer",
        )
    )
    return uploads


def sample_uploads() -> list[Upload]:
    """The local stack's sample articles (events/ refer to them by id)."""
    folder = ROOT / "newsdesk_cli" / "samples"
    return [
        Upload(key=path.name, data=path.read_bytes())
        for path in sorted(folder.iterdir())
        if path.is_file()  # samples/tour/ holds the files the README tour uploads by hand
    ]


def article_id(bucket: str, key: str) -> str:
    """DESIGN.md section 3: 16 hex chars of sha256 of s3://bucket/key."""
    return hashlib.sha256(f"s3://{bucket}/{key}".encode()).hexdigest()[:16]


@dataclass
class RequestCounter:
    """DynamoDB requests made by the API's client, by operation (botocore event hooks)."""

    calls: Counter[str] = field(default_factory=Counter)

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def reset(self) -> None:
        self.calls.clear()

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@dataclass
class Stack:
    """Resources in moto, the ingest path, the API handler and a DynamoDB request counter."""

    resources: LocalResources
    session: Any
    source: SqsEventSource
    counter: RequestCounter
    projector: ProjectorFeed
    uploads: dict[str, Upload] = field(default_factory=dict)

    @property
    def bucket(self) -> str:
        return self.resources.bucket

    def key(self, name: str) -> str:
        return f"{self.resources.incoming_prefix}{name}"

    def upload(self, items: list[Upload]) -> None:
        s3 = self.session.client("s3")
        for item in items:
            s3.put_object(Bucket=self.bucket, Key=self.key(item.key), Body=item.data)
            self.uploads[article_id(self.bucket, self.key(item.key))] = item
        self.drain()

    def delete(self, name: str) -> None:
        self.session.client("s3").delete_object(Bucket=self.bucket, Key=self.key(name))
        self.drain()

    def drain(self) -> None:
        results = self.source.drain(max_polls=500)
        failed = [result for result in results if result.failed]
        if failed:
            reason = failed[0].handler_error or failed[0].response
            raise AssertionError(f"ingest left messages on the queue: {reason}"[:2000])
        # The derived views (listings, registries, change feed) follow from the stream.
        self.projector.drain()

    def get(
        self, path: str, params: dict[str, str | list[str]] | None = None, **options: Any
    ) -> ApiResponse:
        return call_api(api_event(path, params, **options))

    def id_of(self, name: str) -> str:
        return article_id(self.bucket, self.key(name))


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    raw_body: str

    @property
    def json(self) -> Any:
        return json.loads(self.raw_body)


def api_event(
    path: str,
    params: dict[str, str | list[str]] | None = None,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST (v1 proxy) event for `path`, from events/api_health.json as the template."""
    event = copy.deepcopy(load_event("api_health"))
    multi = {
        name: value if isinstance(value, list) else [value]
        for name, value in (params or {}).items()
    }
    event["path"] = path
    event["httpMethod"] = method
    event["pathParameters"] = {"proxy": path.lstrip("/")} if path != "/" else None
    event["resource"] = "/{proxy+}" if path != "/" else "/"
    event["queryStringParameters"] = {name: values[-1] for name, values in multi.items()} or None
    event["multiValueQueryStringParameters"] = multi or None
    event["headers"] = {**event["headers"], **(headers or {})}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    context = event["requestContext"]
    context["path"] = f"/{context['stage']}{path}"
    context["httpMethod"] = method
    context["resourcePath"] = event["resource"]
    return event


def call_api(event: dict[str, Any]) -> ApiResponse:
    from functions.api import app as api

    result = api.lambda_handler(event, LocalLambdaContext(function_name="newsdesk-api-test"))
    headers = {name: value for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        import base64
        import gzip

        raw = base64.b64decode(body)
        body = (
            gzip.decompress(raw).decode()
            if headers.get("Content-Encoding") == "gzip"
            else raw.decode()
        )
    return ApiResponse(status=result["statusCode"], headers=headers, raw_body=body)


def _reset_cached_clients() -> None:
    from functions.api import app as api
    from functions.ingest import app as ingest
    from functions.projector import app as projector

    get_settings.cache_clear()
    ingest.get_service.cache_clear()
    projector.get_service.cache_clear()
    api._service_cache.clear()


@contextmanager
def running_stack() -> Iterator[Stack]:
    """A fresh moto stack (module-scoped fixtures use it); the API's client counts requests."""
    from functions.ingest import app as ingest

    with (
        pytest.MonkeyPatch.context() as patch,
        template_stack(patch, CURSOR_SECRET="integration-test-secret") as (session, resources),
    ):
        _reset_cached_clients()
        # The API builds its client from boto3's default session: hooks registered on the
        # session are copied into every client made afterwards.
        boto3.setup_default_session(region_name=REGION)
        counter = RequestCounter()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-call.dynamodb", counter)
        source = SqsEventSource(
            session.client("sqs"),
            resources.queue_url,
            ingest.lambda_handler,
            queue_arn=resources.queue_arn,
        )
        try:
            yield Stack(
                resources=resources,
                session=session,
                source=source,
                counter=counter,
                projector=ProjectorFeed(session, resources),
            )
        finally:
            _reset_cached_clients()
            boto3.DEFAULT_SESSION = None


def sort_key(record: dict[str, Any]) -> tuple[str, str]:
    """How listings order records: (published_at or ingested_at, id), newest first."""
    moment = record.get("published_at") or record["ingested_at"]
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(UTC)
    return (parsed.strftime("%Y-%m-%dT%H:%M:%S.%f"), record["id"])
