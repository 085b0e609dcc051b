"""The figures of a bench run as PNG plots, drawn from the results (latest.json) alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

BLUE, ORANGE, GREY, GREEN = "#1f77b4", "#ff7f0e", "#9a9a9a", "#2ca02c"
SYSTEM_LABELS = {
    "newsdesk": "newsdesk (record)",
    "newsdesk_extraction": "newsdesk (extraction)",
    "trafilatura": "trafilatura",
    "trafilatura_newsdesk_options": "trafilatura (newsdesk's options)",
    "naive": "split on blank lines",
}
SYSTEM_COLOURS = {
    "newsdesk": BLUE,
    "newsdesk_extraction": "#6baed6",
    "trafilatura": ORANGE,
    "trafilatura_newsdesk_options": "#fdae6b",
    "naive": GREY,
}


def draw_all(results: dict[str, Any], folder: Path) -> list[Path]:
    """Every plot the results have figures for; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    drawers: list[tuple[str, Callable[[dict[str, Any], Any], bool]]] = [
        ("parse_comparison.png", _parse_comparison),
        ("parse_scale.png", _parse_scale),
        ("cold_start.png", _cold_start),
        ("deployment_size.png", _deployment),
        ("ingest_memory.png", _ingest_memory),
        ("api_latency.png", _api_latency),
        ("search.png", _search),
    ]
    import matplotlib.pyplot as plt

    written = []
    for name, draw in drawers:
        figure = plt.figure(figsize=(8, 4.5), dpi=100)
        if draw(results, figure):
            figure.tight_layout()
            path = folder / name
            figure.savefig(path)
            written.append(path)
        plt.close(figure)
    return written


def _parse_comparison(results: dict[str, Any], figure: Any) -> bool:
    parse = results.get("parse", {})
    kinds = [kind for kind in ("text", "html") if kind in parse]
    if not kinds:
        return False
    for index, kind in enumerate(kinds, start=1):
        axes = figure.add_subplot(1, len(kinds), index)
        systems = parse[kind]["systems"]
        names = list(systems)
        rates = [systems[name]["articles_per_second"] for name in names]
        labels = [SYSTEM_LABELS.get(name, name) for name in names]
        axes.barh(labels, rates, color=[SYSTEM_COLOURS.get(name, GREY) for name in names])
        axes.set_xscale("log")
        axes.invert_yaxis()
        axes.set_xlabel("articles per CPU second (log)")
        axes.set_title(f"{kind}: {parse[kind]['files']} files, same inputs")
        for y, rate in enumerate(rates):
            axes.text(rate, y, f" {rate:,.0f}", va="center", fontsize=8)
    return True


def _parse_scale(results: dict[str, Any], figure: Any) -> bool:
    scale = results.get("parse", {}).get("scale")
    if not scale:
        return False
    axes = figure.add_subplot(1, 1, 1)
    parsed = [point for point in scale["points"] if not point.get("refused")]
    refused = [point for point in scale["points"] if point.get("refused")]
    sizes = [point["bytes"] for point in parsed]
    seconds = [point["seconds"] * 1000 for point in parsed]
    axes.loglog(sizes, seconds, "o-", color=BLUE, label="newsdesk parse to a record (CPU)")
    if refused:
        axes.loglog(
            [point["bytes"] for point in refused],
            [point["seconds"] * 1000 for point in refused],
            "x",
            color=BLUE,
            label="refused by a parser bound (" + ", ".join(p["refused"] for p in refused) + ")",
        )
    per_byte = seconds[-1] / sizes[-1]
    axes.loglog(sizes, [size * per_byte for size in sizes], "--", color=GREY, label="linear")
    axes.set_xlabel("article size (bytes)")
    axes.set_ylabel("milliseconds")
    axes.set_title(f"Parse time vs size: growth exponent {scale['growth_exponent']:.2f}")
    axes.legend()
    return True


