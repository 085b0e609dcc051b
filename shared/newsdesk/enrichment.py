"""Enrichment: what newsdesk derives from a parsed article (id, slug, language, keywords, …).

Pure and deterministic: the same Extracted always gives the same Article. No clock — the service
sets ingested_at/updated_at.

Language detection is a stopword profile over the languages the archive holds (en, de, fr, es,
pt, it, nl, id): for news prose it is right after a sentence or two, costs a few microseconds,
needs no model file in the Lambda layer and never changes between runs. Libraries were weighed:
langdetect is random unless seeded and loads 55 profiles at import; fasttext's model is 1 MB+
and native; lingua is accurate but ~100 MB. A text in a language outside the profiles gets None
rather than a wrong guess.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import compress, filterfalse, repeat
from operator import ge
from typing import Any

from newsdesk.models import Article, Author, Source
from newsdesk.parsing.document import Extracted

WORDS_PER_MINUTE = 230
SUMMARY_TARGET_CHARS = 300
SLUG_MAX_CHARS = 80
HEADLINE_MAX_CHARS = 150
MAX_KEYWORDS = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and of to is that it was for on are with as his they be at have this from by "
        "not but what which their were been has would there will who an or had said its he "
        "she we you about after than when more them into could also over just other some "
        "our these"
    ),
    "de": _words(
        "der die und den von zu das mit sich des auf für ist im dem nicht ein eine als auch "
        "es werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über "
        "einen zum war haben nur oder aber vor zur bis mehr durch sein wurde sei ich wir "
        "uns ihr ihre dann kann schon sehr doch immer vom beim ins unter wenn zwei diese "
        "diesem dieser wieder man gibt"
    ),
    "fr": _words(
        "le la les de des et est un une du en que qui dans pour pas sur au aux avec ce "
        "cette il elle ils sont par plus ont été mais nous vous leur ses son sa comme ou "
        "était être fait aussi très tout bien"
    ),
    "es": _words(
        "el la los las de y que en un una del por con para es se no al lo como más pero sus "
        "su le ya fue este esta ha son muy también sobre entre cuando todo desde hay porque"
    ),
    "pt": _words(
        "o a os as de e que em um uma do da dos das no na nos nas por para com não se é ao "
        "mais mas foi como seu sua ele ela também pelo pela são está já muito quando isso"
    ),
    "it": _words(
        "il lo la i gli le di e che è un una per non del della dei delle con si da in al "
        "alla nel nella sono ha anche come più ma questo questa sul sulla stato essere "
        "hanno loro suo sua"
    ),
    "nl": _words(
        "de het een en van in is dat op te zijn voor met niet aan er die ook als bij door "
        "om maar naar uit dan nog worden wordt werd hij zij wij deze dit heeft hebben meer "
        "over kan tot geen"
    ),
    "id": _words(
        "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh "
        "ada karena sebagai atau bisa mereka kami kita saya sudah telah lebih tersebut "
        "namun harus hanya seperti bahwa para saat secara menjadi banyak"
    ),
}
_PROFILE_WORDS = frozenset().union(*_STOPWORDS.values())
_MIN_LANGUAGE_HITS = 3
_PUNCTUATION_TO_SPACE = str.maketrans(dict.fromkeys('.,;:!?"()[]{}“”„«»‹›—–…/*#|<>_\n\t', " "))
_PUNCTUATION = ".,;:!?\"'()[]{}“”‘’„«»‹›—–-…/*#|<>_"

# Words too common in news prose to be key terms, on top of every language's stopwords.
_NOT_KEYWORDS = frozenset(
    [
        "said",
        "says",
        "say",
        "told",
        "according",
        "also",
        "would",
        "could",
        "should",
        "may",
        "might",
        "must",
        "can",
        "will",
        "one",
        "two",
        "three",
        "four",
        "five",
        "first",
        "last",
        "new",
        "year",
        "years",
        "time",
        "times",
        "people",
        "like",
        "just",
        "many",
        "much",
        "made",
        "make",
        "mr",
        "mrs",
        "ms",
        "dr",
        "get",
        "got",
        "going",
        "week",
        "weeks",
        "day",
        "days",
        "month",
        "months",
        "today",
        "yesterday",
        "still",
        "even",
        "well",
        "back",
        "way",
        "since",
        "while",
        "however",
        "though",
        "being",
        "those",
        "such",
        "very",
        "then",
        "now",
        "here",
        "where",
        "how",
        "why",
        "all",
        "any",
        "each",
        "most",
        "only",
        "own",
        "same",
        "so",
        "too",
        "us",
        "because",
        "before",
        "between",
        "both",
        "during",
        "under",
        "again",
        "further",
        "once",
        "off",
        "out",
        "up",
        "down",
        "did",
        "does",
        "doing",
        "having",
        "your",
        "yours",
        "him",
        "her",
        "hers",
        "herself",
        "himself",
        "itself",
        "themselves",
        "what",
        "whom",
        "whose",
        "against",
        "above",
        "below",
        "through",
        "until",
        "while",
        "there",
        "per",
        "don't",
        "didn't",
        "it's",
        "that's",
        "i'm",
        "can't",
        "won't",
        "isn't",
        "wasn't",
        "take",
        "took",
        "including",
        "around",
        "another",
        "every",
        "lot",
        "little",
        "big",
        "something",
        "nothing",
        "thing",
        "things",
        "part",
    ]
)
_STOP_ALL = frozenset().union(*_STOPWORDS.values()) | _NOT_KEYWORDS
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
# Two to four capitalized words ("Supreme Court", "Bank of England"); Latin scripts.
# Possessive runs: a word is always followed by a space or the end, so giving letters back
# never helps a match; it only costs backtracking.
_CAPITALIZED_PHRASE = re.compile(
    r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ž'’-]++"
    r"(?: (?:of |de |von |van |der |la |del )?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ž'’-]++){1,3}"
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gov",
        "sen",
        "rep",
        "st",
        "jr",
        "sr",
        "gen",
        "lt",
        "col",
        "capt",
        "sgt",
        "prof",
        "inc",
        "co",
        "corp",
        "ltd",
        "no",
        "vs",
        "etc",
        "u.s",
        "u.k",
        "u.n",
        "a.m",
        "p.m",
        "jan",
        "feb",
        "mar",
        "apr",
        "aug",
        "sept",
        "sep",
        "oct",
        "nov",
        "dec",
        "rev",
        "fig",
        "ft",
        "mt",
    ]
)
_LEADING_DATELINE = re.compile(r"^[^\n]{0,80}?\((?:[A-Z][\w.&]{1,20})\)\s*(?:[—–-]{1,2}\s*)?")
_SLUG_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "&": " and ",
        "'": "",
        "’": "",
        "‘": "",
    }
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def enrich(extracted: Extracted, *, identity: str, source: Source, parser_version: str) -> Article:
    """Turn what a format parser found into the article record."""
    article_id = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    body = [paragraph for paragraph in (p.strip() for p in extracted.body) if paragraph]
    headline = (extracted.headline or "").strip() or derive_headline(
        body, has_dateline=extracted.dateline is not None
    )
    authors = _authors(extracted.authors)
    text = "\n".join(body)
    word_count = _word_count(text, body)
    # One pass of token counting serves both language detection and keyword extraction.
    full = f"{headline}\n{text}"
    lower = full.lower()
    counts = _token_counts(lower)
    language = normalize_language(extracted.language) or _language_of(counts)
    keywords = _stated_keywords(extracted.keywords) or _keywords(full, lower, counts, headline)
    content = {
        "headline": headline,
        "section": extracted.section,
        "standfirst": extracted.standfirst,
        "authors": [author.name for author in authors],
        "publisher": extracted.publisher,
        "published_at": _iso(extracted.published_at),
        "updated_at_source": _iso(extracted.updated_at_source),
        "dateline": extracted.dateline.model_dump() if extracted.dateline else None,
        "source_url": extracted.source_url,
        "body": body,
        "author_bio": extracted.author_bio,
        "disclaimer": extracted.disclaimer,
        "related": [
            {"headline": link.headline, "section": link.section} for link in extracted.related
        ],
        "language": language,
    }
    return Article(
        id=article_id,
        slug=slugify(headline) or f"article-{article_id[:8]}",
        headline=headline,
        section=extracted.section,
        standfirst=extracted.standfirst,
        authors=authors,
        publisher=extracted.publisher,
        published_at=extracted.published_at,
        updated_at_source=extracted.updated_at_source,
        dateline=extracted.dateline,
        source_url=extracted.source_url,
        body=body,
        author_bio=extracted.author_bio,
        disclaimer=extracted.disclaimer,
        related=list(extracted.related),
        language=language,
        word_count=word_count,
        reading_time_minutes=max(1, round(word_count / WORDS_PER_MINUTE)),
        summary=summarize(body),
        keywords=keywords,
        tags=_tags(keywords, extracted.section),
        content_hash=content_hash(content),
        source=source,
        parser_version=parser_version,
    )


# json.dumps with options builds a new encoder on every call; one is enough.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _word_count(text: str, body: list[str]) -> int:
    """len(text.split()) without building the list: when no paragraph holds a space other than
    single " " (isprintable is false for every other space), words are spaces + 1 each."""
    if "  " not in text and all(map(str.isprintable, body)):
        return text.count(" ") + len(body)
    return len(text.split())


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of a canonical JSON of the parsed content: the same content, the same hash."""
    canonical = _CANONICAL_JSON.encode(content)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8192)
