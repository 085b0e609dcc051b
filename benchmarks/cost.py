"""Cost per article and per API request, computed from what the code asks of AWS.

In one fresh process under moto (the template's resources): the reference article is uploaded
and ingested by the real IngestFunction handler (the synchronous path); every function of
template.yaml fed by the table's stream then consumes what that wrote (the stream path); every
API route is called once. DynamoDB capacity units come from benchmarks.dynamo (DynamoDB's
billing rules over the items the storage module really encodes), not from moto. The monthly
table prices those figures with on-demand prices (PRICES, us-east-1, stated where shown).
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections import Counter
from typing import Any

from benchmarks.child import run_module
from newsdesk_cli.template import (
    ROOT,
    function_environment,
    function_settings,
    handler_module,
    load_template,
    resources_of_type,
)

REGION = "us-east-1"
# On-demand list prices, us-east-1 (USD), used for the monthly table; check before trusting.
PRICES = {
    "dynamodb_write_request_unit": 0.625 / 1e6,
    "dynamodb_read_request_unit": 0.125 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "api_gateway_rest_request": 3.50 / 1e6,
    "s3_put_request": 0.005 / 1e3,
    "s3_get_request": 0.0004 / 1e3,
    "sqs_request": 0.40 / 1e6,
    "eventbridge_event": 1.00 / 1e6,
}
MONTHLY_ARTICLES = 1_000_000
MONTHLY_API_REQUESTS = 10_000_000
# API routes as a client calls them ({id}, {slug}, {key}: the reference article's).
ROUTES = [
    "/articles?limit=20",
    "/articles/{id}",
    "/articles/{id}/related",
    "/authors?limit=20",
    "/authors/{author}",
    "/sections?limit=20",
    "/tags?limit=20",
    "/changes?since=2000-01-01",
    "/ingestions?key={key}",
    "/ingestions?status=failed",
    "/search?q=china",
]


def measure() -> dict[str, Any]:
    """Run the measurement in a fresh process (moto and the handlers stay out of the bench's)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))},
        "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)]),
    }
    figures: dict[str, Any] = run_module("benchmarks.cost", [], env, what="cost measurement")
    figures["monthly"] = monthly(figures)
    return figures


def monthly(figures: dict[str, Any]) -> dict[str, Any]:
    """USD a month for MONTHLY_ARTICLES ingested and MONTHLY_API_REQUESTS served."""
    ingest = figures["ingest"]
    per_article_wcu = ingest["sync"]["write_units"] + ingest["stream"]["write_units"]
    per_article_rcu = ingest["sync"]["read_units"] + ingest["stream"]["read_units"]
    gb_seconds = figures["lambda"]["gb_seconds_per_1000_articles"] / 1000
    ingest_rows = {
        "DynamoDB writes": per_article_wcu * PRICES["dynamodb_write_request_unit"],
        "DynamoDB reads": per_article_rcu * PRICES["dynamodb_read_request_unit"],
        "Lambda compute": gb_seconds * PRICES["lambda_gb_second_arm64"],
        "Lambda requests": figures["lambda"]["invocations_per_article"] * PRICES["lambda_request"],
        "S3 requests": PRICES["s3_put_request"] + PRICES["s3_get_request"],
        "SQS requests": ingest["sqs_requests"] * PRICES["sqs_request"],
        "EventBridge events": ingest["events_published"] * PRICES["eventbridge_event"],
    }
    routes = figures["api"]["routes"]
    mean_rcu = sum(route["read_units"] for route in routes.values()) / len(routes)
    api_seconds = figures["lambda"]["api_seconds_per_request"]
    api_memory_gb = figures["lambda"]["api_memory_mb"] / 1024
    api_rows = {
        "API Gateway (REST)": PRICES["api_gateway_rest_request"],
        "Lambda requests": PRICES["lambda_request"],
        "Lambda compute": api_seconds * api_memory_gb * PRICES["lambda_gb_second_arm64"],
        "DynamoDB reads": mean_rcu * PRICES["dynamodb_read_request_unit"],
    }
    return {
        "articles": MONTHLY_ARTICLES,
        "api_requests": MONTHLY_API_REQUESTS,
        "prices": PRICES,
        "ingest_usd": {name: value * MONTHLY_ARTICLES for name, value in ingest_rows.items()},
        "api_usd": {name: value * MONTHLY_API_REQUESTS for name, value in api_rows.items()},
        "api_mix": "each route of ROUTES equally often",
    }


