"""Measures parse throughput and handler import (cold start) cost; prints a small report.

Run with `make bench`. Figures are for this machine; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "000_7d4c0a3551aecea8.txt"
SAMPLES = ROOT / "newsdesk_cli" / "samples"

PARSE_BUDGET_PER_SECOND = 2000
IMPORT_BUDGET_RATIO = 2.0


def reference_article() -> tuple[str, bytes]:
    """The reference sample when ../shared is beside the repo, else our largest .txt sample."""
    if SEED.is_file():
        return SEED.name, SEED.read_bytes()
    candidates = sorted(SAMPLES.glob("*.txt"), key=lambda p: p.stat().st_size)
    if not candidates:
        raise SystemExit("no reference article: ../shared/corpus and newsdesk_cli/samples absent")
    return candidates[-1].name, candidates[-1].read_bytes()


def bench_parse(seconds: float) -> float:
    from newsdesk.parsing import parse_article

    name, data = reference_article()
    parse_article(data, filename=name)  # warm up: lazy imports, regex compilation
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            parse_article(data, filename=name)
        count += 50
    rate = count / elapsed
    words = len(data.split())
    print(
        f"parse   {name} ({len(data):,} bytes, ~{words} words): {rate:,.0f} articles/s "
        f"({1e6 / rate:,.0f} µs each; budget ≥ {PARSE_BUDGET_PER_SECOND:,}/s/core)"
    )
    return rate


def bench_cold_start(runs: int) -> None:
    from benchmarks import coldstart

    imports = coldstart.measure_imports(runs)
    print(
        f"import  boto3: {imports['boto3']['cpu_ms']:.0f} ms CPU "
        f"(median of {runs} fresh interpreters, Lambda's environment, tracing on)"
    )
    for function_id, figures in imports["functions"].items():
        print(
            f"import  {function_id} ({figures['module']}): {figures['cpu_ms']:.0f} ms "
            f"= {figures['ratio_to_boto3']:.2f}× boto3 (budget ≤ {IMPORT_BUDGET_RATIO}×)"
        )
    for function_id, figures in coldstart.measure_invocations(max(3, runs // 2)).items():
        if "skipped" in figures:
            print(f"invoke  {function_id}: {figures['skipped']}")
            continue
        print(
            f"invoke  {function_id}, {figures['event']}: import {figures['import_ms']:.0f} ms, "
            f"first call {figures['first_call_ms']:.0f} ms (cold), "
            f"second {figures['second_call_ms']:.0f} ms (warm)"
        )


def bench_deployment() -> None:
    from benchmarks import deployment

    figures = deployment.measure()
    stale = " (older than template.yaml or a layer's requirements: run make build)"
    print(f"size    from {figures['source']}{stale if figures.get('stale') else ''}")
    for function_id, function in figures["functions"].items():
        largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in function["largest"])
        print(
            f"size    {function_id}: {function['bytes'] / 1e6:.1f} MB unzipped "
            f"({' + '.join(function['layers'])} + code); largest MB: {largest}; "
            f"runtime packages: {len(function['runtime_packages'])}, "
            f"layers it never imports: {len(function['layers_not_imported'])}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent parsing")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per import (≥ 7)")
    args = parser.parse_args()
    bench_parse(args.seconds)
    bench_cold_start(args.runs)
    bench_deployment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
