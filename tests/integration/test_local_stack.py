"""`newsdesk dev` end to end: a real subprocess, real HTTP, uploads through moto's S3 endpoint."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk_cli.localstack import SAMPLES_DIR
from tests.integration.devstack import DevStack, processes_in_group, running_stack, wait_for

pytestmark = pytest.mark.slow

BUCKET = "newsdesk-local"

GOOD_ARTICLE = b"""Science | Night trains return to the valley line after forty years

By Ines Vidal

The first night train in four decades left the valley station at ten past eleven on Friday,
with every couchette sold and a brass band playing on the platform.

The service runs three nights a week and connects the valley with the coast in nine hours.
Its operator says bookings for the winter are already above the forecast for the whole year.
"""


def article_id(key: str) -> str:
    return hashlib.sha256(f"s3://{BUCKET}/{key}".encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def stack() -> Iterator[DevStack]:
    with running_stack() as running:
        yield running


def test_start_up_ingests_the_samples_and_prints_how_to_upload(stack: DevStack) -> None:
    # Given the stack is up (banner printed after the samples were ingested)
    assert f"{stack.api_url}/docs" in stack.output
    assert f"aws --endpoint-url {stack.endpoint_url} s3 cp FILE s3://{BUCKET}/incoming/" in (
        stack.output
    )
    samples = sorted(path.name for path in SAMPLES_DIR.iterdir() if path.is_file())

    # When a client lists the articles
    status, _, page = stack.get("/articles?limit=100")

    # Then every sample is there
    assert status == 200
    ids = {item["id"] for item in page["items"]}
    assert {article_id(f"incoming/{name}") for name in samples} <= ids
    assert f"ingest  incoming/{samples[0]} → stored" in stack.output


def test_upload_is_served_over_http_and_delete_gives_410(stack: DevStack) -> None:
    s3 = stack.boto_client("s3")
    key = "incoming/tests/night-trains.txt"

    # When a file is uploaded to the stack's S3 endpoint
    s3.put_object(Bucket=BUCKET, Key=key, Body=GOOD_ARTICLE)

    # Then the API serves it within seconds
    _, headers, article = wait_for(
        "the uploaded article", lambda: stack.get_ok(f"/articles/{article_id(key)}"), stack
    )
    assert article["headline"] == "Night trains return to the valley line after forty years"
    assert article["authors"] == [{"name": "Ines Vidal", "slug": "ines-vidal"}]
    wait_for(
        "the request's log line",
        lambda: f"GET /articles/{article_id(key)} 200" in stack.output,
        stack,
    )

    # And a conditional request with its ETag is a 304
    etag = headers.get("ETag") or headers.get("etag")
    assert etag
    assert stack.get(f"/articles/{article_id(key)}", {"If-None-Match": etag})[0] == 304

    # When the object is deleted, the article is gone (410)
    s3.delete_object(Bucket=BUCKET, Key=key)
    wait_for("410 Gone", lambda: stack.get(f"/articles/{article_id(key)}")[0] == 410, stack)


def test_a_bad_file_is_listed_as_a_failed_ingestion(stack: DevStack) -> None:
    s3 = stack.boto_client("s3")
    key = "incoming/tests/broken.txt"

    # When a file that is no article (binary bytes) is uploaded
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(range(256)) * 8)

    # Then /ingestions?status=failed lists it with a reason
    def failure() -> dict[str, object] | None:
        status, _, page = stack.get("/ingestions?status=failed")
        assert status == 200
        return next((item for item in page["items"] if item.get("key") == key), None)

    failed = wait_for("the failed ingestion", failure, stack)
    assert failed["code"] == "binary"


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_upload_as_the_readme_shows(stack: DevStack, tmp_path: Path) -> None:
    article = tmp_path / "aws-cli-upload.txt"
    article.write_bytes(GOOD_ARTICLE.replace(b"Night trains", b"Sleeper trains"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1"
    )

    # When the README's command uploads a file
    subprocess.run(
        [
            "aws",
            "--endpoint-url",
            stack.endpoint_url,
            "s3",
            "cp",
            str(article),
            f"s3://{BUCKET}/incoming/",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )

    # Then it is ingested and served
    key = "incoming/aws-cli-upload.txt"
    _, _, body = wait_for(
        "the article uploaded with the AWS CLI",
        lambda: stack.get_ok(f"/articles/{article_id(key)}"),
        stack,
    )
    assert body["headline"].startswith("Sleeper trains")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_everything_and_leaves_no_process(signum: signal.Signals) -> None:
    with running_stack("--no-samples") as stack:
        assert stack.get("/health")[0] == 200
        group = stack.process.pid  # started in a session of its own: pgid == pid

        # When it is interrupted (Ctrl-C) or terminated
        stack.process.send_signal(signum)

        # Then it exits cleanly, its ports are closed, and nothing of its group is left
        assert stack.wait_exit(timeout=20) == 0
        assert "stopped" in stack.output.splitlines()[-1]
        # (a worker killed in the last moments of the stop may still be ending: give it a second)
        deadline = time.monotonic() + 2
        while processes_in_group(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_in_group(group) == []
        with pytest.raises(OSError):
            stack.get("/health")
