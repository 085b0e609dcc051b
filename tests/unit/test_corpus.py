"""Every file of the shared corpus parses and meets its expectations in truth.jsonl.

Scoring follows ../shared/corpus/README.md: exact headline (whitespace and quote styles
normalized), author names as case-insensitive sets, the date part of published_at, source_url,
dateline; body by 4-gram shingle precision/recall/F1 over lowercased, punctuation-stripped tokens
(recall only where `body_score` is "recall"); `checks` [field, op, value]; `forbidden` patterns
that must match no text field. The per-corpus table prints with `pytest -s` and sits in the
failure message of test_corpus_scores.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newsdesk.errors import ParseError
from newsdesk.parsing import parse_article
from tests.conftest import CORPUS_DIR

pytestmark = pytest.mark.corpus

TEXT_CORPORA = ("seed", "bbc", "reuters", "multi_outlet", "ap", "horne2017", "cnn", "markdown")
HTML_CORPORA = ("scrapinghub", "trafilatura")
MIN_BODY_F1 = {**dict.fromkeys(TEXT_CORPORA, 0.95), **dict.fromkeys(HTML_CORPORA, 0.90)}
EXACT_FIELDS = ("headline", "authors", "published_at", "source_url", "dateline")

# Files the parser does not yet meet, each with the reason found when investigating it. They are
# strict xfails: listed in every `-ra` summary, and a file that starts passing fails the run
# until it is removed from here. Thresholds are never lowered for them.
KNOWN_FAILURES: dict[str, str] = {
    "html/trafilatura/der-erfolg-gibt-recht.de.rinderleber.html": (
        "authors: truth says 'Rezepte von Mutti', the post's category link (rel='category tag'; "
        "newsdesk gives it as the section); the only author the page states is its author meta "
        "'Frank Bueltge - http://bueltge.de'. Taking a category for a person would invent one"
    ),
    "html/trafilatura/fluessiggas.de.dimethylether.html": (
        "headline: truth is the CSS-uppercased rendering, the bytes say 'Dimethylether: "
        "Alternative für das Heizen der Zukunft' (a record keeps the source's case); body: the "
        "article spans several sibling page sections and trafilatura keeps one of them with "
        "every option (fast: the intro; full, favor_recall, favor_precision: no better)"
    ),
    "html/trafilatura/0b5db24739704283849ca3ed20ce09d4.html": (
        "forbidden: truth forbids the article's own last sentence ('… damit die Stadt in einem "
        "Gerichtsverfahren Indizien vorlegen könne.'), which the page shows inside the article "
        "and in its JSON-LD articleBody; truth's text stops before it"
    ),
    "html/trafilatura/badische-zeitung.de-Wohnungssuche.html": (
        "authors: the page names no author in its markup or text; 'Lisa Petrich' is only in "
        "analytics scripts (tp.push setContentAuthor, a tracking JSON); its author meta names "
        "the paper itself, 'Badische Zeitung', which is no person"
    ),
    "html/trafilatura/beige.de.suedfrankreich.html": (
        "published_at: the page states 2022-11-06T23:00:00.000Z (midnight in Germany) in "
        "article:published_time and <time>; records are UTC, so the date part is 11-06, "
        "truth takes the local date"
    ),
    "html/trafilatura/eishockeynews.de-halbfinale.html": (
        "headline: truth takes the kicker line of the <h1> (span.articleoverline 'Das Halbfinale "
        "der Champions Hockey League am Dienstag'); og:title, <title> and the <h1>'s headline "
        "span all say 'Zweimal Kuusela im Powerplay …', which newsdesk gives"
    ),
    "html/trafilatura/ekiba.de-trauer.html": (
        "authors, published_at: the page names no author and dates itself 'Karlsruhe, "
        "(12.11.2021).'; truth's 'Alexandra Weber' is the press contact of a contact box and "
        "its 2021-12-12 is nowhere in the page"
    ),
    "html/trafilatura/falstaff.de-burgenland.html": (
        "forbidden: 'Rust am Westufer des' is meant for the picture caption (dropped now), but "
        "the article's own text says 'Die wunderschöne Freistadt Rust am Westufer des "
        "Neusiedler Sees …'"
    ),
    "html/trafilatura/internetchemie.info.Heliumkerne.html": (
        "published_at: the page states no publication day ('Darmstadt - Januar 2021.'), only "
        "'Aktualisiert am 17.01.2021.', an update, which newsdesk records as updated_at_source; "
        "an update is not guessed to be the publication"
    ),
    "html/trafilatura/schweizerjaeger.ch-steinkauz.html": (
        "published_at: the page shows 'Jan 04 09:34 2021' under the headline (no machine-"
        "readable date); truth's 2022-01-04 pairs 'Jan 04' with the footer's '© 2022'. "
        "newsdesk reads no date from separate text nodes"
    ),
    "html/trafilatura/spox.com-corona-fealle.html": (
        "forbidden: the article text element ends with a schedule table under its own heading "
        "('Olympia 2022 - Nordische Kombination: Zeitplan …'); truth counts the box as not "
        "article, the page puts it inside the article's text"
    ),
    "html/trafilatura/die-tagespost.de.Demut.html": (
        "check: truth counts the page's subheading (the <h2> in the article's <hgroup>, 'Risiken "
        "und Nebenwirkungen … Pandemie.') as body; trafilatura leaves it out of the text and "
        "newsdesk gives it as the standfirst (the dek), as the scrapinghub truth wants deks"
    ),
    "html/scrapinghub/51d066b0602c9421d8d6410bc4b931700978409a3faa2a984e8fbde519ad7241.html": (
        "body: truth's articleBody holds the page's sidebar headlines ('Man Shot at Dallas Gas "
        "Station Dies at Hospital', 'Fort Worth May Dry Human Waste …') and a video caption; "
        "newsdesk keeps the article (precision 0.91, recall 0.64)"
    ),
    "html/scrapinghub/f105de6e63ca91ea482f60193f6252092557f969f2fd128ff68c0d4d6b90dd7d.html": (
        "body: truth puts spaces around inline links in the Japanese text ('アプリ Kindle for PC "
        "に関する話'); the page has none ('アプリ<a>Kindle for PC</a>に関'), so the shingles "
        "around every link differ"
    ),
}


_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'}
)
_TOKEN = re.compile(r"\w+")


@dataclass
class FileScore:
    file: str
    corpus: str
    error: str | None = None
    fields: dict[str, bool] = field(default_factory=dict)  # exact field -> matched
    authors_f1: float | None = None  # None when truth says nothing of authors
    mismatches: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    checks_total: int = 0
    forbidden_hits: list[str] = field(default_factory=list)
    forbidden_total: int = 0
    body: tuple[float, float, float] | None = None  # precision, recall, F1
    body_recall_only: bool = False

    @property
    def body_score(self) -> float | None:
        if self.body is None:
            return None
        return self.body[1] if self.body_recall_only else self.body[2]

    def problems(self) -> list[str]:
        problems = [self.error] if self.error else []
        problems += self.mismatches + self.checks_failed + self.forbidden_hits
        score = self.body_score
        if score is not None and score < MIN_BODY_F1[self.corpus]:
            kind = "recall" if self.body_recall_only else "F1"
            problems.append(f"body {kind} {score:.3f} < {MIN_BODY_F1[self.corpus]}")
        return problems


def _truth() -> list[dict[str, Any]]:
    path = CORPUS_DIR / "truth.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


TRUTH = _truth()


def normalize_text(value: str) -> str:
    return " ".join(value.translate(_QUOTES).split())


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = _TOKEN.findall(text.lower().replace("_", " "))
    return Counter(" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def body_prf(expected: list[str], actual: list[str]) -> tuple[float, float, float]:
    truth, predicted = shingles("\n".join(expected)), shingles("\n".join(actual))
    true_positive = sum((truth & predicted).values())
    precision = true_positive / max(1, sum(predicted.values()))
    recall = true_positive / max(1, sum(truth.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def names_f1(expected: list[str], actual: list[str]) -> float:
    """F1 of author names as case-insensitive sets; naming none when truth names none is 1."""
    truth, found = {n.casefold() for n in expected}, {n.casefold() for n in actual}
    if not truth and not found:
        return 1.0
    hits = len(truth & found)
    return 2 * hits / (len(truth) + len(found))


def resolve(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if isinstance(value, list):
            value = value[int(part)] if value and -len(value) <= int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _project(actual: Any, expected: Any) -> Any:
    """Keep only the keys the expectation names (a RelatedLink also carries an `id`)."""
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_project(a, e) for a, e in zip(actual, expected, strict=True)]
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: actual.get(key) for key in expected}
    return actual


def run_check(record: dict[str, Any], path: str, op: str, expected: Any) -> bool:
    value = resolve(record, path)
    if op == "eq":
        return bool(_project(value, expected) == expected)
    if op == "len":
        return value is not None and len(value) == expected
    if op == "nonempty":
        return bool(value) == expected
    if op in ("startswith", "contains", "regex"):
        texts = value if isinstance(value, list) else [value]
        texts = [text for text in texts if isinstance(text, str)]
        if op == "startswith":
            return any(text.startswith(expected) for text in texts)
        if op == "contains":
            return any(expected in text for text in texts) or expected in "\n".join(texts)
        return any(re.search(expected, text) for text in texts)
    raise AssertionError(f"unknown check op {op!r}")


def text_fields(record: dict[str, Any]) -> dict[str, list[str]]:
    """Every piece of text the record shows a reader, by field."""
    fields: dict[str, list[str]] = {}

    def walk(name: str, value: Any) -> None:
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
        elif isinstance(value, list):
            for item in value:
                walk(name, item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(name, item)

    for name in (
        "headline",
        "section",
        "standfirst",
        "authors",
        "publisher",
        "dateline",
        "image",
        "body",
        "author_bio",
        "disclaimer",
        "related",
        "summary",
        "keywords",
    ):
        walk(name, record.get(name))
    return fields


def score_file(entry: dict[str, Any]) -> FileScore:
    """newsdesk's record of a corpus file, scored against its truth."""
    path = CORPUS_DIR / entry["file"]
    try:
        article = parse_article(path.read_bytes(), filename=str(path))
    except ParseError as exc:
        score = FileScore(file=entry["file"], corpus=entry["corpus"])
        score.error = f"ParseError {exc}"
        return score
    return score_record(entry, article.model_dump(mode="json"))


