"""A function in a process of its own: the local stack's containers, tried with a function that
answers, raises, spins forever holding its interpreter, or dies."""

from __future__ import annotations

import http.client
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk_cli.function_worker import FunctionLoadError, FunctionWorker, InvocationError
from newsdesk_cli.http_adapter import ApiGatewayApp, ApiServer

pytestmark = pytest.mark.slow

HANDLER = """
import logging
import os
import time

logger = logging.getLogger("newsdesk")
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    action = event.get("action")
    if action == "spin":
        while True:  # pure Python: holds this process's interpreter until killed
            pass
    if action == "raise":
        raise ValueError("bad input")
    if action == "exit":
        os._exit(3)
    if action == "ingested":
        logger.info("ingested", extra={"key": event["key"], "status": "failed", "code": "binary"})
    if "httpMethod" in event:
        return {"statusCode": 200, "body": "ok"}
    return {
        "pid": os.getpid(),
        "value": event.get("value"),
        "env": os.environ.get("NEWSDESK_TEST_VALUE"),
        "function": context.function_name,
    }
"""


@pytest.fixture(scope="module")
def functions_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("functions")
    (root / "probe").mkdir()
    (root / "probe" / "app.py").write_text(HANDLER)
    (root / "broken").mkdir()
    (root / "broken" / "app.py").write_text("import no_such_module_anywhere\n")
    return root


def make_worker(functions_dir: Path, **options: Any) -> FunctionWorker:
    return FunctionWorker(
        "probe",
        "ProbeFunction",
        environment={"NEWSDESK_TEST_VALUE": "from-the-template"},
        functions_dir=functions_dir,
        readable_logs=False,
        **options,
    )


@pytest.fixture
def worker(functions_dir: Path) -> Iterator[FunctionWorker]:
    running = make_worker(functions_dir, timeout_seconds=2)
    running.start()
    yield running
    running.stop()


def is_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; /proc says so.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_warm_function_answers_from_its_own_process_with_its_environment(
    worker: FunctionWorker,
) -> None:
    first = worker.invoke({"value": 1}).response
    second = worker.invoke({"value": 2}).response

    assert first["pid"] == second["pid"] == worker.pid != os.getpid()
    assert (first["value"], second["value"]) == (1, 2)
    assert first["env"] == "from-the-template"
    assert first["function"] == "ProbeFunction"


def test_the_ingested_log_records_come_back_with_the_result(worker: FunctionWorker) -> None:
    invocation = worker.invoke({"action": "ingested", "key": "incoming/x.bin"})

    assert invocation.outcomes == {"incoming/x.bin": [("failed", "binary")]}
    assert worker.invoke({"value": 3}).outcomes == {}


def test_a_function_error_fails_the_invocation_and_keeps_the_container(
    worker: FunctionWorker,
) -> None:
    pid = worker.pid

    with pytest.raises(InvocationError, match="ValueError: bad input"):
        worker.invoke({"action": "raise"})

    assert worker.invoke({"value": 4}).response["pid"] == pid


def test_a_function_past_its_timeout_is_cut_off_and_replaced(worker: FunctionWorker) -> None:
    pid = worker.pid

    # When the function spins past its 2 s timeout
    with pytest.raises(InvocationError, match="timed out"):
        worker.invoke({"action": "spin"})

    # Then its process is gone, and the next invocation gets a fresh one
    assert not is_alive(pid)
    assert worker.invoke({"value": 5}).response["pid"] not in (pid, None)


def test_a_function_whose_process_dies_is_replaced(worker: FunctionWorker) -> None:
    pid = worker.pid

    with pytest.raises(InvocationError, match="exit status 3"):
        worker.invoke({"action": "exit"})

    assert worker.invoke({"value": 6}).response["pid"] != pid


def test_stopping_ends_a_function_in_the_middle_of_an_invocation(functions_dir: Path) -> None:
    worker = make_worker(functions_dir, timeout_seconds=600)
    worker.start()
    pid = worker.pid
    errors: list[BaseException] = []

    def invoke() -> None:
        try:
            worker.invoke({"action": "spin"})
        except InvocationError as error:
            errors.append(error)

    # Given an invocation that would spin for ten minutes
    caller = threading.Thread(target=invoke)
    caller.start()
    caller.join(0.5)
    assert caller.is_alive()

    # When the stack stops the function
    worker.stop()

    # Then the invocation fails at once and the process is gone
    caller.join(5)
    assert not caller.is_alive()
    assert errors and "stopping" in str(errors[0])
    assert not is_alive(pid)


def test_a_function_that_cannot_be_imported_says_why(functions_dir: Path) -> None:
    worker = FunctionWorker("broken", "BrokenFunction", environment={}, functions_dir=functions_dir)

    with pytest.raises(FunctionLoadError, match="no_such_module_anywhere"):
        worker.start()
    worker.stop()


def test_the_api_answers_while_another_function_spins(functions_dir: Path) -> None:
    # Given one container busy in a pure-Python loop, as ingestion of a large file is
    busy = make_worker(functions_dir, timeout_seconds=600)
    api = make_worker(functions_dir, timeout_seconds=30)
    busy.start()
    api.start()
    server = ApiServer(ApiGatewayApp(api.as_handler()))
    server.start()

    def spin() -> None:
        with pytest.raises(InvocationError):
            busy.invoke({"action": "spin"})

    spinning = threading.Thread(target=spin)
    try:
        spinning.start()
        spinning.join(0.5)

        # When a client calls the API
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/health")
        answer = connection.getresponse()

        # Then it is answered while the other function is still busy
        assert answer.status == 200
        assert spinning.is_alive()
    finally:
        server.stop()
        busy.stop()
        api.stop()
        spinning.join(5)
    assert not spinning.is_alive()
