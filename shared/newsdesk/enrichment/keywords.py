"""Key terms and tags: what a client lists and filters articles by.

Key terms are capitalized phrases ("Supreme Court") and frequent words, minus each language's
stoplists (stoplists/): function words and the verbs, adverbs, adjectives and numbers any article
uses. Tags are the slugs of the keywords plus the section.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import compress, filterfalse, repeat
from operator import ge, methodcaller

from newsdesk.enrichment.language import (
    LANGUAGES,
    PROFILE_WORDS,
    PROFILES,
    language_of,
    normalize_language,
    punctuation_to_space,
    read_stoplist,
    tokenize,
)
from newsdesk.parsing.rules import is_housekeeping
from newsdesk.slugs import slugify

MAX_KEYWORDS = 10


def _with_curly_apostrophes(words: frozenset[str]) -> frozenset[str]:
    return words | frozenset(word.replace("'", "’") for word in words if "'" in word)


# The words a key term may not be, per language; a text of unknown language gets every list.
# Applied per language: "war" or "die" is an English key term, not a German article.
_KEYWORD_STOPWORDS: dict[str | None, frozenset[str]] = {
    language: _with_curly_apostrophes(PROFILES[language] | read_stoplist("not_keywords", language))
    for language in LANGUAGES
}
_KEYWORD_STOPWORDS[None] = frozenset().union(*_KEYWORD_STOPWORDS.values())


# The language's general vocabulary (stoplists/general/<lang>.txt): common words any story may
# use ("company", "court", "change", "town"). A word of it is no tag on its own: tags are names,
# multi-word terms and the words specific to a story ("abortion", "tsunami", "screensaver").
# A language without a list gives no single common word as a tag.
def _inflected(words: frozenset[str]) -> frozenset[str]:
    """The words with the regular forms they take (plurals, -ed, -ing, German -e/-en/-n/-er),
    so each word of a text is one set lookup: "providing" is in because "provide" is."""
    forms = set(words)
    for word in words:
        stem = word[:-1] if word.endswith(("e", "y")) else word
        forms.update((f"{word}s", f"{word}es", f"{word}ed", f"{word}d", f"{word}ing"))
        forms.update((f"{stem}ing", f"{word}en", f"{word}er", f"{word}e", f"{word}n"))
        if word.endswith("y"):
            forms.update((f"{stem}ies", f"{stem}ied"))
        if len(word) >= 3 and word[-1] not in "aeiouwyx" and word[-2] in "aeiou":
            forms.update((f"{word}{word[-1]}ed", f"{word}{word[-1]}ing"))  # "stopped"
    return frozenset(forms)


_GENERAL: dict[str, frozenset[str]] = {
    language: _inflected(words)
    for language in LANGUAGES
    if (words := read_stoplist("general", language, missing_ok=True))
}
# Languages that capitalize every noun: a capital says nothing about a name there.
_NOUNS_CAPITALIZED = frozenset({"de"})
# Leading words dropped from a name phrase ("The Regional Library Association"): function
# words only, so "New York Stock Exchange" and "South Korea" keep their first word.
_PHRASE_LEADING_STOPWORDS = _with_curly_apostrophes(
    PROFILE_WORDS
    | {"a", "mr", "mrs", "ms", "dr", "but", "if", "so", "yet", "then", "when", "while", "after"}
    | {"before"}
)
# Two to four capitalized words ("Supreme Court", "Bank of England"); Latin scripts.
# Possessive runs: a word is always followed by a space or the end, so giving letters back
# never helps a match; it only costs backtracking.
_CAPITALIZED_PHRASE = re.compile(
    r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ž'’-]++"
    r"(?: (?:of |de |von |van |der |la |del )?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ž'’-]++){1,3}"
)
_SIBILANTS = ("s", "x", "z", "ch", "sh")
_MIN_PAIR_COUNT = 2
_MIN_GENERAL_PAIR_COUNT = 3
_MIN_WORD_COUNT = 2
_VERB_ENDINGS = ("ed", "ing", "ly")
# English endings of verb forms, adverbs and adjectives: an editor tags nouns.
_ENGLISH_NOT_NOUN_ENDINGS = ("ed", "ing", "ly", "ous", "ful", "less", "ible", "ical")
_CONNECTOR = re.compile(" (?:of|de|von|van|der|la|del) ")
_SENTENCE_ENDS = frozenset(".!?:\n")
# In a string of one byte per token (1: a repeated word), each token that starts a pair of
# repeated words; the lookahead leaves the second free to start the next pair.
_PAIR_START = re.compile(b"\x01(?=\x01)").finditer
_match_start = methodcaller("start")
_POSSESSIVES = ("'s", "’s")


def extract_keywords(
    headline: str, text: str, limit: int = MAX_KEYWORDS, *, language: str | None = None
) -> list[str]:
    """Key terms by frequency: capitalized phrases ("Supreme Court") and non-stopword words.

    Stopwords are the text's language's (detected when not given): function words and the
    verbs, adverbs, adjectives and numbers any article uses ("said", "built", "longer", "first",
    "fifty"). Headline words the body repeats count extra; a headline word the body never uses
    ranks below every word the body repeats. "car" and "cars" are one term, in the form the
    text uses more; a name is given once, as its full phrase when the text has one ("Aston
    Martin", not "Aston" and "Martin"). Deterministic: ties go to the earlier term in the text.
    Proper nouns keep their capitals; a common word capitalized at a sentence start does not.
    """
    full = f"{headline}\n{text}"
    lower = full.lower()
    tokens = tokenize(lower)
    counts = Counter(tokens)
    language = normalize_language(language) or language_of(counts)
    return rank_keywords(full, lower, counts, headline, language, limit, tokens=tokens)


def rank_keywords(
    full: str,
    lower: str,
    counts: dict[str, int],
    headline: str,
    language: str | None,
    limit: int = MAX_KEYWORDS,
    *,
    tokens: list[str] | None = None,
) -> list[str]:
    """extract_keywords over a text already lowercased and counted (enrich counts once)."""
    stop = _KEYWORD_STOPWORDS.get(language, _KEYWORD_STOPWORDS[None])
    body_start = len(headline) + 1
    # In headline order, not set order: a set's order changes with each process's hash seed,
    # and so would the keywords of equal score.
    head = punctuation_to_space(lower[: len(headline)]) + " "
    if "s " in head:  # possessives count as the word itself, as in token_counts
        head = head.replace("’s ", " ").replace("'s ", " ")
    headline_terms = [word for word in dict.fromkeys(head.split()) if word not in stop]
    # Candidates: repeated words and headline words, in text order (counts are in order of
    # first appearance). compress/filterfalse keep the pass over every distinct word in C.
    repeated = filterfalse(stop.__contains__, compress(counts, map(ge, counts.values(), repeat(2))))
    scores = {
        key: counts[key] for key in repeated if len(key) >= 3 and (key.isalpha() or _is_word(key))
    }
    for word in headline_terms:
        count = counts.get(word, 0)
        if count and len(word) >= 3 and (word.isalpha() or _is_word(word)):
            # A headline word the body repeats is the story's subject; one the body never uses
            # only ties with a word the body uses twice, and that word comes first.
            scores[word] = count + (2 if count >= 2 else 1)
    headline_words = set(headline_terms)
    general = _GENERAL.get(language or "")
    phrase_counts = _name_phrases(full, body_start, stop)
    pair_words = frozenset(scores)
    pairs = _word_pairs(full, lower, tokens or tokenize(lower), pair_words, general, language)
    for key, count in pairs.items():
        phrase_counts.setdefault(key, count)
    if general is not None:
        # Words of the general vocabulary are no tags on their own (a name made of them is a
        # phrase, "Washington Post"): out before ranking, so the choice walks possible terms.
        for word in general.intersection(scores):
            del scores[word]
    for key, count in phrase_counts.items():
        bonus = 0 if headline_words.isdisjoint(key.split(" ")) else 2
        scores[key] = 2 * count + bonus
    # Stable sort: equal scores keep text order.
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    # A name is tagged by the phrase that holds it, best-ranked first ("Aston" as "Aston
    # Martin", "Bez" as "Ulrich Bez"), unless that phrase is a one-off run of three or more
    # capitalized words ("Echo of Moscow", "Russian President Vladimir Putin").
    phrase_of: dict[str, str] | None = None  # built when a name first needs it
    chosen: list[str] = []
    covered: set[str] = set()
    names: set[str] = set()  # capitalized one-word terms chosen
    for key in ranked:
        if len(chosen) >= limit or (scores[key] < 2 and chosen):
            break
        if key in covered:
            continue
        if " " in key and covered.issuperset(key.split(" ")):
            continue  # "Royal Gurkha" once "Battalion Royal Gurkha Rifles" is chosen
        if " " in key:
            # One tag for one name: no "Donald Trump" beside "Trump" (but "Bank of Thailand"
            # beside "Thailand": the name before "of" is what the phrase names).
            if names and not names.isdisjoint(_named_words(key)):
                continue
        elif (other := _other_number(key, counts)) and other not in stop:
            # "car" and "cars" are one term, in the form the text uses more (on a tie, the
            # singular: the shorter).
            covered.add(other)
            if (counts[other], len(key)) > (counts[key], len(other)):
                key = other
        # Occurrences after the headline: phrases are counted in the body only; the headline
        # holds each of its words once or more.
        in_body = phrase_counts[key] if " " in key else counts[key] - (key in headline_words)
        if " " not in key and _never_a_name(key, full, language, general):
            continue  # a common word the text never capitalizes: no surface form to weigh
        term = _surface_form(key, full, lower, body_start, in_body)
        if " " not in key and term[:1].isupper():
            if phrase_of is None:
                by_rank = sorted(phrase_counts, key=scores.__getitem__, reverse=True)
                phrase_of = {word: p for p in reversed(by_rank) for word in p.split(" ")}
            phrase = phrase_of.get(key)
            if (
                phrase is not None
                and phrase not in covered
                and (phrase_counts[phrase] > 1 or phrase.count(" ") == 1)
                and (not names or names.isdisjoint(_named_words(phrase)))
            ):
                key = phrase
                term = _surface_form(phrase, full, lower, body_start, phrase_counts[phrase])
            elif (
                phrase is not None
                and names
                and 2 * phrase_counts[phrase] >= counts[key]
                and not names.isdisjoint(phrase.split(" "))
            ):
                continue  # "Vladimir" when "Putin" is chosen and mostly in the same phrase
            else:
                names.add(key)
        if " " not in key and _is_general(key, term, language, general):
            continue
        if " " not in key and not term[:1].isupper() and in_body < _MIN_WORD_COUNT:
            continue  # a common word only the headline uses ("approves") is no subject
        if " " in key:
            covered.update(key.split(" "))
        covered.add(key)
        chosen.append(term)
    # Names and multi-word terms first, then the story's own words (each group in rank order).
    return sorted(chosen, key=lambda term: " " not in term and not term[:1].isupper())


def _never_a_name(
    key: str, full: str, language: str | None, general: frozenset[str] | None
) -> bool:
    """_is_general for a word the text never writes capitalized: cheap, no surface form."""
    if language in _NOUNS_CAPITALIZED or (general is not None and key in general):
        return False
    if language == "en" and not key.endswith(_ENGLISH_NOT_NOUN_ENDINGS) and general is not None:
        return False  # a possible term: the surface form decides
    return key[:1].upper() + key[1:] not in full and _is_general(key, key, language, general)


def _is_general(key: str, term: str, language: str | None, general: frozenset[str] | None) -> bool:
    """Whether a one-word term is a common word of the language rather than a name or a word
    specific to the story."""
    if term[:1].isupper() and language not in _NOUNS_CAPITALIZED:
        return False  # a name: English, French… capitalize names only
    if general is None or (language in _NOUNS_CAPITALIZED and term[:1].islower()):
        return True  # German writes its nouns capitalized: a lowercase word is no subject
    if language == "en" and key.endswith(_ENGLISH_NOT_NOUN_ENDINGS):
        return True  # verbs and adjectives ("approved", "terrifying", "clinical") tag nothing
    return key in general


def _word_pairs(
    full: str,
    lower: str,
    tokens: list[str],
    words: frozenset[str],
    general: frozenset[str] | None,
    language: str | None,
) -> dict[str, int]:
    """Two common words in a row, repeated in the body ("tsunami relief", "interest rates"): a
    multi-word term. Both are words the text repeats (`words`: no stopword, no number),
    written lowercase (names are phrases of their own), not across punctuation, no verb or
    adverb form ("retailer earned"); two words of the general vocabulary must repeat more to
    count ("climate change" does)."""
    if len(full) != len(lower) or language in _NOUNS_CAPITALIZED:
        # No positions when a letter changed length lowercased; German's lowercase words are
        # verbs and adjectives, its terms are compounds or capitalized nouns.
        return {}
    # Positions where a word and the next are both repeated words: one byte per token (1 for a
    # repeated word), and a regex finds each 1 followed by a 1, in C. A few dozen positions come
    # out of hundreds of tokens; pairing the flags in Python (or with map) cost a call per token.
    # The tokens have no punctuation: a pair is kept only where the text writes it with one
    # space (_written_lowercase), so none crosses a comma or a sentence's end.
    flags = bytes(map(words.__contains__, tokens))
    found = Counter((tokens[i], tokens[i + 1]) for i in map(_match_start, _PAIR_START(flags)))
    pairs: dict[str, int] = {}
    for (first, second), count in found.items():
        if count < _MIN_PAIR_COUNT or not _written_lowercase(full, lower, first, second):
            continue
        if language == "en" and (first.endswith(_VERB_ENDINGS) or second.endswith(_VERB_ENDINGS)):
            continue
        # "interest rate" and "interest rates" are one term, under the form seen first
        other = next(
            (
                f"{first} {form}"
                for form in (f"{second}s", second[:-1])
                if f"{first} {form}" in pairs
            ),
            None,
        )
        key = other or f"{first} {second}"
        pairs[key] = pairs.get(key, 0) + count
    minimum = {True: _MIN_GENERAL_PAIR_COUNT, False: _MIN_PAIR_COUNT}
    return {
        key: count
        for key, count in pairs.items()
        if count >= minimum[general is not None and all(w in general for w in key.split(" "))]
    }


def _written_lowercase(full: str, lower: str, first: str, second: str) -> bool:
    """Whether the text writes the pair lowercase somewhere (not only as part of a name)."""
    phrase = f"{first} {second}"
    start = lower.find(phrase)
    while start != -1:
        if full[start].islower() and full[start + len(first) + 1].islower():
            return True
        start = lower.find(phrase, start + 1)
    return False


def _named_words(phrase: str) -> list[str]:
    """The words naming what a phrase names: "bank" of "bank of thailand", all of "aston martin"."""
    if phrase.count(" ") > 1 and (connector := _CONNECTOR.search(phrase)) is not None:
        return phrase[: connector.start()].split(" ")
    return phrase.split(" ")


def _other_number(word: str, counts: dict[str, int]) -> str | None:
    """The singular of a regular plural, or the plural of a singular, when the text uses it.

    Regular forms only: "-s", "-es" after a sibilant, "-ies" after a consonant's "y".
    """
    if word[-1] == "s" and not word.endswith("ss"):
        if len(word) < 4:
            return None
        if (other := word[:-1]) in counts:
            return other
        if word.endswith("ies"):
            other = word[:-3] + "y"
        elif word.endswith("es") and word[:-2].endswith(_SIBILANTS):
            other = word[:-2]
        else:
            return None
    elif (other := word + "s") in counts:
        return other
    elif word.endswith(_SIBILANTS):
        other = word + "es"
    elif word[-1] == "y":
        other = word[:-1] + "ies"
    else:
        return None
    return other if other in counts else None


def _name_phrases(full: str, body_start: int, stop: frozenset[str]) -> dict[str, int]:
    """Capitalized phrases of the body, lowercased and counted, without the words that are not
    part of the name.

    The headline is left out: in title case every pair of its words would look like a name.
    """
    phrases: dict[str, int] = {}
    leading = _PHRASE_LEADING_STOPWORDS
    for match in _CAPITALIZED_PHRASE.finditer(full, body_start):
        key = match[0].lower()
        words = key.split(" ")
        first = words[0]
        if "’s" in key or "'s" in key:
            # A possessive ends the name: "Guy Roux's French side" is about Guy Roux.
            for index, word in enumerate(words):
                if word.endswith(_POSSESSIVES):
                    words = [*words[:index], word[:-2]]
                    break
        elif first not in leading and first not in stop:
            phrases[key] = phrases.get(key, 0) + 1  # most phrases: nothing to take off
            continue
        if first in stop and first not in leading:
            # A stopword's capital is a name's only mid-sentence ("New York"); at a sentence
            # start it is just a capital ("Several Gurkhas").
            start = match.start()
            if start == body_start or full[start - 2 : start].rstrip(" ")[-1:] in _SENTENCE_ENDS:
                words.pop(0)
        while words and words[0] in leading:
            words.pop(0)
        if len(words) >= 2:
            key = " ".join(words)
            phrases[key] = phrases.get(key, 0) + 1
    return phrases


def _surface_form(key: str, full: str, lower: str, body_start: int, occurrences: int) -> str:
    """How the body writes a term: proper nouns and phrases keep their capitals, others do not.

    Only mid-sentence occurrences are evidence: a headline's title case or a sentence's first
    word says nothing about whether a word is a name. The first four occurrences in the body
    are weighed; knowing how many the body has (`occurrences`) spares scanning the rest of the
    text for one more, and the whole text for a word only the headline uses.
    """
    wanted = min(4, occurrences)
    if len(full) != len(lower) or wanted < 1:  # a letter changed length when lowercased
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
        if len(starts) == wanted:
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


def stated_keywords(keywords: list[str]) -> list[str]:
    """Keywords the file states, whitespace-normalized, first spelling of each kept; a CMS's
    bookkeeping tags ("imported", "image") are none."""
    seen: set[str] = set()
    result: list[str] = []
    for keyword in keywords:
        cleaned = " ".join(keyword.split())
        if cleaned and cleaned.lower() not in seen and not is_housekeeping(cleaned):
            seen.add(cleaned.lower())
            result.append(cleaned)
    return result[:MAX_KEYWORDS]


def tags_of(keywords: list[str], section: str | None) -> list[str]:
    """Slugs of the section and the keywords, each once."""
    tags: list[str] = []
    for term in ([section] if section else []) + keywords:
        slug = slugify(term)
        if slug and slug not in tags:
            tags.append(slug)
    return tags
