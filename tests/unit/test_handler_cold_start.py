"""Cold start as on Lambda (tracing on): no X-Ray SDK at import; traced from the first event."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from newsdesk_cli.template import (
    function_environment,
    handler_module,
    load_template,
    resources_of_type,
)
from tests.conftest import EVENTS_DIR, ROOT

TEMPLATE = load_template()
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
# What Lambda adds for a function with `Tracing: Active` (the daemon address is a local port).
LAMBDA_ENV = {
    "LAMBDA_TASK_ROOT": str(ROOT),
    "AWS_LAMBDA_FUNCTION_NAME": "newsdesk-test",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "_X_AMZN_TRACE_ID": "Root=1-65a1b2c3-0123456789abcdef01234567;Sampled=1",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}
TRACING_LIBRARIES = ("aws_xray_sdk", "requests", "wrapt")

LOADED = """
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(%r))))
"""
IMPORT = "import importlib, json, sys; importlib.import_module(sys.argv[1])" + LOADED
INVOKE_API = (
    """
import json, sys
from functions.api import app
from newsdesk_cli.lambda_context import LocalLambdaContext
event = json.load(open(sys.argv[1]))
response = app.lambda_handler(event, LocalLambdaContext(function_name="newsdesk-test"))
from aws_xray_sdk.core import patcher
print(json.dumps([response["statusCode"], sorted(patcher._PATCHED_MODULES)]))
"""
    + LOADED
)


def _run(program: str, function_id: str, *args: str) -> list[str]:
    """The program's output lines, run with the function's environment as Lambda gives it."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))},
        **function_environment(TEMPLATE, function_id),
        **LAMBDA_ENV,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)]),
    }
    result = subprocess.run(
        [sys.executable, "-c", program % (TRACING_LIBRARIES,), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_importing_a_handler_with_tracing_on_loads_no_tracing_library(function_id: str) -> None:
    # Given Lambda's environment with tracing on, when the handler module is imported
    (loaded,) = _run(IMPORT, function_id, handler_module(FUNCTIONS[function_id]))
    # Then neither the X-Ray SDK nor the libraries it would patch were loaded
    assert json.loads(loaded) == []


def test_the_first_api_event_is_traced_with_botocore_patched_only() -> None:
    # Given the API handler imported as on Lambda, when its first event is handled
    *_, answer, loaded = _run(INVOKE_API, "ApiFunction", str(EVENTS_DIR / "api_health.json"))
    status, patched = json.loads(answer)
    # Then it answers, traced: the X-Ray SDK is loaded, and botocore alone is patched
    assert status == 200
    assert patched == ["botocore"]
    assert json.loads(loaded) == ["aws_xray_sdk", "wrapt"]