def baseline_file(entry: dict[str, Any]) -> FileScore:
    """Bare trafilatura on the same file (its defaults, its own decoding), scored the same way.

    A page goes in as its bytes. trafilatura finds nothing in plain text, so a text file goes in
    as the minimal page a reader would make of it, one <p> per line. Its document is read as a
    record: title as headline, author (joined by "; ") as authors, date, url, sitename as
    publisher, first category as section, tags as keywords, text lines as body paragraphs.
    """
    import trafilatura
    from trafilatura.utils import decode_file

    data = (CORPUS_DIR / entry["file"]).read_bytes()
    page: bytes | str = data
    if not entry["file"].startswith("html/"):
        lines = decode_file(data).splitlines()
        page = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line.strip())
        page = f"<html><body>{page}</body></html>"
    document = trafilatura.bare_extraction(page, with_metadata=True)
    if document is None:
        return score_record(entry, {"headline": "", "authors": [], "body": []})
    record = {
        "headline": document.title or "",
        "authors": [{"name": n.strip()} for n in (document.author or "").split(";") if n.strip()],
        "published_at": document.date,
        "source_url": document.url,
        "publisher": document.sitename,
        "section": (document.categories or [None])[0],
        "keywords": document.tags or [],
        "body": [line for line in (document.text or "").split("\n") if line.strip()],
    }
    return score_record(entry, record)


