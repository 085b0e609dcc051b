"""One way to stand up the template's resources in moto, for fixtures of any scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto import mock_aws

from newsdesk.settings import get_settings
from newsdesk_cli import moto_compat
from newsdesk_cli.resources import LocalResources, create_resources

REGION = "us-east-1"

TEST_ENV = {
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
}


@contextmanager
def template_stack(
    patch: pytest.MonkeyPatch, **extra_env: str
) -> Iterator[tuple[boto3.Session, LocalResources]]:
    """Bucket, queues and table as template.yaml declares them, in moto; env points at them."""
    for name, value in {**TEST_ENV, **extra_env}.items():
        patch.setenv(name, value)
    patch.delenv("AWS_PROFILE", raising=False)
    patch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_compat.install()
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        resources = create_resources(session)
        patch.setenv("TABLE_NAME", resources.table)
        patch.setenv("BUCKET_NAME", resources.bucket)
        patch.setenv("INCOMING_PREFIX", resources.incoming_prefix)
        get_settings.cache_clear()
        try:
            yield session, resources
        finally:
            get_settings.cache_clear()
