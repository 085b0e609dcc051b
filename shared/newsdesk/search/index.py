"""The search index: one SQLite file with FTS5 tables, the packaged SQLite of the layer (sqlean).

Layout (SCHEMA_VERSION):
  docs(rowid, id, version, stemmed, sort_at, language, section, section_slug, data)
      one row per indexed article; `data` is zlib-compressed JSON of its summary fields (what a
      hit shows) and of the texts it was indexed with (for snippets)
  doc_authors(doc, slug, name), doc_tags(doc, tag)   filters and facets
  removed(id, version)    deletions, so a replayed older upsert cannot bring an article back
  fts_stem, fts_plain     contentless FTS5 tables (headline, standfirst, body, author,
                          keywords), rowid = docs.rowid. English articles (and those of unknown
                          language) go to fts_stem (porter stemming), other languages to
                          fts_plain; both fold case and remove diacritics (unicode61
                          remove_diacritics 2). Contentless: the text is kept once, compressed
                          in docs.data; a page's snippets come from a small in-memory FTS5 table
                          of that page's texts, searched with the same query.
Changes carry a version (the record's change time, fixed width so strings order as times):
an upsert or removal older than what the index holds for that id is skipped, so replays and
reorders are harmless. sqlean is imported on first use, so importing this module is cheap.
"""

from __future__ import annotations

import html
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from newsdesk.models import SUMMARY_FIELDS, Article, ArticleFilters, FacetCount, SearchHit
from newsdesk.search.query import (
    COLUMNS,
    MARK_CLOSE,
    MARK_OPEN,
    ParsedQuery,
    clean_text,
    fts_string,
    has_word,
)
from newsdesk.slugs import slugify
from newsdesk.storage.items import normalize_headline
from newsdesk.storage.keys import format_time

SCHEMA_VERSION = "2"
# Column weights of BM25, in COLUMNS order: headline above standfirst above body.
WEIGHTS: tuple[float, ...] = (10.0, 4.0, 1.0, 3.0, 3.0)
FACETS: tuple[str, ...] = ("section", "author", "tag", "lang")
MAX_FACET_VALUES = 20
# Only the first this many characters of a body are indexed (a 10 MiB file stays searchable by
# its beginning, and one article cannot dominate the file).
MAX_BODY_CHARS = 100_000
SNIPPET_TOKENS = 24
STEMMED_LANGUAGES = frozenset({"en"})

Order = Literal["relevance", "newest"]
_TABLES = ("fts_stem", "fts_plain")
_TOKENIZERS = {
    "fts_stem": "porter unicode61 remove_diacritics 2",
    "fts_plain": "unicode61 remove_diacritics 2",
}


class IndexFileError(Exception):
    """The file is not a search index of this schema (corrupt, or from another version)."""


@dataclass(frozen=True)
class Upsert:
    article: Article
    version: str


@dataclass(frozen=True)
class Removal:
    article_id: str
    version: str


Change = Upsert | Removal


@dataclass
class ApplyCounts:
    upserted: int = 0
    removed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    filters: ArticleFilters = field(default_factory=ArticleFilters)
    order: Order = "relevance"
    limit: int = 20
    offset: int = 0
    facets: tuple[str, ...] = ()


@dataclass
class SearchResults:
    hits: list[SearchHit]
    more: bool = False
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)


def _sqlite() -> Any:
    """The packaged SQLite (FTS5 guaranteed); never the runtime's own sqlite3."""
    import sqlean

    return sqlean


