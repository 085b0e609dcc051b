"""Cold start as on Lambda: each handler's import beside `import boto3`, then cold vs warm calls.

Imports run in fresh interpreters with the environment Lambda gives the function: the template's
own variables, LAMBDA_TASK_ROOT and AWS_LAMBDA_FUNCTION_NAME (which switch powertools' Tracer
on), a sampled X-Ray trace header. Rounds interleave `pass`, `import boto3` and every handler,
so load from other processes falls on all of them alike; the figure is the median CPU time
(user + system) of the child minus that of an empty interpreter. Every function of
template.yaml is measured, including functions added later.

The invocations run in one fresh process per function: import the handler (timed), stand up
the template's resources in moto (not timed), then the same kind of event twice: the first pays
for what Lambda pays on a cold start after init (X-Ray SDK, settings, boto3 clients, first
requests), the second is a warm call.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
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
# What Lambda adds to a function's environment (tracing on; the daemon address is a local port
# nothing listens on, so the X-Ray SDK's UDP segments go nowhere).
LAMBDA_ADDS = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "_X_AMZN_TRACE_ID": (
        "Root=1-65a1b2c3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
    ),
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def functions() -> dict[str, dict[str, Any]]:
    """Logical id -> properties of every function in template.yaml."""
    return dict(sorted(resources_of_type(load_template(), "AWS::Serverless::Function").items()))


def lambda_environment(function_id: str) -> dict[str, str]:
    """The environment of one function as Lambda would give it, with this checkout importable."""
    template = load_template()
    _, memory = function_settings(template, function_id)
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "POWERTOOLS_", "PYTHON"))
    }
    return {
        **inherited,
        **function_environment(template, function_id),
        **LAMBDA_ADDS,
        "LAMBDA_TASK_ROOT": str(ROOT),
        "AWS_LAMBDA_FUNCTION_NAME": f"newsdesk-bench-{function_id}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)]),
    }


def _child(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `python -c code` in a fresh interpreter."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"`python -c {code!r}` failed")
    return usage.ru_utime + usage.ru_stime, wall


def measure_imports(runs: int) -> dict[str, Any]:
    """Median import cost of boto3 and of every handler, as Lambda's init would pay it."""
    subjects: dict[str, tuple[str, dict[str, str]]] = {}
    for function_id, properties in functions().items():
        env = lambda_environment(function_id)
        subjects[function_id] = (f"import {handler_module(properties)}", env)
    any_env = next(iter(subjects.values()))[1]
    subjects = {"(empty)": ("pass", any_env), "boto3": ("import boto3", any_env), **subjects}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in subjects}
    for _ in range(runs):
        for name, (code, env) in subjects.items():
            samples[name].append(_child(code, env))
    base_cpu = statistics.median(cpu for cpu, _ in samples["(empty)"])
    base_wall = statistics.median(wall for _, wall in samples["(empty)"])

    def net(name: str) -> tuple[float, float]:
        cpu = statistics.median(c for c, _ in samples[name]) - base_cpu
        wall = statistics.median(w for _, w in samples[name]) - base_wall
        return cpu * 1000, wall * 1000

    boto3_cpu, boto3_wall = net("boto3")
    result: dict[str, Any] = {
        "runs": runs,
        "interpreter_ms": base_cpu * 1000,
        "boto3": {"cpu_ms": boto3_cpu, "wall_ms": boto3_wall},
        "functions": {},
    }
    for function_id in subjects:
        if function_id in ("(empty)", "boto3"):
            continue
        cpu, wall = net(function_id)
        result["functions"][function_id] = {
            "module": subjects[function_id][0].removeprefix("import "),
            "cpu_ms": cpu,
            "wall_ms": wall,
            "ratio_to_boto3": cpu / boto3_cpu,
        }
    return result


def measure_invocations(runs: int) -> dict[str, Any]:
    """Import, first (cold) and second (warm) call of every function with a scenario below:
    medians over `runs` fresh processes, in CPU milliseconds of that process."""
    results: dict[str, Any] = {}
    for function_id in functions():
        if function_id not in SCENARIOS:
            results[function_id] = {"skipped": "no invocation scenario in benchmarks/coldstart"}
            continue
        outcomes = [_invoke_fresh(function_id) for _ in range(runs)]
        summary: dict[str, Any] = {"event": outcomes[0]["event"], "runs": runs}
        for figure in ("import_ms", "first_call_ms", "second_call_ms"):
            summary[figure] = statistics.median(outcome[figure] for outcome in outcomes)
        results[function_id] = summary
    return results


def _invoke_fresh(function_id: str) -> dict[str, Any]:
    # The handlers print their logs and metrics to stdout; the outcome is the last line.
    outcome: dict[str, Any] = run_module(
        "benchmarks.coldstart",
        [function_id],
        lambda_environment(function_id),
        what=f"{function_id} invocation",
    )
    return outcome


