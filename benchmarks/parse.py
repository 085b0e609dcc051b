"""Parse speed side by side: newsdesk, trafilatura's bare_extraction and a naive baseline.

Same inputs for all three: the text files of ../shared/corpus (else generated reference-sized
articles) and its HTML pages (else the HTML samples and fixtures). trafilatura reads HTML only,
so a text file goes in as the page a browser shows for it: its bytes, escaped, in a <pre>
(trafilatura decodes them itself, as newsdesk does). The naive
baseline decodes, strips tags from HTML, and splits on blank lines: the floor any parser pays.

Times are CPU seconds of this process (time.process_time), in rounds that alternate the
systems so other processes' load falls on each alike; a figure is the median round.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from newsdesk_cli.template import ROOT

CORPUS = ROOT.parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_7d4c0a3551aecea8.txt"
SAMPLES = ROOT / "newsdesk_cli" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"
# Up to about the largest article a record may hold (5,000 paragraphs, 1,000,000 characters:
# newsdesk.parsing.pipeline), then a 5 MB file, which is refused (too_long): its
# time is the cost of reading and refusing it, reported apart from the growth of the record path.
SCALE_SIZES = (1_000, 4_000, 16_000, 64_000, 256_000, 700_000, 5_000_000)

Inputs = list[tuple[str, bytes]]
_TAG = re.compile(rb"<[^>]*>")


def reference_article() -> tuple[str, bytes]:
    """The reference input of DESIGN §3, else a generated article of its size."""
    if SEED.is_file():
        return SEED.name, SEED.read_bytes()
    return "generated-reference.txt", generated_article(5_364)


def generated_article(size: int) -> bytes:
    """A plain-text article of about `size` bytes: headline, byline, real-looking paragraphs."""
    sources = sorted(SAMPLES.glob("*.txt")) + sorted((FIXTURES / "text").glob("*.txt"))
    paragraphs = [
        block.strip()
        for path in sources
        for block in path.read_text(encoding="utf-8").split("\n\n")[2:]
        if len(block.split()) > 12
    ]
    parts = ["Harbour city votes to keep its ferries running", "By Jane Doe"]
    total, index = 60, 0
    while total < size:
        paragraph = paragraphs[index % len(paragraphs)]
        parts.append(paragraph)
        total += len(paragraph) + 2
        index += 1
    return "\n\n".join(parts).encode("utf-8")


def text_inputs() -> tuple[str, Inputs]:
    if CORPUS.is_dir():
        paths = sorted(
            p for p in CORPUS.rglob("*.txt") if "licenses" not in p.parts and "html" not in p.parts
        )
        if paths:
            return "../shared/corpus text files", [(p.name, p.read_bytes()) for p in paths]
    generated = [(f"generated-{i}.txt", generated_article(3_000 + 500 * i)) for i in range(12)]
    return "generated reference-sized articles", generated


def html_inputs() -> tuple[str, Inputs]:
    paths = sorted((CORPUS / "html").rglob("*.htm*")) if CORPUS.is_dir() else []
    if paths:
        return "../shared/corpus/html pages", [(p.name, p.read_bytes()) for p in paths]
    paths = sorted(SAMPLES.glob("*.html")) + sorted((FIXTURES / "html").glob("*.html"))
    return "the HTML samples and fixtures", [(p.name, p.read_bytes()) for p in paths]


# ------------------------------------------------------------ the systems


def newsdesk_parser() -> Callable[[str, bytes], Any]:
    from newsdesk.errors import ParseError
    from newsdesk.parsing import parse_article

    def parse(name: str, data: bytes) -> Any:
        try:
            return parse_article(data, filename=name)
        except ParseError as error:  # refused the same way every round: still timed work
            return error

    return parse


def newsdesk_extractor() -> Callable[[str, bytes], Any]:
    """newsdesk's bytes -> article structure (headline, byline, body, trailer), without the
    enrichment (language, keywords, summary, hash) that turns it into a record: the job
    trafilatura does."""
    from newsdesk.errors import ParseError
    from newsdesk.parsing import MAX_PARSE_BYTES
    from newsdesk.parsing.decoding import decode_bytes
    from newsdesk.parsing.pipeline import (
        _parse_one,
        check_not_binary,
        check_size,
        choose_format,
        declared_charset,
    )

    def extract(name: str, data: bytes) -> Any:
        try:
            check_size(data, MAX_PARSE_BYTES)
            check_not_binary(data)
            fmt = choose_format(data, filename=name, content_type=None)
            return _parse_one(decode_bytes(data, declared_charset(data, None, fmt)), fmt)
        except ParseError as error:
            return error

    return extract


def trafilatura_parser(*, text: bool, newsdesk_options: bool) -> Callable[[str, bytes], Any]:
    import trafilatura

    options: dict[str, Any] = {"with_metadata": True}  # else its defaults
    if newsdesk_options:
        from newsdesk.parsing.html import _DATE_PARAMS, EXTRACTION_OPTIONS

        options.update(EXTRACTION_OPTIONS, date_extraction_params=_DATE_PARAMS)

    def parse(name: str, data: bytes) -> Any:
        page = data
        if text:  # the page a browser shows for a .txt file, the file's bytes inside
            escaped = data.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
            page = b"<html><body><pre>" + escaped + b"</pre></body></html>"
        return trafilatura.bare_extraction(page, **options)

    return parse


def naive_parser(*, text: bool) -> Callable[[str, bytes], Any]:
    def parse(name: str, data: bytes) -> Any:
        if not text:
            data = _TAG.sub(b" ", data)
        decoded = data.decode("utf-8", "replace").replace("\r\n", "\n")
        return [block.strip() for block in decoded.split("\n\n") if block.strip()]

    return parse


# ------------------------------------------------------------ measuring


def _cpu_seconds(parse: Callable[[str, bytes], Any], inputs: Inputs) -> float:
    start = time.process_time()
    for name, data in inputs:
        parse(name, data)
    return time.process_time() - start


def compare(
    systems: dict[str, Callable[[str, bytes], Any]], inputs: Inputs, rounds: int
) -> dict[str, Any]:
    """Per system: median CPU seconds of one pass over the inputs, articles/s, MB/s."""
    for parse in systems.values():  # warm up: imports, compiled patterns, caches
        _cpu_seconds(parse, inputs[:3])
    seconds: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(rounds):
        for name, parse in systems.items():
            seconds[name].append(_cpu_seconds(parse, inputs))
    size = sum(len(data) for _, data in inputs)
    result = {}
    for name, values in seconds.items():
        median = statistics.median(values)
        result[name] = {
            "seconds_per_pass": median,
            "articles_per_second": len(inputs) / median,
            "mb_per_second": size / median / 1e6,
        }
    return result


def measure_text(rounds: int, limit: int | None = None) -> dict[str, Any]:
    described, inputs = text_inputs()
    inputs = inputs[:limit]
    systems = {
        "newsdesk": newsdesk_parser(),
        "newsdesk_extraction": newsdesk_extractor(),
        "trafilatura": trafilatura_parser(text=True, newsdesk_options=False),
        "naive": naive_parser(text=True),
    }
    figures = compare(systems, inputs, rounds)
    trafilatura = figures["trafilatura"]["seconds_per_pass"]
    return {
        "inputs": described,
        "files": len(inputs),
        "bytes": sum(len(data) for _, data in inputs),
        "systems": figures,
        # Extraction against extraction: enrichment comes on top of either.
        "extraction_speedup_vs_trafilatura": trafilatura
        / figures["newsdesk_extraction"]["seconds_per_pass"],
        "speedup_vs_trafilatura": trafilatura / figures["newsdesk"]["seconds_per_pass"],
    }


def measure_html(rounds: int, limit: int | None = None) -> dict[str, Any]:
    described, inputs = html_inputs()
    inputs = inputs[:limit]
    systems = {
        "newsdesk": newsdesk_parser(),
        "trafilatura": trafilatura_parser(text=False, newsdesk_options=False),
        "trafilatura_newsdesk_options": trafilatura_parser(text=False, newsdesk_options=True),
        "naive": naive_parser(text=False),
    }
    figures = compare(systems, inputs, rounds)
    newsdesk = figures["newsdesk"]["seconds_per_pass"]
    same_options = figures["trafilatura_newsdesk_options"]["seconds_per_pass"]
    return {
        "inputs": described,
        "files": len(inputs),
        "bytes": sum(len(data) for _, data in inputs),
        "systems": figures,
        # bare_extraction as a user calls it for an article (its defaults, metadata on).
        "time_vs_trafilatura": newsdesk / figures["trafilatura"]["seconds_per_pass"],
        # Stricter: trafilatura as newsdesk configures it (fast, no fallback extractors), with
        # its metadata pass (newsdesk reads the page's metadata itself instead).
        "time_vs_trafilatura_same_options": newsdesk / same_options,
    }


def measure_reference(seconds: float) -> dict[str, Any]:
    """Reference-sized articles per CPU second (one process: one core)."""
    name, data = reference_article()
    parse = newsdesk_parser()
    parse(name, data)
    count, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        for _ in range(20):
            parse(name, data)
        count += 20
    return {
        "article": name,
        "bytes": len(data),
        "articles_per_second": count / elapsed,
        "microseconds_each": elapsed / count * 1e6,
    }


def measure_scale(sizes: tuple[int, ...] = SCALE_SIZES, min_seconds: float = 0.3) -> dict[str, Any]:
    """Parse time of generated text articles from 1 KB to 5 MB, and the growth exponent
    (slope of log time over log size from 64 KB up, of the sizes parsed to a record; a size
    refused by a parser bound is reported with its code): 1 is linear, 2 quadratic."""
    from newsdesk.errors import ParseError

    parse = newsdesk_parser()
    points = []
    for size in sizes:
        data = generated_article(size)
        parse("scale.txt", data)
        runs, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < min_seconds or runs < 2:
            parse("scale.txt", data)
            runs += 1
        refused = parse("scale.txt", data)
        points.append(
            {
                "bytes": len(data),
                "seconds": elapsed / runs,
                "refused": refused.code if isinstance(refused, ParseError) else None,
            }
        )
    large = [point for point in points if point["bytes"] >= 64_000 and not point["refused"]]
    xs = [math.log(point["bytes"]) for point in large]
    ys = [math.log(point["seconds"]) for point in large]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return {"points": points, "growth_exponent": slope}
