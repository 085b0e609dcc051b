"""template.yaml as an operator deploys it: logs kept for a set time, an alarm for each thing
that can go wrong, bounded concurrency and storage, no secret with a default, every checkov skip
explained. A function added later gets its log group and alarms or these tests name them."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk_cli.template import load_template, resources_of_type


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def functions_of(template: dict[str, Any]) -> list[str]:
    return sorted(resources_of_type(template, "AWS::Serverless::Function"))


def alarms_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of_type(template, "AWS::CloudWatch::Alarm")


def test_every_function_has_a_log_group_with_retention(template: dict[str, Any]) -> None:
    groups = resources_of_type(template, "AWS::Logs::LogGroup")
    for function in functions_of(template):
        group = groups.get(f"{function}LogGroup")
        assert group is not None, f"add {function}LogGroup (see the operations section)"
        assert group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_error_and_throttle_alarms(
    template: dict[str, Any], metric: str
) -> None:
    alarms = alarms_of(template)
    for function in functions_of(template):
        alarm = alarms.get(f"{function}{metric}Alarm")
        assert alarm is not None, f"add {function}{metric}Alarm (see the operations section)"
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", metric)
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]


def test_the_alarms_cover_queue_api_table_and_failed_ingestions(template: dict[str, Any]) -> None:
    watched = set()
    for alarm in alarms_of(template).values():
        if "MetricName" in alarm:
            watched.add((alarm["Namespace"], alarm["MetricName"]))
        for metric in alarm.get("Metrics", []):
            if "MetricStat" in metric:
                stat = metric["MetricStat"]["Metric"]
                watched.add((stat["Namespace"], stat["MetricName"]))

    assert {
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("newsdesk", "IngestionsFailed"),
    } <= watched


def test_every_alarm_notifies_the_one_optional_topic(template: dict[str, Any]) -> None:
    notify = {"Fn::If": ["SendAlarms", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]}
    for name, alarm in alarms_of(template).items():
        assert alarm["AlarmActions"] == notify, name
        assert alarm["OKActions"] == notify, name
    topic = template["Resources"]["AlarmTopic"]
    assert topic["Condition"] == "SendAlarms"
    assert template["Conditions"]["SendAlarms"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


def test_the_api_writes_access_logs_kept_like_the_functions_logs(template: dict[str, Any]) -> None:
    api = template["Resources"]["ContentApi"]["Properties"]
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert "$context.requestId" in api["AccessLogSetting"]["Format"]
    group = template["Resources"]["ApiAccessLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_ingestion_concurrency_and_storage_are_bounded(template: dict[str, Any]) -> None:
    function = template["Resources"]["IngestFunction"]["Properties"]
    (source,) = function["Events"].values()
    assert source["Properties"]["ScalingConfig"] == {
        "MaximumConcurrency": {"Ref": "IngestMaxConcurrency"}
    }
    bucket = template["Resources"]["ArticleBucket"]["Properties"]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(
        rule.get("NoncurrentVersionExpiration")
        == {"NoncurrentDays": {"Ref": "NoncurrentVersionDays"}}
        for rule in rules
    )
    table = template["Resources"]["ArticlesTable"]["Properties"]
    assert table["DeletionProtectionEnabled"] is True


def test_no_secret_has_a_default_or_sits_in_a_parameter(template: dict[str, Any]) -> None:
    for name in template["Parameters"]:
        assert "secret" not in name.lower(), name
    generated = template["Resources"]["CursorSecret"]["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32


def test_every_checkov_skip_says_why(template: dict[str, Any]) -> None:
    skips = [
        (logical_id, skip)
        for logical_id, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for logical_id, skip in skips:
        assert skip["id"].startswith(("CKV_AWS_", "CKV2_AWS_")), logical_id
        assert len(skip.get("comment", "")) >= 40, (
            f"{logical_id} skips {skip['id']} without a reason"
        )
