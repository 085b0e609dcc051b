"""IngestFunction: S3 event notifications from SQS -> article records (partial batch failures).

Thin: each SQS record goes to the ingest service; a record that raises (transient errors) is
reported in batchItemFailures so SQS retries it alone. Clients are built on first use.
"""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.service.ingest import IngestService
from newsdesk.settings import get_settings
from newsdesk.storage.articles import ArticleStore
from newsdesk.storage.objects import ObjectStore
from newsdesk.tracing import DeferredTracer

logger = Logger(service="newsdesk")
metrics = Metrics(namespace="newsdesk")  # also POWERTOOLS_METRICS_NAMESPACE (template)
tracer = DeferredTracer()  # the X-Ray SDK loads on the first event, not at import
processor = BatchProcessor(event_type=EventType.SQS)

_METRICS = {
    "stored": "ArticlesStored",
    "unchanged": "ArticlesUnchanged",
    "failed": "IngestionsFailed",
    "removed": "ArticlesRemoved",
}


@cache
def get_service() -> IngestService:
    settings = get_settings()
    return IngestService(
        store=ArticleStore(
            boto3.client("dynamodb", region_name=settings.region), settings.table_name
        ),
        objects=ObjectStore(boto3.client("s3", region_name=settings.region)),
        incoming_prefix=settings.incoming_prefix,
        max_file_bytes=settings.max_file_bytes,
    )


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    for outcome in get_service().handle_message(record.body):
        logger.info(
            "ingested",
            extra={
                "key": outcome.key,
                "status": outcome.status,
                "code": outcome.code,
                "article_ids": outcome.article_ids,
            },
        )
        if outcome.status in _METRICS:
            count = 1 if outcome.status == "failed" else len(outcome.article_ids)
            metrics.add_metric(name=_METRICS[outcome.status], unit=MetricUnit.Count, value=count)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    metrics.add_metric(name="MessagesReceived", unit=MetricUnit.Count, value=len(event["Records"]))
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
