"""ProjectorFunction: article records from the table's stream -> listings, registries, events.

Thin: decodes the batch, hands it to the projection service. A record that cannot be decoded
is reported in batchItemFailures (the records before it are projected, Lambda retries from
it); a storage or bus failure raises, so Lambda retries the batch, bisecting it on error.
"""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.models import RecordImage
from newsdesk.service.projection import ProjectionService
from newsdesk.settings import get_settings
from newsdesk.storage.events import EventPublisher
from newsdesk.storage.projections import ProjectionStore
from newsdesk.storage.streams import decode_stream_record, sequence_number

logger = Logger(service="newsdesk")
metrics = Metrics(namespace="newsdesk")


@cache
def get_service() -> ProjectionService:
    settings = get_settings()
    return ProjectionService(
        store=ProjectionStore(
            boto3.client("dynamodb", region_name=settings.region), settings.table_name
        ),
        events=EventPublisher(
            boto3.client("events", region_name=settings.region), settings.event_bus_name
        ),
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    images: list[RecordImage] = []
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            image = decode_stream_record(record)
        except (KeyError, TypeError, ValueError) as error:
            logger.exception("undecodable stream record", extra={"error": str(error)})
            failures.append({"itemIdentifier": sequence_number(record)})
            break
        if image is not None:
            images.append(image)
    report = get_service().project(images)
    logger.info(
        "projected",
        extra={
            "applied": len(report.applied),
            "skipped": len(report.skipped),
            "events": [(e.detail_type, e.article_id, e.version) for e in report.events],
        },
    )
    metrics.add_metric(name="ArticlesProjected", unit=MetricUnit.Count, value=len(report.applied))
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(report.events))
    return {"batchItemFailures": failures}
