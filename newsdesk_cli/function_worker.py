"""One Lambda function in a process of its own, as Lambda runs each function in its own container.

The local stack invokes a function through `FunctionWorker.invoke(event)`: the event goes over a
pipe to a child process that imported functions/<dir>/app.py with the stack's environment, and
the result comes back. So a function that parses a large file for minutes holds its own GIL, not
the API's or the poller's; powertools' process-wide state (metrics, logger keys) belongs to one
function, as on Lambda; and stopping the stack never waits for a handler to return. A function
that runs past its template Timeout, or whose process dies, is replaced by a fresh process (a new
container) and the invocation fails, as Lambda reports it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

from newsdesk_cli.lambda_context import LocalLambdaContext
from newsdesk_cli.template import ROOT

FUNCTIONS_DIR = ROOT / "functions"
# The logger powertools gives every function (POWERTOOLS_SERVICE_NAME).
SERVICE_LOGGER = "newsdesk"
_START_TIMEOUT_SECONDS = 60.0
_POLL_SECONDS = 0.1


class FunctionLoadError(Exception):
    """functions/<dir>/app.py is missing or cannot be imported; the message says why."""


class InvocationError(Exception):
    """The function raised, timed out, or its process died; the invocation failed."""


# key -> (status, code) of each of its events, in the order the function handled them.
Outcomes = dict[str, list[tuple[str, str | None]]]


@dataclass(frozen=True)
class Invocation:
    """A function's result, with the outcomes its `ingested` log records reported."""

    response: Any
    outcomes: Outcomes = field(default_factory=dict)


def load_function(name: str, functions_dir: Path = FUNCTIONS_DIR) -> ModuleType:
    """Import functions/<name>/app.py as `functions.<name>.app`, as the tests name it."""
    path = functions_dir / name / "app.py"
    if not path.is_file():
        raise FunctionLoadError(f"{path} does not exist")
    module_name = f"functions.{name}.app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise FunctionLoadError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


class OutcomeCapture(logging.Handler):
    """Collects (status, code) per key from the ingest handler's `ingested` log records."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.outcomes: Outcomes = {}

    def emit(self, record: logging.LogRecord) -> None:
        key, status = getattr(record, "key", None), getattr(record, "status", None)
        if isinstance(key, str) and isinstance(status, str):
            self.outcomes.setdefault(key, []).append((status, getattr(record, "code", None)))


class FunctionWorker:
    """A function's container: started on `start()`, replaced when it times out or dies.

    `invoke` runs one event at a time (one warm container) and may be called from any thread.
    `environment` is the function's environment (the parent's is not inherited beyond it).
    """

    def __init__(
        self,
        function_dir: str,
        function_name: str,
        *,
        environment: dict[str, str],
        timeout_seconds: float = 30.0,
        memory_mb: int = 512,
        readable_logs: bool = True,
        functions_dir: Path = FUNCTIONS_DIR,
    ) -> None:
        self.function_dir = function_dir
        self.functions_dir = functions_dir
        self.function_name = function_name
        self.environment = environment
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.readable_logs = readable_logs
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: Any = None
        self._conn: Connection | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the process and wait until the function module is imported."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process without waiting (several functions import side by side)."""
        with self._lock:
            self._launch()

    def wait_ready(self) -> None:
        """Wait until a launched process has imported the function; FunctionLoadError if not."""
        with self._lock:
            self._await_ready()

    def stop(self, grace: float = 0.5) -> None:
        """End the process: at once if idle, after `grace` seconds of SIGTERM otherwise."""
        self._stopping.set()
        process, conn = self._process, self._conn
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if process is not None and process.is_alive():
            process.terminate()
            process.join(grace)
            if process.is_alive():
                process.kill()
                process.join(grace)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _spawn(self) -> None:
        self._launch()
        self._await_ready()

    def _launch(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(
                child,
                self.functions_dir / self.function_dir,
                self.function_name,
                self.environment,
                self.readable_logs,
            ),
            name=f"newsdesk-{self.function_dir}",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent

    def _await_ready(self) -> None:
        message = self._receive(_START_TIMEOUT_SECONDS, what="start")
        if message[0] != "ready":
            self._kill()
            raise FunctionLoadError(f"{self.function_name} could not start: {message[1]}")

    def _kill(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(1)
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        self._process = self._conn = None

    # ------------------------------------------------------------------ invoke
    def invoke(self, event: dict[str, Any]) -> Invocation:
        """Run the handler on `event` in the function's process; InvocationError if it fails."""
        with self._lock:
            if self._stopping.is_set():
                raise InvocationError(f"{self.function_name}: the stack is stopping")
            if self._conn is None:
                self._spawn()  # the previous container timed out or died
            assert self._conn is not None
            try:
                self._conn.send(("invoke", event, self.timeout_seconds, self.memory_mb))
            except OSError as error:
                self._kill()
                raise InvocationError(f"{self.function_name}: process gone ({error})") from None
            message = self._receive(self.timeout_seconds + 1, what="invoke")
        kind = message[0]
        if kind == "ok":
            return Invocation(response=message[1], outcomes=message[2])
        raise InvocationError(f"{self.function_name}: {message[1]}")

    def as_handler(self) -> Any:
        """A `handler(event, context)` that invokes this worker (for the event sources)."""

        def handler(event: dict[str, Any], context: Any) -> Any:
            return self.invoke(event).response

        return handler

    def _receive(self, timeout: float, *, what: str) -> tuple[Any, ...]:
        """The child's next message; a timeout or a dead child replaces the container."""
        assert self._conn is not None
        deadline = time.monotonic() + timeout
        while True:
            if self._stopping.is_set():
                self._kill()
                return ("error", "the stack is stopping")
            try:
                if self._conn.poll(_POLL_SECONDS):
                    message: tuple[Any, ...] = self._conn.recv()
                    return message
            except (EOFError, OSError):
                if self._stopping.is_set():
                    self._kill()
                    return ("error", "the stack is stopping")
                code = None
                if self._process is not None:
                    self._process.join(1)
                    code = self._process.exitcode
                self._kill()
                return ("error", f"Runtime exited with error: exit status {code} ({what})")
            if time.monotonic() > deadline:
                self._kill()
                return ("error", f"Task timed out after {timeout:.2f} seconds ({what})")


def _serve(
    conn: Connection,
    function_dir: Path,
    function_name: str,
    environment: dict[str, str],
    readable: bool,
) -> None:
    """The child process: import the function, then answer invocations until the pipe closes."""
    # Ctrl-C reaches every process of the terminal's group; the stack decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(environment)
    try:
        handler = load_function(function_dir.name, function_dir.parent).lambda_handler
    except Exception as error:  # noqa: BLE001 - reported to the parent, which says why
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    if readable:
        from newsdesk_cli.devlog import humanize_handler_logs

        humanize_handler_logs(SERVICE_LOGGER)
    capture = OutcomeCapture()  # after humanizing, which silences the handlers it finds
    logging.getLogger(SERVICE_LOGGER).addHandler(capture)
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the stack stopped or died: so does the container
        _, event, timeout, memory = request
        capture.outcomes.clear()
        context = LocalLambdaContext(
            function_name=function_name, memory_limit_in_mb=memory, timeout_seconds=int(timeout)
        )
        try:
            response = handler(event, context)
        except Exception as error:  # noqa: BLE001 - a function error, reported as Lambda does
            traceback.print_exc(file=sys.stderr)
            conn.send(("error", f"{type(error).__name__}: {error}"))
            continue
        conn.send(("ok", response, dict(capture.outcomes)))
