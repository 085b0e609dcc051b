"""Sentences: the one splitter of parsing (run-on text, trailers) and enrichment (summary).

Also regroups sentences of run-on text (files whose paragraph breaks were lost) into paragraphs.
"""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (optionally closed by quotes/brackets) before a capital or quote.
# The match starts at the mark (a regex starting with a character class skips to the next
# mark in C; one starting with a lookbehind is tried at every character); what follows the
# mark is group 1.
_SENTENCE_END = re.compile(r"[.!?]([\"'”’)\]]*\s+)(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Sr|Jr|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Prof|Rev|Hon|"
    r"Pres|Supt|Det|No|Nos|vs|v|Mt|Ft|Fig|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Ave|Blvd|Inc|"
    r"Corp|Co|Ltd|Bros|approx|etc|e\.g|i\.e)|\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$"
)
# Only this many characters before a full stop can hold an abbreviation.
_ABBREVIATION_TAIL = 24
_CLOSERS = "\"'”’)]»"
# Run-on text is regrouped into paragraphs of about this many characters.
PARAGRAPH_TARGET_CHARS = 320


def ends_with_abbreviation(text: str) -> bool:
    """Whether text ends in an abbreviation's full stop ("Mr.", "U.S.", "Jr.", an initial)."""
    return _ends_with_abbreviation(text[-_ABBREVIATION_TAIL:].rstrip().rstrip(_CLOSERS))


def _ends_with_abbreviation(tail: str) -> bool:
    # A match holds no space and ends the text: it lies in the last word, and a search there
    # tries a few positions instead of every one of the tail. The cut is a space, a non-word
    # character, so "\b" at the word's start holds in the word as in the tail.
    return _ABBREVIATION.search(tail[tail.rfind(" ") + 1 :]) is not None


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence's end mark (and its closing quotes), the last excepted."""
    ends: list[int] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        mark_end = match.start(1)  # just past the mark
        # Only the sentence's tail can hold an abbreviation; slicing all of it is quadratic.
        tail = text[max(start, mark_end - _ABBREVIATION_TAIL) : mark_end]
        if _ends_with_abbreviation(tail.rstrip().rstrip(_CLOSERS)):
            continue
        ends.append(mark_end + len(match[1].rstrip()))
        start = match.end()
    return ends


def split_sentences(text: str) -> list[str]:
    """Sentences of a run-on paragraph; abbreviations ("Mr.", "U.S.", initials) do not end one."""
    sentences: list[str] = []
    start = 0
    for end in sentence_ends(text):
        sentences.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def group_sentences(sentences: list[str]) -> list[str]:
    """Sentences regrouped into paragraphs of about PARAGRAPH_TARGET_CHARS characters."""
    paragraphs: list[str] = []
    current = ""
    for sentence in sentences:
        current = f"{current} {sentence}" if current else sentence
        if len(current) >= PARAGRAPH_TARGET_CHARS:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