# ------------------------------------------------------------ in the child process


def _child() -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from benchmarks.coldstart import reference_text
    from benchmarks.dynamo import Meter, table_shape
    from newsdesk.settings import get_settings
    from newsdesk_cli import moto_compat
    from newsdesk_cli.lambda_context import LocalLambdaContext
    from newsdesk_cli.resources import create_resources
    from newsdesk_cli.sqs_source import SqsEventSource

    template = load_template()
    functions = resources_of_type(template, "AWS::Serverless::Function")
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        POWERTOOLS_TRACE_DISABLED="1",
        POWERTOOLS_METRICS_NAMESPACE="newsdesk",
        POWERTOOLS_SERVICE_NAME="newsdesk",
    )
    moto_compat.install()
    mock_aws().start()
    setup = boto3.Session(region_name=REGION)  # not hooked: resources and the meter's reads
    resources = create_resources(setup)
    for function_id in functions:
        os.environ.update(function_environment(template, function_id))
    os.environ.update(
        TABLE_NAME=resources.table,
        BUCKET_NAME=resources.bucket,
        INCOMING_PREFIX=resources.incoming_prefix,
        CURSOR_SECRET_ARN=resources.cursor_secret_arn,  # read on the first request, as on AWS
    )
    get_settings.cache_clear()
    boto3.setup_default_session(region_name=REGION)
    session = boto3.DEFAULT_SESSION._session  # type: ignore[union-attr]
    table_keys, indexes = table_shape()
    meter = Meter(setup.client("dynamodb"), table_keys, indexes)
    meter.install(session)
    others: Counter[str] = Counter()
    session.register(
        "provide-client-params",
        lambda model, **_: others.update([f"{model.service_model.service_name}:{model.name}"]),
    )
    s3, sqs = setup.client("s3"), setup.client("sqs")
    sqs.purge_queue(QueueUrl=resources.queue_url)

    # The synchronous path: one upload, one SQS batch, the ingest handler.
    ingest = importlib.import_module(handler_module(functions["IngestFunction"]))
    name, data = reference_text()
    key = f"{resources.incoming_prefix}{name}"
    s3.put_object(Bucket=resources.bucket, Key=key, Body=data)
    source = SqsEventSource(
        sqs, resources.queue_url, ingest.lambda_handler, queue_arn=resources.queue_arn
    )
    meter.reset()
    others.clear()
    result = source.poll_once(wait_seconds=0)
    if result.failed or len(result.succeeded) != 1:
        raise RuntimeError(f"the reference article was not ingested: {result}")
    sync = _figures(meter, others)

    # The stream path: each function fed by the table's stream, on what the ingest wrote.
    meter.reset()
    others.clear()
    stream_seconds, consumers = _run_stream_consumers(template, functions, resources, setup)
    stream = _figures(meter, others)
    stream["functions"] = consumers

    # A warm call's time, for compute: the same article again under another key.
    s3.put_object(Bucket=resources.bucket, Key=f"{key}.again.txt", Body=data)
    started = time.process_time()
    source.poll_once(wait_seconds=0)
    ingest_seconds = time.process_time() - started

    # Each API route once, the reference article's id, author and key in the paths.
    article_id = _article_id(resources.bucket, key)
    api = importlib.import_module(handler_module(functions["ApiFunction"]))
    base = json.loads((ROOT / "events" / "api_articles.json").read_text(encoding="utf-8"))
    author = _first_author(api, base, article_id)
    routes: dict[str, Any] = {}
    api_seconds: list[float] = []
    for route in ROUTES:
        path = route.format(id=article_id, author=author, key=key)
        meter.reset()
        started = time.process_time()
        answer = api.lambda_handler(_event(base, path), LocalLambdaContext(function_name="Api"))
        api_seconds.append(time.process_time() - started)
        routes[route] = {
            "status": answer["statusCode"],
            "requests": sum(meter.requests.values()),
            "by_operation": dict(meter.requests),
            "read_units": meter.read_units,
            "scans": meter.requests["Scan"],
        }
    served = {route: figures for route, figures in routes.items() if figures["status"] == 200}
    _, ingest_memory = function_settings(template, "IngestFunction")
    _, api_memory = function_settings(template, "ApiFunction")
    stream_gb_seconds = sum(
        seconds * function_settings(template, function_id)[1] / 1024
        for function_id, seconds in stream_seconds.items()
    )
    return {
        "article": {"name": name, "bytes": len(data)},
        "computed": "from item sizes and DynamoDB's billing rules (benchmarks/dynamo.py)",
        "ingest": {
            "sync": sync,
            "stream": stream,
            "sqs_requests": 1 + 2 / 10,  # S3's notification; a receive and a delete per batch of 10
            "events_published": others.get("events:PutEvents", 0),
        },
        "api": {
            "routes": routes,
            "requests_per_page": max(route["requests"] for route in served.values()),
            "scans": sum(route["scans"] for route in routes.values()),
        },
        "lambda": {
            # In-process CPU time, moto's work standing in for the AWS round trips Lambda bills.
            "ingest_seconds_per_article": ingest_seconds,
            "stream_seconds_per_article": sum(stream_seconds.values()),
            "gb_seconds_per_1000_articles": 1000
            * (ingest_seconds * ingest_memory / 1024 + stream_gb_seconds),
            "invocations_per_article": 1 / 10 + len(stream_seconds) / 100,
            "api_seconds_per_request": sum(api_seconds) / len(api_seconds),
            "api_memory_mb": api_memory,
            "memory_mb": {"IngestFunction": ingest_memory, "ApiFunction": api_memory},
        },
    }


