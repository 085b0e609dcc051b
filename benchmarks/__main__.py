"""`make bench`: newsdesk's budgets (DESIGN.md §9) measured side by side with the alternatives.

Writes benchmarks/results/latest.json (every figure) and the PNG plots drawn from it, prints
each budget with its figure and PASS or FAIL, and exits 1 when one fails. Figures are ratios
measured in one run (CPU time, alternating rounds), so they hold on a busy machine; absolute
figures are this machine's. `--quick` runs every section small (for the test that checks the
JSON holds every budget), not for reading figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.budgets import budgets_of

RESULTS = Path(__file__).resolve().parent / "results"


def run(quick: bool) -> dict[str, Any]:
    from benchmarks import coldstart, cost, deployment, parse, scale

    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
    }
    started = time.perf_counter()

    def section(name: str) -> None:
        print(f"... {name} ({time.perf_counter() - started:.0f} s)", flush=True)

    section("parse: reference article")
    results["parse"] = {"reference": parse.measure_reference(0.2 if quick else 2.0)}
    section("parse: text, against trafilatura and a naive baseline")
    results["parse"]["text"] = parse.measure_text(1 if quick else 5, limit=4 if quick else None)
    section("parse: HTML, against trafilatura and a naive baseline")
    results["parse"]["html"] = parse.measure_html(1 if quick else 2, limit=3 if quick else None)
    section("parse: time over size")
    sizes = parse.SCALE_SIZES[:5] if quick else parse.SCALE_SIZES
    results["parse"]["scale"] = parse.measure_scale(sizes, min_seconds=0.02 if quick else 0.3)
    section("cold start: imports")
    imports = coldstart.measure_imports(1 if quick else 9)
    section("cold start: first and second calls")
    results["cold_start"] = {
        "runs": imports["runs"],
        "boto3": imports["boto3"],
        "imports": imports["functions"],
        "invocations": coldstart.measure_invocations(1 if quick else 3),
    }
    section("deployment sizes")
    results["deployment"] = deployment.measure()
    section("cost per article and per API route")
    results["cost"] = cost.measure()
    section("scale: ingest memory over many files")
    results["scale"] = {"ingest_memory": scale.measure_ingest_memory(30 if quick else 1000)}
    section("scale: API list latency over stored articles")
    results["scale"]["api_list_latency"] = scale.measure_api_latency(
        (100, 300) if quick else (1_000, 10_000), calls=5 if quick else 15
    )
    section("hostile files: worst time and memory of each named case")
    from benchmarks import hostile

    results["hostile"] = hostile.measure(quick=quick, repeats=2)
    search = _search_figures(quick)
    if search is not None:
        section("search")
        results["search"] = search
    results["seconds"] = time.perf_counter() - started
    return results


def _search_figures(quick: bool) -> dict[str, Any] | None:
    """benchmarks/search.py's figures, when that module exists (search is its own issue)."""
    if importlib.util.find_spec("benchmarks.search") is None:
        return None
    from benchmarks import search

    measure = next(
        getattr(search, name) for name in ("measure", "run", "main") if hasattr(search, name)
    )
    if "quick" in inspect.signature(measure).parameters:
        figures: dict[str, Any] = measure(quick=quick)
    else:
        figures = measure()
    return figures