def slugify(text: str, max_chars: int = SLUG_MAX_CHARS) -> str:
    """ASCII URL slug: accents transliterated, words joined by '-', cut at a word boundary."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_SLUG_EXTRA))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_chars:
        cut = slug[: max_chars + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_chars]
    return slug.strip("-")


def derive_headline(body: list[str], *, has_dateline: bool = False) -> str:
    """A headline for a file that states none: the first sentence of the body, without dateline.

    Wire copy (AP, some CNN files) has no headline line; the lead's first sentence is what the
    outlet itself would show as the teaser. Long sentences are cut at a word boundary with "…".
    """
    if not body:
        return ""
    lead = body[0].strip()
    if has_dateline:
        lead = _LEADING_DATELINE.sub("", lead, count=1).strip() or lead
    sentence = _first_sentence(lead)
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) > HEADLINE_MAX_CHARS:
        sentence = sentence[:HEADLINE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"
    return sentence


def summarize(body: list[str]) -> str:
    """The lead paragraph, cut at the sentence boundary nearest SUMMARY_TARGET_CHARS."""
    if not body:
        return ""
    lead = body[0]
    if len(lead) <= SUMMARY_TARGET_CHARS:
        return lead
    ends = [end for end in _sentence_ends(lead) if 80 <= end <= 2 * SUMMARY_TARGET_CHARS]
    if ends:
        best = min(ends, key=lambda end: (abs(end - SUMMARY_TARGET_CHARS), end))
        return lead[:best].rstrip()
    return lead[:SUMMARY_TARGET_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"


def normalize_language(value: str | None) -> str | None:
    """ISO 639-1 code from a stated tag ("en-GB", "de_DE", "EN"); None when it is not a tag."""
    if not value:
        return None
    match = _LANGUAGE_TAG.match(value.strip())
    if match is None:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def detect_language(text: str) -> str | None:
    """The profile language whose stopwords the text uses most; None when too little evidence."""
    return _language_of(_token_counts(text.lower()))


def extract_keywords(headline: str, text: str, limit: int = MAX_KEYWORDS) -> list[str]:
    """Key terms by frequency: capitalized phrases ("Supreme Court") and non-stopword words.

    Terms in the headline count extra. Deterministic: ties go to the earlier term in the text.
    Proper nouns keep their capitals; a common word capitalized at a sentence start does not.
    """
    full = f"{headline}\n{text}"
    lower = full.lower()
    return _keywords(full, lower, _token_counts(lower), headline, limit)


def _token_counts(lower: str) -> dict[str, int]:
    """Lowercased words counted: punctuation becomes space, apostrophes and hyphens stay inside.

    str.translate, str.split and Counter all run in C: no per-token Python work here. Each
    str.replace scans the whole text even when it finds nothing, so each is guarded by a cheap
    `in` test.
    """
    spaced = lower.translate(_PUNCTUATION_TO_SPACE) + " "
    if "‘" in spaced or "’" in spaced or "'" in spaced:
        # Possessives count as the word itself ("China’s" is "china").
        for possessive in ("’s ", "'s "):
            if possessive in spaced:
                spaced = spaced.replace(possessive, " ")
        # Quotation marks, not apostrophes: at a word's edge ('bone', ‘bone’).
        for mark in ("‘", "’", "'"):
            if mark in spaced:
                for edge in (f" {mark}", f"{mark} "):
                    if edge in spaced:
                        spaced = spaced.replace(edge, "  ")
    return Counter(spaced.split())


def _language_of(counts: dict[str, int]) -> str | None:
    present = counts.keys() & _PROFILE_WORDS
    if not present:
        return None
    get = counts.__getitem__
    scores = {lang: sum(map(get, present & profile)) for lang, profile in _STOPWORDS.items()}
    # Ties go to the profile listed first (dict order), so the answer never varies.
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= _MIN_LANGUAGE_HITS else None


def _keywords(
    full: str, lower: str, counts: dict[str, int], headline: str, limit: int = MAX_KEYWORDS
) -> list[str]:
    stop = _STOP_ALL
    # In headline order, not set order: a set's order changes with each process's hash seed,
    # and so would the keywords of equal score.
    headline_terms = [
        word
        for word in dict.fromkeys(headline.lower().translate(_PUNCTUATION_TO_SPACE).split())
        if word not in stop
    ]
    headline_words = set(headline_terms)
    # Candidates: repeated words and headline words, in text order (counts are in order of
    # first appearance). compress/filterfalse keep the pass over every distinct word in C.
    repeated = filterfalse(stop.__contains__, compress(counts, map(ge, counts.values(), repeat(2))))
    scores = {
        key: counts[key] for key in repeated if len(key) >= 3 and (key.isalpha() or _is_word(key))
    }
    for word in headline_terms:
        if word in counts and len(word) >= 3 and (word.isalpha() or _is_word(word)):
            scores[word] = counts[word] + 2
    # Phrases from the body only: a title-case headline would make a "phrase" of every pair.
    for phrase in _CAPITALIZED_PHRASE.findall(full, len(headline) + 1):
        words = phrase.split(" ")
        while words and words[0].lower() in stop:
            words.pop(0)
        if len(words) >= 2:
            key = " ".join(words).lower()
            bonus = 0 if key in scores or headline_words.isdisjoint(key.split(" ")) else 2
            scores[key] = scores.get(key, 0) + 2 + bonus
    # Stable sort: equal scores keep text order.
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    chosen: list[str] = []
    covered: set[str] = set()
    for key in ranked:
        if len(chosen) >= limit or (scores[key] < 2 and chosen):
            break
        if " " in key:
            covered.update(key.split(" "))
        elif key in covered:
            continue
        chosen.append(_surface_form(key, full, lower, len(headline) + 1))
        covered.add(key)
    return chosen


def _surface_form(key: str, full: str, lower: str, body_start: int) -> str:
    """How the body writes a term: proper nouns and phrases keep their capitals, others do not.

    Only mid-sentence occurrences are evidence: a headline's title case or a sentence's first
    word says nothing about whether a word is a name.
    """
    if len(full) != len(lower):  # a rare letter changed length when lowercased; keep it simple
        return key
    size = len(key)
    find = lower.find
    starts: list[int] = []
    capitalized_somewhere = False
    start = find(key, body_start)
    while start != -1:
        starts.append(start)
        if not capitalized_somewhere and full[start].isupper():
            capitalized_somewhere = True
        if len(starts) == 4:
            break
        start = find(key, start + size)
    if not capitalized_somewhere:  # most terms: no evidence to weigh
        return key
    forms: list[str] = []
    mid_sentence: list[str] = []
    for start in starts:
        form = full[start : start + size]
        forms.append(form)
        before = full[max(body_start, start - 3) : start].rstrip(" “\"‘'(")
        if before and before[-1] not in ".!?\n:":
            mid_sentence.append(form)
    evidence = mid_sentence or forms
    capitalized = [form for form in evidence if form[:1].isupper()]
    if " " in key or len(capitalized) * 2 > len(evidence):
        return max(capitalized, key=capitalized.count) if capitalized else key
    return key


def _is_word(token: str) -> bool:
    """Letters with inner apostrophes or hyphens ("o'neil", "us-china"); no digits or symbols."""
    return token.replace("'", "").replace("’", "").replace("-", "").isalpha()


def _stated_keywords(keywords: list[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for keyword in keywords:
        cleaned = " ".join(keyword.split())
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            result.append(cleaned)
    return result[:MAX_KEYWORDS]


def _tags(keywords: list[str], section: str | None) -> list[str]:
    tags: list[str] = []
    for term in ([section] if section else []) + keywords:
        slug = slugify(term)
        if slug and slug not in tags:
            tags.append(slug)
    return tags


def _authors(names: list[str]) -> list[Author]:
    authors: list[Author] = []
    slugs: set[str] = set()
    for name in names:
        cleaned = " ".join(name.split())
        slug = slugify(cleaned)
        if cleaned and slug and slug not in slugs:
            slugs.add(slug)
            authors.append(Author(name=cleaned, slug=slug))
    return authors


def _sentence_ends(text: str) -> list[int]:
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].rsplit(None, 1)
        last_word = before[-1].lower().rstrip(".") if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        ends.append(match.start() + len(match.group().rstrip()))
    return ends


def _first_sentence(text: str) -> str:
    for end in _sentence_ends(text):
        if end >= 20:
            return text[:end].strip()
    return text.strip()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
