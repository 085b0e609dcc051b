"""`newsdesk invoke FUNCTION -e EVENT`: run one function of template.yaml in this process, like
`sam local invoke` without Docker.

Same logical ids and event files as SAM (`newsdesk invoke IngestFunction -e
events/sqs_s3_put.json`); the environment is the template's (Globals, then the function's own),
with the resources pointed at the local stack (`make run`) and `--env-vars FILE` in SAM's
format on top. The handler's result goes to stdout as JSON; its logs go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", metavar="FUNCTION", help="logical id, e.g. IngestFunction")
    parser.add_argument(
        "-e", "--event", required=True, type=Path, help="event file (JSON), e.g. events/…json"
    )
    parser.add_argument(
        "--env-vars",
        type=Path,
        help='JSON as for `sam local invoke`: {"FUNCTION": {"VAR": "value"}, "Parameters": {…}}',
    )
    parser.add_argument(
        "--endpoint-url",
        default="http://127.0.0.1:4566",
        help="where the function's AWS calls go (default: the local stack)",
    )


def run(args: argparse.Namespace) -> int:
    from newsdesk_cli.template import load_template, resources_of_type

    functions = resources_of_type(load_template(), "AWS::Serverless::Function")
    if args.function not in functions:
        known = ", ".join(sorted(functions))
        print(
            f"newsdesk invoke: no function {args.function!r} in template.yaml ({known})",
            file=sys.stderr,
        )
        return 2
    try:
        event = json.loads(args.event.read_text(encoding="utf-8"))
        overrides = _env_vars(args.env_vars, args.function)
    except (OSError, ValueError) as error:
        print(f"newsdesk invoke: {error}", file=sys.stderr)
        return 2
    os.environ.update(invoke_environment(args.function, args.endpoint_url))
    os.environ.update(overrides)
    # What the function prints (powertools logs to stdout) goes to stderr, as with SAM; the
    # loggers bind their stream at import, which happens inside.
    with contextlib.redirect_stdout(sys.stderr):
        result = invoke(args.function, functions[args.function], event)
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0


def invoke_environment(function: str, endpoint_url: str) -> dict[str, str]:
    """The function's template environment, with the stack's resources as the local stack
    names them (what `newsdesk dev` gives its functions)."""
    from newsdesk_cli.localstack import handler_environment
    from newsdesk_cli.resources import LocalNames
    from newsdesk_cli.template import function_environment, load_template

    names = LocalNames()
    local = handler_environment(
        endpoint_url=endpoint_url,
        table=names.table,
        bucket=names.bucket,
        prefix="incoming/",
        json_logs=True,
        event_bus=names.event_bus,
        # Secrets Manager takes a secret's name where an ARN is expected.
        cursor_secret_arn=names.cursor_secret,
    )
    return {**function_environment(load_template(), function), **local}


def invoke(function: str, properties: dict[str, Any], event: dict[str, Any]) -> Any:
    from newsdesk_cli.function_worker import load_function
    from newsdesk_cli.lambda_context import LocalLambdaContext
    from newsdesk_cli.template import function_settings, load_template

    folder = Path(str(properties["CodeUri"]).strip("/")).name
    module = load_function(folder)
    handler = getattr(module, str(properties["Handler"]).rsplit(".", 1)[1])
    timeout, memory = function_settings(load_template(), function)
    context = LocalLambdaContext(
        function_name=function, memory_limit_in_mb=memory, timeout_seconds=int(timeout)
    )
    return handler(event, context)


def _env_vars(path: Path | None, function: str) -> dict[str, str]:
    """SAM's --env-vars file: variables for all functions ("Parameters"), then this one's."""
    if path is None:
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    merged = {**(data.get("Parameters") or {}), **(data.get(function) or {})}
    return {str(name): str(value) for name, value in merged.items()}
