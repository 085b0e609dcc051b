"""The sample events in events/ (what `sam local invoke -e` takes), through the ingest handler."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import unquote_plus

import pytest

from functions.ingest import app
from newsdesk.errors import GoneError
from newsdesk.storage.articles import ArticleStore
from newsdesk_cli.resources import LocalResources
from tests.conftest import load_event
from tests.integration.ingest_stack import REGION, synthetic_article

EVENT_BUCKET = "newsdesk-dev-123456789012-us-east-1"


@pytest.fixture
def event_bucket(resources: LocalResources) -> Any:
    """The bucket the sample events name, versioned as the template's (no notifications)."""
    import boto3

    app.get_service.cache_clear()
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=EVENT_BUCKET)
    s3.put_bucket_versioning(Bucket=EVENT_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    yield s3
    app.get_service.cache_clear()


def upload_for(event: dict[str, Any], s3: Any, files: dict[str, bytes]) -> dict[str, Any]:
    """Upload the files the event's records name; point each record at the real version."""
    versions = {
        key: s3.put_object(Bucket=EVENT_BUCKET, Key=key, Body=data)["VersionId"]
        for key, data in files.items()
    }
    event = copy.deepcopy(event)
    for record in event["Records"]:
        body = json.loads(record["body"])
        for s3_record in body.get("Records", []):
            obj = s3_record["s3"]["object"]
            key = unquote_plus(obj["key"])
            if key in versions and "versionId" in obj:
                obj["versionId"] = versions[key]
        record["body"] = json.dumps(body)
    return event


def store() -> ArticleStore:
    import boto3

    return ArticleStore(boto3.client("dynamodb", region_name=REGION), "newsdesk-articles")


def test_test_event_is_acknowledged(event_bucket: Any, lambda_context: Any) -> None:
    response = app.lambda_handler(load_event("sqs_s3_test_event"), lambda_context)

    assert response == {"batchItemFailures": []}
    assert store().get_ingestion("incoming/") is None


def test_put_then_delete_sample_events(event_bucket: Any, lambda_context: Any) -> None:
    # Given the object the put event names
    key = "incoming/2024/opinion/the-us-throws-china-a-bone.txt"
    put = upload_for(load_event("sqs_s3_put"), event_bucket, {key: synthetic_article()})
    # When the put event is handled, then the delete event
    assert app.lambda_handler(put, lambda_context) == {"batchItemFailures": []}
    ingestion = store().get_ingestion(key)
    assert ingestion is not None and ingestion.status == "stored"
    [article_id] = ingestion.article_ids
    assert store().get_article(article_id).source.key == key
    assert app.lambda_handler(load_event("sqs_s3_delete"), lambda_context) == {
        "batchItemFailures": []
    }
    # Then the article is removed
    with pytest.raises(GoneError):
        store().get_article(article_id)


def test_mixed_batch_sample_event(event_bucket: Any, lambda_context: Any) -> None:
    # Given a good file, a good file under an awkward key, a binary file; one put repeated
    event = upload_for(
        load_event("sqs_s3_batch_mixed"),
        event_bucket,
        {
            "incoming/2024/opinion/the-us-throws-china-a-bone.txt": synthetic_article(),
            "incoming/wire/2026/Zürich café + more news.txt": synthetic_article(
                headline="Lake ferries return to Zürich after the winter break"
            ),
            "incoming/uploads/scan-0042.txt": b"%PDF-1.7\n" + bytes(range(256)) * 8,
        },
    )
    # When the batch is handled
    response = app.lambda_handler(event, lambda_context)
    # Then nothing is retried: two articles, one failed ingestion, the duplicate a no-op
    assert response == {"batchItemFailures": []}
    reader = store()
    outcomes = {
        key: reader.get_ingestion(key)
        for key in (
            "incoming/2024/opinion/the-us-throws-china-a-bone.txt",
            "incoming/wire/2026/Zürich café + more news.txt",
            "incoming/uploads/scan-0042.txt",
        )
    }
    assert {key: (i.status, i.code) for key, i in outcomes.items() if i} == {
        "incoming/2024/opinion/the-us-throws-china-a-bone.txt": ("stored", None),
        "incoming/wire/2026/Zürich café + more news.txt": ("stored", None),
        "incoming/uploads/scan-0042.txt": ("failed", "binary"),
    }
    headlines = [
        reader.get_article(article_id).headline
        for ingestion in outcomes.values()
        if ingestion
        for article_id in ingestion.article_ids
    ]
    assert sorted(headlines) == [
        "Harbour city votes to keep its ferries running",
        "Lake ferries return to Zürich after the winter break",
    ]
