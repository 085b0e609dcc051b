"""Scale curves: the ingest handler's memory over many files, the API's list latency over many
stored articles.

Memory: the ingest handler runs in this process, as on Lambda, against moto's server in another
process (so moto's copy of everything stored is not counted); resident memory is sampled after
each SQS batch of 10. Latency: GET /articles?limit=20 in-process under moto, with 10^3 and 10^4
articles in the partition that page reads: a few articles are ingested for real, and the items
of that partition are copied under new article ids (ingesting 10^4 through the handler would take
longer than the whole bench may).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.child import run_module
from benchmarks.coldstart import REGION, lambda_environment
from newsdesk_cli.template import ROOT

# ------------------------------------------------------------ run from the bench


def measure_ingest_memory(files: int) -> dict[str, Any]:
    port = _free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.scale", "moto", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'shared'}{os.pathsep}{ROOT}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        env = {
            **lambda_environment("IngestFunction"),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        return _run_child(["ingest-memory", str(port), str(files), str(moto.pid)], env)
    finally:
        moto.terminate()
        moto.wait(timeout=30)


def measure_api_latency(sizes: tuple[int, ...], calls: int) -> dict[str, Any]:
    env = {**lambda_environment("ApiFunction"), "POWERTOOLS_TRACE_DISABLED": "1"}
    env["POWERTOOLS_METRICS_DISABLED"] = "true"
    return _run_child(["api-latency", ",".join(map(str, sizes)), str(calls)], env)


def _run_child(arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    figures: dict[str, Any] = run_module("benchmarks.scale", arguments, env, what=arguments[0])
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"moto did not listen on port {port}")


# ------------------------------------------------------------ in the child processes


def _moto(port: int) -> None:
    from moto.server import ThreadedMotoServer

    from newsdesk_cli import moto_compat

    moto_compat.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    while True:
        time.sleep(3600)


def _articles(count: int) -> list[tuple[str, bytes]]:
    """`count` distinct text articles: the corpus and sample texts, each copy numbered."""
    from benchmarks.parse import text_inputs

    _, texts = text_inputs()
    return [
        (f"{index:05d}-{name}", data + f"\n\nFile {index} of the scale run.\n".encode())
        for index, (name, data) in ((i, texts[i % len(texts)]) for i in range(count))
    ]


# moto's server keeps more per write than DynamoDB would (transactions above all): the run stops
# early rather than let it take the machine's memory.
MAX_MOTO_MB = 1000


def _rss_mb(pid: str = "self") -> float:
    with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _ingest_memory(port: int, files: int, moto_pid: str) -> dict[str, Any]:
    import boto3

    from newsdesk_cli.resources import create_resources
    from newsdesk_cli.sqs_source import SqsEventSource

    endpoint = f"http://127.0.0.1:{port}"
    session = boto3.Session(region_name=REGION)
    resources = create_resources(session, endpoint_url=endpoint)
    os.environ.update(
        TABLE_NAME=resources.table,
        BUCKET_NAME=resources.bucket,
        INCOMING_PREFIX=resources.incoming_prefix,
        CURSOR_SECRET_ARN=resources.cursor_secret_arn,  # read on the first request, as on AWS
    )
    from functions.ingest import app

    s3 = session.client("s3", endpoint_url=endpoint)
    sqs = session.client("sqs", endpoint_url=endpoint)
    sqs.purge_queue(QueueUrl=resources.queue_url)
    source = SqsEventSource(
        sqs, resources.queue_url, app.lambda_handler, queue_arn=resources.queue_arn
    )
    points = [{"files": 0, "rss_mb": _rss_mb(), "moto_rss_mb": _rss_mb(moto_pid)}]
    stopped = None
    done, failed, started = 0, 0, time.perf_counter()
    batch = 10
    articles = _articles(files)
    for first in range(0, files, batch):
        for name, data in articles[first : first + batch]:
            s3.put_object(
                Bucket=resources.bucket, Key=f"{resources.incoming_prefix}{name}", Body=data
            )
        while done + failed < min(first + batch, files):
            result = source.poll_once(wait_seconds=1)
            done += len(result.succeeded)
            failed += len(result.failed)
        points.append({"files": done, "rss_mb": _rss_mb(), "moto_rss_mb": _rss_mb(moto_pid)})
        if points[-1]["moto_rss_mb"] > MAX_MOTO_MB:
            stopped = f"moto's server passed {MAX_MOTO_MB} MB after {done} files"
            break
    # ru_maxrss would carry the bench process's peak across exec: the samples are the figure.
    peak = max(point["rss_mb"] for point in points)
    return {
        "files": done + failed,
        "planned": files,
        "stopped": stopped,
        "failed": failed,
        "points": points,
        "peak_rss_mb": peak,
        "growth_mb": points[-1]["rss_mb"] - points[1]["rss_mb"],
        "seconds": time.perf_counter() - started,
    }


def _api_latency(sizes: list[int], calls: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from benchmarks.dynamo import Meter, table_shape
    from newsdesk.settings import get_settings
    from newsdesk_cli import moto_compat
    from newsdesk_cli.lambda_context import LocalLambdaContext
    from newsdesk_cli.resources import create_resources
    from newsdesk_cli.sqs_source import SqsEventSource

    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION
    )
    moto_compat.install()
    mock_aws().start()
    setup = boto3.Session(region_name=REGION)
    resources = create_resources(setup)
    os.environ.update(
        TABLE_NAME=resources.table,
        BUCKET_NAME=resources.bucket,
        INCOMING_PREFIX=resources.incoming_prefix,
        CURSOR_SECRET_ARN=resources.cursor_secret_arn,  # read on the first request, as on AWS
    )
    get_settings.cache_clear()
    # A few real articles, through the real handlers.
    from functions.ingest import app as ingest

    s3, sqs = setup.client("s3"), setup.client("sqs")
    sqs.purge_queue(QueueUrl=resources.queue_url)
    seeds = _articles(10)
    for name, data in seeds:
        s3.put_object(Bucket=resources.bucket, Key=f"{resources.incoming_prefix}{name}", Body=data)
    source = SqsEventSource(
        sqs, resources.queue_url, ingest.lambda_handler, queue_arn=resources.queue_arn
    )
    source.drain()
    _run_stream_consumers(setup, resources)

    from functions.api import app as api

    boto3.setup_default_session(region_name=REGION)
    table_keys, indexes = table_shape()
    meter = Meter(setup.client("dynamodb"), table_keys, indexes)
    meter.install(boto3.DEFAULT_SESSION._session)  # type: ignore[union-attr]
    queries: list[dict[str, Any]] = []
    boto3.DEFAULT_SESSION._session.register(  # type: ignore[union-attr]
        "provide-client-params.dynamodb.Query", lambda params, **_: queries.append(dict(params))
    )
    base = json.loads((ROOT / "events" / "api_articles.json").read_text(encoding="utf-8"))
    event = {**base, "queryStringParameters": {"limit": "20"}}
    event["multiValueQueryStringParameters"] = {"limit": ["20"]}
    context = LocalLambdaContext(function_name="ApiFunction")
    api.lambda_handler(event, context)  # which partition does the first page read?
    (query,) = queries
    template_items = _partition_items(setup.client("dynamodb"), resources.table, query)
    dynamodb = setup.client("dynamodb")
    stored = len(template_items)
    points = []
    for size in sizes:
        stored += _copy_items(dynamodb, resources.table, template_items, size - stored)
        times = []
        meter.reset()
        for _ in range(calls):
            started = time.process_time()
            answer = api.lambda_handler(event, context)
            times.append((time.process_time() - started) * 1000)
            if answer["statusCode"] != 200:
                raise RuntimeError(f"GET /articles answered {answer['statusCode']}")
        times.sort()
        points.append(
            {
                "articles": size,
                "p50_ms": statistics.median(times),
                "p99_ms": times[min(len(times) - 1, round(0.99 * (len(times) - 1)))],
                "dynamodb_requests_per_call": sum(meter.requests.values()) / calls,
                "read_units_per_call": meter.read_units / calls,
            }
        )
    return {"route": "GET /articles?limit=20", "calls": calls, "points": points}


def _run_stream_consumers(setup: Any, resources: Any) -> None:
    """Let every stream consumer of the template see the ingested records (listings, index)."""
    import importlib
    import logging

    from newsdesk_cli.stream_source import StreamEventSource
    from newsdesk_cli.template import handler_module, load_template, resources_of_type

    for function_id, properties in resources_of_type(
        load_template(), "AWS::Serverless::Function"
    ).items():
        if not any(e.get("Type") == "DynamoDB" for e in properties.get("Events", {}).values()):
            continue
        module = importlib.import_module(handler_module(properties))
        streams = setup.client(
            "dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com"
        )
        source = StreamEventSource(
            streams,
            resources.stream_arn,
            module.lambda_handler,
            function_id,
            logging.getLogger("bench"),
            max_retries=0,
        )
        while source.poll_once() > 0:
            pass


def _partition_items(dynamodb: Any, table: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of the partition the page's Query reads (the bench may Scan; the API never)."""
    index = query.get("IndexName")
    values = query["ExpressionAttributeValues"]
    expression = query["KeyConditionExpression"]
    names = query.get("ExpressionAttributeNames", {})
    left, _, right = expression.split(" AND ")[0].partition("=")
    attribute = names.get(left.strip(), left.strip())
    wanted = values[right.strip()]
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items.extend(item for item in page["Items"] if item.get(attribute) == wanted)
    if not items:
        raise RuntimeError(f"no items in the partition {attribute}={wanted} ({index})")
    return items


def _copy_items(dynamodb: Any, table: str, items: list[dict[str, Any]], count: int) -> int:
    """Write `count` copies of the partition's items, each under a new article id."""
    written = 0
    batch: list[dict[str, Any]] = []
    while written < count:
        for item in items:
            if written >= count:
                break
            old = item["id"]["S"] if "id" in item else None
            new = secrets.token_hex(8)
            copy = json.loads(json.dumps(item).replace(old, new)) if old else item
            batch.append({"PutRequest": {"Item": copy}})
            written += 1
            if len(batch) == 25:
                dynamodb.batch_write_item(RequestItems={table: batch})
                batch = []
    if batch:
        dynamodb.batch_write_item(RequestItems={table: batch})
    return written


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "moto":
        _moto(int(rest[0]))
    elif command == "ingest-memory":
        print(json.dumps(_ingest_memory(int(rest[0]), int(rest[1]), rest[2])))
    elif command == "api-latency":
        print(json.dumps(_api_latency([int(s) for s in rest[0].split(",")], int(rest[1]))))
