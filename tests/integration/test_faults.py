"""Faults at the AWS boundary: each one is retried to success, recorded, or ends in a DLQ.

A fault is injected into the handler's own botocore client, on top of moto: a `before-call`
hook answers the chosen call with the error response, so botocore itself raises the ClientError
(its modelled class, code, status and extra fields such as CancellationReasons); timeouts are
botocore's own exceptions, raised before the request or after moto applied it. The handlers run
on real events (S3 notifications through SQS, the table's stream records) and the test asserts
what a user sees: the message named in batchItemFailures and stored on redelivery, a failed
ingestion with its code in /ingestions, or a batch that fails every time until its retries run
out (SQS then moves the message to IngestDeadLetterQueue after maxReceiveCount 5; the stream
mapping parks the batch in ProjectorDeadLetterQueue after MaximumRetryAttempts 10).

Fault -> outcome, one row per test id (README "Operations" has the short form):
`id: call the fault is injected into: fault -> outcome`.

Ingest (S3 notification -> SQS -> IngestFunction). "retried": batchItemFailures names the
message and its redelivery stores the article (listed, counted and in the change feed once);
"recorded": the message is acknowledged and /ingestions shows a failed ingestion with the code.

  s3-get-nosuchkey: GetObject: NoSuchKey (the file was deleted before processing)
      -> acknowledged, nothing stored; the ObjectRemoved event that follows records the removal
  s3-deleted-before-processing: a real delete before the upload's event is handled
      -> the version is still read (versioned bucket); the delete event tombstones it: 410
  s3-get-access-denied: GetObject: AccessDenied (403), once -> retried
  s3-head-forbidden: HeadObject: 403 with no error body (HEAD), once -> retried
  s3-get-slowdown: GetObject: SlowDown (503), once -> retried
  s3-get-read-timeout: GetObject: ReadTimeoutError, once -> retried
  s3-body-read-timeout: GetObject: ReadTimeoutError while the body streams, once -> retried
  ddb-get-throttled: GetItem: ThrottlingException, once -> retried
  ddb-batch-get-unprocessed: BatchGetItem: every key unprocessed, once -> retried
  ddb-put-throttled: PutItem (record): ProvisionedThroughputExceededException, once -> retried
  ddb-put-connect-timeout: PutItem (record): ConnectTimeoutError, once -> retried
  ddb-put-timeout-after-write: PutItem (record): ReadTimeoutError after DynamoDB applied it
      -> retried; the redelivery finds its own write: one version, one change
  ddb-put-internal-error: PutItem (ingestion item): InternalServerError (500), once -> retried
  ddb-conditional-check-failed: PutItem (record): ConditionalCheckFailed, once -> retried
  ddb-conditional-check-failed-newer-event: a newer upload of the key lands between our read
      and our write (ConditionalCheckFailed) -> acknowledged as stale; the newer version stays
  ddb-conditional-check-failed-same-event: the same message, delivered twice, lands first
      (ConditionalCheckFailed) -> acknowledged; one version, one change
  ddb-throttled-recording-failure: a bad file; PutItem of its failure: throttled, once
      -> retried; the redelivery records the failed ingestion
  ddb-item-too-large: PutItem (record): ValidationException "Item size has exceeded"
      -> recorded: item_too_large
  ddb-key-too-long: PutItem (record): ValidationException "Size of hashkey has exceeded"
      -> recorded: key_too_long
  ddb-item-collection-full: PutItem (record): ItemCollectionSizeLimitExceededException
      -> recorded: item_collection_full
  ddb-item-too-large-second-of-jsonl: PutItem (2nd record of a .jsonl, the 1st written)
      -> recorded: item_too_large; deleting the file still removes the 1st article
  dlq-s3-access-denied: GetObject: AccessDenied on every receive
      -> fails each of the 5 receives, then in IngestDeadLetterQueue; no failed ingestion
  dlq-ddb-table-missing: GetItem: ResourceNotFoundException on every receive -> as above

Projector (the table's stream -> ProjectorFunction). "retried": the invocation raises (Lambda
retries the batch, bisecting it) and the retry leaves exactly the items of a clean pass
(listings, registry counts, change feed), every event delivered at least once (consumers dedupe
by id and version).

  proj-batch-write-unprocessed-once: BatchWriteItem: every item unprocessed, once
      -> resent within the invocation; nothing to retry
  proj-batch-write-unprocessed: BatchWriteItem: unprocessed on every resend -> retried
  proj-batch-write-throttled: BatchWriteItem: ProvisionedThroughputExceeded -> retried
  proj-months-transaction-conflict: UpdateItem: TransactionConflictException -> retried
  proj-commit-transaction-conflict: TransactWriteItems: cancelled (TransactionConflict)
      -> retried; counts moved once
  proj-commit-conditional-check-failed: TransactWriteItems: cancelled (ConditionalCheckFailed)
      -> retried; counts moved once
  proj-commit-timeout-after-write: TransactWriteItems: ReadTimeoutError after it applied
      -> retried; the retry skips what was committed
  proj-put-events-partial: PutEvents: FailedEntryCount 1, the other entries delivered -> retried
  proj-put-events-throttled: PutEvents: ThrottlingException -> retried
  proj-dlq-item-too-large: BatchWriteItem: ValidationException (item size), always
      -> fails all 11 attempts, then in ProjectorDeadLetterQueue; the records are intact
  proj-dlq-item-collection-full: TransactWriteItems: cancelled
      (ItemCollectionSizeLimitExceeded), always -> as above
  proj-dlq-put-events-denied: PutEvents: AccessDeniedException, always -> as above

And duplicates: the same SQS message (create, update, delete, bad file, .jsonl, reindex, test
event, not an S3 event) or the same stream batch processed twice leaves an identical table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.response import StreamingBody

from functions.ingest import app as ingest
from functions.projector import app as projector
from newsdesk.errors import GoneError, NewsdeskError, NotFoundError
from newsdesk.service.ingest import IngestService
from newsdesk.settings import get_settings
from newsdesk.storage import keys
from newsdesk.storage.articles import ArticleStore
from newsdesk.storage.objects import ObjectStore
from newsdesk_cli.commands.reindex import s3_event
from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.sqs_source import SqsEventSource
from newsdesk_cli.template import load_template
from tests.integration.ingest_stack import REGION, IngestStack, synthetic_article
from tests.integration.moto_stack import ProjectorFeed, read_events, template_stack
from tests.integration.test_projector import (
    derived_items,
    event_keys,
    forget_derived,
    project,
)

Params = dict[str, Any]
# powertools warns that a failed invocation published no metric (it raised before any).
NO_METRICS_WHEN_RAISING = "ignore:No application metrics to publish:UserWarning"
Item = dict[str, Any]


# ----------------------------------------------------------------- one moto stack, reset per test


@pytest.fixture(scope="module")
def shared_stack() -> Iterator[IngestStack]:
    """The template's resources in moto, created once for the module (it is most of a test's
    time); `stack` empties them before each test."""
    with pytest.MonkeyPatch.context() as patch, template_stack(patch) as (session, resources):
        ingest.get_service.cache_clear()
        sqs = session.client("sqs")
        built = IngestStack(
            resources=resources,
            s3=session.client("s3"),
            sqs=sqs,
            dynamodb=session.client("dynamodb"),
            source=SqsEventSource(
                sqs,
                resources.queue_url,
                ingest.lambda_handler,
                queue_arn=resources.queue_arn,
                context_factory=lambda: LocalLambdaContext(function_name="IngestFunction"),
            ),
            projector=ProjectorFeed(session, resources),
        )
        yield built
        ingest.get_service.cache_clear()
        projector.get_service.cache_clear()


@pytest.fixture
def stack(shared_stack: IngestStack) -> Iterator[IngestStack]:
    """The shared stack with an empty table and empty queues, and new function containers (new
    clients: no fault of an earlier test is left on them)."""
    reset(shared_stack)
    yield shared_stack
    ingest.get_service.cache_clear()
    projector.get_service.cache_clear()


def empty(sqs: Any, url: str) -> None:
    """Receive and delete until nothing is left (PurgeQueue is allowed once a minute)."""
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages"):
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]}
                for number, message in enumerate(messages)
            ],
        )


def reset(stack: IngestStack) -> None:
    ingest.get_service.cache_clear()
    projector.get_service.cache_clear()
    table = stack.resources.table
    doomed = [
        {"DeleteRequest": {"Key": {"PK": item["PK"], "SK": item["SK"]}}}
        for item in full_scan(stack)
    ]
    for start in range(0, len(doomed), 25):
        stack.dynamodb.batch_write_item(RequestItems={table: doomed[start : start + 25]})
    for url in (
        stack.resources.queue_url,
        stack.resources.dead_letter_queue_url,
        stack.resources.event_tap_queue_url,
    ):
        empty(stack.sqs, url)
    # The projector feed moves past the stream records of the deletions, unprojected.
    new_stream_records(stack)


def new_stream_records(stack: IngestStack) -> list[dict[str, Any]]:
    """The article records the table's stream got since the last drain, as the projector's
    event source would deliver them (template filter applied), without projecting them."""
    found: list[dict[str, Any]] = []

    def keep(event: dict[str, Any], _context: Any) -> None:
        found.extend(event["Records"])

    feed = stack.projector.source
    # One poll reads up to 1,000 raw records (a test writes far fewer): the drain stops at the
    # first poll that delivers nothing, which a page of only filtered-out records would be.
    handler, batch_size = feed.handler, feed.batch_size
    feed.handler, feed.batch_size = keep, 1000
    try:
        stack.projector.drain()
    finally:
        feed.handler, feed.batch_size = handler, batch_size
    return found


# ----------------------------------------------------------------- injecting a fault


@dataclass(frozen=True)
class Fault:
    """What the chosen call does instead of (or after) reaching moto."""

    answer: Callable[[Any, Params], tuple[AWSResponse, dict[str, Any]]] | None = None
    raise_before: Callable[[], Exception] | None = None
    raise_after: Callable[[], Exception] | None = None
    rewrite: Callable[[dict[str, Any]], None] | None = None  # the parsed response, in place


def error(code: str, message: str = "", status: int = 400, **extra: Any) -> Fault:
    """The call fails as AWS would answer it: botocore raises the modelled ClientError."""

    def answer(_client: Any, _params: Params) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
            **extra,
        }
        return AWSResponse("https://fault.invalid", status, {}, None), parsed

    return Fault(answer=answer)


def respond(build: Callable[[Any, Params], dict[str, Any]]) -> Fault:
    """The call 'succeeds' with the response `build` makes (e.g. unprocessed items)."""

    def answer(client: Any, params: Params) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {**build(client, params), "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://fault.invalid", 200, {}, None), parsed

    return Fault(answer=answer)


def read_timeout() -> Exception:
    return ReadTimeoutError(endpoint_url="https://fault.invalid")


def connect_timeout() -> Exception:
    return ConnectTimeoutError(endpoint_url="https://fault.invalid")


@dataclass
class Injection:
    """A fault on the matching calls of one operation of one client: `times` of them (None:
    every one), after letting `skip` matching calls through."""

    fault: Fault
    when: Callable[[Params], bool]
    times: int | None
    skip: int = 0
    fired: int = 0
    matched: int = 0

    def take(self, params: Params) -> bool:
        if not self.when(params):
            return False
        self.matched += 1
        if self.matched <= self.skip or (self.times is not None and self.fired >= self.times):
            return False
        self.fired += 1
        return True


def inject(
    client: Any,
    operation: str,
    fault: Fault,
    *,
    when: Callable[[Params], bool] = lambda _params: True,
    times: int | None = 1,
    skip: int = 0,
) -> Injection:
    injection = Injection(fault, when, times, skip)
    service = client.meta.service_model.service_id.hyphenize()
    marker = f"fault-{id(injection)}"

    def choose(params: Params, context: dict[str, Any], **_: Any) -> None:
        if injection.take(params):
            context[marker] = dict(params)

    def before(context: dict[str, Any], **_: Any) -> Any:
        if marker not in context:
            return None
        if fault.raise_before:
            raise fault.raise_before()
        if fault.answer:
            return fault.answer(client, context[marker])
        return None

    def after(context: dict[str, Any], parsed: dict[str, Any], **_: Any) -> None:
        if marker not in context:
            return
        if fault.rewrite:
            fault.rewrite(parsed)
        if fault.raise_after:
            raise fault.raise_after()

    client.meta.events.register(f"before-parameter-build.{service}.{operation}", choose)
    client.meta.events.register(f"before-call.{service}.{operation}", before)
    client.meta.events.register(f"after-call.{service}.{operation}", after)
    return injection


# ----------------------------------------------------------------- which call


def s3_key(key: str) -> Callable[[Params], bool]:
    return lambda params: params.get("Key") == key


def item_of(sk: str, fragment: str = "") -> Callable[[Params], bool]:
    """A PutItem of an item with sort key `sk` (whose request mentions `fragment`)."""
    return lambda params: params["Item"]["SK"]["S"] == sk and fragment in repr(params)


def ingestion_of(key: str) -> Callable[[Params], bool]:
    """A GetItem/PutItem of the key's ingestion item."""
    pk = keys.object_pk(key)

    def matches(params: Params) -> bool:
        item = params.get("Key") or params.get("Item") or {}
        return bool(item.get("PK", {}).get("S") == pk)

    return matches