def connect(path: Path | str, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to an index file; read-only ones never write or lock (the file is replaced,
    not changed, while readers have it open)."""
    driver = _sqlite()
    if read_only:
        uri = f"file:{Path(path).resolve()}?mode=ro&immutable=1"
        connection = driver.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    else:
        connection = driver.connect(str(path), check_same_thread=False, isolation_level=None)
    # isolation_level=None: no implicit transactions; updates are explicit BEGIN/COMMIT.
    return cast(sqlite3.Connection, connection)


class SearchIndex:
    """Queries and updates of one index file."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._snippet_tables: set[str] = set()

    # ------------------------------------------------------------ opening

    @classmethod
    def create(cls, path: Path | str) -> SearchIndex:
        """A new, empty index at path (an existing file there is replaced)."""
        Path(path).unlink(missing_ok=True)
        index = cls(connect(path))
        index._create_schema()
        return index

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool = False) -> SearchIndex:
        """An existing index file; IndexFileError unless it is one of this schema."""
        index = cls(connect(path, read_only=read_only))
        try:
            row = index._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except _sqlite().DatabaseError as error:
            index.close()
            raise IndexFileError(f"{path} is not a search index: {error}") from error
        if row is None or row[0] != SCHEMA_VERSION:
            index.close()
            raise IndexFileError(f"{path} has index schema {row and row[0]}, not {SCHEMA_VERSION}")
        return index

    def close(self) -> None:
        self._db.close()

    def _create_schema(self) -> None:
        statements = [
            "PRAGMA journal_mode = DELETE",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
            " version TEXT NOT NULL, stemmed INTEGER NOT NULL, sort_at TEXT NOT NULL,"
            " language TEXT, section TEXT, section_slug TEXT, data BLOB NOT NULL)",
            "CREATE INDEX docs_sort ON docs (sort_at, id)",
            "CREATE INDEX docs_section ON docs (section_slug)",
            "CREATE TABLE doc_authors (doc INTEGER NOT NULL, slug TEXT NOT NULL,"
            " name TEXT NOT NULL, PRIMARY KEY (doc, slug)) WITHOUT ROWID",
            "CREATE INDEX doc_authors_slug ON doc_authors (slug)",
            "CREATE TABLE doc_tags (doc INTEGER NOT NULL, tag TEXT NOT NULL,"
            " PRIMARY KEY (doc, tag)) WITHOUT ROWID",
            "CREATE INDEX doc_tags_tag ON doc_tags (tag)",
            "CREATE TABLE removed (id TEXT PRIMARY KEY, version TEXT NOT NULL) WITHOUT ROWID",
        ]
        columns = ", ".join(COLUMNS)
        for table, tokenizer in _TOKENIZERS.items():
            statements.append(
                f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content = '',"
                f" contentless_delete = 1, tokenize = '{tokenizer}')"
            )
        with self._transaction():
            for statement in statements:
                self._db.execute(statement)
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------ updates

    def apply(self, changes: Iterable[Change]) -> ApplyCounts:
        """Apply upserts and removals in one transaction; older versions than stored are skipped."""
        counts = ApplyCounts()
        with self._transaction():
            for change in changes:
                if isinstance(change, Upsert):
                    applied = self._upsert(change.article, change.version)
                    counts.upserted += applied
                else:
                    applied = self._remove(change.article_id, change.version)
                    counts.removed += applied
                counts.skipped += not applied
        return counts

    def optimize(self) -> None:
        """Merge the FTS5 segments (after a bulk build: smaller file, faster queries)."""
        for table in _TABLES:
            self._db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        self._db.commit()

    def vacuum(self) -> None:
        self._db.execute("VACUUM")

    def _newest_known(self, article_id: str) -> tuple[int | None, int, str | None]:
        """(rowid, stemmed, version) of the indexed article, or of its removal."""
        row = self._db.execute(
            "SELECT rowid, stemmed, version FROM docs WHERE id = ?", (article_id,)
        ).fetchone()
        if row is not None:
            return int(row[0]), int(row[1]), str(row[2])
        removed = self._db.execute(
            "SELECT version FROM removed WHERE id = ?", (article_id,)
        ).fetchone()
        return None, 0, str(removed[0]) if removed else None

    def _upsert(self, article: Article, version: str) -> bool:
        rowid, stemmed, known = self._newest_known(article.id)
        if known is not None and version < known:
            return False
        if rowid is not None:
            self._drop(rowid, stemmed)
        document = _document(article)
        cursor = self._db.execute(
            "INSERT INTO docs (rowid, id, version, stemmed, sort_at, language, section,"
            " section_slug, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rowid,
                article.id,
                version,
                int(document.stemmed),
                document.sort_at,
                article.language,
                article.section,
                slugify(article.section) if article.section else None,
                document.data,
            ),
        )
        new_rowid = cursor.lastrowid
        table = "fts_stem" if document.stemmed else "fts_plain"
        self._db.execute(
            f"INSERT INTO {table} (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
            (new_rowid, *document.texts),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO doc_authors VALUES (?, ?, ?)",
            [(new_rowid, author.slug, author.name) for author in article.authors],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO doc_tags VALUES (?, ?)",
            [(new_rowid, tag) for tag in article.tags],
        )
        self._db.execute("DELETE FROM removed WHERE id = ?", (article.id,))
        return True

    def _remove(self, article_id: str, version: str) -> bool:
        rowid, stemmed, known = self._newest_known(article_id)
        if known is not None and version < known:
            return False
        if rowid is not None:
            self._drop(rowid, stemmed)
        self._db.execute("INSERT OR REPLACE INTO removed VALUES (?, ?)", (article_id, version))
        return True

    def _drop(self, rowid: int, stemmed: int) -> None:
        table = "fts_stem" if stemmed else "fts_plain"
        self._db.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
        self._db.execute("DELETE FROM doc_authors WHERE doc = ?", (rowid,))
        self._db.execute("DELETE FROM doc_tags WHERE doc = ?", (rowid,))
        self._db.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))

    def forget_removals_before(self, version: str) -> int:
        """Drop removal markers older than version (no replay can be that old any more)."""
        cursor = self._db.execute("DELETE FROM removed WHERE version < ?", (version,))
        self._db.commit()
        return cursor.rowcount

    # ------------------------------------------------------------ reads

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def ids(self) -> set[str]:
        return {str(row[0]) for row in self._db.execute("SELECT id FROM docs")}

    def search(self, request: SearchRequest) -> SearchResults:
        """One page of hits (limit + offset), ordered by relevance or newest first, with facets
        counted over every match that passes the filters."""
        matches, params = self._matches(request.query.fts, request.filters)
        order = "m.rank, d.id" if request.order == "relevance" else "d.sort_at DESC, d.id DESC"
        rows = self._db.execute(
            f"WITH m(rowid, rank) AS ({matches}) "
            "SELECT d.rowid, d.stemmed, m.rank, d.data FROM m JOIN docs d ON d.rowid = m.rowid"
            f" WHERE {_filter_sql(request.filters)} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, *_filter_params(request.filters), request.limit + 1, request.offset],
        ).fetchall()
        more = len(rows) > request.limit
        rows = rows[: request.limit]
        snippets = self._snippets(request.query.fts, rows)
        hits = [
            SearchHit.model_validate(
                {
                    **_unpack(data)["s"],
                    "score": round(-float(rank), 6),
                    "snippet": snippets.get(int(rowid), ""),
                }
            )
            for rowid, _, rank, data in rows
        ]
        facets = {
            name: self._facet(name, matches, params, request.filters) for name in request.facets
        }
        return SearchResults(hits=hits, more=more, facets=facets)

    def more_like_this(
        self, article_id: str, fts: str, *, limit: int, filters: ArticleFilters | None = None
    ) -> list[SearchHit]:
        """The best matches of an OR query (an article's keywords), the article itself excluded."""
        filters = filters or ArticleFilters()
        matches, params = self._matches(fts, filters)
        rows = self._db.execute(
            f"WITH m(rowid, rank) AS ({matches}) "
            "SELECT d.rowid, d.stemmed, m.rank, d.data FROM m JOIN docs d ON d.rowid = m.rowid"
            f" WHERE d.id != ? AND {_filter_sql(filters)} ORDER BY m.rank, d.id LIMIT ?",
            [*params, article_id, *_filter_params(filters), limit],
        ).fetchall()
        return [
            SearchHit.model_validate(
                {**_unpack(data)["s"], "score": round(-float(rank), 6), "snippet": ""}
            )
            for _, _, rank, data in rows
        ]

    def by_headline(self, headline: str, *, limit: int = 5) -> list[SearchHit]:
        """Articles whose headline is `headline` (case, accents and punctuation aside): what a
        "Read more" link names. A phrase match on the headline column, then an exact check."""
        text = " ".join(clean_text(headline).split())
        wanted = normalize_headline(headline)
        if not has_word(text) or not wanted:
            return []
        matches, params = self._matches("{headline} : " + fts_string(text), ArticleFilters())
        rows = self._db.execute(
            f"WITH m(rowid, rank) AS ({matches}) "
            "SELECT d.data FROM m JOIN docs d ON d.rowid = m.rowid ORDER BY m.rank, d.id LIMIT ?",
            [*params, limit * 4],
        ).fetchall()
        hits = [_hit(data) for (data,) in rows]
        return [hit for hit in hits if normalize_headline(hit.headline) == wanted][:limit]

    def latest(
        self, filters: ArticleFilters, *, exclude: Iterable[str] = (), limit: int
    ) -> list[SearchHit]:
        """The newest articles that pass the filters (e.g. one author's), some ids excluded."""
        excluded = set(exclude)
        rows = self._db.execute(
            f"SELECT d.id, d.data FROM docs d WHERE {_filter_sql(filters)}"
            " ORDER BY d.sort_at DESC, d.id DESC LIMIT ?",
            [*_filter_params(filters), limit + len(excluded)],
        ).fetchall()
        return [_hit(data) for article_id, data in rows if article_id not in excluded][:limit]

    def _matches(self, fts: str, filters: ArticleFilters) -> tuple[str, list[Any]]:
        """SQL of (rowid, rank) over the FTS tables that can hold matches, and its parameters."""
        tables = list(_TABLES)
        if filters.lang is not None:
            tables = ["fts_stem" if filters.lang in STEMMED_LANGUAGES else "fts_plain"]
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        parts = [
            f"SELECT rowid, bm25({table}, {weights}) FROM {table} WHERE {table} MATCH ?"
            for table in tables
        ]
        return " UNION ALL ".join(parts), [fts] * len(tables)

    def _snippets(self, fts: str, rows: Sequence[Sequence[Any]]) -> dict[int, str]:
        """Snippets of a page's hits: their texts go into a small in-memory FTS5 table with the
        same tokenizer, which FTS5's snippet() then reads with the same query."""
        found: dict[int, str] = {}
        for stemmed in (1, 0):
            page = [(int(row[0]), _unpack(row[3])["t"]) for row in rows if int(row[1]) == stemmed]
            if not page:
                continue
            table = self._snippet_table(bool(stemmed))
            self._db.execute(f"DELETE FROM {table}")
            marks = ", ".join("?" * (len(COLUMNS) + 1))
            self._db.executemany(
                f"INSERT INTO {table} (rowid, {', '.join(COLUMNS)}) VALUES ({marks})",
                [(rowid, *texts) for rowid, texts in page],
            )
            for rowid, text in self._db.execute(
                f"SELECT rowid, snippet({_bare(table)}, -1, ?, ?, '…', ?) FROM {table}"
                f" WHERE {_bare(table)} MATCH ?",
                [MARK_OPEN, MARK_CLOSE, SNIPPET_TOKENS, fts],
            ):
                found[int(rowid)] = _html_snippet(str(text or ""))
        return found

    def _snippet_table(self, stemmed: bool) -> str:
        table = "temp.snippets_stem" if stemmed else "temp.snippets_plain"
        if table not in self._snippet_tables:
            tokenizer = _TOKENIZERS["fts_stem" if stemmed else "fts_plain"]
            self._db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({', '.join(COLUMNS)},"
                f" tokenize = '{tokenizer}')"
            )
            self._snippet_tables.add(table)
        return table

    def _facet(
        self, name: str, matches: str, params: list[Any], filters: ArticleFilters
    ) -> list[FacetCount]:
        value, label, join = {
            "section": ("d.section_slug", "d.section", ""),
            "author": ("a.slug", "a.name", " JOIN doc_authors a ON a.doc = d.rowid"),
            "tag": ("t.tag", "t.tag", " JOIN doc_tags t ON t.doc = d.rowid"),
            "lang": ("d.language", "d.language", ""),
        }[name]
        rows = self._db.execute(
            f"WITH m(rowid, rank) AS ({matches}) SELECT {value}, max({label}), count(*)"
            f" FROM m JOIN docs d ON d.rowid = m.rowid{join}"
            f" WHERE {value} IS NOT NULL AND {_filter_sql(filters)}"
            f" GROUP BY {value} ORDER BY count(*) DESC, {value} LIMIT ?",
            [*params, *_filter_params(filters), MAX_FACET_VALUES],
        ).fetchall()
        return [FacetCount(value=str(v), label=str(lab), count=int(n)) for v, lab, n in rows]


