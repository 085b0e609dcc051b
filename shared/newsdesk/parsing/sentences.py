"""Sentences: the one splitter of parsing (run-on text, trailers) and enrichment (summary).

Also regroups sentences of run-on text (files whose paragraph breaks were lost) into paragraphs.
"""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (optionally closed by quotes/brackets) before a capital or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")
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
    return _ABBREVIATION.search(text[-_ABBREVIATION_TAIL:].rstrip().rstrip(_CLOSERS)) is not None


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence's end mark (and its closing quotes), the last excepted."""
    ends: list[int] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        # Only the sentence's tail can hold an abbreviation; slicing all of it is quadratic.
        tail = text[max(start, match.start() - _ABBREVIATION_TAIL) : match.start()]
        if _ABBREVIATION.search(tail.rstrip().rstrip(_CLOSERS)):
            continue
        ends.append(match.start() + len(match.group().rstrip()))
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
