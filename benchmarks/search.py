"""Search budget (DESIGN.md section 9): index build time and size, and in-process query latency
p50/p99, at 10^4 and 10^5 generated articles, with the growth from one to the other.

Run alone with `python -m benchmarks.search` (or `make bench`). The articles are short synthetic
ones (a headline, a standfirst and ~120 words of body from a Zipf-like vocabulary), so the
figures measure the index, not a corpus; real articles (~800 words) make a file ~4-6x larger.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SIZES = (10_000, 100_000)
QUERY_RUNS = 5
SECTIONS = ("World", "Business", "Science", "Culture", "Opinion", "Sport", "Politics")
AUTHORS = ("Amara Okafor", "Lena Fischer", "Tomás Herrera", "Priya Raman", "Mei Lin", "Jonas Berg")
QUERIES = (
    "harbour",
    "wind farm",
    '"offshore wind"',
    "budget OR council",
    "election NOT parliament",
    "clim*",
    "headline:museum",
    "author:okafor railway",
    "(solar OR wind) energy",
    "drought farmers",
    '"public meetings" residents',
    "vaccine",
)


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    topical = [
        "harbour", "wind", "offshore", "farm", "budget", "council", "election", "parliament",
        "climate", "solar", "energy", "museum", "railway", "drought", "farmers", "vaccine",
        "public", "meetings", "residents", "plastic", "river", "school", "library", "market",
    ]  # fmt: skip
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = sorted({"".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(size * 2)})
    rng.shuffle(made)
    words = made[: size - len(topical)]
    # Topic words are neither the commonest words (those are function words in real text)
    # nor rare: each one lands in the ranks 50-1000, as in news.
    for number, word in enumerate(topical):
        words.insert(50 + number * 40, word)
    return words


def generate(count: int, seed: int = 7) -> list[Any]:
    """`count` short articles with authors, sections, tags, dates (deterministic)."""
    from newsdesk.models import Article, Author, Source

    rng = random.Random(seed)
    words = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like
    start = datetime(2020, 1, 1, tzinfo=UTC)
    articles = []
    for number in range(count):
        body_words = rng.choices(words, weights=weights, k=120)
        body = [" ".join(body_words[:60]) + ".", " ".join(body_words[60:]) + "."]
        headline = " ".join(rng.choices(words, weights=weights, k=7)).capitalize()
        author = AUTHORS[number % len(AUTHORS)]
        moment = start + timedelta(minutes=number * 7)
        articles.append(
            Article.model_construct(
                id=f"{number:016x}",
                slug=f"article-{number}",
                headline=headline,
                section=SECTIONS[number % len(SECTIONS)],
                standfirst=" ".join(rng.choices(words, weights=weights, k=14)),
                authors=[Author(name=author, slug=author.lower().replace(" ", "-"))],
                publisher=None,
                published_at=moment,
                body=body,
                language="en",
                word_count=120,
                reading_time_minutes=1,
                summary=body[0][:200],
                keywords=body_words[:5],
                tags=sorted(set(body_words[:5])),
                content_hash=f"{number:064x}",
                source=Source(key=f"incoming/{number}.txt", format="text", size=900),
                parser_version="bench",
                ingested_at=moment,
                updated_at=moment,
                related=[],
            )
        )
    return articles


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_one(count: int, folder: Path) -> dict[str, float]:
    from newsdesk.search.index import SearchIndex, SearchRequest, Upsert
    from newsdesk.search.query import parse_query

    articles = generate(count)
    path = folder / f"index-{count}.sqlite"
    started = time.perf_counter()
    index = SearchIndex.create(path)
    index.apply(Upsert(article, "v1") for article in articles)
    index.optimize()
    build = time.perf_counter() - started
    index.close()
    size = path.stat().st_size
    reader = SearchIndex.open(path, read_only=True)
    parsed = [parse_query(text) for text in QUERIES]
    for query in parsed:  # warm the page cache
        reader.search(SearchRequest(query, limit=10))
    latencies: list[float] = []
    for _ in range(QUERY_RUNS):
        for query in parsed:
            begin = time.perf_counter()
            reader.search(SearchRequest(query, limit=10, facets=("section",)))
            latencies.append((time.perf_counter() - begin) * 1000)
    reader.close()
    return {
        "articles": count,
        "build_seconds": round(build, 2),
        "index_bytes": size,
        "bytes_per_article": round(size / count),
        "query_p50_ms": round(_percentile(latencies, 0.50), 2),
        "query_p99_ms": round(_percentile(latencies, 0.99), 2),
    }


QUICK_SIZES = (500, 2_000)


def measure(sizes: tuple[int, ...] = SIZES, *, quick: bool = False) -> dict[str, Any]:
    """The figures per size, and the growth from the smallest size to the largest
    (`quick`: small sizes, for a test of the bench itself)."""
    if quick:
        sizes = QUICK_SIZES
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as scratch:
        runs = [measure_one(count, Path(scratch)) for count in sizes]
    small, large = runs[0], runs[-1]
    growth = {
        name: round(large[name] / small[name], 2) if small[name] else None
        for name in ("articles", "build_seconds", "index_bytes", "query_p50_ms", "query_p99_ms")
    }
    return {"runs": runs, "growth": growth}


def report(figures: dict[str, Any]) -> None:
    for run in figures["runs"]:
        print(
            f"search  {run['articles']:>7,} articles: build {run['build_seconds']:.1f} s, "
            f"index {run['index_bytes'] / 1e6:,.1f} MB ({run['bytes_per_article']:,} B/article), "
            f"query p50 {run['query_p50_ms']:.1f} ms, p99 {run['query_p99_ms']:.1f} ms"
        )
    growth = figures["growth"]
    print(
        f"search  growth x{growth['articles']:g} articles: build x{growth['build_seconds']}, "
        f"size x{growth['index_bytes']}, p50 x{growth['query_p50_ms']}, "
        f"p99 x{growth['query_p99_ms']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="article counts to index"
    )
    args = parser.parse_args()
    report(measure(tuple(args.sizes)))


if __name__ == "__main__":
    main()
