"""`newsdesk redrive`: move the dead-letter queue's messages back to the ingest queue.

On AWS, SQS's own message move task does it (start_message_move_task); locally the messages
are received, sent to the ingest queue and deleted from the dead-letter queue, in batches.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from newsdesk_cli.aws_target import add_target_arguments

    parser.add_argument("--queue-url", help="ingest queue URL (default: looked up by name)")
    parser.add_argument("--dlq-url", help="dead-letter queue URL (default: looked up by name)")
    parser.add_argument(
        "--stack-name", help="on AWS: read both queue URLs from this stack's outputs"
    )
    add_target_arguments(parser)


def queue_arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return arn


def move_messages(sqs: Any, source_url: str, destination_url: str) -> int:
    """Receive, re-send and delete until the source is empty; return how many moved."""
    moved = 0
    while True:
        response = sqs.receive_message(
            QueueUrl=source_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return moved
        entries = []
        for index, message in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=destination_url, Entries=entries)
        if sent.get("Failed"):
            raise RuntimeError(f"the ingest queue refused a message: {sent['Failed'][0]}")
        sqs.delete_message_batch(
            QueueUrl=source_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ],
        )
        moved += len(messages)


def run(args: argparse.Namespace) -> int:
    from newsdesk_cli.aws_target import TargetError, connect, describe_error
    from newsdesk_cli.commands.reindex import resolve_stack_outputs
    from newsdesk_cli.resources import LocalNames

    try:
        target = connect(args, bucket_required=False)
    except TargetError as exc:
        print(f"newsdesk redrive: {exc}", file=sys.stderr)
        return 2
    try:
        sqs = target.client("sqs")
        queue_url, dlq_url = args.queue_url, args.dlq_url
        if not target.is_local and args.stack_name:
            outputs = resolve_stack_outputs(target, args.stack_name)
            queue_url = queue_url or outputs.get("IngestQueueUrl")
            dlq_url = dlq_url or outputs.get("DeadLetterQueueUrl")
        if not target.is_local and not (queue_url and dlq_url):
            print(
                "newsdesk redrive: on AWS give --stack-name, or --queue-url and --dlq-url",
                file=sys.stderr,
            )
            return 2
        names = LocalNames()
        queue_url = queue_url or sqs.get_queue_url(QueueName=names.queue)["QueueUrl"]
        dlq_url = dlq_url or sqs.get_queue_url(QueueName=names.dead_letter_queue)["QueueUrl"]
        if target.is_local:
            moved = move_messages(sqs, dlq_url, queue_url)
            print(f"moved {moved} message(s) from the dead-letter queue back to the ingest queue")
            return 0
        waiting = sqs.get_queue_attributes(
            QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        task = sqs.start_message_move_task(
            SourceArn=queue_arn(sqs, dlq_url), DestinationArn=queue_arn(sqs, queue_url)
        )
    except Exception as exc:
        message = describe_error(exc, target)
        if message is None:
            raise
        print(f"newsdesk redrive: {message}", file=sys.stderr)
        return 1
    print(
        f"moving about {waiting} message(s) from the dead-letter queue back to the ingest "
        f"queue (SQS move task {task['TaskHandle']})"
    )
    return 0
