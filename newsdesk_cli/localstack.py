"""The whole service in one process: moto's server, the template's resources, the functions.

`LocalStack.start()` brings up, in order: moto on 127.0.0.1:4566 (S3 events made realistic by
moto_compat), the bucket/queues/table from template.yaml, the Lambda environment, one process
per function (function_worker: as Lambda runs each function in its own container, so a long
ingestion never freezes the API), the ingest queue poller (Lambda's SQS event source mapping),
a stream poller for every stream consumer that exists, and the API behind the HTTP edge
(http_adapter). `stop()` takes it down in reverse order, within two seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from newsdesk_cli.function_worker import (
    FUNCTIONS_DIR,
    FunctionLoadError,
    FunctionWorker,
)
from newsdesk_cli.http_adapter import ApiGatewayApp, ApiServer, Handler
from newsdesk_cli.state import LocalState

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
    # Where uploads are kept across restarts (newsdesk_cli.state); None = memory only.
    state_dir: Path | None = None
    # Forget the uploads kept in state_dir and start over.
    fresh: bool = False


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
    *,
    endpoint_url: str,
    table: str,
    bucket: str,
    prefix: str,
    json_logs: bool,
    event_bus: str = "newsdesk",
    cursor_secret_arn: str,
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
        "EVENT_BUS_NAME": event_bus,
        "MAX_FILE_BYTES": str(_template_default("MaxFileBytes", 10 * 1024 * 1024)),
        "CURSOR_SECRET_ARN": cursor_secret_arn,
        "SEARCH_INDEX_KEY": "search/articles.sqlite",
        # Locally an upload should be searchable within a second or two.
        "SEARCH_REFRESH_SECONDS": "1",
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
        self.threads: list[threading.Thread] = []
        # One process per function (its container), by folder under functions/.
        self.workers: dict[str, FunctionWorker] = {}
        self.stream_sources: list[Any] = []
        self.moto: Any = None
        self.state: LocalState | None = None
        self.restored = 0
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
        self._start_functions()
        self._start_queue_poller(self.workers["ingest"])
        self._start_stream_pollers()
        self._start_api(self.workers["api"])
        first_run = self._open_state()
        if config.upload_samples and first_run:
            self._upload_samples()

    def _open_state(self) -> bool:
        """Keep uploads in state_dir from now on and upload the ones kept before (their
        ingestion goes on in the background). True when there was nothing to restore."""
        if self.config.state_dir is None:
            return True
        from newsdesk_cli import moto_compat

        state = self.state = LocalState(self.config.state_dir)
        if self.config.fresh:
            state.clear()
        first_run = state.is_new
        state.open()
        saved = state.saved()
        bucket, prefix = self.resources.bucket, self.resources.incoming_prefix

        def keep(
            event: str, bucket_name: str, key: str, value: bytes | None, kind: str | None
        ) -> None:
            if bucket_name != bucket or not key.startswith(prefix):
                return
            if value is None:
                state.remove(bucket_name, key)
            elif "ObjectCreated" in event:
                state.save(bucket_name, key, value, kind)

        moto_compat.observe_objects(keep)
        if saved:
            self.log.info("restoring %d upload(s) from %s …", len(saved), self.config.state_dir)
            s3 = self.client("s3")
            for item in saved:
                extra = {"ContentType": item.content_type} if item.content_type else {}
                s3.put_object(
                    Bucket=item.bucket, Key=item.key, Body=item.path.read_bytes(), **extra
                )
            self.restored = len(saved)
        return first_run and not saved

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
                event_bus=self.resources.event_bus,
                cursor_secret_arn=self.resources.cursor_secret_arn,
            )
        )

    def _start_functions(self) -> None:
        """A process per function the stack runs, importing side by side."""
        from newsdesk_cli.stream_source import STREAM_CONSUMERS
        from newsdesk_cli.template import function_settings, load_template

        template = load_template()
        functions = [("ingest", "IngestFunction"), ("api", "ApiFunction")]
        functions += [
            (folder, logical_id)
            for folder, logical_id in STREAM_CONSUMERS
            if (FUNCTIONS_DIR / folder / "app.py").is_file() and self.resources.stream_arn
        ]
        for folder, logical_id in functions:
            if not (FUNCTIONS_DIR / folder / "app.py").is_file():
                raise StackError(f"functions/{folder}/app.py does not exist")
            timeout, memory = function_settings(template, logical_id)
            worker = FunctionWorker(
                folder,
                logical_id,
                environment=dict(os.environ),
                timeout_seconds=timeout,
                memory_mb=memory,
                readable_logs=not self.config.json_logs,
            )
            self.workers[folder] = worker
            worker.launch()
        for worker in self.workers.values():
            try:
                worker.wait_ready()
            except FunctionLoadError as error:
                raise StackError(str(error)) from error

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)

    def _start_queue_poller(self, worker: FunctionWorker) -> None:
        from newsdesk_cli.sqs_source import SqsEventSource

        source = SqsEventSource(
            self.client("sqs"),
            self.resources.queue_url,
            self._observed_ingest(worker),
            queue_arn=self.resources.queue_arn,
            function_name="IngestFunction",
            wait_time_seconds=self.config.poll_wait_seconds,
            retry_delay_seconds=self.config.retry_delay_seconds,
        )
        self._spawn("queue-poller", lambda: self._poll_until_stopped(source.poll_once))

    def _observed_ingest(self, worker: FunctionWorker) -> Handler:
        """The ingest function, with a log line per S3 record and the start-up tracker fed.

        Outcomes (stored, unchanged, failed, removed, …) come from the handler's own
        `ingested` log records, which its process reports with each invocation's result.
        """
        bucket = self.resources.bucket

        def invoke(event: dict[str, Any], context: Any) -> Any:
            invocation = worker.invoke(event)
            result, outcomes = invocation.response, invocation.outcomes
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
                        # A key's events each have their outcome, in order (a multipart upload
                        # sends two notifications for one object).
                        pending = outcomes.get(key) or [("done", None)]
                        status, code = pending.pop(0) if len(pending) > 1 else pending[0]
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
        from newsdesk_cli.stream_source import STREAM_CONSUMERS, StreamEventSource, stream_filter

        if not self.resources.stream_arn:
            return
        for function_dir, function_name in STREAM_CONSUMERS:
            if not (FUNCTIONS_DIR / function_dir / "app.py").is_file():
                continue
            source = StreamEventSource(
                self.client("dynamodbstreams"),
                self.resources.stream_arn,
                self.workers[function_dir].as_handler(),
                function_name=function_name,
                log=self.log,
                accept=stream_filter(function_name),
            )
            self.stream_sources.append(source)
            self._spawn(f"stream-poller-{function_dir}", lambda s=source: self._run_stream(s))

    def _run_stream(self, source: Any) -> None:
        self._poll_until_stopped(lambda: source.poll_once() or self.stop_event.wait(0.5))

    def _start_api(self, worker: FunctionWorker) -> None:
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

        app = ApiGatewayApp(worker.as_handler(), on_request=on_request)
        try:
            self.api = ApiServer(app, self.config.host, self.config.port)
        except OSError as exc:
            raise StackError(
                f"cannot listen on {self.config.host}:{self.config.port} for the API "
                f"({exc.strerror}); choose another port with --port."
            ) from exc
        self.api.start()

    def _upload_samples(self) -> None:
        s3 = self.client("s3")
        keys: set[str] = set()
        for path in sorted(SAMPLES_DIR.iterdir()):
            if path.is_file():
                key = f"{self.resources.incoming_prefix}{path.name}"
                s3.upload_file(str(path), self.resources.bucket, key)
                keys.add(key)
        missing = self.tracker.wait_for(keys, self.config.samples_timeout, self.stop_event)
        # Listings and counts follow from the stream: wait until the consumers caught up.
        self.wait_for_streams(self.config.samples_timeout)
        if missing and not self.stop_event.is_set():
            self.log.warning(
                "%d sample(s) not ingested after %.0f s: %s",
                len(missing),
                self.config.samples_timeout,
                ", ".join(sorted(missing)),
            )

    def wait_for_streams(self, timeout: float) -> bool:
        """Wait until every stream consumer has seen the stream as it is now; False on timeout."""
        since = time.monotonic()
        deadline = since + timeout
        while not self.stop_event.is_set():
            if all(source.caught_up_at > since for source in self.stream_sources):
                return True
            if time.monotonic() > deadline:
                return False
            self.stop_event.wait(0.1)
        return False

    def _spawn(self, name: str, target: Callable[[], Any]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    # ------------------------------------------------------------------ stop
    def stop(self) -> None:
        """Stop everything within about two seconds, whatever a function is doing."""
        self.stop_event.set()
        stoppers = [threading.Thread(target=worker.stop) for worker in self.workers.values()]
        if self.api is not None:
            stoppers.append(threading.Thread(target=self.api.stop, kwargs={"timeout": 1.0}))
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(1.5)
        deadline = time.monotonic() + 0.5
        for thread in self.threads:
            # Pollers notice stop_event within a receive wait; they are daemons past this.
            thread.join(max(0.0, deadline - time.monotonic()))
        if self.moto is not None:
            self.moto.stop()

    def _state_line(self) -> str:
        if self.config.state_dir is None:
            return "in memory only: uploads are lost when the stack stops (--ephemeral)"
        restored = f"; {self.restored} restored, being ingested" if self.restored else ""
        return f"uploads kept in {self.config.state_dir}/ across restarts{restored}"

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
                f"  state        {self._state_line()}",
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