# ------------------------------------------------------------ in the child process


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """(CPU milliseconds of this process, answer): other processes' load does not count."""
    start = time.process_time()
    answer = call()
    return (time.process_time() - start) * 1000, answer


def _stack() -> tuple[Any, Any]:
    """The template's resources in moto (in this process); settings pointed at them."""
    import boto3
    from moto import mock_aws

    from newsdesk.settings import get_settings
    from newsdesk_cli import moto_compat
    from newsdesk_cli.resources import create_resources

    moto_compat.install()
    mock = mock_aws()
    mock.start()
    session = boto3.Session(region_name=REGION)
    resources = create_resources(session)
    _warm_moto(session, resources.table, resources.bucket)
    os.environ.update(
        TABLE_NAME=resources.table,
        BUCKET_NAME=resources.bucket,
        INCOMING_PREFIX=resources.incoming_prefix,
        CURSOR_SECRET_ARN=resources.cursor_secret_arn,  # read on the first request, as on AWS
    )
    get_settings.cache_clear()
    return session, resources


def _warm_moto(session: Any, table: str, bucket: str) -> None:
    """Pay moto's own first-request costs (lazy imports, backends) outside the timed calls."""
    dynamodb, s3 = session.client("dynamodb"), session.client("s3")
    key = {"PK": {"S": "bench#warm-up"}, "SK": {"S": "bench#warm-up"}}
    dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": key}}])
    dynamodb.put_item(TableName=table, Item=key)
    dynamodb.get_item(TableName=table, Key=key)
    dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": key["PK"]},
    )
    dynamodb.delete_item(TableName=table, Key=key)
    s3.put_object(Bucket=bucket, Key="bench/warm-up", Body=b"warm-up")
    s3.get_object(Bucket=bucket, Key="bench/warm-up")["Body"].read()
    s3.delete_object(Bucket=bucket, Key="bench/warm-up")


def reference_text() -> tuple[str, bytes]:
    """The reference article (../shared/corpus seed), else the largest text sample."""
    seed = ROOT.parent / "shared" / "corpus" / "seed" / "000_7d4c0a3551aecea8.txt"
    if seed.is_file():
        return seed.name, seed.read_bytes()
    samples = sorted(
        (ROOT / "newsdesk_cli" / "samples").glob("*.txt"), key=lambda p: p.stat().st_size
    )
    return samples[-1].name, samples[-1].read_bytes()


def _ingest_scenario() -> dict[str, Any]:
    import_ms, _ = _timed(lambda: __import__("functions.ingest.app"))
    from functions.ingest import app
    from newsdesk_cli.lambda_context import LocalLambdaContext
    from newsdesk_cli.sqs_source import SqsEventSource

    session, resources = _stack()
    s3, sqs = session.client("s3"), session.client("sqs")
    sqs.purge_queue(QueueUrl=resources.queue_url)  # the bucket's s3:TestEvent
    name, data = reference_text()
    calls: list[float] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        elapsed, answer = _timed(lambda: app.lambda_handler(event, context))
        calls.append(elapsed)
        return answer

    source = SqsEventSource(
        sqs,
        resources.queue_url,
        handler,
        queue_arn=resources.queue_arn,
        context_factory=lambda: LocalLambdaContext(
            function_name="IngestFunction", memory_limit_in_mb=1024
        ),
    )
    for index in range(2):  # the same article under two keys: one new record each time
        s3.put_object(
            Bucket=resources.bucket, Key=f"{resources.incoming_prefix}{index}-{name}", Body=data
        )
        result = source.poll_once(wait_seconds=0)
        if result.failed or len(result.succeeded) != 1:
            raise RuntimeError(f"ingest scenario: {result}")
    return {
        "event": f"one S3 upload via SQS ({name}, {len(data):,} bytes)",
        "import_ms": import_ms,
        "first_call_ms": calls[0],
        "second_call_ms": calls[1],
    }


def _api_scenario() -> dict[str, Any]:
    import_ms, _ = _timed(lambda: __import__("functions.api.app"))
    from functions.api import app
    from newsdesk_cli.lambda_context import LocalLambdaContext

    _stack()
    event = json.loads((ROOT / "events" / "api_articles.json").read_text(encoding="utf-8"))
    answers = []
    for _ in range(2):
        answers.append(
            _timed(
                lambda: app.lambda_handler(event, LocalLambdaContext(function_name="ApiFunction"))
            )
        )
    if any(answer["statusCode"] != 200 for _, answer in answers):
        raise RuntimeError(f"api scenario: {[answer['statusCode'] for _, answer in answers]}")
    return {
        "event": "GET /articles?limit=5 (events/api_articles.json)",
        "import_ms": import_ms,
        "first_call_ms": answers[0][0],
        "second_call_ms": answers[1][0],
    }


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "IngestFunction": _ingest_scenario,
    "ApiFunction": _api_scenario,
}

if __name__ == "__main__":
    outcome = SCENARIOS[sys.argv[1]]()
    print(json.dumps(outcome))
