"""Runs `newsdesk dev` as a subprocess on free ports, for the local-stack and browser tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "newsdesk is running"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DevStack:
    process: subprocess.Popen[str]
    api_port: int
    moto_port: int
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, parsed JSON body or raw text) of GET path on the API."""
        request = urllib.request.Request(self.api_url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, head, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, head, raw = error.code, dict(error.headers), error.read()
        text = raw.decode("utf-8")
        try:
            return status, head, json.loads(text) if text else None
        except json.JSONDecodeError:
            return status, head, text

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to end and for its output to be read to the end."""
        code = self.process.wait(timeout=timeout)
        if self.reader is not None:
            self.reader.join(timeout=timeout)
        return code

    def get_ok(self, path: str) -> tuple[int, dict[str, str], Any] | None:
        """The GET answer when it is a 200, else None (for polling)."""
        answer = self.get(path)
        return answer if answer[0] == 200 else None

    def boto_client(self, service: str, config: Any = None) -> Any:
        """A client of the stack's moto server (config: a botocore Config, e.g. a bigger pool)."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=config,
        )


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    stack: DevStack,
    timeout: float = 20,
    interval: float = 0.1,
) -> T:
    """Poll probe every `interval` seconds until it returns something truthy; at the deadline,
    fail with the output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise AssertionError(f"newsdesk dev exited while waiting for {what}:\n{stack.output}")
        result = probe()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n{stack.output}")


def processes_in_group(pgid: int) -> list[int]:
    """Live pids whose process group is pgid (from /proc; zombies excluded)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            pids.append(int(entry.name))
    return pids


@contextmanager
def running_stack(
    *extra_args: str, ready_timeout: float = 60, state_dir: Path | None = None
) -> Iterator[DevStack]:
    """`newsdesk dev` in its own process group, ready (banner printed) on entry, killed on exit.

    Uploads are kept in `state_dir` when given, else in memory only (--ephemeral)."""
    api_port = free_port()
    moto_port = free_port()
    while moto_port == api_port:  # the OS may hand the same free port out twice in a row
        moto_port = free_port()
    state_args = ["--state-dir", str(state_dir)] if state_dir else ["--ephemeral"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsdesk_cli.main",
            "dev",
            "--port",
            str(api_port),
            "--moto-port",
            str(moto_port),
            *state_args,
            *extra_args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stack = DevStack(process, api_port, moto_port)
    ready = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            stack.lines.append(line.rstrip("\n"))
            if READY_LINE in line:
                ready.set()

    reader = stack.reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        wait_for("the start-up banner", lambda: ready.is_set(), stack, timeout=ready_timeout)
        yield stack
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        reader.join(timeout=5)
