"""`newsdesk reindex`: re-ingest every object under incoming/ (after a parser upgrade).

For each current object version a synthetic S3 ObjectCreated event with the object's current
size, ETag and version is sent to the ingest queue, as S3 would. Unchanged results write nothing
(content_hash). Locally the event gets a fresh sequencer in the local stack's own format, so it
is the newest event for its key. On AWS it gets none (the ingestion then always applies it):
only S3 can make real sequencers, and a made-up one could outrank later real uploads.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

_counter = itertools.count()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from newsdesk_cli.aws_target import add_target_arguments

    parser.add_argument("--prefix", default="incoming/", help="key prefix (default incoming/)")
    parser.add_argument(
        "--queue-url", help="ingest queue URL (default: looked up locally, or from --stack-name)"
    )
    parser.add_argument(
        "--stack-name", help="on AWS: read the bucket and queue from this stack's outputs"
    )
    parser.add_argument(
        "--search",
        action="store_true",
        help="instead: rebuild the search index from the table's article records",
    )
    parser.add_argument("--table", help="with --search: the table (default: local, or the stack's)")
    add_target_arguments(parser)


def fresh_sequencer() -> str:
    # Hex, fixed width, increasing: compares above every sequencer the stack has seen so far.
    return f"{time.time_ns():016X}{next(_counter) % 0x10000:04X}"


def s3_event(
    *,
    bucket: str,
    key: str,
    size: int,
    etag: str,
    version_id: str | None,
    region: str,
    sequencer: str | None,
) -> dict[str, Any]:
    """The notification S3 sends for an upload of `key` (what the ingest handler parses)."""
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"')}
    if sequencer:
        obj["sequencer"] = sequencer
    if version_id and version_id != "null":
        obj["versionId"] = version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "newsdesk-reindex"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "newsdesk-reindex",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "newsdesk"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": obj,
                },
            }
        ]
    }


def current_objects(s3: Any, bucket: str, prefix: str) -> Iterator[dict[str, Any]]:
    """The latest version of every object under prefix (deleted keys are skipped)."""
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for version in page.get("Versions", []):
            if version.get("IsLatest"):
                yield version


def resolve_stack_outputs(target: Any, stack_name: str) -> dict[str, str]:
    cloudformation = target.client("cloudformation")
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def reindex(
    s3: Any,
    sqs: Any,
    *,
    bucket: str,
    prefix: str,
    queue_url: str,
    region: str,
    fresh_sequencers: bool,
) -> int:
    """Send one synthetic ObjectCreated event per current object; return how many were sent."""
    sent = 0
    batch: list[dict[str, Any]] = []
    for version in current_objects(s3, bucket, prefix):
        event = s3_event(
            bucket=bucket,
            key=version["Key"],
            size=int(version.get("Size", 0)),
            etag=version.get("ETag", ""),
            version_id=version.get("VersionId"),
            region=region,
            sequencer=fresh_sequencer() if fresh_sequencers else None,
        )
        batch.append({"Id": str(len(batch)), "MessageBody": json.dumps(event)})
        if len(batch) == 10:
            sent += _send(sqs, queue_url, batch)
            batch = []
    if batch:
        sent += _send(sqs, queue_url, batch)
    return sent


def rebuild_search_index(target: Any, *, bucket: str, table: str, index_key: str) -> Any:
    """A new search index from every article record of the table, replacing the one in S3
    (unless the indexer changed it meanwhile: then ConcurrentUpdateError, run it again)."""
    import tempfile
    from pathlib import Path

    from newsdesk.search.index import Removal, Upsert
    from newsdesk.service.indexing import IndexerService
    from newsdesk.storage.article_stream import scan_article_changes
    from newsdesk.storage.articles import ArticleStore
    from newsdesk.storage.index_files import IndexFileStore

    dynamodb = target.client("dynamodb")
    store = ArticleStore(dynamodb, table)
    files = IndexFileStore(target.client("s3"), bucket, index_key)

    def changes() -> Iterator[Upsert | Removal]:
        for change in scan_article_changes(dynamodb, table):
            if change.removed:
                yield Removal(change.article_id, change.version)
            elif change.needs_body_parts:
                yield Upsert(store.get_article(change.article_id), change.version)
            else:
                yield Upsert(change.article(), change.version)

    with tempfile.TemporaryDirectory(prefix="newsdesk-reindex-") as scratch:
        service = IndexerService(files, work_dir=Path(scratch), fetch_article=store.get_article)
        return service.rebuild(changes())


def run(args: argparse.Namespace) -> int:
    from newsdesk_cli.aws_target import TargetError, connect, describe_error
    from newsdesk_cli.resources import LocalNames

    try:
        target = connect(args, bucket_required=False)
    except TargetError as exc:
        print(f"newsdesk reindex: {exc}", file=sys.stderr)
        return 2
    if args.search:
        return _run_search(args, target)
    try:
        bucket, queue_url = args.bucket or target.bucket, args.queue_url
        if not target.is_local and args.stack_name:
            outputs = resolve_stack_outputs(target, args.stack_name)
            bucket = bucket or outputs.get("BucketName")
            queue_url = queue_url or outputs.get("IngestQueueUrl")
        if not bucket or (not queue_url and not target.is_local):
            print(
                "newsdesk reindex: on AWS give --stack-name, or --bucket and --queue-url",
                file=sys.stderr,
            )
            return 2
        sqs = target.client("sqs")
        queue_url = queue_url or sqs.get_queue_url(QueueName=LocalNames().queue)["QueueUrl"]
        sent = reindex(
            target.client("s3"),
            sqs,
            bucket=bucket,
            prefix=args.prefix,
            queue_url=queue_url,
            region=target.session.region_name,
            fresh_sequencers=target.is_local,
        )
    except Exception as exc:
        message = describe_error(exc, target)
        if message is None:
            raise
        print(f"newsdesk reindex: {message}", file=sys.stderr)
        return 1
    print(f"re-enqueued {sent} object(s) under s3://{bucket}/{args.prefix} for ingestion")
    return 0


def _run_search(args: argparse.Namespace, target: Any) -> int:
    from newsdesk.errors import ConcurrentUpdateError
    from newsdesk_cli.aws_target import describe_error
    from newsdesk_cli.commands.search import DEFAULT_INDEX_KEY
    from newsdesk_cli.resources import LocalNames

    try:
        bucket, table = args.bucket or target.bucket, args.table
        if not target.is_local and args.stack_name:
            outputs = resolve_stack_outputs(target, args.stack_name)
            bucket = bucket or outputs.get("BucketName")
            table = table or outputs.get("TableName")
        table = table or (LocalNames().table if target.is_local else None)
        if not bucket or not table:
            print(
                "newsdesk reindex: on AWS give --stack-name, or --bucket and --table",
                file=sys.stderr,
            )
            return 2
        update = rebuild_search_index(
            target, bucket=bucket, table=table, index_key=DEFAULT_INDEX_KEY
        )
    except ConcurrentUpdateError:
        print(
            "newsdesk reindex: the indexer changed the index during the rebuild; run it again",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:
        message = describe_error(exc, target)
        if message is None:
            raise
        print(f"newsdesk reindex: {message}", file=sys.stderr)
        return 1
    print(
        f"rebuilt the search index from {table}: {update.articles} article(s), "
        f"{update.size:,} bytes → s3://{bucket}/{DEFAULT_INDEX_KEY}"
    )
    return 0


def _send(sqs: Any, queue_url: str, entries: list[dict[str, Any]]) -> int:
    response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    failed = response.get("Failed", [])
    if failed:
        raise RuntimeError(f"the queue refused {len(failed)} message(s): {failed[0]}")
    return len(entries)
