"""The named hostile files (tests/hostile_inputs.py): how each ends, its worst parse time and
the memory parsing it takes. `make bench` reports them; alone: `python -m benchmarks.hostile`.

Each case runs in a fresh interpreter of its own, so that the peak resident memory
(ru_maxrss) is that case's: the parent builds the file and writes it to a temporary file; the
child imports the parser, warms its format's lazy imports on a small file of the same
format, reads the hostile bytes, parses them `repeats` times (wall time; the worst is
reported), then once more under tracemalloc (Python's allocations only: lxml's and libyaml's
own are in the resident figure, not in the traced one).

Bounds (enforced by the parser's caps, see README "Limits"): every named case ends as a record
or a failed ingestion with its code within HOSTILE_SECONDS and HOSTILE_RSS_MB of peak resident
memory for the whole process (IngestFunction: 30 s, 1,024 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsdesk_cli.template import ROOT

HOSTILE_SECONDS = 10.0
HOSTILE_RSS_MB = 512.0
# A small file of each format: its parse loads what that format's path imports lazily.
_WARM_UP = {
    ".txt": b"Ferries stay\n\nBy Jane Doe\n\nThe boats ran on time today, the council said.\n",
    ".md": b"---\ntitle: Ferries stay\n---\n\nThe boats ran on time today, the council said.\n",
    ".html": b"<html><head><title>Ferries stay</title></head><body><article><h1>Ferries stay"
    b"</h1><p>The boats ran on time today, the council said.</p></article></body></html>",
    ".json": b'{"headline": "Ferries stay", "body": ["The boats ran on time today."]}',
    ".jsonl": b'{"headline": "Ferries stay", "body": ["The boats ran on time today."]}',
}
QUICK_MAX_BYTES = 256 * 1024
CHILD_TIMEOUT_SECONDS = 120.0


def measure(
    quick: bool = False, repeats: int = 3, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Every named case (quick: only those under QUICK_MAX_BYTES, once), with the worst time
    and the largest memory over all of them; `progress` gets each case's line as it ends."""
    from tests.hostile_inputs import CASES

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-hostile-") as folder:
        for index, case in enumerate(CASES):
            data = case.make()
            if quick and len(data) > QUICK_MAX_BYTES:
                continue
            path = Path(folder) / case.key.rsplit("/", 1)[-1]
            path.write_bytes(data)
            del data
            figures = _run_child(index, path, 1 if quick else repeats)
            rows.append({"case": case.name, "key": case.key, "expected": case.outcome, **figures})
            path.unlink()
            if progress is not None:
                progress(_cells(rows[-1]))
    return {
        "cases": rows,
        "repeats": 1 if quick else repeats,
        "worst_seconds": max(row["worst_seconds"] for row in rows),
        "peak_rss_mb": max(row["peak_rss_mb"] for row in rows),
        "unexpected": [row["case"] for row in rows if row["outcome"] != row["expected"]],
        "bounds": {"seconds": HOSTILE_SECONDS, "rss_mb": HOSTILE_RSS_MB},
    }


def report(figures: dict[str, Any]) -> list[str]:
    """The table: case, size, outcome, worst time, peak resident and traced memory."""
    lines = [_HEADER, *(_cells(row) for row in figures["cases"])]
    lines.append(
        f"worst of {len(figures['cases'])} cases ({figures['repeats']} parses each): "
        f"{figures['worst_seconds']:.2f} s, {figures['peak_rss_mb']:,.0f} MB peak RSS "
        f"(bounds {HOSTILE_SECONDS:g} s, {HOSTILE_RSS_MB:,.0f} MB)"
    )
    return lines


_COLUMNS = (
    ("case", 52),
    ("bytes", 11),
    ("outcome", 24),
    ("worst s", 8),
    ("peak RSS MB", 12),
    ("+RSS MB", 8),
    ("traced MB", 9),
)
_HEADER = "  ".join(title.ljust(width) for title, width in _COLUMNS).rstrip()


def _cells(row: dict[str, Any]) -> str:
    cells = (
        row["case"],
        f"{row['bytes']:,}",
        row["outcome"] + ("" if row["outcome"] == row["expected"] else " (UNEXPECTED)"),
        f"{row['worst_seconds']:.3f}",
        f"{row['peak_rss_mb']:,.0f}",
        f"{row['parse_rss_mb']:,.0f}",
        f"{row['traced_peak_mb']:,.1f}",
    )
    widths = [width for _, width in _COLUMNS]
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _run_child(index: int, path: Path, repeats: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)])}
    command = [sys.executable, "-m", "benchmarks.hostile", "--repeats", str(repeats)]
    try:
        completed = subprocess.run(
            [*command, "--child", str(index), str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=CHILD_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        # Far past the bound: reported as such rather than waited for.
        return {
            "bytes": path.stat().st_size,
            "outcome": f"timeout ({CHILD_TIMEOUT_SECONDS:g} s)",
            "seconds": [],
            "worst_seconds": CHILD_TIMEOUT_SECONDS,
            "peak_rss_mb": 0.0,
            "parse_rss_mb": 0.0,
            "traced_peak_mb": 0.0,
        }
    if completed.returncode != 0:
        raise RuntimeError(f"hostile case {index} failed:\n{completed.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def _child(path: Path, repeats: int) -> dict[str, Any]:
    from newsdesk.errors import ParseError
    from newsdesk.parsing import parse_articles

    def outcome_of(data: bytes) -> str:
        try:
            parse_articles(data, filename=path.name)
        except ParseError as error:
            return error.code
        return "stored"

    outcome_of(_WARM_UP.get(path.suffix, _WARM_UP[".txt"]))
    data = path.read_bytes()
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds: list[float] = []
    outcome = ""
    for _ in range(repeats):
        started = time.perf_counter()
        outcome = outcome_of(data)
        seconds.append(time.perf_counter() - started)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    outcome_of(data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "bytes": len(data),
        "outcome": outcome,
        "seconds": seconds,
        "worst_seconds": max(seconds),
        "peak_rss_mb": peak_kb / 1024,
        "parse_rss_mb": (peak_kb - before_kb) / 1024,
        "traced_peak_mb": traced_peak / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="timed parses of each case")
    parser.add_argument("--quick", action="store_true", help="only the small cases, once")
    parser.add_argument("--child", nargs=2, metavar=("INDEX", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(Path(args.child[1]), args.repeats)))
        return 0
    print(_HEADER, flush=True)
    figures = measure(
        quick=args.quick, repeats=args.repeats, progress=lambda line: print(line, flush=True)
    )
    print(report(figures)[-1])
    within = (
        figures["worst_seconds"] <= HOSTILE_SECONDS and figures["peak_rss_mb"] <= HOSTILE_RSS_MB
    )
    return 0 if within and not figures["unexpected"] else 1


if __name__ == "__main__":
    sys.exit(main())
