"""The summary (the lead cut near SUMMARY_TARGET_CHARS) and a headline for files that state none."""

from __future__ import annotations

import re

from newsdesk.parsing.sentences import ends_with_abbreviation, sentence_ends

SUMMARY_TARGET_CHARS = 300
HEADLINE_MAX_CHARS = 150
_LEADING_DATELINE = re.compile(r"^[^\n]{0,80}?\((?:[A-Z][\w.&]{1,20})\)\s*(?:[—–-]{1,2}\s*)?")


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
    if (
        sentence.endswith(".")
        and not sentence.endswith("..")
        and not ends_with_abbreviation(sentence)
    ):
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
    ends = [end for end in sentence_ends(lead) if 80 <= end <= 2 * SUMMARY_TARGET_CHARS]
    if ends:
        best = min(ends, key=lambda end: (abs(end - SUMMARY_TARGET_CHARS), end))
        return lead[:best].rstrip()
    return lead[:SUMMARY_TARGET_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"


def _first_sentence(text: str) -> str:
    for end in sentence_ends(text):
        if end >= 20:
            return text[:end].strip()
    return text.strip()
