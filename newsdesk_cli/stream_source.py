"""A local DynamoDB Streams event source mapping: table changes → a stream consumer function.

Like Lambda's mapping for a stream: records of each shard in order, in batches, the whole batch
retried on error (or from the first failure the handler reports in batchItemFailures), and a
batch given up after `max_retries` so one poison record cannot stall the stream forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsdesk_cli.lambda_context import LocalLambdaContext

# (folder under functions/, logical id in template.yaml) of every function fed by the stream.
# The local stack starts a poller for each one whose app.py exists.
STREAM_CONSUMERS: list[tuple[str, str]] = [("indexer", "IndexerFunction")]

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class _Shard:
    iterator: str | None
    failures: int = 0


@dataclass
class StreamEventSource:
    client: Any  # boto3 dynamodbstreams client
    stream_arn: str
    handler: Handler
    function_name: str
    log: logging.Logger
    batch_size: int = 100
    max_retries: int = 3
    _shards: dict[str, _Shard] = field(default_factory=dict)

    def poll_once(self) -> int:
        """Deliver at most one batch per shard; return how many records were delivered."""
        self._discover_shards()
        delivered = 0
        for shard_id, shard in self._shards.items():
            if shard.iterator is None:
                continue
            response = self.client.get_records(ShardIterator=shard.iterator, Limit=self.batch_size)
            records = response.get("Records", [])
            if not records:
                shard.iterator = response.get("NextShardIterator")
                continue
            failed_at = self._invoke(records)
            if failed_at is None:
                shard.iterator = response.get("NextShardIterator")
                shard.failures = 0
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
                shard.failures = 0
            else:
                shard.iterator = self.client.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber=failed_at,
                )["ShardIterator"]
        return delivered

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
