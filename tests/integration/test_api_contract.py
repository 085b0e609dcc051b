"""The API contract: schemathesis generates requests for every route of /openapi.json, valid and
invalid, and sends them through the local API edge (in-process ASGI) to the API function over a
stored corpus. No answer may be a 5xx, and each must be what the document says: a documented
status, content type, headers and body schema, and invalid input is refused with a 4xx.

Bounded: a fixed number of examples per operation and generation mode, derandomized, so the run
is the same on every machine and stays within seconds of `make test`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from newsdesk_cli.http_adapter import ApiGatewayApp
from tests.integration.api_support import (
    Stack,
    related_corpus,
    running_stack,
    sample_uploads,
    synthetic_corpus,
)

pytestmark = pytest.mark.slow

EXAMPLES_PER_MODE = 60  # x 2 modes x every operation: over 1,000 requests
MINIMUM_REQUESTS = 1000
CHECKS = SchemathesisConfig.from_dict(
    {
        "checks": {
            # Every check but "schema-valid data is accepted": a value can fit the schema and
            # still be refused with a 400 problem (an unknown name in `fields`, `from` after
            # `to`, a tampered cursor), as the document says.
            "positive_data_acceptance": {"enabled": False},
            # Invalid input is refused: 400 (parameters), 404 (no such id or slug), 405, and
            # 431 when the edge refuses a request line over 10 KB before the API runs.
            "negative_data_rejection": {"expected-statuses": [400, 404, 405, 431]},
        }
    }
)


class CountingApp:
    """The edge, counting the answers it gives by status."""

    def __init__(self, app: ApiGatewayApp) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.statuses[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, send if scope["type"] != "http" else counting_send)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        corpus = synthetic_corpus(30)
        running.upload(corpus + related_corpus() + sample_uploads())
        running.delete(corpus[3].key)  # a tombstone: its id answers 410
        yield running


@pytest.fixture(scope="module")
def edge(stack: Stack) -> Iterator[CountingApp]:
    from functions.api import app as api

    edge = ApiGatewayApp(api.lambda_handler)
    yield CountingApp(edge)
    edge.close()


def test_every_route_answers_as_documented_to_generated_requests(edge: CountingApp) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", edge, config=CHECKS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    unsatisfiable: list[str] = []

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_MODE,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def conforms(case: schemathesis.Case) -> None:
                case.call_and_validate()

            try:
                conforms()
            except Unsatisfiable:
                # No invalid request exists for an operation without parameters (/health).
                assert mode is GenerationMode.NEGATIVE
                unsatisfiable.append(operation.label)

    sent = sum(edge.statuses.values())
    print(f"schemathesis: {len(operations)} operations, {sent} requests, 0 failures")
    print(f"  answers by status: {sorted(edge.statuses.items())}")
    print(f"  no invalid request possible for: {unsatisfiable}")
    assert sent >= MINIMUM_REQUESTS
    assert not [status for status in edge.statuses if status >= 500]
