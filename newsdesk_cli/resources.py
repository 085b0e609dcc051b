"""Creates the template's bucket, queues and table in moto (or any endpoint) from template.yaml.

Tests and `newsdesk dev` both call `create_resources`, so neither can drift from the template:
key schema, GSIs, stream, TTL, queue settings, redrive and the bucket notification are read
from it, not written a second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk_cli.template import TEMPLATE_PATH, load_template, resources_of_type


@dataclass(frozen=True)
class LocalNames:
    """Physical names for the template's logical resources on a local stack."""

    bucket: str = "newsdesk-local"
    table: str = "newsdesk-articles"
    queue: str = "newsdesk-ingest"
    dead_letter_queue: str = "newsdesk-ingest-dlq"
    event_bus: str = "newsdesk"
    # Local only (not in the template): a rule sends every event on the bus to this queue, so
    # `newsdesk events` and the tests can read what the projector published.
    event_tap_queue: str = "newsdesk-events"
    cursor_secret: str = "newsdesk-cursor-secret"


@dataclass(frozen=True)
class LocalResources:
    bucket: str
    table: str
    queue_url: str
    queue_arn: str
    dead_letter_queue_url: str
    dead_letter_queue_arn: str
    stream_arn: str | None
    incoming_prefix: str
    visibility_timeout: int
    max_receive_count: int
    event_bus: str
    event_tap_queue_url: str
    cursor_secret_arn: str


# Logical ids in template.yaml.
BUCKET_ID = "ArticleBucket"
EVENT_BUS_ID = "ArticleEventBus"
EVENT_TAP_RULE = "newsdesk-local-tap"
TABLE_ID = "ArticlesTable"
QUEUE_ID = "IngestQueue"
DLQ_ID = "IngestDeadLetterQueue"
SECRET_ID = "CursorSecret"

_QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")


def create_resources(
    session: Any,
    *,
    names: LocalNames | None = None,
    template_path: Path = TEMPLATE_PATH,
    endpoint_url: str | None = None,
) -> LocalResources:
    """Create bucket, queues and table as template.yaml declares them; return their names/URLs.

    `session` is a boto3.Session (credentials and region); `endpoint_url` targets a moto
    server, or None for in-process `mock_aws`.
    """
    names = names or LocalNames()
    template = load_template(template_path)
    kwargs = {"endpoint_url": endpoint_url} if endpoint_url else {}
    sqs = session.client("sqs", **kwargs)
    s3 = session.client("s3", **kwargs)
    dynamodb = session.client("dynamodb", **kwargs)

    queues = resources_of_type(template, "AWS::SQS::Queue")
    dlq_url, dlq_arn = _create_queue(sqs, names.dead_letter_queue, queues[DLQ_ID], {})
    physical = {DLQ_ID: dlq_arn}
    queue_url, queue_arn = _create_queue(sqs, names.queue, queues[QUEUE_ID], physical)
    physical[QUEUE_ID] = queue_arn
    redrive = queues[QUEUE_ID].get("RedrivePolicy", {})

    stream_arn = _create_table(
        dynamodb, names.table, resources_of_type(template, "AWS::DynamoDB::Table")[TABLE_ID]
    )
    prefix = _create_bucket(
        s3, names.bucket, resources_of_type(template, "AWS::S3::Bucket")[BUCKET_ID], physical
    )
    secret_arn = _create_secret(
        session.client("secretsmanager", **kwargs),
        names.cursor_secret,
        resources_of_type(template, "AWS::SecretsManager::Secret")[SECRET_ID],
    )
    if EVENT_BUS_ID not in resources_of_type(template, "AWS::Events::EventBus"):
        raise ValueError(f"template.yaml declares no {EVENT_BUS_ID}")
    tap_url = _create_event_bus(
        session.client("events", **kwargs), sqs, names.event_bus, names.event_tap_queue
    )

    return LocalResources(
        bucket=names.bucket,
        table=names.table,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dead_letter_queue_url=dlq_url,
        dead_letter_queue_arn=dlq_arn,
        stream_arn=stream_arn,
        incoming_prefix=prefix,
        visibility_timeout=int(queues[QUEUE_ID].get("VisibilityTimeout", 30)),
        max_receive_count=int(redrive.get("maxReceiveCount", 5)),
        event_bus=names.event_bus,
        event_tap_queue_url=tap_url,
        cursor_secret_arn=secret_arn,
    )