def _figures(meter: Any, others: Counter[str]) -> dict[str, Any]:
    return {
        "write_units": meter.write_units,
        "read_units": meter.read_units,
        "items_written": meter.items_written,
        "index_writes": meter.index_writes,
        "dynamodb_requests": dict(meter.requests),
        "other_requests": {name: count for name, count in others.items() if "dynamodb" not in name},
    }


def _run_stream_consumers(
    template: dict[str, Any], functions: dict[str, Any], resources: Any, setup: Any
) -> tuple[dict[str, float], dict[str, str]]:
    import logging

    from newsdesk_cli.stream_source import StreamEventSource

    seconds: dict[str, float] = {}
    outcome: dict[str, str] = {}
    for function_id, properties in sorted(functions.items()):
        events = properties.get("Events", {}).values()
        if not any(event.get("Type") == "DynamoDB" for event in events):
            continue
        module = importlib.import_module(handler_module(properties))
        source = StreamEventSource(
            # In-process moto answers DynamoDB Streams only at its classic endpoint.
            setup.client(
                "dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com"
            ),
            resources.stream_arn,
            module.lambda_handler,
            function_id,
            logging.getLogger("bench"),
            max_retries=0,
        )
        started = time.process_time()
        delivered = 0
        while (count := source.poll_once()) > 0:
            delivered += count
        seconds[function_id] = time.process_time() - started
        outcome[function_id] = f"{delivered} stream records"
    return seconds, outcome


def _article_id(bucket: str, key: str) -> str:
    from newsdesk_cli.localstack import article_id

    return article_id(bucket, key)


def _first_author(api: Any, base: dict[str, Any], article_id: str) -> str:
    from newsdesk_cli.lambda_context import LocalLambdaContext

    answer = api.lambda_handler(
        _event(base, f"/articles/{article_id}"), LocalLambdaContext(function_name="Api")
    )
    authors = json.loads(answer["body"]).get("authors") or [{"slug": "unknown"}]
    return str(authors[0]["slug"])


def _event(base: dict[str, Any], path_and_query: str) -> dict[str, Any]:
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(path_and_query)
    query = dict(parse_qsl(parts.query))
    return {
        **base,
        "path": parts.path,
        "pathParameters": {"proxy": parts.path.lstrip("/")},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
    }


if __name__ == "__main__":
    outcome = _child()
    print(json.dumps(outcome))
