"""The search index file: versioned upserts and removals, ranking, filters, facets, snippets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.models import ArticleFilters
from newsdesk.search.index import (
    IndexFileError,
    Removal,
    SearchIndex,
    SearchRequest,
    Upsert,
)
from newsdesk.search.query import parse_query
from tests.unit.search_support import article, build_index

WIND = article(
    "wind",
    "A harbour town bets its future on offshore wind",
    [
        "Kallvik will be the service port for a wind farm.",
        "Fishermen fear the odds: 2 < 3 & fish > chips.",
    ],
    authors=["Maria Lindqvist"],
    section="Analysis",
    keywords=["energy", "harbour"],
    published_at="2026-10-14T00:00:00Z",
)
RIVER = article(
    "river",
    "Volunteers pull two tonnes of plastic from the Aller river",
    ["More than 400 volunteers spent Saturday in the river and the harbour."],
    authors=["Maria Lindqvist"],
    section="Environment",
    published_at="2026-09-01T00:00:00Z",
)
BERLIN = article(
    "berlin",
    "Die Fußgängerzone in München wird erneuert",
    ["Die Stadt erneuert das Pflaster der Fußgängerzone, die Läufer freuen sich."],
    language="de",
    section="Lokales",
    published_at="2026-08-01T00:00:00Z",
)


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    return build_index(tmp_path / "index.sqlite", [WIND, RIVER, BERLIN])


def search(index: SearchIndex, text: str, **options: object) -> list[str]:
    request = SearchRequest(parse_query(text), **options)  # type: ignore[arg-type]
    return [hit.id for hit in index.search(request).hits]


def test_headline_outranks_body(index: SearchIndex) -> None:
    # Both mention "harbour"; the one with it in its headline comes first.
    assert search(index, "harbour") == [WIND.id, RIVER.id]


def test_newest_order_ignores_relevance(index: SearchIndex) -> None:
    assert search(index, "harbour", order="newest") == [WIND.id, RIVER.id]
    assert search(index, "maria OR stadt", order="newest") == [WIND.id, RIVER.id, BERLIN.id]


def test_accents_fold_both_ways_and_other_languages_are_not_stemmed(index: SearchIndex) -> None:
    assert search(index, "munchen") == [BERLIN.id]
    assert search(index, "München") == [BERLIN.id]
    assert search(index, "Läufer") == [BERLIN.id]
    # Porter stemming is for English only: "erneuert" does not match "erneuern".
    assert search(index, "erneuern") == []


def test_english_is_stemmed(index: SearchIndex) -> None:
    assert search(index, "volunteering") == [RIVER.id]
    assert search(index, "fishermen fearing") == [WIND.id]


def test_filters_narrow_the_matches(index: SearchIndex) -> None:
    assert search(index, "harbour", filters=ArticleFilters(section="environment")) == [RIVER.id]
    assert search(index, "harbour", filters=ArticleFilters(tag="energy")) == [WIND.id]
    assert search(index, "harbour", filters=ArticleFilters(author="maria-lindqvist")) == [
        WIND.id,
        RIVER.id,
    ]
    assert search(index, "stadt OR harbour", filters=ArticleFilters(lang="de")) == [BERLIN.id]
    start = datetime(2026, 9, 15, tzinfo=UTC)
    assert search(index, "harbour", filters=ArticleFilters(start=start)) == [WIND.id]
    assert search(index, "harbour", filters=ArticleFilters(end=start)) == [RIVER.id]


def test_facets_count_the_whole_result_set(index: SearchIndex) -> None:
    request = SearchRequest(
        parse_query("harbour OR stadt"), limit=1, facets=("section", "author", "lang")
    )
    results = index.search(request)
    assert len(results.hits) == 1 and results.more
    assert {(f.value, f.label, f.count) for f in results.facets["section"]} == {
        ("analysis", "Analysis", 1),
        ("environment", "Environment", 1),
        ("lokales", "Lokales", 1),
    }
    assert [(f.value, f.count) for f in results.facets["author"]] == [("maria-lindqvist", 2)]
    assert [(f.value, f.count) for f in results.facets["lang"]] == [("en", 2), ("de", 1)]


def test_pages_follow_each_other(index: SearchIndex) -> None:
    query = parse_query("harbour OR stadt")
    first = index.search(SearchRequest(query, limit=2))
    second = index.search(SearchRequest(query, limit=2, offset=2))
    assert first.more and not second.more
    ids = [hit.id for hit in first.hits + second.hits]
    assert sorted(ids) == sorted([WIND.id, RIVER.id, BERLIN.id])


def test_snippet_marks_matches_and_escapes_the_text(index: SearchIndex) -> None:
    (hit,) = index.search(SearchRequest(parse_query("fish"))).hits
    assert "<mark>fish</mark>" in hit.snippet
    # Stored text holds no markup, but "<", ">" and "&" as text are escaped in the HTML snippet
    assert "2 &lt; 3 &amp; <mark>fish</mark> &gt; chips" in hit.snippet
    assert "<b>" not in hit.snippet
    assert hit.headline == WIND.headline and hit.score > 0


def test_a_modified_article_is_found_by_its_new_words_only(index: SearchIndex) -> None:
    changed = WIND.model_copy(update={"body": ["The port will service a solar park instead."]})
    index.apply([Upsert(changed, "v2")])
    assert search(index, "solar") == [WIND.id]
    assert search(index, "kallvik") == []
    assert index.count() == 3


def test_a_removed_article_disappears(index: SearchIndex) -> None:
    index.apply([Removal(RIVER.id, "v2")])
    assert search(index, "volunteers") == []
    assert search(index, "harbour") == [WIND.id]


def test_replays_and_reorders_are_harmless(index: SearchIndex) -> None:
    changed = WIND.model_copy(update={"body": ["Now about tidal power."]})
    # Given v3 applied, then an older upsert (v2) and an older removal (v1) arrive late
    index.apply([Upsert(changed, "v3")])
    counts = index.apply([Upsert(WIND, "v2"), Removal(WIND.id, "v1")])
    # Then both are skipped and v3 stands
    assert counts.skipped == 2
    assert search(index, "tidal") == [WIND.id]
    # And a removal (v4) is not undone by replaying v3
    index.apply([Removal(WIND.id, "v4"), Upsert(changed, "v3")])
    assert search(index, "tidal") == []
    # But a newer version (a re-upload) brings the article back
    index.apply([Upsert(changed, "v5")])
    assert search(index, "tidal") == [WIND.id]


def test_more_like_this_excludes_the_article(index: SearchIndex) -> None:
    hits = index.more_like_this(WIND.id, '"harbour" OR "volunteers"', limit=5)
    assert [hit.id for hit in hits] == [RIVER.id]


def test_a_file_that_is_no_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexFileError):
        SearchIndex.open(path)


def test_a_closed_index_reopens_read_only(index: SearchIndex, tmp_path: Path) -> None:
    index.close()
    reader = SearchIndex.open(tmp_path / "index.sqlite", read_only=True)
    assert search(reader, "harbour") == [WIND.id, RIVER.id]
