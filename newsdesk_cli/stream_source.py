"""A local DynamoDB Streams event source mapping: table changes → a stream consumer function.

Like Lambda's mapping for a stream: records of each shard in order, in batches, the whole batch
retried on error (or from the first failure the handler reports in batchItemFailures), and a
batch given up after `max_retries` so one poison record cannot stall the stream forever.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsdesk_cli.lambda_context import LocalLambdaContext

# (folder under functions/, logical id in template.yaml) of every function fed by the stream.
# The local stack starts a poller for each one whose app.py exists.
STREAM_CONSUMERS: list[tuple[str, str]] = [
    ("projector", "ProjectorFunction"),
    ("indexer", "IndexerFunction"),
]

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class _Shard:
    iterator: str | None
    failures: int = 0
    # Sequence number of the last record read (delivered or left out by the filter).
    position: str | None = None
    # Records delivered since the last "caught up" line.
    unreported: int = 0


@dataclass
class StreamEventSource:
    client: Any  # boto3 dynamodbstreams client
    stream_arn: str
    handler: Handler
    function_name: str
    log: logging.Logger
    batch_size: int = 100
    max_retries: int = 3
    # The mapping's FilterCriteria: records it rejects are skipped, as Lambda skips them.
    accept: Callable[[dict[str, Any]], bool] = lambda _record: True
    # When a poll that began then found nothing left to deliver (monotonic clock).
    caught_up_at: float = 0.0
    _shards: dict[str, _Shard] = field(default_factory=dict)

    def poll_once(self) -> int:
        """Deliver at most one batch per shard; return how many records were delivered."""
        started = time.monotonic()
        self._discover_shards()
        delivered = 0
        for shard_id, shard in self._shards.items():
            if shard.iterator is None:
                continue
            response = self.client.get_records(ShardIterator=shard.iterator, Limit=self.batch_size)
            read = response.get("Records", [])
            records = [record for record in read if self.accept(record)]
            if not records:
                shard.iterator = response.get("NextShardIterator")
                shard.position = _last_sequence(read) or shard.position
                continue
            failed_at = self._invoke(records)
            if failed_at is None:
                shard.iterator = response.get("NextShardIterator")
                shard.position = _last_sequence(read)
                shard.failures = 0
                shard.unreported += len(records)
                delivered += len(records)
                continue
            shard.failures += 1
            if shard.failures > self.max_retries:
                self.log.error(
                    "%s: giving up on %d stream record(s) after %d retries",
                    self.function_name,
                    len(records),
                    self.max_retries,
                )
                shard.iterator = response.get("NextShardIterator")
                shard.position = _last_sequence(read)
                shard.failures = 0
            else:
                shard.iterator = self.client.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber=failed_at,
                )["ShardIterator"]
        if not delivered and not self.failing():
            self.caught_up_at = started
            self._report_caught_up()
        return delivered

    def _report_caught_up(self) -> None:
        """One line per shard that delivered records since its last line: where it stands."""
        for shard_id, shard in self._shards.items():
            if not shard.unreported:
                continue
            self.log.info(
                "stream  %s caught up at %s (shard %s, %d record(s) delivered)",
                self.function_name,
                shard.position,
                shard_id,
                shard.unreported,
                extra={
                    "fields": {
                        "event": "stream",
                        "function": self.function_name,
                        "shard": shard_id,
                        "position": shard.position,
                        "delivered": shard.unreported,
                    }
                },
            )
            shard.unreported = 0

    def failing(self) -> bool:
        """Whether a batch failed and waits to be retried."""
        return any(shard.failures for shard in self._shards.values())

    def _discover_shards(self) -> None:
        description = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._shards:
                iterator = self.client.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
                self._shards[shard_id] = _Shard(iterator)

    def _invoke(self, records: list[dict[str, Any]]) -> str | None:
        """Run the handler; None on success, else the sequence number to resume from."""
        event = {"Records": [{**record, "eventSourceARN": self.stream_arn} for record in records]}
        first = str(records[0]["dynamodb"]["SequenceNumber"])
        try:
            result = self.handler(event, LocalLambdaContext(function_name=self.function_name))
        except Exception:
            self.log.exception(
                "%s failed on a stream batch; it will be retried", self.function_name
            )
            return first
        failures = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
        if failures:
            return str(failures[0].get("itemIdentifier") or first)
        return None


def _last_sequence(records: list[dict[str, Any]]) -> str | None:
    return str(records[-1]["dynamodb"]["SequenceNumber"]) if records else None


def stream_filter(function_name: str) -> Callable[[dict[str, Any]], bool]:
    """What the function's DynamoDB event source in template.yaml lets through (FilterCriteria
    patterns: nested objects and lists of exact values, as far as the template uses them)."""
    from newsdesk_cli.template import load_template, resources_of_type

    function = resources_of_type(load_template(), "AWS::Serverless::Function").get(function_name)
    patterns: list[Any] = []
    for event in ((function or {}).get("Events") or {}).values():
        if event.get("Type") == "DynamoDB":
            filters = event.get("Properties", {}).get("FilterCriteria", {}).get("Filters", [])
            patterns += [json.loads(entry["Pattern"]) for entry in filters]
    if not patterns:
        return lambda _record: True
    return lambda record: any(_matches(pattern, record) for pattern in patterns)


def _matches(pattern: Any, value: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            _matches(sub, value.get(name)) for name, sub in pattern.items()
        )
    if isinstance(pattern, list):
        return value in pattern
    return bool(pattern == value)