def report(results: dict[str, Any]) -> list[str]:
    """The lines `make bench` prints: the figures of each section, then every budget."""
    lines: list[str] = []
    parse = results["parse"]
    reference = parse["reference"]
    lines.append(
        f"parse   reference {reference['article']} ({reference['bytes']:,} bytes): "
        f"{reference['articles_per_second']:,.0f} articles/s "
        f"({reference['microseconds_each']:.0f} µs each)"
    )
    for kind in ("text", "html"):
        figures = parse[kind]
        rates = ", ".join(
            f"{name} {system['articles_per_second']:,.0f}/s {system['mb_per_second']:.1f} MB/s"
            for name, system in figures["systems"].items()
        )
        lines.append(f"parse   {kind}, {figures['files']} files ({figures['inputs']}): {rates}")
    text, html = parse["text"], parse["html"]
    lines.append(
        f"parse   text: newsdesk's extraction {text['extraction_speedup_vs_trafilatura']:.1f}x "
        f"trafilatura's speed, whole record {text['speedup_vs_trafilatura']:.1f}x; HTML: "
        f"{html['time_vs_trafilatura']:.2f}x bare trafilatura's time (its defaults), "
        f"{html['time_vs_trafilatura_same_options']:.2f}x trafilatura with newsdesk's options"
    )
    scale = parse["scale"]
    points = ", ".join(
        f"{p['bytes'] / 1e3:,.0f} KB {p['seconds'] * 1e3:.1f} ms"
        + (f" (refused: {p['refused']})" if p.get("refused") else "")
        for p in scale["points"]
    )
    lines.append(f"parse   size: {points}; growth exponent {scale['growth_exponent']:.2f}")
    cold = results["cold_start"]
    lines.append(
        f"import  boto3 {cold['boto3']['cpu_ms']:.0f} ms CPU (median of {cold['runs']} fresh "
        "interpreters, each function's Lambda environment, tracing on)"
    )
    for function_id, figures in cold["imports"].items():
        lines.append(
            f"import  {function_id}: {figures['cpu_ms']:.0f} ms "
            f"= {figures['ratio_to_boto3']:.2f}x boto3"
        )
    for function_id, figures in cold["invocations"].items():
        if "skipped" in figures:
            lines.append(f"invoke  {function_id}: {figures['skipped']}")
        else:
            lines.append(
                f"invoke  {function_id}, {figures['event']}: import {figures['import_ms']:.0f} ms, "
                f"first call {figures['first_call_ms']:.0f} ms, "
                f"second {figures['second_call_ms']:.0f} ms"
            )
    deployment = results["deployment"]
    stale = " (older than its inputs: run make build)" if deployment.get("stale") else ""
    lines.append(f"size    from {deployment['source']}{stale}")
    for function_id, function in deployment["functions"].items():
        largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in function["largest"])
        lines.append(
            f"size    {function_id}: {function['bytes'] / 1e6:.1f} MB unzipped "
            f"({' + '.join(function['layers'])} + code); largest (MB): {largest}"
        )
    costs = results["cost"]
    ingest = costs["ingest"]
    sync = ingest["sync"]
    lines.append(
        f"cost    reference article: {sync['write_units']:g} WCU synchronous "
        f"({sync['items_written']} items, {sync['index_writes']} index writes), "
        f"{ingest['stream']['write_units']:g} WCU from stream consumers; "
        f"{costs['lambda']['gb_seconds_per_1000_articles']:.0f} GB-s per 1,000 articles"
    )
    for route, figures in costs["api"]["routes"].items():
        lines.append(
            f"cost    GET {route}: {figures['status']}, {figures['requests']} DynamoDB requests, "
            f"{figures['read_units']:g} RCU"
        )
    month = costs["monthly"]
    lines.append(
        f"cost    a month, {month['articles']:,} articles ingested: "
        f"${sum(month['ingest_usd'].values()):,.2f}; {month['api_requests']:,} API requests: "
        f"${sum(month['api_usd'].values()):,.2f}"
    )
    memory = results["scale"]["ingest_memory"]
    lines.append(
        f"scale   ingest memory over {memory['files']:,} files: "
        f"peak {memory['peak_rss_mb']:.0f} MB, "
        f"{memory['growth_mb']:+.1f} MB after the first batch ({memory['seconds']:.0f} s)"
        + (f"; stopped early: {memory['stopped']}" if memory.get("stopped") else "")
    )
    for point in results["scale"]["api_list_latency"]["points"]:
        lines.append(
            f"scale   GET /articles?limit=20 with {point['articles']:,} articles: "
            f"p50 {point['p50_ms']:.0f} ms, p99 {point['p99_ms']:.0f} ms CPU (moto in-process), "
            f"{point['dynamodb_requests_per_call']:g} request, {point['read_units_per_call']:g} RCU"
        )
    if "search" in results:
        for run in results["search"].get("runs", []):
            lines.append(
                f"search  {run['articles']:,} articles: build {run['build_seconds']:.1f} s, "
                f"index {run['index_bytes'] / 1e6:,.1f} MB, "
                f"query p50 {run['query_p50_ms']:.1f} ms, p99 {run['query_p99_ms']:.1f} ms"
            )
        if "growth" in results["search"]:
            lines.append(f"search  growth: {results['search']['growth']}")
    if "hostile" in results:
        from benchmarks.hostile import report as hostile_report

        lines.extend(f"hostile {line}" for line in hostile_report(results["hostile"]))
    lines.append("")
    lines.extend(budget.line() for budget in budgets_of(results))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every section, small (for tests)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where JSON and plots go")
    parser.add_argument("--no-plots", action="store_true", help="write the JSON only")
    args = parser.parse_args(argv)
    results = run(args.quick)
    budgets = budgets_of(results)
    results["budgets"] = {budget.key: budget.as_json() for budget in budgets}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print("\n".join(report(results)))
    if not args.no_plots:
        from benchmarks.plots import draw_all

        written = draw_all(results, args.output)
        print(f"wrote {args.output / 'latest.json'} and {len(written)} plots", end="")
    print(f" in {results['seconds']:.0f} s")
    return 0 if all(budget.passed for budget in budgets) else 1


if __name__ == "__main__":
    sys.exit(main())
