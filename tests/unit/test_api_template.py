"""template.yaml's API parts: read-only function, real optional API key, stage throttling."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk_cli.template import load_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def test_the_api_key_switch_is_resolved_before_sam_sees_it(template: dict[str, Any]) -> None:
    # SAM alone reads `ApiKeyRequired: !If [...]` as true; LanguageExtensions resolves it first.
    assert template["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]
    auth = template["Resources"]["ContentApi"]["Properties"]["Auth"]
    assert auth["ApiKeyRequired"] == {"Fn::If": ["UseApiKey", True, False]}
    assert template["Conditions"]["UseApiKey"] == {"Fn::Equals": [{"Ref": "RequireApiKey"}, "true"]}
    assert auth["UsagePlan"]["CreateUsagePlan"] == "PER_API"
    assert auth["AddApiKeyRequiredToCorsPreflight"] is False


def test_the_stage_is_throttled_from_parameters(template: dict[str, Any]) -> None:
    (setting,) = template["Resources"]["ContentApi"]["Properties"]["MethodSettings"]
    assert setting["ResourcePath"] == "/*" and setting["HttpMethod"] == "*"
    assert setting["ThrottlingRateLimit"] == {"Ref": "ThrottleRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ThrottleBurstLimit"}


def test_the_api_function_can_only_read_the_table_and_the_search_index(
    template: dict[str, Any],
) -> None:
    function = template["Resources"]["ApiFunction"]["Properties"]
    statements = [s for policy in function["Policies"] for s in policy["Statement"]]

    def listed(value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else value

    actions = {action for statement in statements for action in listed(statement["Action"])}
    assert actions == {"dynamodb:GetItem", "dynamodb:Query", "s3:GetObject", "s3:ListBucket"}
    for statement in statements:
        if "s3:GetObject" in listed(statement["Action"]):
            assert statement["Resource"]["Fn::Sub"].endswith("/search/*")
    assert all(statement["Effect"] == "Allow" for statement in statements)
    assert function["Environment"]["Variables"]["CURSOR_SECRET"]
