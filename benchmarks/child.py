"""A measurement in a fresh interpreter: `python -m MODULE ARGS`, its figures the JSON object on
the last line of its stdout (handlers and moto may print logs before it)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from newsdesk_cli.template import ROOT


def run_module(module: str, arguments: list[str], env: dict[str, str], *, what: str) -> Any:
    """The child's last stdout line, parsed; a RuntimeError naming `what` with the end of its
    stderr when it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
