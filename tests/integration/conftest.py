"""Handlers under moto's mock_aws, with resources created from template.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from newsdesk.settings import get_settings
from newsdesk_cli import moto_compat
from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.resources import LocalResources, create_resources

REGION = "us-east-1"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "POWERTOOLS_SERVICE_NAME": "newsdesk",
        "POWERTOOLS_METRICS_NAMESPACE": "newsdesk",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_DEV": "false",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def resources(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalResources]:
    """Bucket, queues and table as template.yaml declares them, in moto; env points at them."""
    moto_compat.install()
    with mock_aws():
        created = create_resources(boto3.Session(region_name=REGION))
        monkeypatch.setenv("TABLE_NAME", created.table)
        monkeypatch.setenv("BUCKET_NAME", created.bucket)
        monkeypatch.setenv("INCOMING_PREFIX", created.incoming_prefix)
        get_settings.cache_clear()
        yield created
        get_settings.cache_clear()


@pytest.fixture
def lambda_context() -> Any:
    return LocalLambdaContext(function_name="newsdesk-test")
