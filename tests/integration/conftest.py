"""Handlers under moto's mock_aws, with resources created from template.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.resources import LocalResources
from tests.integration.moto_stack import template_stack


@pytest.fixture
def resources(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalResources]:
    """Bucket, queues and table as template.yaml declares them, in moto; env points at them."""
    with template_stack(monkeypatch) as (_, created):
        yield created


@pytest.fixture
def lambda_context() -> Any:
    return LocalLambdaContext(function_name="newsdesk-test")