def _cold_start(results: dict[str, Any], figure: Any) -> bool:
    cold = results.get("cold_start")
    if not cold:
        return False
    axes = figure.add_subplot(1, 2, 1)
    names = ["boto3", *cold["imports"]]
    values = [cold["boto3"]["cpu_ms"], *(f["cpu_ms"] for f in cold["imports"].values())]
    axes.barh(names, values, color=[GREY] + [BLUE] * len(cold["imports"]))
    axes.axvline(2 * cold["boto3"]["cpu_ms"], color="red", linestyle="--", label="budget 2x boto3")
    axes.invert_yaxis()
    axes.set_xlabel("import, CPU ms (median)")
    axes.set_title("Import as on Lambda")
    axes.legend(fontsize=8)
    calls = {name: f for name, f in cold.get("invocations", {}).items() if "first_call_ms" in f}
    if calls:
        axes = figure.add_subplot(1, 2, 2)
        names = list(calls)
        positions = range(len(names))
        for offset, (key, label, colour) in enumerate(
            (
                ("import_ms", "import", GREY),
                ("first_call_ms", "first call", ORANGE),
                ("second_call_ms", "second call", GREEN),
            )
        ):
            axes.barh(
                [p + offset * 0.27 for p in positions],
                [calls[name][key] for name in names],
                height=0.27,
                color=colour,
                label=label,
            )
        axes.set_yticks([p + 0.27 for p in positions], names)
        axes.invert_yaxis()
        axes.set_xlabel("CPU ms (moto in-process)")
        axes.set_title("Cold vs warm")
        axes.legend(fontsize=8)
    return True


def _deployment(results: dict[str, Any], figure: Any) -> bool:
    functions = results.get("deployment", {}).get("functions")
    if not functions:
        return False
    axes = figure.add_subplot(1, 1, 1)
    names = list(functions)
    for y, name in enumerate(names):
        left = 0.0
        for package, size in functions[name]["largest"]:
            axes.barh(y, size / 1e6, left=left, color=BLUE, edgecolor="white")
            if size / 1e6 > 2.5:
                axes.text(left + 0.3, y, package, va="center", fontsize=7, color="white")
            left += size / 1e6
        rest = functions[name]["bytes"] / 1e6 - left
        axes.barh(y, rest, left=left, color=GREY, edgecolor="white")
        axes.text(left + rest, y, f" {functions[name]['bytes'] / 1e6:.1f} MB", va="center")
    axes.set_yticks(range(len(names)), names)
    axes.invert_yaxis()
    axes.set_xlabel("unzipped MB: layers + code (five largest packages, then the rest)")
    axes.set_title(f"Deployment size ({results['deployment']['source']})")
    return True


def _ingest_memory(results: dict[str, Any], figure: Any) -> bool:
    memory = results.get("scale", {}).get("ingest_memory")
    if not memory:
        return False
    axes = figure.add_subplot(1, 1, 1)
    files = [point["files"] for point in memory["points"]]
    axes.plot(
        files,
        [point["rss_mb"] for point in memory["points"]],
        "o-",
        color=BLUE,
        label="ingest handler process",
    )
    if all("moto_rss_mb" in point for point in memory["points"]):
        moto = [point["moto_rss_mb"] for point in memory["points"]]
        axes.plot(files, moto, "--", color=GREY, label="moto's server (everything stored)")
    axes.legend()
    axes.set_xlabel("files ingested by one handler process")
    axes.set_ylabel("resident memory, MB")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Ingest memory over {files[-1]:,} files (peak {memory['peak_rss_mb']:.0f} MB)")
    return True


def _api_latency(results: dict[str, Any], figure: Any) -> bool:
    latency = results.get("scale", {}).get("api_list_latency")
    if not latency:
        return False
    axes = figure.add_subplot(1, 1, 1)
    stored = [point["articles"] for point in latency["points"]]
    for key, label, colour in (("p50_ms", "p50", BLUE), ("p99_ms", "p99", ORANGE)):
        axes.plot(
            stored, [point[key] for point in latency["points"]], "o-", color=colour, label=label
        )
    axes.set_xscale("log")
    axes.set_xlabel("articles stored")
    axes.set_ylabel("GET /articles?limit=20, ms")
    axes.set_ylim(bottom=0)
    axes.set_title("API list latency (in-process, moto)")
    axes.legend()
    return True


def _search(results: dict[str, Any], figure: Any) -> bool:
    runs = results.get("search", {}).get("runs")
    if not runs:
        return False
    articles = [run["articles"] for run in runs]
    axes = figure.add_subplot(1, 2, 1)
    for key, label, colour in (("query_p50_ms", "p50", BLUE), ("query_p99_ms", "p99", ORANGE)):
        axes.plot(articles, [run[key] for run in runs], "o-", color=colour, label=label)
    axes.set_xscale("log")
    axes.set_xlabel("articles indexed")
    axes.set_ylabel("query latency, ms (in-process)")
    axes.set_title("Search queries")
    axes.legend()
    axes = figure.add_subplot(1, 2, 2)
    axes.plot(articles, [run["index_bytes"] / 1e6 for run in runs], "o-", color=BLUE)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("articles indexed")
    axes.set_ylabel("index file, MB")
    axes.set_title("Index size")
    return True
