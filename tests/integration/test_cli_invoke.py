"""`newsdesk invoke` and `newsdesk events` as a developer runs them against a local stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli_queues import ServerStack, server_stack

__all__ = ["server_stack"]

ROOT = Path(__file__).resolve().parents[2]


def newsdesk(*args: str, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [sys.executable, "-m", "newsdesk_cli.main", *args, "--endpoint-url", endpoint],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_projector_sample_events_publish_one_event_each(server_stack: ServerStack) -> None:
    endpoint = server_stack.endpoint_url
    # When the projector is invoked on the stored, updated and removed stream events
    for name in ("stored", "updated", "removed"):
        done = newsdesk(
            "invoke", "ProjectorFunction", "-e", f"events/dynamodb_article_{name}.json",
            endpoint=endpoint,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"batchItemFailures": []}
    # Then `newsdesk events` prints the three changes in order, one line each
    printed = newsdesk("events", endpoint=endpoint)
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert [line.split()[1:4] for line in lines] == [
        ["Published", "9756e21451246e96", "v1"],
        ["Updated", "9756e21451246e96", "v2"],
        ["Removed", "9756e21451246e96", "v3"],
    ]
    assert lines[1].endswith("A harbour town bets its future on offshore wind power")
    # And they were consumed: a second run has nothing new
    again = newsdesk("events", "--json", endpoint=endpoint)
    assert again.stdout == "" and "no new events" in again.stderr


def test_the_api_function_answers_a_sample_request(server_stack: ServerStack) -> None:
    done = newsdesk(
        "invoke", "ApiFunction", "-e", "events/api_health.json", endpoint=server_stack.endpoint_url
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["statusCode"] == 200


def test_env_vars_in_sams_format_override_the_template(
    server_stack: ServerStack, tmp_path: Path
) -> None:
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({"ProjectorFunction": {"EVENT_BUS_NAME": "no-such-bus"}}))
    done = newsdesk(
        "invoke", "ProjectorFunction", "-e", "events/dynamodb_article_stored.json",
        "--env-vars", str(env_vars), endpoint=server_stack.endpoint_url,
    )  # fmt: skip
    # The bus does not exist: publishing fails, so the batch is left for a retry
    assert done.returncode != 0
    assert "no-such-bus" in done.stderr or "ResourceNotFound" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invoke", "NoSuchFunction", "-e", "events/api_health.json"], "no function"),
        (["invoke", "ApiFunction", "-e", "events/missing.json"], "No such file"),
    ],
)
def test_bad_invocations_say_what_is_wrong(
    server_stack: ServerStack, args: list[str], message: str
) -> None:
    done = newsdesk(*args, endpoint=server_stack.endpoint_url)
    assert done.returncode == 2
    assert message in done.stderr