def score_record(entry: dict[str, Any], record: dict[str, Any]) -> FileScore:
    score = FileScore(file=entry["file"], corpus=entry["corpus"])
    expect = entry["expect"]
    for name in EXACT_FIELDS:
        if name in expect:
            matched, shown = _compare_exact(name, expect[name], record)
            score.fields[name] = matched
            if not matched:
                score.mismatches.append(f"{name}: expected {expect[name]!r}, got {shown!r}")
    if "authors" in expect:
        score.authors_f1 = names_f1(expect["authors"], _author_names(record))
    for path_, op, value in expect.get("checks", []):
        score.checks_total += 1
        if not run_check(record, path_, op, value):
            got = resolve(record, path_)
            shown = got[:80] + "…" if isinstance(got, str) and len(got) > 80 else got
            score.checks_failed.append(f"check {path_} {op} {value!r}: got {shown!r}"[:300])
    fields = text_fields(record)
    for name, pattern in expect.get("forbidden", []):
        score.forbidden_total += 1
        names = fields if name == "*" else {name: fields.get(name, [])}
        for field_name, texts in names.items():
            if any(re.search(pattern, text) for text in texts):
                score.forbidden_hits.append(f"forbidden {pattern!r} found in {field_name}")
    if "body" in expect:
        score.body = body_prf(expect["body"], record.get("body") or [])
        score.body_recall_only = expect.get("body_score") == "recall"
    return score


def _author_names(record: dict[str, Any]) -> list[str]:
    return [author["name"] for author in record.get("authors") or []]


