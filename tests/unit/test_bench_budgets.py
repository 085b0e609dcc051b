"""`make bench` cannot silently drop a budget: a quick run's JSON holds every budget of DESIGN §9
(one per template function where the budget is per function), the search figures (reported, no
limit) and its plots render.

Not timed: the quick run's figures are not read, only that each budget is there with a figure,
a limit and a verdict.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk_cli.template import load_template, resources_of_type
from tests.conftest import ROOT

FUNCTIONS = sorted(resources_of_type(load_template(), "AWS::Serverless::Function"))
# DESIGN.md §9, written out here rather than taken from benchmarks/, so the two must agree.
EXPECTED = [
    "parse.reference.articles_per_second",
    "parse.text.extraction_speedup_vs_trafilatura",
    "parse.html.time_vs_trafilatura",
    "parse.scale.growth_exponent",
    *(f"cold_start.{function_id}.import_vs_boto3" for function_id in FUNCTIONS),
    *(f"deployment.{function_id}.runtime_packages" for function_id in FUNCTIONS),
    *(f"deployment.{function_id}.layers_not_imported" for function_id in FUNCTIONS),
    "api.requests_per_page",
    "api.scans",
    "ingest.sync_write_units",
    "hostile.worst_seconds",
    "hostile.peak_rss_mb",
    "hostile.unexpected_outcomes",
]
PLOTS = [
    "parse_comparison.png",
    "parse_scale.png",
    "cold_start.png",
    "deployment_size.png",
    "ingest_memory.png",
    "api_latency.png",
    "search.png",
]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    # Exit 1 means a budget failed: a quick run's figures are not meant to pass.
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return output


def test_the_bench_reports_every_budget_with_figure_limit_and_verdict(quick_run: Path) -> None:
    results = json.loads((quick_run / "latest.json").read_text(encoding="utf-8"))
    budgets = results["budgets"]
    missing = [key for key in EXPECTED if key not in budgets]
    assert missing == [], f"the bench no longer reports {missing}"
    for key in EXPECTED:
        budget = budgets[key]
        assert isinstance(budget["figure"], int | float) and budget["rule"] in (">=", "<=")
        verdict = (
            budget["figure"] >= budget["limit"]
            if budget["rule"] == ">="
            else budget["figure"] <= budget["limit"]
        )
        assert budget["passed"] is verdict, key


def test_the_search_figures_are_reported_with_their_growth(quick_run: Path) -> None:
    search = json.loads((quick_run / "latest.json").read_text(encoding="utf-8"))["search"]
    for run in search["runs"]:
        assert {"articles", "index_bytes", "query_p50_ms", "query_p99_ms"} <= set(run)
    assert len(search["runs"]) >= 2 and search["growth"]["index_bytes"] is not None


def test_the_plots_render_from_the_same_run(quick_run: Path) -> None:
    for name in PLOTS:
        assert (quick_run / name).read_bytes().startswith(b"\x89PNG"), name