def _resolve(value: Any, physical: dict[str, str]) -> Any:
    """Resolve the few intrinsics the local resources need (GetAtt X.Arn of a created queue)."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        if attribute != "Arn" or logical_id not in physical:
            raise ValueError(f"cannot resolve GetAtt {logical_id}.{attribute} locally")
        return physical[logical_id]
    if isinstance(value, dict):
        return {key: _resolve(item, physical) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, physical) for item in value]
    return value


def _create_queue(
    sqs: Any, name: str, properties: dict[str, Any], physical: dict[str, str]
) -> tuple[str, str]:
    attributes = {key: str(properties[key]) for key in _QUEUE_ATTRIBUTES if key in properties}
    if "RedrivePolicy" in properties:
        attributes["RedrivePolicy"] = json.dumps(_resolve(properties["RedrivePolicy"], physical))
    if properties.get("SqsManagedSseEnabled"):
        attributes["SqsManagedSseEnabled"] = "true"
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _create_table(dynamodb: Any, name: str, properties: dict[str, Any]) -> str | None:
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    stream = properties.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    if properties.get("SSESpecification", {}).get("SSEEnabled"):
        request["SSESpecification"] = {"Enabled": True}
    description = dynamodb.create_table(**request)["TableDescription"]
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
        )
    if properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    stream_arn: str | None = description.get("LatestStreamArn")
    return stream_arn


def _create_event_bus(events: Any, sqs: Any, bus: str, tap_queue: str) -> str:
    """The bus, and the local tap: a rule matching every newsdesk event, targeting a queue."""
    events.create_event_bus(Name=bus)
    url: str = sqs.create_queue(QueueName=tap_queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name=EVENT_TAP_RULE,
        EventBusName=bus,
        EventPattern=json.dumps({"source": ["newsdesk"]}),
        State="ENABLED",
    )
    events.put_targets(
        Rule=EVENT_TAP_RULE, EventBusName=bus, Targets=[{"Id": "local-tap", "Arn": arn}]
    )
    return url


def _create_bucket(s3: Any, name: str, properties: dict[str, Any], physical: dict[str, str]) -> str:
    region = s3.meta.region_name
    if region and region != "us-east-1":
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    else:
        s3.create_bucket(Bucket=name)
    if properties.get("VersioningConfiguration"):
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration=properties["VersioningConfiguration"]
        )
    if properties.get("BucketEncryption"):
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                    for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if properties.get("PublicAccessBlockConfiguration"):
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"],
        )
    prefix = "incoming/"
    notification = properties.get("NotificationConfiguration", {})
    queue_configs = []
    for config in notification.get("QueueConfigurations", []):
        rules = config.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        for rule in rules:
            if rule["Name"] == "prefix":
                prefix = rule["Value"]
        queue_configs.append(
            {
                "QueueArn": _resolve(config["Queue"], physical),
                "Events": [config["Event"]],
                "Filter": {"Key": {"FilterRules": rules}},
            }
        )
    if queue_configs:
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"QueueConfigurations": queue_configs}
        )
    return prefix


def _create_secret(secretsmanager: Any, name: str, properties: dict[str, Any]) -> str:
    """The secret, generated as the template's GenerateSecretString asks (length, alphabet)."""
    import secrets
    import string

    generate = properties.get("GenerateSecretString", {})
    length = int(generate.get("PasswordLength", 32))
    alphabet = string.ascii_letters + string.digits
    if not generate.get("ExcludePunctuation"):
        alphabet += string.punctuation
    value = "".join(secrets.choice(alphabet) for _ in range(length))
    arn: str = secretsmanager.create_secret(
        Name=name, Description=str(properties.get("Description", "")), SecretString=value
    )["ARN"]
    return arn