def record_of(key: str) -> Callable[[Params], bool]:
    return item_of(keys.ARTICLE_SK, key)


def any_call(_params: Params) -> bool:
    return True


# ----------------------------------------------------------------- responses


def all_keys_unprocessed(_client: Any, params: Params) -> dict[str, Any]:
    return {"Responses": {}, "UnprocessedKeys": params["RequestItems"]}


def all_items_unprocessed(_client: Any, params: Params) -> dict[str, Any]:
    return {"UnprocessedItems": params["RequestItems"]}


def first_entry_rejected(_client: Any, params: Params) -> dict[str, Any]:
    """PutEvents delivers every entry but the first, which it rejects as throttled."""
    entries = params["Entries"]
    delivered = boto3.client("events", region_name=REGION).put_events(Entries=entries[1:])
    return {
        "FailedEntryCount": 1,
        "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}]
        + delivered["Entries"],
    }


def body_times_out(parsed: dict[str, Any]) -> None:
    class TimingOut(StreamingBody):  # type: ignore[misc]
        def read(self, amt: int | None = None) -> bytes:
            raise read_timeout()

    parsed["Body"] = TimingOut(parsed["Body"], int(parsed.get("ContentLength", 0)))


def transaction_cancelled(*reasons: str) -> Fault:
    return error(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons "
        f"[{', '.join(reasons)}]",
        CancellationReasons=[{"Code": reason} for reason in reasons],
    )