def _compare_exact(name: str, expected: Any, record: dict[str, Any]) -> tuple[bool, Any]:
    if name == "headline":
        headline = record.get("headline") or ""
        return normalize_text(expected) == normalize_text(headline), headline
    if name == "authors":
        names = _author_names(record)
        return {n.casefold() for n in expected} == {n.casefold() for n in names}, names
    if name == "published_at":
        stated = record.get("published_at")
        got = stated[:10] if stated else None
        return (expected[:10] if expected else None) == got, got
    if name == "source_url":
        return expected == record.get("source_url"), record.get("source_url")
    dateline = record.get("dateline")
    if expected is None or dateline is None:
        return expected == dateline, dateline
    return all(dateline.get(key) == value for key, value in expected.items()), dateline


@cache
def all_scores() -> tuple[FileScore, ...]:
    return tuple(score_file(entry) for entry in TRUTH)


@cache
def baseline_scores() -> tuple[FileScore, ...]:
    return tuple(baseline_file(entry) for entry in TRUTH)


# The metrics compared per corpus, each a mean over the files whose truth states it.
METRICS = ("headline", "authors F1", "date", "url", "dateline", "checks", "forbid", "body")


def corpus_metrics(group: list[FileScore]) -> dict[str, float | None]:
    """Per metric: headline/date/url/dateline the share of exact matches, authors the mean F1,
    checks and forbidden patterns the share met, body the mean F1 (recall for recall corpora)."""

    def share(values: list[bool]) -> float | None:
        return sum(values) / len(values) if values else None

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    checks = sum(s.checks_total for s in group)
    forbidden = sum(s.forbidden_total for s in group)
    return {
        "headline": share([s.fields["headline"] for s in group if "headline" in s.fields]),
        "authors F1": mean([s.authors_f1 for s in group if s.authors_f1 is not None]),
        "date": share([s.fields["published_at"] for s in group if "published_at" in s.fields]),
        "url": share([s.fields["source_url"] for s in group if "source_url" in s.fields]),
        "dateline": share([s.fields["dateline"] for s in group if "dateline" in s.fields]),
        "checks": (checks - sum(len(s.checks_failed) for s in group)) / checks if checks else None,
        "forbid": (
            (forbidden - sum(len(s.forbidden_hits) for s in group)) / forbidden
            if forbidden
            else None
        ),
        "body": mean([s.body_score for s in group if s.body_score is not None]),
    }


def by_corpus(scores: tuple[FileScore, ...]) -> dict[str, list[FileScore]]:
    groups: dict[str, list[FileScore]] = {}
    for score in scores:
        groups.setdefault(score.corpus, []).append(score)
    return groups


def score_table(scores: tuple[FileScore, ...], baseline: tuple[FileScore, ...]) -> str:
    """Per corpus and metric, newsdesk's score beside bare trafilatura's ("nd/tf")."""
    header = f"{'corpus':<12}{'files':>6}{'pass':>7}" + "".join(f"{m:>12}" for m in METRICS)
    lines = [
        "newsdesk / bare trafilatura on the same files",
        header,
        "-" * len(header),
    ]
    base_groups = by_corpus(baseline)
    for corpus, group in by_corpus(scores).items():
        ours, theirs = corpus_metrics(group), corpus_metrics(base_groups[corpus])
        cells = "".join(
            f"{'-' if ours[m] is None else f'{ours[m]:.2f}/{theirs[m]:.2f}':>12}" for m in METRICS
        )
        passed = f"{sum(1 for s in group if not s.problems())}/{len(group)}"
        lines.append(f"{corpus:<12}{len(group):>6}{passed:>7}{cells}")
    lines.append("(body: mean F1, recall for horne2017; authors: mean F1 of the name sets)")
    for s in scores:
        if s.problems():
            label = "KNOWN" if s.file in KNOWN_FAILURES else "FAIL"
            lines.append(f"{label} {s.file}: " + " | ".join(s.problems()))
    return "\n".join(lines)


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(
            entry,
            id=entry["file"],
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[entry["file"]])]
            if entry["file"] in KNOWN_FAILURES
            else [],
        )
        for entry in TRUTH
    ],
)
def test_corpus_file(corpus_dir: Path, entry: dict[str, Any]) -> None:
    # Given a corpus file, when it is parsed, then it meets every expectation truth.jsonl states
    score = next(s for s in all_scores() if s.file == entry["file"])
    assert not score.problems(), "; ".join(score.problems())


