"""events/api_*.json are real API Gateway REST (v1 proxy) events, as `sam local invoke` takes."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

from tests.conftest import EVENTS_DIR, load_event

NAMES = sorted(path.stem for path in EVENTS_DIR.glob("api_*.json"))


def test_there_is_an_event_per_route_and_per_error_case() -> None:
    assert {
        "api_articles",
        "api_article",
        "api_article_related",
        "api_authors",
        "api_author",
    } < set(NAMES)
    assert {"api_sections", "api_section", "api_tags", "api_changes", "api_health"} < set(NAMES)
    assert {"api_ingestions_failed", "api_ingestion_by_key", "api_openapi", "api_docs"} < set(NAMES)
    assert len([name for name in NAMES if name.startswith("api_error_")]) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_each_event_has_the_shape_api_gateway_sends(name: str) -> None:
    event = load_event(name)

    parsed = APIGatewayProxyEventModel.model_validate(event)

    assert parsed.requestContext.stage == "dev"
    assert event["requestContext"]["path"] == f"/dev{event['path']}"
    assert event["multiValueHeaders"] == {k: [v] for k, v in event["headers"].items()}
    single = event["queryStringParameters"] or {}
    multi = event["multiValueQueryStringParameters"] or {}
    assert single == {k: values[-1] for k, values in multi.items()}
