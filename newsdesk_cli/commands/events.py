"""`newsdesk events`: print the change events the projector published on the bus.

The local stack routes every event of its bus to a queue (a rule `newsdesk dev` creates; the
template declares only the bus): this command reads that queue, one line per event, oldest
first, and removes what it printed. `--follow` keeps waiting for more until Ctrl-C. On AWS,
point `--queue-url` at a queue that a rule on the stack's bus targets.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

# One receive waits this long for events (SQS long polling; at most 20 s).
_WAIT_SECONDS = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from newsdesk_cli.aws_target import add_target_arguments

    parser.add_argument(
        "-f", "--follow", action="store_true", help="keep printing new events until Ctrl-C"
    )
    parser.add_argument(
        "--json", action="store_true", help="print each event as it arrived, one JSON per line"
    )
    parser.add_argument(
        "--queue-url",
        help="queue a rule on the bus sends events to (default: the local stack's)",
    )
    add_target_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from newsdesk_cli.aws_target import TargetError, connect, describe_error
    from newsdesk_cli.resources import LocalNames

    try:
        target = connect(args, bucket_required=False)
        if not target.is_local and not args.queue_url:
            raise TargetError("--queue-url is required with --aws")
    except TargetError as error:
        print(f"newsdesk events: {error}", file=sys.stderr)
        return 2
    printed = 0
    try:
        sqs = target.client("sqs")
        url = (
            args.queue_url or sqs.get_queue_url(QueueName=LocalNames().event_tap_queue)["QueueUrl"]
        )
        for event in receive(sqs, url, follow=args.follow):
            print_event(event, sys.stdout, as_json=args.json)
            printed += 1
    except KeyboardInterrupt:
        return 0
    except Exception as error:
        message = describe_error(error, target)
        if message is None:
            raise
        print(f"newsdesk events: {message}", file=sys.stderr)
        return 1
    if not printed and not args.follow:
        print("no new events", file=sys.stderr)
    return 0


def receive(sqs: Any, url: str, *, follow: bool) -> Iterator[dict[str, Any]]:
    """Events from the queue, oldest first per receive, each deleted once yielded."""
    while True:
        response = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=_WAIT_SECONDS
        )
        messages = response.get("Messages", [])
        if not messages and not follow:
            return
        events = [(json.loads(message["Body"]), message) for message in messages]
        events.sort(key=lambda pair: str(pair[0].get("time", "")))
        for event, message in events:
            yield event
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def print_event(event: dict[str, Any], out: TextIO, *, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
    else:
        detail = event.get("detail") or {}
        kind = str(event.get("detail-type", "?")).removeprefix("Article ")
        headline = detail.get("headline") or ""
        out.write(
            f"{detail.get('changed_at', '?')}  {kind:<9}  {detail.get('id', '?')}  "
            f"v{detail.get('version', '?')}  {headline}".rstrip()
            + "\n"
        )
    out.flush()