def test_corpus_scores(corpus_dir: Path) -> None:
    scores = all_scores()
    table = score_table(scores, baseline_scores())
    print("\n" + table)
    assert {s.corpus for s in scores} <= set(MIN_BODY_F1), "a corpus without a threshold"
    unexpected = [s.file for s in scores if s.problems() and s.file not in KNOWN_FAILURES]
    assert not unexpected, "\n" + table
    assert set(KNOWN_FAILURES) <= {s.file for s in scores}, "a known failure left the corpus"


def test_corpus_is_complete(corpus_dir: Path) -> None:
    # Every article file in the corpus has a truth line, so nothing escapes scoring.
    files = {
        str(path.relative_to(corpus_dir))
        for path in corpus_dir.rglob("*")
        if path.is_file()
        and path.parent != corpus_dir
        and path.suffix in (".txt", ".html", ".md")
        and "licenses" not in path.parts
    }
    assert files == {entry["file"] for entry in TRUTH}


# Issue 12's bar for each corpus: (corpus, metric of corpus_metrics, minimum). HTML metrics are
# measured where the truth states them (trafilatura: headline, authors, date, checks;
# scrapinghub: body).
THRESHOLDS: list[tuple[str, str, float]] = [
    ("trafilatura", "headline", 0.90),
    ("trafilatura", "authors F1", 0.85),
    ("trafilatura", "date", 0.95),
    ("trafilatura", "checks", 0.97),
    ("scrapinghub", "body", 0.97),
    ("horne2017", "body", 0.99),
]
# Bars not met, with what keeps them out of reach (strict xfails, as for files).
THRESHOLD_SHORTFALLS: dict[tuple[str, str], str] = {
    ("trafilatura", "date"): (
        "38/42 = 0.905: four dates cannot match this truth: beige (the page states "
        "23:00Z, the truth its local date), ekiba and schweizerjaeger (truth dates the pages "
        "do not state), internetchemie (only an update date is stated, and an update is not a "
        "publication); see KNOWN_FAILURES"
    ),
}


@pytest.mark.parametrize(
    ("corpus", "metric", "minimum"),
    [
        pytest.param(
            corpus,
            metric,
            minimum,
            id=f"{corpus}-{metric}",
            marks=[pytest.mark.xfail(strict=True, reason=THRESHOLD_SHORTFALLS[corpus, metric])]
            if (corpus, metric) in THRESHOLD_SHORTFALLS
            else [],
        )
        for corpus, metric, minimum in THRESHOLDS
    ],
)
def test_corpus_meets_its_bar(corpus_dir: Path, corpus: str, metric: str, minimum: float) -> None:
    score = corpus_metrics(by_corpus(all_scores())[corpus])[metric]
    assert score is not None and score >= minimum, f"{corpus} {metric} {score} < {minimum}"


def test_newsdesk_is_at_least_bare_trafilatura_on_every_metric(corpus_dir: Path) -> None:
    # Given newsdesk's and bare trafilatura's scores on the same files, corpus by corpus
    ours, theirs = by_corpus(all_scores()), by_corpus(baseline_scores())
    behind = [
        f"{corpus} {metric}: {mine:.3f} < {base:.3f}"
        for corpus, group in ours.items()
        for metric, mine in corpus_metrics(group).items()
        if mine is not None
        and (base := corpus_metrics(theirs[corpus])[metric]) is not None
        and mine < base
    ]
    # Then newsdesk is behind on none
    assert not behind, "\n".join(behind)


# The 3,000 most frequent words of a language (wordfreq, a dev dependency: its lists are test
# data, never in the layer).
FREQUENT_WORDS = 3000


@cache
def _frequent_words(language: str) -> frozenset[str]:
    import wordfreq

    return frozenset(wordfreq.top_n_list(language, FREQUENT_WORDS))


def test_no_tag_newsdesk_derives_is_a_frequent_word_of_its_language(corpus_dir: Path) -> None:
    # Given every corpus article whose keywords newsdesk derived from its text (not stated)
    generic: list[str] = []
    for entry in TRUTH:
        path = corpus_dir / entry["file"]
        article = parse_article(path.read_bytes(), filename=str(path))
        if article.provenance.get("keywords") != "text":
            continue
        frequent = _frequent_words(article.language or "en")
        for keyword in article.keywords:
            # A one-word tag an editor would drop: a common word of the language. English and
            # the other languages capitalize names only, so a capitalized word there is a name;
            # German capitalizes every noun, so every German one-word tag counts.
            common = keyword.islower() or article.language == "de"
            if " " not in keyword and common and keyword.casefold() in frequent:
                generic.append(f"{entry['file']}: {keyword}")
    # Then none of its one-word tags is among its language's most frequent words
    assert not generic, "\n".join(generic)
