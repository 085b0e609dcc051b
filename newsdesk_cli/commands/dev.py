"""`newsdesk dev`: the whole service on this machine (moto, pollers, API on :3000) until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="API address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--moto-port", type=int, default=4566, help="moto (S3, SQS, DynamoDB) port (default 4566)"
    )
    parser.add_argument(
        "--json-logs",
        action="store_true",
        help="log JSON lines (powertools output as is) instead of one readable line per event",
    )
    parser.add_argument(
        "--retry-delay",
        type=int,
        metavar="SECONDS",
        help="seconds before a failed message is retried (default: the queue's visibility "
        "timeout from template.yaml, as on AWS)",
    )
    parser.add_argument(
        "--no-samples",
        action="store_true",
        help="start empty: do not upload the sample articles (on a first start)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".newsdesk"),
        metavar="DIR",
        help="where uploads are kept across restarts and restored from (default .newsdesk)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="forget the uploads kept in --state-dir first"
    )
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        help="keep nothing on disk: uploads live in memory and are lost when the stack stops",
    )


def run(args: argparse.Namespace) -> int:
    from newsdesk_cli import devlog
    from newsdesk_cli.localstack import DevConfig, LocalStack, StackError

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    log = devlog.configure(json_logs=args.json_logs)
    stack = LocalStack(
        DevConfig(
            host=args.host,
            port=args.port,
            moto_port=args.moto_port,
            json_logs=args.json_logs,
            upload_samples=not args.no_samples,
            retry_delay_seconds=args.retry_delay,
            state_dir=None if args.ephemeral else args.state_dir,
            fresh=args.fresh,
        ),
        log,
    )
    stopping = stack.stop_event

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    # SIGINT (Ctrl-C) and SIGTERM both end the wait below; threads are stopped in order.
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        log.info("starting moto on %s …", stack.endpoint_url)
        stack.start()
        if not stopping.is_set():
            if args.json_logs:
                log.info(
                    "newsdesk is running",
                    extra={
                        "fields": {
                            "api_url": stack.api_url,
                            "docs_url": f"{stack.api_url}/docs",
                            "s3_endpoint": stack.endpoint_url,
                            "bucket": stack.resources.bucket,
                        }
                    },
                )
            else:
                print(stack.banner(), flush=True)
        while not stopping.wait(0.5):
            pass
    except StackError as exc:
        print(f"newsdesk dev: {exc}", file=sys.stderr)
        return 1
    finally:
        log.info("stopping …")
        stack.stop()
        log.info("stopped")
    return 0
