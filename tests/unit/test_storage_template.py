"""The table and the projector as template.yaml declares them agree with the storage code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsdesk.models import SUMMARY_FIELDS, Ingestion
from newsdesk.storage.streams import ARTICLE_RECORD_FILTER
from newsdesk_cli.template import load_template, resources_of_type


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _indexes(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    table = resources_of_type(template, "AWS::DynamoDB::Table")["ArticlesTable"]
    return {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}


def test_the_listing_index_projects_exactly_what_its_pages_show(template: dict[str, Any]) -> None:
    projection = _indexes(template)["GSI1"]["Projection"]
    assert projection["ProjectionType"] == "INCLUDE"
    # List pages of articles (the summary fields) and of recent ingestions (their outcome)
    assert projection["NonKeyAttributes"] == list(SUMMARY_FIELDS) + list(Ingestion.model_fields)


def test_no_index_copies_whole_items(template: dict[str, Any]) -> None:
    assert {index["Projection"]["ProjectionType"] for index in _indexes(template).values()} == {
        "INCLUDE"
    }


def test_the_projector_reads_article_records_only_and_gives_up_to_a_queue(
    template: dict[str, Any],
) -> None:
    function = resources_of_type(template, "AWS::Serverless::Function")["ProjectorFunction"]
    [source] = function["Events"].values()
    properties = source["Properties"]
    assert source["Type"] == "DynamoDB"
    assert [json.loads(f["Pattern"]) for f in properties["FilterCriteria"]["Filters"]] == [
        ARTICLE_RECORD_FILTER
    ]
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["DestinationConfig"]["OnFailure"]["Type"] == "SQS"


def test_ingestion_writes_one_item_at_a_time(template: dict[str, Any]) -> None:
    function = resources_of_type(template, "AWS::Serverless::Function")["IngestFunction"]
    actions = {
        action
        for policy in function["Policies"]
        for statement in policy["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }
    assert "dynamodb:UpdateItem" not in actions  # no counters on the synchronous path
    assert "dynamodb:ConditionCheckItem" not in actions  # no transactions either
