"""The whole service in one process: moto's server, the template's resources, the functions.

`LocalStack.start()` brings up, in order: moto on 127.0.0.1:4566 (S3 events made realistic by
moto_compat), the bucket/queues/table from template.yaml, the Lambda environment, the ingest
queue poller (Lambda's SQS event source mapping), a stream poller for every stream consumer
that exists, and the API behind the HTTP adapter. `stop()` takes it down in reverse order.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote_plus

from newsdesk_cli.http_adapter import ApiServer, Handler
from newsdesk_cli.template import ROOT

FUNCTIONS_DIR = ROOT / "functions"
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
REGION = "us-east-1"
SERVICE_NAME = "newsdesk"


class StackError(Exception):
    """The local stack cannot start (port in use, a function missing, …); the message says why."""


@dataclass(frozen=True)
class DevConfig:
    host: str = "127.0.0.1"
    port: int = 3000
    moto_port: int = 4566
    json_logs: bool = False
    upload_samples: bool = True
    samples_timeout: float = 60.0
    # How long one receive waits for messages; also bounds how long stopping takes.
    poll_wait_seconds: int = 1
    # Visibility of a failed message before its retry; None = the queue's VisibilityTimeout.
    retry_delay_seconds: int | None = None


@dataclass
class IngestTracker:
    """What the queue poller has seen per key, so start-up can wait for the samples."""

    done: set[str] = field(default_factory=set)
    condition: threading.Condition = field(default_factory=threading.Condition)

    def mark(self, key: str) -> None:
        with self.condition:
            self.done.add(key)
            self.condition.notify_all()

    def wait_for(self, keys: set[str], timeout: float, stop: threading.Event) -> set[str]:
        """Wait until every key was handled (or stop is set); return the keys still missing."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while not keys <= self.done and not stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.condition.wait(min(remaining, 0.25))
            return keys - self.done


def article_id(bucket: str, key: str) -> str:
    """The id ingestion gives the article of s3://bucket/key (DESIGN §3)."""
    return hashlib.sha256(f"s3://{bucket}/{key}".encode()).hexdigest()[:16]


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py as `functions.<name>.app`, as the tests name it."""
    path = FUNCTIONS_DIR / name / "app.py"
    if not path.is_file():
        raise StackError(f"{path.relative_to(ROOT)} does not exist")
    module_name = f"functions.{name}.app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise StackError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def ensure_port_free(host: str, port: int, what: str, flag: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StackError(
                f"cannot listen on {host}:{port} for {what} ({exc.strerror}); is another "
                f"`newsdesk dev` running? Choose another port with {flag}."
            ) from exc


def handler_environment(
    *, endpoint_url: str, table: str, bucket: str, prefix: str, json_logs: bool
) -> dict[str, str]:
    """The environment template.yaml gives the functions, pointed at the local moto server."""
    return {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint_url,
        "TABLE_NAME": table,
        "BUCKET_NAME": bucket,
        "INCOMING_PREFIX": prefix,
        "MAX_FILE_BYTES": str(_template_default("MaxFileBytes", 10 * 1024 * 1024)),
        "CURSOR_SECRET": "newsdesk-local-cursor-secret",
        "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": SERVICE_NAME,
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        # Human-readable mode prints no metric blobs; --json-logs passes them through.
        "POWERTOOLS_METRICS_DISABLED": "false" if json_logs else "true",
    }


def _template_default(parameter: str, fallback: int) -> int:
    from newsdesk_cli.template import load_template

    value = load_template()["Parameters"].get(parameter, {}).get("Default", fallback)
    return int(value)


class OutcomeCapture(logging.Handler):
    """Collects (status, code) per key from the ingest handler's `ingested` log records."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.outcomes: dict[str, tuple[str, str | None]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        key, status = getattr(record, "key", None), getattr(record, "status", None)
        if isinstance(key, str) and isinstance(status, str):
            self.outcomes[key] = (status, getattr(record, "code", None))