# ----------------------------------------------------------------- helpers


def article_id(bucket: str, key: str) -> str:
    return hashlib.sha256(f"s3://{bucket}/{key}".encode()).hexdigest()[:16]


def key_of(body: str) -> str:
    return unquote_plus(json.loads(body)["Records"][0]["s3"]["object"]["key"])


def failed_keys(result: Any) -> list[str]:
    return [key_of(result.body_of(message_id)) for message_id in result.failed]


def full_scan(stack: IngestStack) -> list[Item]:
    """Every item of the table, in key order (test only)."""
    items: list[Item] = []
    for page in stack.dynamodb.get_paginator("scan").paginate(TableName=stack.resources.table):
        items += page["Items"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def take_message(stack: IngestStack) -> str:
    """Remove the next message from the ingest queue and return its body."""
    [message] = stack.sqs.receive_message(
        QueueUrl=stack.resources.queue_url, MaxNumberOfMessages=1
    )["Messages"]
    stack.sqs.delete_message(
        QueueUrl=stack.resources.queue_url, ReceiptHandle=message["ReceiptHandle"]
    )
    body: str = message["Body"]
    return body


def send(stack: IngestStack, body: str) -> None:
    stack.sqs.send_message(QueueUrl=stack.resources.queue_url, MessageBody=body)


def second_ingester() -> IngestService:
    """Another IngestFunction container: its own clients, no fault."""
    settings = get_settings()
    return IngestService(
        store=ArticleStore(boto3.client("dynamodb", region_name=REGION), settings.table_name),
        objects=ObjectStore(boto3.client("s3", region_name=REGION)),
        incoming_prefix=settings.incoming_prefix,
        max_file_bytes=settings.max_file_bytes,
    )


def dynamodb(stack: IngestStack) -> Any:
    return stack.store.client


def s3(stack: IngestStack) -> Any:
    return stack.objects.client


# ----------------------------------------------------------------- ingest: retried


@dataclass(frozen=True)
class Case:
    id: str
    client: Callable[[IngestStack], Any]
    operation: str
    fault: Fault
    when: Callable[[str], Callable[[Params], bool]]
    code: str | None = None  # for recorded faults: the failed ingestion's code

    def inject(self, stack: IngestStack, key: str, times: int | None) -> Injection:
        return inject(
            self.client(stack), self.operation, self.fault, when=self.when(key), times=times
        )


RETRIED = [
    Case(
        "s3-get-access-denied", s3, "GetObject", error("AccessDenied", "Access Denied", 403), s3_key
    ),
    Case("s3-head-forbidden", s3, "HeadObject", error("403", "Forbidden", 403), s3_key),
    Case(
        "s3-get-slowdown",
        s3,
        "GetObject",
        error("SlowDown", "Please reduce your request rate.", 503),
        s3_key,
    ),
    Case("s3-get-read-timeout", s3, "GetObject", Fault(raise_before=read_timeout), s3_key),
    Case("s3-body-read-timeout", s3, "GetObject", Fault(rewrite=body_times_out), s3_key),
    Case(
        "ddb-get-throttled",
        dynamodb,
        "GetItem",
        error("ThrottlingException", "Rate exceeded"),
        ingestion_of,
    ),
    Case(
        "ddb-batch-get-unprocessed",
        dynamodb,
        "BatchGetItem",
        respond(all_keys_unprocessed),
        lambda _key: any_call,
    ),
    Case(
        "ddb-put-throttled",
        dynamodb,
        "PutItem",
        error(
            "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput was exceeded",
        ),
        record_of,
    ),
    Case(
        "ddb-put-connect-timeout",
        dynamodb,
        "PutItem",
        Fault(raise_before=connect_timeout),
        record_of,
    ),
    Case(
        "ddb-put-internal-error",
        dynamodb,
        "PutItem",
        error("InternalServerError", "Internal server error", 500),
        ingestion_of,
    ),
    Case(
        "ddb-conditional-check-failed",
        dynamodb,
        "PutItem",
        error("ConditionalCheckFailedException", "The conditional request failed"),
        record_of,
    ),
]

RECORDED = [
    Case(
        "ddb-item-too-large",
        dynamodb,
        "PutItem",
        error("ValidationException", "Item size has exceeded the maximum allowed size"),
        record_of,
        code="item_too_large",
    ),
    Case(
        "ddb-key-too-long",
        dynamodb,
        "PutItem",
        error(
            "ValidationException",
            "One or more parameter values were invalid: Size of hashkey has exceeded the "
            "maximum size limit of 2048 bytes",
        ),
        record_of,
        code="key_too_long",
    ),
    Case(
        "ddb-item-collection-full",
        dynamodb,
        "PutItem",
        error("ItemCollectionSizeLimitExceededException", "Collection size exceeded."),
        record_of,
        code="item_collection_full",
    ),
]

DEAD_LETTER = [
    Case(
        "dlq-s3-access-denied", s3, "GetObject", error("AccessDenied", "Access Denied", 403), s3_key
    ),
    Case(
        "dlq-ddb-table-missing",
        dynamodb,
        "GetItem",
        error("ResourceNotFoundException", "Requested resource not found"),
        ingestion_of,
    ),
]


@pytest.mark.parametrize("case", RETRIED, ids=[case.id for case in RETRIED])
def test_transient_fault_is_retried_then_stored(stack: IngestStack, case: Case) -> None:
    # Given an upload, and one fault on its way in
    key = f"incoming/faults/{case.id}.txt"
    stack.put(key, synthetic_article(headline=f"Ferries and the {case.id} fault"))
    injection = case.inject(stack, key, times=1)
    # When its message is delivered
    first = stack.deliver()
    # Then the handler names that message in batchItemFailures, and nothing is recorded as
    # failed (the file is fine)
    assert failed_keys(first) == [key]
    assert injection.fired == 1
    reader = stack.reader()
    ingestion = reader.get_ingestion(key)
    assert ingestion is None
    # And when SQS delivers it again, the article is stored, listed and counted once
    second = stack.deliver()
    assert second.received == first.failed and second.failed == []
    stored = reader.get_article(article_id(stack.bucket, key))
    assert stored.headline == f"Ferries and the {case.id} fault"
    views = stack.views()
    assert views.ids() == [stored.id]
    assert views.counts("author") == {"jane-doe": 1}
    assert [(change.id, change.version) for change in views.changes()] == [(stored.id, 1)]
    assert views.failed() == []
    ingestion = reader.get_ingestion(key)
    assert ingestion is not None and ingestion.status == "stored"
    assert injection.fired == 1


@pytest.mark.parametrize("case", RECORDED, ids=[case.id for case in RECORDED])
def test_storage_limit_is_recorded_as_a_failed_ingestion(stack: IngestStack, case: Case) -> None:
    # Given an upload whose record DynamoDB refuses for good
    key = f"incoming/faults/{case.id}.txt"
    stack.put(key, synthetic_article())
    injection = case.inject(stack, key, times=None)
    # When its message is delivered
    result = stack.deliver()
    # Then the message is acknowledged (retrying cannot help) and /ingestions says why
    assert result.response == {"batchItemFailures": []}
    assert injection.fired == 1
    views = stack.views()
    [failure] = views.failed()
    assert (failure.key, failure.code) == (key, case.code)
    assert failure.message and failure.message.startswith("store article")
    assert views.ids() == []
    with pytest.raises(NotFoundError):
        stack.reader().get_article(article_id(stack.bucket, key))
    assert stack.queue_depth(stack.resources.queue_url) == 0


@pytest.mark.parametrize("case", DEAD_LETTER, ids=[case.id for case in DEAD_LETTER])
def test_persistent_fault_ends_in_the_dead_letter_queue(stack: IngestStack, case: Case) -> None:
    key = f"incoming/faults/{case.id}.txt"
    stack.put(key, synthetic_article())
    injection = case.inject(stack, key, times=None)
    # When the message fails on every receive
    for attempt in range(1, stack.resources.max_receive_count + 1):
        result = stack.deliver()
        assert failed_keys(result) == [key], f"receive {attempt}"
    # Then SQS moves it to the dead-letter queue: nothing lost, nothing recorded as a bad file
    assert stack.source.poll_once().received == []
    dead = stack.sqs.receive_message(QueueUrl=stack.resources.dead_letter_queue_url)["Messages"]
    assert [key_of(message["Body"]) for message in dead] == [key]
    assert injection.fired == stack.resources.max_receive_count
    assert stack.views().failed() == []
    assert stack.reader().get_ingestion(key) is None


# ----------------------------------------------------------------- ingest: special cases


def test_s3_get_nosuchkey(stack: IngestStack) -> None:
    # Given an upload that is gone by the time its event is handled (GetObject: NoSuchKey)
    key = "incoming/faults/gone.txt"
    stack.put(key, synthetic_article())
    injection = inject(
        s3(stack),
        "GetObject",
        error("NoSuchKey", "The specified key does not exist.", 404),
        when=s3_key(key),
    )
    # When the event is delivered
    result = stack.deliver()
    # Then it is acknowledged: nothing stored, nothing failed, no retry
    assert result.response == {"batchItemFailures": []} and injection.fired == 1
    assert stack.reader().get_ingestion(key) is None
    assert stack.views().failed() == []
    # And the ObjectRemoved event that follows records the removal
    stack.delete(key)
    assert stack.deliver().failed == []
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and ingestion.status == "removed"
    assert stack.views().ids() == []


def test_s3_deleted_before_processing(stack: IngestStack) -> None:
    # Given an upload deleted before either event is handled
    key = "incoming/faults/short-lived.txt"
    stack.put(key, synthetic_article())
    stack.delete(key)
    # When both events are delivered (one batch)
    result = stack.deliver()
    # Then the version is read (the bucket keeps versions), and the delete removes it: 410
    assert len(result.received) == 2 and result.failed == []
    with pytest.raises(GoneError):
        stack.reader().get_article(article_id(stack.bucket, key))
    ingestion = stack.reader().get_ingestion(key)
    assert ingestion is not None and ingestion.status == "removed"
    assert stack.views().ids() == []


def test_ddb_put_timeout_after_write(stack: IngestStack) -> None:
    """The retried message finds the record its first attempt wrote: no second version."""
    # Given a stored article, and a revision whose record write times out after it applied
    key = "incoming/faults/ambiguous.txt"
    stack.put(key, synthetic_article(headline="Ferries: first take"))
    stack.deliver()
    stack.put(key, synthetic_article(headline="Ferries: second take"))
    injection = inject(
        dynamodb(stack), "PutItem", Fault(raise_after=read_timeout), when=record_of(key)
    )
    # When it is delivered (fails) and redelivered
    assert failed_keys(stack.deliver()) == [key]
    assert stack.deliver().failed == []
    # Then the revision is stored once: version 2, one "updated" change
    assert injection.fired == 1
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    assert stored.headline == "Ferries: second take"
    views = stack.views()
    assert [(change.id, change.version) for change in views.changes()] == [(stored.id, 2)]
    assert views.counts("author") == {"jane-doe": 1}


def test_ddb_conditional_check_failed_newer_event(stack: IngestStack) -> None:
    # Given two versions of a key; the older one's event is handled while the newer one's
    # lands first (another container, between our read and our conditional write)
    key = "incoming/faults/race.txt"
    stack.put(key, synthetic_article(headline="Ferries: the older version"))
    older = take_message(stack)
    stack.put(key, synthetic_article(headline="Ferries: the newer version"))
    newer = take_message(stack)
    other = second_ingester()

    def newer_lands_first(_client: Any, _params: Params) -> Any:
        assert other.handle_message(newer)[0].status == "stored"
        return None  # then our own write goes to moto, which refuses it

    race = inject(dynamodb(stack), "PutItem", Fault(answer=newer_lands_first), when=record_of(key))
    # When the older event is delivered
    send(stack, older)
    result = stack.deliver()
    # Then it is acknowledged as stale; the newer version stays
    assert result.response == {"batchItemFailures": []} and race.fired == 1
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    assert stored.headline == "Ferries: the newer version"
    assert [summary.headline for summary in stack.views().listing()] == [stored.headline]


def test_ddb_conditional_check_failed_same_event(stack: IngestStack) -> None:
    # Given one message delivered twice at once (SQS is at-least-once): the other copy's write
    # lands between our read and our conditional write
    key = "incoming/faults/twin.txt"
    stack.put(key, synthetic_article())
    body = take_message(stack)
    other = second_ingester()

    def twin_lands_first(_client: Any, _params: Params) -> Any:
        assert other.handle_message(body)[0].status == "stored"
        return None

    race = inject(dynamodb(stack), "PutItem", Fault(answer=twin_lands_first), when=record_of(key))
    # When our copy is delivered
    send(stack, body)
    result = stack.deliver()
    # Then it is acknowledged; the article has one version and one change
    assert result.response == {"batchItemFailures": []} and race.fired == 1
    stored = stack.reader().get_article(article_id(stack.bucket, key))
    views = stack.views()
    assert [(change.id, change.version) for change in views.changes()] == [(stored.id, 1)]
    assert views.counts("author") == {"jane-doe": 1}


def test_ddb_throttled_recording_failure(stack: IngestStack) -> None:
    # Given a bad file, and the write of its failed ingestion throttled once
    key = "incoming/faults/empty.txt"
    stack.put(key, b"")
    injection = inject(
        dynamodb(stack),
        "PutItem",
        error("ThrottlingException", "Rate exceeded"),
        when=item_of(keys.INGESTION_SK, key),
    )
    # When it is delivered and redelivered
    assert failed_keys(stack.deliver()) == [key]
    assert stack.deliver().failed == []
    # Then the failure is recorded once, with its code
    assert injection.fired == 1
    assert [(failure.key, failure.code) for failure in stack.views().failed()] == [(key, "empty")]


def test_ddb_item_too_large_second_of_jsonl(stack: IngestStack) -> None:
    # Given a .jsonl of three articles whose second record DynamoDB refuses as too large
    key = "incoming/faults/wire.jsonl"
    lines = [
        {
            "headline": f"Wire story {number} about the harbour ferries",
            "body": [
                "The harbour council voted on Tuesday to keep the ferry network running.",
                f"This is wire story number {number}, with its own second paragraph.",
            ],
        }
        for number in range(3)
    ]
    stack.put(key, "\n".join(json.dumps(line) for line in lines).encode())
    injection = inject(
        dynamodb(stack),
        "PutItem",
        error("ValidationException", "Item size has exceeded the maximum allowed size"),
        when=item_of(keys.ARTICLE_SK),
        skip=1,
    )
    # When it is delivered
    result = stack.deliver()
    # Then the file is a failed ingestion (item_too_large), not retried
    assert result.response == {"batchItemFailures": []} and injection.fired == 1
    assert [(failure.key, failure.code) for failure in stack.views().failed()] == [
        (key, "item_too_large")
    ]
    written = stack.views().ids()
    # And deleting the file removes every article it left behind
    stack.delete(key)
    assert stack.deliver().failed == []
    for article in written:
        with pytest.raises(GoneError):
            stack.reader().get_article(article)
    assert stack.views().ids() == []


# ----------------------------------------------------------------- the projector


@pytest.fixture
def records(stack: IngestStack) -> list[dict[str, Any]]:
    """Three articles by two authors, one revised, one removed: the stream records of it all
    (nothing projected yet), and the events the bus had so far drained."""
    for number in range(3):
        author = "John Roe" if number == 1 else "Jane Doe"
        stack.put(
            f"incoming/stream/{number}.txt",
            synthetic_article(headline=f"Ferry story {number} of the week", author=author),
        )
    stack.deliver_all()
    stack.put(
        "incoming/stream/0.txt",
        synthetic_article(headline="Ferry story 0 of the week", author="John Roe"),
    )
    stack.delete("incoming/stream/2.txt")
    stack.deliver_all()
    found = new_stream_records(stack)
    assert len(found) == 5
    return found


def clean_projection(
    stack: IngestStack, records: list[dict[str, Any]]
) -> tuple[dict[Any, Any], set[tuple[str, str, int]]]:
    """What one fault-free pass over the batch leaves, and the events it sends (then forgotten,
    so the faulty pass starts from nothing too)."""
    assert project(records) == {"batchItemFailures": []}
    items = derived_items(stack.resources)
    events = set(event_keys(read_events(boto3.Session(region_name=REGION), stack.resources)))
    forget_derived(stack.resources)
    return items, events


def projector_dynamodb() -> Any:
    return projector.get_service().store.client


def projector_events() -> Any:
    return projector.get_service().events.client


@dataclass(frozen=True)
class StreamCase:
    id: str
    client: Callable[[], Any]
    operation: str
    fault: Fault
    times: int | None = 1
    retried: bool = True  # the first invocation fails (Lambda retries the batch)


STREAM_RETRIED = [
    StreamCase(
        "proj-batch-write-unprocessed-once",
        projector_dynamodb,
        "BatchWriteItem",
        respond(all_items_unprocessed),
        retried=False,
    ),
    StreamCase(
        "proj-batch-write-unprocessed",
        projector_dynamodb,
        "BatchWriteItem",
        respond(all_items_unprocessed),
        times=4,
    ),
    StreamCase(
        "proj-batch-write-throttled",
        projector_dynamodb,
        "BatchWriteItem",
        error(
            "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput was exceeded",
        ),
    ),
    StreamCase(
        "proj-months-transaction-conflict",
        projector_dynamodb,
        "UpdateItem",
        error("TransactionConflictException", "Transaction is ongoing for the item"),
    ),
    StreamCase(
        "proj-commit-transaction-conflict",
        projector_dynamodb,
        "TransactWriteItems",
        transaction_cancelled("None", "TransactionConflict"),
    ),
    StreamCase(
        "proj-commit-conditional-check-failed",
        projector_dynamodb,
        "TransactWriteItems",
        transaction_cancelled("ConditionalCheckFailed", "None"),
    ),
    StreamCase(
        "proj-commit-timeout-after-write",
        projector_dynamodb,
        "TransactWriteItems",
        Fault(raise_after=read_timeout),
    ),
    StreamCase(
        "proj-put-events-partial", projector_events, "PutEvents", respond(first_entry_rejected)
    ),
    StreamCase(
        "proj-put-events-throttled",
        projector_events,
        "PutEvents",
        error("ThrottlingException", "Rate exceeded"),
    ),
]

STREAM_DEAD_LETTER = [
    StreamCase(
        "proj-dlq-item-too-large",
        projector_dynamodb,
        "BatchWriteItem",
        error("ValidationException", "Item size has exceeded the maximum allowed size"),
        times=None,
    ),
    StreamCase(
        "proj-dlq-item-collection-full",
        projector_dynamodb,
        "TransactWriteItems",
        transaction_cancelled("ItemCollectionSizeLimitExceeded", "None"),
        times=None,
    ),
    StreamCase(
        "proj-dlq-put-events-denied",
        projector_events,
        "PutEvents",
        error("AccessDeniedException", "not authorized"),
        times=None,
    ),
]


@pytest.mark.filterwarnings(NO_METRICS_WHEN_RAISING)
@pytest.mark.parametrize("case", STREAM_RETRIED, ids=[case.id for case in STREAM_RETRIED])
def test_projector_fault_is_retried_to_the_clean_result(
    stack: IngestStack, records: list[dict[str, Any]], case: StreamCase
) -> None:
    clean_items, clean_events = clean_projection(stack, records)
    # Given a fault on the projector's way out
    injection = inject(case.client(), case.operation, case.fault, times=case.times)
    # When the batch is delivered: the handler fails it (Lambda retries the whole batch), or
    # gets past the fault within the invocation
    if case.retried:
        with pytest.raises(NewsdeskError):
            project(records)
        assert project(records) == {"batchItemFailures": []}
    else:
        assert project(records) == {"batchItemFailures": []}
    # Then the views, counts and change feed are those of a clean pass, and every event was
    # delivered (a retried batch may send some twice: consumers dedupe by id and version)
    assert injection.fired == (case.times or 1)
    assert derived_items(stack.resources) == clean_items
    events = set(event_keys(read_events(boto3.Session(region_name=REGION), stack.resources)))
    assert events == clean_events


@pytest.mark.filterwarnings(NO_METRICS_WHEN_RAISING)
@pytest.mark.parametrize("case", STREAM_DEAD_LETTER, ids=[case.id for case in STREAM_DEAD_LETTER])
def test_persistent_projector_fault_fails_every_attempt(
    stack: IngestStack, records: list[dict[str, Any]], case: StreamCase
) -> None:
    mapping = load_template()["Resources"]["ProjectorFunction"]["Properties"]["Events"]
    attempts = 1 + int(mapping["ArticleRecords"]["Properties"]["MaximumRetryAttempts"])
    injection = inject(case.client(), case.operation, case.fault, times=None)
    # When the batch is delivered and retried as often as the event source mapping retries it
    for attempt in range(attempts):
        with pytest.raises(NewsdeskError):
            project(records)
        assert injection.fired == attempt + 1
    # Then every attempt failed (the mapping parks the batch in ProjectorDeadLetterQueue), and
    # the article records themselves are intact
    assert attempts == 11
    reader = stack.reader()
    assert reader.get_article(article_id(stack.bucket, "incoming/stream/1.txt")).headline == (
        "Ferry story 1 of the week"
    )


def test_the_same_stream_batch_twice_leaves_an_identical_table(
    stack: IngestStack, records: list[dict[str, Any]]
) -> None:
    assert project(records) == {"batchItemFailures": []}
    once = full_scan(stack)
    assert project(records) == {"batchItemFailures": []}
    assert full_scan(stack) == once


# ----------------------------------------------------------------- the same message twice


def upload(stack: IngestStack, key: str, data: bytes) -> str:
    stack.put(key, data)
    return take_message(stack)


MESSAGES: dict[str, Callable[[IngestStack], str]] = {
    "create": lambda stack: upload(stack, "incoming/twice/new.txt", synthetic_article()),
    "update": lambda stack: upload(
        stack, "incoming/twice/kept.txt", synthetic_article(author="John Roe")
    ),
    "delete": lambda stack: (stack.delete("incoming/twice/kept.txt"), take_message(stack))[1],
    "bad-file": lambda stack: upload(stack, "incoming/twice/empty.txt", b""),
    "jsonl": lambda stack: upload(
        stack,
        "incoming/twice/wire.jsonl",
        b'{"headline": "Wire one on ferries", "body": ["The ferries run all winter."]}\n'
        b'{"headline": "Wire two on ferries", "body": ["The ferries run all summer."]}',
    ),
    "reindex": lambda stack: json.dumps(
        s3_event(
            bucket=stack.bucket,
            key="incoming/twice/kept.txt",
            size=len(synthetic_article()),
            etag="0",
            version_id=None,
            region=REGION,
            sequencer=None,
        )
    ),
    "test-event": lambda stack: json.dumps(
        {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": stack.bucket}
    ),
    "not-an-s3-event": lambda _stack: '{"hello": "world"}',
}


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_the_same_message_twice_leaves_an_identical_table(stack: IngestStack, kind: str) -> None:
    # Given a stored article (for the update, delete and reindex messages)
    stack.put("incoming/twice/kept.txt", synthetic_article())
    stack.deliver()
    body = MESSAGES[kind](stack)
    # When the message is processed once (and the projector catches up)
    send(stack, body)
    assert stack.deliver().failed == []
    stack.projector.drain()
    once = full_scan(stack)
    # Then processing it again changes nothing
    send(stack, body)
    assert stack.deliver().failed == []
    stack.projector.drain()
    assert full_scan(stack) == once
    assert stack.queue_depth(stack.resources.queue_url) == 0


def test_the_fault_table_names_every_case_and_nothing_else() -> None:
    """The table above and the tests stay one list: each row's id is a test (or test case)."""
    rows = {
        line.strip().split(":")[0]
        for line in (__doc__ or "").splitlines()
        if line.startswith("  ") and not line.startswith("   ") and ":" in line
    }
    parametrized = {case.id for case in RETRIED + RECORDED + DEAD_LETTER}
    parametrized |= {case.id for case in STREAM_RETRIED + STREAM_DEAD_LETTER}
    special = {
        name.removeprefix("test_").replace("_", "-")
        for name in globals()
        if name.startswith("test_") and name.removeprefix("test_").replace("_", "-") in rows
    }
    assert rows == parametrized | special
    assert len(special) == len(rows) - len(parametrized) == 7
