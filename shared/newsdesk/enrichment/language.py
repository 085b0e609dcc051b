"""Language of a text: a stopword profile per language the archive holds, plus stated tags.

For news prose a profile is right after a sentence or two, costs a few microseconds, needs no
model file in the Lambda layer and never changes between runs. Libraries were weighed:
langdetect is random unless seeded and loads 55 profiles at import; fasttext's model is 1 MB+
and native; lingua is accurate but ~100 MB. A text in a language outside the profiles gets None
rather than a wrong guess.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

# Profile order breaks ties, so the answer never varies; most of the archive is English.
LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "id")
_STOPLISTS = Path(__file__).parent / "stoplists"
_MIN_LANGUAGE_HITS = 3
_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")
_PUNCTUATION = '.,;:!?"()[]{}“”„«»‹›—–…/*#|<>_\n\t'
PUNCTUATION_TO_SPACE = str.maketrans(dict.fromkeys(_PUNCTUATION, " "))
_PUNCTUATION_CLASS = re.compile(f"[{re.escape(_PUNCTUATION)}]")


def read_stoplist(kind: str, language: str, *, missing_ok: bool = False) -> frozenset[str]:
    """The words of stoplists/<kind>/<language>.txt (whitespace-separated, '#' comment lines)."""
    path = _STOPLISTS / kind / f"{language}.txt"
    if missing_ok and not path.is_file():
        return frozenset()
    text = path.read_text(encoding="utf-8")
    return frozenset(
        word
        for line in text.splitlines()
        if not line.lstrip().startswith("#")
        for word in line.split()
    )


PROFILES: dict[str, frozenset[str]] = {
    language: read_stoplist("profiles", language) for language in LANGUAGES
}
PROFILE_WORDS: frozenset[str] = frozenset().union(*PROFILES.values())
_FIRST_LANGUAGE = LANGUAGES[0]
_FIRST_PROFILE = PROFILES[_FIRST_LANGUAGE]
# The first profile's words that no other profile holds.
_FIRST_OWN = _FIRST_PROFILE.difference(*(PROFILES[lang] for lang in LANGUAGES[1:]))


def normalize_language(value: str | None) -> str | None:
    """ISO 639-1 code from a stated tag ("en-GB", "de_DE", "EN"); None when it is not a tag."""
    if not value:
        return None
    match = _LANGUAGE_TAG.match(value.strip())
    if match is None:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def punctuation_to_space(text: str) -> str:
    """The text with each punctuation mark replaced by a space.

    str.translate is fastest on ASCII text but takes a dictionary lookup per character once it
    meets a non-ASCII one (~3 ms for 30 KB); a regex class replaces in C whatever the text holds.
    """
    if text.isascii():
        return text.translate(PUNCTUATION_TO_SPACE)
    return _PUNCTUATION_CLASS.sub(" ", text)


def detect_language(text: str) -> str | None:
    """The profile language whose stopwords the text uses most; None when too little evidence."""
    return language_of(token_counts(text.lower()))


def token_counts(lower: str) -> dict[str, int]:
    """Lowercased words counted (see tokenize)."""
    return Counter(tokenize(lower))


def tokenize(lower: str) -> list[str]:
    """Lowercased words in order: punctuation becomes space, apostrophes and hyphens stay inside.

    str.translate, str.split and Counter all run in C: no per-token Python work here. Each
    str.replace scans the whole text even when it finds nothing, so each is guarded by a cheap
    `in` test.
    """
    spaced = punctuation_to_space(lower) + " "
    if "‘" in spaced or "’" in spaced or "'" in spaced:
        # Possessives count as the word itself ("China’s" is "china"). split+join is
        # str.replace (both take occurrences left to right) in one search of the text, where
        # replace searches it twice (once to count).
        for possessive in ("’s ", "'s "):
            if possessive in spaced:
                spaced = " ".join(spaced.split(possessive))
        # Quotation marks, not apostrophes: at a word's edge ('bone', ‘bone’).
        for mark in ("‘", "’", "'"):
            if mark in spaced and _next_to_a_space(spaced, mark):
                for edge in (f" {mark}", f"{mark} "):
                    if edge in spaced:
                        spaced = spaced.replace(edge, "  ")
    return spaced.split()


# How many marks _next_to_a_space looks at before leaving it to two scans of the whole text.
_MARKS_LOOKED_AT = 16


def _next_to_a_space(spaced: str, mark: str) -> bool:
    """Whether `mark` occurs after or before a space (False: no edge to replace), or there are
    too many marks to look at each.

    Once possessives are gone a text holds few marks, and finding each (a one-character find
    is a memchr) is cheaper than searching the whole text for " '" and then for "' ".
    """
    index = spaced.find(mark)
    for _ in range(_MARKS_LOOKED_AT):
        if index == -1:
            return False
        if spaced[index - 1 : index] == " " or spaced[index + 1 : index + 2] == " ":
            return True
        index = spaced.find(mark, index + 1)
    return True


def language_of(counts: dict[str, int]) -> str | None:
    """The language of counted words (token_counts); None when too little evidence."""
    present = counts.keys() & PROFILE_WORDS
    if not present:
        return None
    get = counts.__getitem__
    # Most texts are in the first profile (English): when its score reaches what any other
    # profile could score at most (every present word outside its own words), it wins as the
    # full count would have it, ties included, and seven intersections are spared.
    first_score = sum(map(get, present & _FIRST_PROFILE))
    if first_score >= _MIN_LANGUAGE_HITS and first_score >= sum(map(get, present - _FIRST_OWN)):
        return _FIRST_LANGUAGE
    scores = {lang: sum(map(get, present & profile)) for lang, profile in PROFILES.items()}
    # Ties go to the profile listed first (dict order), so the answer never varies.
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= _MIN_LANGUAGE_HITS else None


# A stated language gives way when the text plainly is another profile language: the page's
# lang attribute names its site's interface, not always the article ("fr" on an English post).
_OVERRULE_MIN_HITS = 20
_OVERRULE_RATIO = 3


def choose_language(stated: str | None, counts: dict[str, int]) -> str | None:
    """The stated language (normalized), unless the text is plainly in another profile
    language; the detected one when none is stated."""
    detected = language_of(counts)
    if stated is None:
        return detected
    if detected is None or detected == stated or stated not in PROFILES:
        return stated
    get = counts.get
    stated_hits = sum(get(word, 0) for word in PROFILES[stated])
    detected_hits = sum(get(word, 0) for word in PROFILES[detected])
    if detected_hits >= _OVERRULE_MIN_HITS and detected_hits >= _OVERRULE_RATIO * stated_hits:
        return detected
    return stated