# ---------------------------------------------------------------- documents


@dataclass(frozen=True)
class _Document:
    stemmed: bool
    sort_at: str
    data: bytes  # zlib of {"s": summary fields, "t": texts}
    texts: tuple[str, ...]  # in COLUMNS order


def _document(article: Article) -> _Document:
    moment = article.published_at or article.ingested_at or article.updated_at
    body = clean_text("\n".join(article.body))[:MAX_BODY_CHARS]
    texts = (
        clean_text(article.headline),
        clean_text(article.standfirst or ""),
        body,
        clean_text(", ".join(author.name for author in article.authors)),
        clean_text(", ".join(article.keywords)),
    )
    summary = article.model_dump(mode="json", include=set(SUMMARY_FIELDS))
    return _Document(
        stemmed=article.language is None or article.language in STEMMED_LANGUAGES,
        sort_at=format_time(moment) if moment else "",
        data=zlib.compress(
            json.dumps(
                {"s": summary, "t": texts}, ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8"),
            6,
        ),
        texts=texts,
    )


def _filter_sql(filters: ArticleFilters) -> str:
    clauses = ["1"]
    if filters.section is not None:
        clauses.append("d.section_slug = ?")
    if filters.author is not None:
        clauses.append("EXISTS (SELECT 1 FROM doc_authors x WHERE x.doc = d.rowid AND x.slug = ?)")
    if filters.tag is not None:
        clauses.append("EXISTS (SELECT 1 FROM doc_tags x WHERE x.doc = d.rowid AND x.tag = ?)")
    if filters.lang is not None:
        clauses.append("d.language = ?")
    if filters.start is not None:
        clauses.append("d.sort_at >= ?")
    if filters.end is not None:
        clauses.append("d.sort_at <= ?")
    return " AND ".join(clauses)


def _filter_params(filters: ArticleFilters) -> list[Any]:
    params: list[Any] = [
        value
        for value in (filters.section, filters.author, filters.tag, filters.lang)
        if value is not None
    ]
    if filters.start is not None:
        params.append(format_time(filters.start))
    if filters.end is not None:
        params.append(format_time(filters.end))
    return params


def _hit(data: bytes) -> SearchHit:
    return SearchHit.model_validate({**_unpack(data)["s"], "score": 0.0, "snippet": ""})


def _unpack(data: bytes) -> dict[str, Any]:
    unpacked: dict[str, Any] = json.loads(zlib.decompress(data))
    return unpacked


def _bare(table: str) -> str:
    """A table's name without its schema (what FTS5's auxiliary functions and MATCH take)."""
    return table.rpartition(".")[2]


def _html_snippet(text: str) -> str:
    """FTS5's snippet (raw text with our private-use marks) as HTML: escaped, marks as <mark>."""
    escaped = html.escape(text, quote=False)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


__all__ = [
    "FACETS",
    "ApplyCounts",
    "Change",
    "IndexFileError",
    "Removal",
    "SearchIndex",
    "SearchRequest",
    "SearchResults",
    "Upsert",
]
