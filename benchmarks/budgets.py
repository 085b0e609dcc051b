"""The budgets of DESIGN.md §9 as figures with limits: what `make bench` passes or fails."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Budget:
    key: str  # stable: the JSON and the test know budgets by it
    what: str
    figure: float
    rule: str  # ">=" or "<="
    limit: float
    unit: str

    @property
    def passed(self) -> bool:
        return self.figure >= self.limit if self.rule == ">=" else self.figure <= self.limit

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict}  {self.key}: {_number(self.figure)} {self.unit} "
            f"(budget {self.rule} {_number(self.limit)}) - {self.what}"
        )


def _number(value: float) -> str:
    if float(value).is_integer() and (abs(value) >= 10 or isinstance(value, int)):
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def budgets_of(results: dict[str, Any]) -> list[Budget]:
    """Every budget the results hold figures for, in the order of DESIGN §9."""
    found: list[Budget] = []
    parse = results.get("parse", {})
    if "reference" in parse:
        found.append(
            Budget(
                "parse.reference.articles_per_second",
                f"reference-sized text article ({parse['reference']['article']}) "
                "parsed to its record, one core",
                parse["reference"]["articles_per_second"],
                ">=",
                2000,
                "articles/s",
            )
        )
    if "text" in parse:
        found.append(
            Budget(
                "parse.text.extraction_speedup_vs_trafilatura",
                f"text extraction vs trafilatura's on the same {parse['text']['files']} files "
                f"(whole record with enrichment: {parse['text']['speedup_vs_trafilatura']:.1f}x)",
                parse["text"]["extraction_speedup_vs_trafilatura"],
                ">=",
                10,
                "x faster",
            )
        )
    if "html" in parse:
        found.append(
            Budget(
                "parse.html.time_vs_trafilatura",
                f"HTML record vs bare_extraction as a user calls it (metadata on, defaults), "
                f"{parse['html']['files']} pages (vs trafilatura with newsdesk's options: "
                f"{parse['html']['time_vs_trafilatura_same_options']:.2f}x)",
                parse["html"]["time_vs_trafilatura"],
                "<=",
                1.2,
                "x its time",
            )
        )
    if "scale" in parse:
        found.append(
            Budget(
                "parse.scale.growth_exponent",
                "parse time over size, 64 KB to 700 KB, the largest articles a record holds "
                "(1 = linear, 2 = quadratic)",
                parse["scale"]["growth_exponent"],
                "<=",
                1.2,
                "",
            )
        )
    for function_id, figures in results.get("cold_start", {}).get("imports", {}).items():
        found.append(
            Budget(
                f"cold_start.{function_id}.import_vs_boto3",
                f"importing {figures['module']} as Lambda would (tracing on) vs import boto3",
                figures["ratio_to_boto3"],
                "<=",
                2.0,
                "x",
            )
        )
    for function_id, figures in results.get("deployment", {}).get("functions", {}).items():
        found.append(
            Budget(
                f"deployment.{function_id}.runtime_packages",
                f"packages the python3.13 runtime already has, in {function_id}'s deployment",
                len(figures["runtime_packages"]),
                "<=",
                0,
                "packages",
            )
        )
        found.append(
            Budget(
                f"deployment.{function_id}.layers_not_imported",
                f"layers of {function_id} none of whose packages its code imports",
                len(figures["layers_not_imported"]),
                "<=",
                0,
                "layers",
            )
        )
    cost = results.get("cost", {})
    if "api" in cost:
        routes = cost["api"]["routes"]
        worst = max(routes, key=lambda route: routes[route]["requests"])
        found.append(
            Budget(
                "api.requests_per_page",
                f"most DynamoDB requests one API page made ({worst}; every route in "
                "latest.json): one, a second when the page crosses a time bucket (DESIGN §6)",
                cost["api"]["requests_per_page"],
                "<=",
                2,
                "requests",
            )
        )
        found.append(
            Budget(
                "api.scans",
                "DynamoDB Scans made by the API",
                cost["api"]["scans"],
                "<=",
                0,
                "scans",
            )
        )
    if "ingest" in cost:
        found.append(
            Budget(
                "ingest.sync_write_units",
                "write units of the reference article on the ingest function's synchronous path "
                f"(stream consumers: {cost['ingest']['stream']['write_units']:g} more)",
                cost["ingest"]["sync"]["write_units"],
                "<=",
                15,
                "WCU",
            )
        )
    hostile = results.get("hostile")
    if hostile is not None:
        count = len(hostile["cases"])
        found.append(
            Budget(
                "hostile.worst_seconds",
                f"worst parse of the {count} named hostile files (tests/hostile_inputs.py), "
                "each ending as a record or a failure with its code",
                hostile["worst_seconds"],
                "<=",
                hostile["bounds"]["seconds"],
                "s",
            )
        )
        found.append(
            Budget(
                "hostile.peak_rss_mb",
                f"peak resident memory of a fresh process parsing one of the {count} named "
                "hostile files (IngestFunction has 1,024 MB)",
                hostile["peak_rss_mb"],
                "<=",
                hostile["bounds"]["rss_mb"],
                "MB",
            )
        )
        found.append(
            Budget(
                "hostile.unexpected_outcomes",
                "named hostile files that did not end as tests/hostile_inputs.py says "
                f"({', '.join(hostile['unexpected']) or 'none'})",
                len(hostile["unexpected"]),
                "<=",
                0,
                "files",
            )
        )
    return found
