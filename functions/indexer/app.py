"""IndexerFunction: the table's stream (article records only) -> the search index file in S3.

Thin: one batch (many changes, thanks to the batching window) becomes one index update; the
function runs with reserved concurrency 1, so it is the index's only writer. A failure fails
the whole batch, which Lambda retries (the update is idempotent: versions decide).
"""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.service.indexing import IndexerService
from newsdesk.service.search import local_cache_dir
from newsdesk.settings import get_settings
from newsdesk.storage.article_stream import article_changes
from newsdesk.storage.articles import ArticleStore
from newsdesk.storage.index_files import open_index_files
from newsdesk.tracing import DeferredTracer

logger = Logger(service="newsdesk")
metrics = Metrics(namespace="newsdesk")  # also POWERTOOLS_METRICS_NAMESPACE (template)
tracer = DeferredTracer()  # the X-Ray SDK loads on the first event, not at import


@cache
def get_service() -> IndexerService:
    settings = get_settings()
    # Only records whose body is in part items are read back (one GetItem + one Query).
    store = ArticleStore(boto3.client("dynamodb", region_name=settings.region), settings.table_name)
    return IndexerService(
        open_index_files(settings),
        work_dir=local_cache_dir(settings, "indexer"),
        fetch_article=store.get_article,
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    service = get_service()
    changes = service.changes_of(article_changes(event.get("Records", [])))
    if not changes:
        return {"changes": 0}
    update = service.apply(changes)
    logger.info(
        "indexed",
        extra={
            "upserted": update.upserted,
            "removed": update.removed,
            "skipped": update.skipped,
            "attempts": update.attempts,
            "articles": update.articles,
            "index_bytes": update.size,
        },
    )
    metrics.add_metric(name="ArticlesIndexed", unit=MetricUnit.Count, value=update.upserted)
    metrics.add_metric(name="ArticlesUnindexed", unit=MetricUnit.Count, value=update.removed)
    metrics.add_metric(name="SearchIndexBytes", unit=MetricUnit.Bytes, value=update.size)
    return {"changes": len(changes), "articles": update.articles}