def s3_records(sqs_record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(event name, key) for each S3 record inside one SQS message body."""
    try:
        body = json.loads(sqs_record.get("body") or "{}")
    except json.JSONDecodeError:
        return
    for record in body.get("Records") or []:
        key = record.get("s3", {}).get("object", {}).get("key")
        if key is not None:
            yield record.get("eventName", "?"), unquote_plus(key)


class LocalStack:
    def __init__(self, config: DevConfig, log: logging.Logger) -> None:
        self.config = config
        self.log = log
        self.stop_event = threading.Event()
        self.tracker = IngestTracker()
        # One warm container per function would still share powertools' class-level metric
        # state in this process, so invocations of all functions take turns.
        self.invoke_lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.moto: Any = None
        self.api: ApiServer | None = None
        self.resources: Any = None
        self.session: Any = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.config.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.config.host}:{self.config.port}"

    # ------------------------------------------------------------------ start
    def start(self) -> None:
        config = self.config
        ensure_port_free("127.0.0.1", config.moto_port, "moto", "--moto-port")
        ensure_port_free(config.host, config.port, "the API", "--port")
        self._start_moto()
        self._create_resources()
        self._set_environment()
        ingest = load_function("ingest")
        api = load_function("api")
        if not config.json_logs:
            from newsdesk_cli.devlog import humanize_handler_logs

            humanize_handler_logs(SERVICE_NAME)
        self._start_queue_poller(ingest.lambda_handler)
        self._start_stream_pollers()
        self._start_api(api.lambda_handler)
        if config.upload_samples:
            self._upload_samples()

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        from newsdesk_cli import moto_compat

        moto_compat.install()
        self.moto = ThreadedMotoServer(
            ip_address="127.0.0.1", port=self.config.moto_port, verbose=False
        )
        self.moto.start()

    def _create_resources(self) -> None:
        import boto3

        from newsdesk_cli.resources import create_resources

        self.session = boto3.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
        )
        self.resources = create_resources(self.session, endpoint_url=self.endpoint_url)

    def _set_environment(self) -> None:
        # Before the handlers are imported: powertools reads its settings at import time.
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update(
            handler_environment(
                endpoint_url=self.endpoint_url,
                table=self.resources.table,
                bucket=self.resources.bucket,
                prefix=self.resources.incoming_prefix,
                json_logs=self.config.json_logs,
            )
        )

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)

    def _start_queue_poller(self, handler: Handler) -> None:
        from newsdesk_cli.sqs_source import SqsEventSource

        source = SqsEventSource(
            self.client("sqs"),
            self.resources.queue_url,
            self._observed_ingest(handler),
            queue_arn=self.resources.queue_arn,
            function_name="IngestFunction",
            wait_time_seconds=self.config.poll_wait_seconds,
            retry_delay_seconds=self.config.retry_delay_seconds,
        )
        self._spawn("queue-poller", lambda: self._poll_until_stopped(source.poll_once))

    def _observed_ingest(self, handler: Handler) -> Handler:
        """The ingest handler, with a log line per S3 record and the start-up tracker fed.

        Outcomes (stored, unchanged, failed, removed, …) come from the handler's own
        `ingested` log records; invocations take turns, so a capture belongs to one batch.
        """
        bucket = self.resources.bucket
        capture = OutcomeCapture()
        logging.getLogger(SERVICE_NAME).addHandler(capture)

        def invoke(event: dict[str, Any], context: Any) -> Any:
            with self.invoke_lock:
                capture.outcomes.clear()
                result = handler(event, context)
                outcomes = dict(capture.outcomes)
            failed = {
                item.get("itemIdentifier")
                for item in (result or {}).get("batchItemFailures", [])
                if isinstance(item, dict)
            }
            for record in event.get("Records", []):
                receives = record.get("attributes", {}).get("ApproximateReceiveCount", "1")
                for event_name, key in s3_records(record):
                    if record.get("messageId") in failed:
                        outcome = (
                            f"error, will retry (receive {receives} of "
                            f"{self.resources.max_receive_count})"
                        )
                    else:
                        status, code = outcomes.get(key, ("done", None))
                        outcome = status
                        if code:
                            outcome += f" ({code})"
                        if status in ("stored", "unchanged", "removed"):
                            outcome += f" {article_id(bucket, key)}"
                    self._log_ingest(key, event_name, outcome)
                    if record.get("messageId") not in failed:
                        self.tracker.mark(key)
            return result

        return invoke

    def _log_ingest(self, key: str, event_name: str, outcome: str) -> None:
        self.log.info(
            "ingest  %s → %s",
            key,
            outcome,
            extra={"fields": {"event": "ingest", "key": key, "s3_event": event_name}},
        )

    def _poll_until_stopped(self, poll_once: Callable[[], Any]) -> None:
        while not self.stop_event.is_set():
            try:
                poll_once()
            except Exception:
                # A poller that dies would silently stop ingestion; log, back off, go on.
                if self.stop_event.is_set():
                    return
                self.log.exception("poller error; retrying in 1 s")
                self.stop_event.wait(1)

    def _start_stream_pollers(self) -> None:
        """Feed the table's stream to each stream consumer in functions/ that exists."""
        from newsdesk_cli.stream_source import STREAM_CONSUMERS, StreamEventSource

        if not self.resources.stream_arn:
            return
        for function_dir, function_name in STREAM_CONSUMERS:
            if not (FUNCTIONS_DIR / function_dir / "app.py").is_file():
                continue
            handler = load_function(function_dir).lambda_handler

            def locked(event: dict[str, Any], context: Any, _handler: Handler = handler) -> Any:
                with self.invoke_lock:
                    return _handler(event, context)

            source = StreamEventSource(
                self.client("dynamodbstreams"),
                self.resources.stream_arn,
                locked,
                function_name=function_name,
                log=self.log,
            )
            self._spawn(f"stream-poller-{function_dir}", lambda s=source: self._run_stream(s))

    def _run_stream(self, source: Any) -> None:
        self._poll_until_stopped(lambda: source.poll_once() or self.stop_event.wait(0.5))

    def _start_api(self, handler: Handler) -> None:
        def on_request(method: str, target: str, status: int, elapsed_ms: float) -> None:
            self.log.info(
                "%s %s %d %.0fms",
                method,
                target,
                status,
                elapsed_ms,
                extra={
                    "fields": {
                        "event": "request",
                        "method": method,
                        "path": target,
                        "status": status,
                        "duration_ms": round(elapsed_ms, 1),
                    }
                },
            )

        self.api = ApiServer(
            (self.config.host, self.config.port),
            handler,
            invoke_lock=self.invoke_lock,
            on_request=on_request,
        )
        api = self.api
        # A short poll interval makes Ctrl-C snappy; the server is idle otherwise.
        self._spawn("api-server", lambda: api.serve_forever(poll_interval=0.1))

    def _upload_samples(self) -> None:
        s3 = self.client("s3")
        keys: set[str] = set()
        for path in sorted(SAMPLES_DIR.iterdir()):
            if path.is_file():
                key = f"{self.resources.incoming_prefix}{path.name}"
                s3.upload_file(str(path), self.resources.bucket, key)
                keys.add(key)
        missing = self.tracker.wait_for(keys, self.config.samples_timeout, self.stop_event)
        if missing and not self.stop_event.is_set():
            self.log.warning(
                "%d sample(s) not ingested after %.0f s: %s",
                len(missing),
                self.config.samples_timeout,
                ", ".join(sorted(missing)),
            )

    def _spawn(self, name: str, target: Callable[[], Any]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    # ------------------------------------------------------------------ stop
    def stop(self) -> None:
        self.stop_event.set()
        if self.api is not None:
            self.api.shutdown()
            self.api.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        if self.moto is not None:
            self.moto.stop()

    def banner(self) -> str:
        bucket = self.resources.bucket
        prefix = self.resources.incoming_prefix
        endpoint = self.endpoint_url
        upload_cmd = "newsdesk upload FILE"
        if self.config.moto_port != 4566:
            upload_cmd = f"newsdesk upload --endpoint-url {endpoint} FILE"
        return "\n".join(
            [
                "",
                "newsdesk is running",
                f"  API          {self.api_url}/articles",
                f"  API docs     {self.api_url}/docs",
                f"  S3 endpoint  {endpoint}   (moto; any credentials, region {REGION})",
                f"  bucket       {bucket}   (uploads go under {prefix})",
                "",
                "Add articles:",
                f"  aws --endpoint-url {endpoint} s3 cp FILE s3://{bucket}/{prefix}",
                f"  {upload_cmd}",
                "  (for the aws CLI: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
                f"AWS_DEFAULT_REGION={REGION})",
                "",
                "Press Ctrl-C to stop.",
                "",
            ]
        )
