"""Item shapes: records round-trip (huge bodies included) and stay under DynamoDB's 400 KB."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from newsdesk.errors import StorageError, TransientError
from newsdesk.models import Article, Author, Source
from newsdesk.storage import items, keys
from newsdesk.storage.failures import translate

ITEM_LIMIT = 400 * 1024
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def article(body: list[str]) -> Article:
    return Article(
        id="0123456789abcdef",
        slug="harbour-ferries",
        headline="Harbour ferries: the council's U-turn",
        section="Opinion",
        authors=[Author(name="Jane Doe", slug="jane-doe")],
        body=body,
        word_count=sum(len(paragraph.split()) for paragraph in body),
        reading_time_minutes=1,
        summary=body[0][:300],
        tags=["opinion", "ferries"],
        language="en",
        content_hash="ab" * 32,
        source=Source(bucket="b", key="incoming/ferries.txt", format="text", size=100),
        parser_version="1",
        ingested_at=NOW,
        updated_at=NOW,
    )


def dynamo_size(value: object) -> int:
    """DynamoDB's item size rules (names + values; 3 bytes per list/map, 1 per element)."""
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return len(str(value)) // 2 + 1
    if isinstance(value, list):
        return 3 + sum(dynamo_size(element) + 1 for element in value)
    if isinstance(value, dict):
        return 3 + sum(len(name) + dynamo_size(element) + 1 for name, element in value.items())
    raise TypeError(type(value))


def round_trip(value: Article) -> Article:
    encoded = items.record_item(value, object_key="incoming/ferries.txt", sequencer="00A1")
    assert dynamo_size(encoded.item) < ITEM_LIMIT
    for part in encoded.parts:
        assert dynamo_size(part) < ITEM_LIMIT
    stored = items.from_dynamo(items.to_dynamo(encoded.item))
    parts = [items.from_dynamo(items.to_dynamo(part)) for part in encoded.parts]
    return items.article_from_items(stored, parts)


def test_small_article_round_trips_inline() -> None:
    value = article(["The council voted to keep the ferries.", "Second paragraph."])
    encoded = items.record_item(value, object_key="k", sequencer=None)
    assert encoded.item["body"] == value.body and not encoded.parts
    assert round_trip(value) == value


def test_large_body_is_compressed_into_the_record() -> None:
    value = article(
        [f"Paragraph {number} about the harbour ferries." * 20 for number in range(2000)]
    )
    encoded = items.record_item(value, object_key="k", sequencer=None)
    assert "body_z" in encoded.item and not encoded.parts
    assert round_trip(value) == value


def test_incompressible_ten_megabyte_body_is_split_into_parts() -> None:
    # About 10 MiB of hex: the largest file accepted, and the worst case for compression.
    body = [
        "".join(hashlib.sha256(f"{row}-{column}".encode()).hexdigest() for column in range(40))
        for row in range(4000)
    ]
    value = article(body)
    encoded = items.record_item(value, object_key="k", sequencer=None)
    assert encoded.parts and encoded.item["body_parts"] == len(encoded.parts)
    assert round_trip(value) == value


def test_listing_item_carries_the_summary() -> None:
    value = article(["The council voted to keep the ferries."])
    summary = items.summary_from_item(items.summary_attributes(value))
    item = items.listing_item(summary, keys.listing_author("jane-doe"), sort_at=NOW, version=3)
    assert item["GSI1PK"] == "author#jane-doe"
    assert item["GSI1SK"] == "2026-03-01T09:00:00.000000Z#0123456789abcdef"
    assert item["version"] == 3
    read_back = items.summary_from_item(items.from_dynamo(items.to_dynamo(item)))
    assert read_back.model_dump() == value.model_dump(include=set(read_back.model_fields))


def test_every_article_joins_the_feed_and_a_language_one_month_at_a_time() -> None:
    summary = items.summary_from_item(items.summary_attributes(article(["x"])))
    feed = items.listing_item(summary, "feed", sort_at=NOW, version=1)
    lang = items.listing_item(summary, "lang#en", sort_at=NOW, version=1)
    section = items.listing_item(summary, "section#opinion", sort_at=NOW, version=1)
    assert (feed["GSI1PK"], lang["GSI1PK"]) == ("feed#2026-03", "lang#en#2026-03")
    assert section["GSI1PK"] == "section#opinion"


def test_the_record_carries_no_index_keys() -> None:
    encoded = items.record_item(article(["x"]), object_key="k", sequencer="0A", version=4)
    assert not {"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"} & set(encoded.item)
    assert encoded.item["version"] == 4


def test_listings_of_an_article() -> None:
    assert items.listings_of(article(["x"])) == [
        "feed",
        "section#opinion",
        "author#jane-doe",
        "tag#opinion",
        "tag#ferries",
        "lang#en",
    ]


def test_sort_keys_have_a_fixed_width() -> None:
    assert keys.format_time(datetime(2026, 3, 1, tzinfo=UTC)) == "2026-03-01T00:00:00.000000Z"
    assert keys.normalize_sequencer("0a") == "0A" + "0" * 62


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ProvisionedThroughputExceededException", 400, TransientError),
        ("ThrottlingException", 400, TransientError),
        ("RequestLimitExceeded", 400, TransientError),
        ("InternalServerError", 500, TransientError),
        ("ServiceUnavailable", 503, TransientError),
        ("ValidationException", 400, StorageError),
        # The deployment, not the input: retried, then in the DLQ for an operator to redrive
        ("ResourceNotFoundException", 400, TransientError),
        ("AccessDeniedException", 400, TransientError),
        ("403", 403, TransientError),  # S3 HEAD: no error body, the code is the status
    ],
)
def test_client_errors_are_translated(code: str, status: int, expected: type) -> None:
    error = ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutItem",
    )
    assert type(translate(error, "put")) is expected


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Item size has exceeded the maximum allowed size", "item_too_large"),
        (
            "One or more parameter values were invalid: Size of hashkey has exceeded the "
            "maximum size limit of 2048 bytes",
            "key_too_long",
        ),
        (
            "One or more parameter values were invalid: Aggregated size of all range keys has "
            "exceeded the size limit of 1024 bytes",
            "key_too_long",
        ),
        ("Invalid UpdateExpression", "storage_rejected"),
    ],
)
def test_rejections_by_the_data_say_which_limit(message: str, code: str) -> None:
    error = ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "PutItem")
    translated = translate(error, "store article")
    assert isinstance(translated, StorageError) and translated.code == code


def test_cancelled_transaction_is_transient_only_for_transient_reasons() -> None:
    def cancelled(*reasons: str) -> ClientError:
        return ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "m"},
                "CancellationReasons": [{"Code": reason} for reason in reasons],
            },
            "TransactWriteItems",
        )

    assert isinstance(translate(cancelled("None", "TransactionConflict"), "w"), TransientError)
    assert isinstance(translate(cancelled("ThrottlingError"), "w"), TransientError)
    assert isinstance(translate(cancelled("ValidationError"), "w"), StorageError)


def test_timeouts_are_transient() -> None:
    assert isinstance(translate(ReadTimeoutError(endpoint_url="x"), "get"), TransientError)
