"""Plain-text articles: a block classifier over lines (DESIGN.md section 4).

A file is read as header (kicker | headline, standfirst, bylines, date lines, source URL, all
optionally "-- " prefixed), body and trailer. Layouts: blank-line separated paragraphs, one
paragraph per line, hard-wrapped paragraphs, and run-on text whose paragraph breaks were lost
(split back into paragraphs of a few sentences). The patterns live in `rules`; this module only
decides which block each line belongs to. Nothing is guessed: a file with no headline line
gives `headline=None`, and the pipeline decides what to do about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from newsdesk.models import Dateline
from newsdesk.parsing.dates import parse_date
from newsdesk.parsing.document import Extracted
from newsdesk.parsing.rules import (
    BYLINE_AGENCIES,
    BYLINE_ROLE,
    BYLINE_RULES,
    DATE_RULES,
    DATELINE_RULES,
    HEADER_PREFIX,
    HEADER_SPLIT_RULES,
    KICKER_RULES,
    NAME_PARTICLES,
    SOURCE_URL_RULES,
)
from newsdesk.parsing.sentences import ends_with_abbreviation, group_sentences, split_sentences
from newsdesk.parsing.trailer import clean_trailer

_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||\band\b)\s*")
_TERMINAL = (".", ",", ";", ":")
_UPDATE_LABELS = frozenset({"updated", "last updated", "last modified", "modified"})
_CLOSERS = "\"'”’)]»"

MAX_HEADER_LINES = 12
MAX_HEADLINE_CHARS = 250
MAX_HEADLINE_WORDS = 40
MAX_STANDFIRST_CHARS = 400
MAX_NAME_WORDS = 5
MAX_BYLINE_CHARS = 200
# A hard-wrapped file has no line longer than this (its wrap column).
WRAP_MAX_WIDTH = 100
WRAP_MIN_WIDTH = 40
WRAP_MIN_LINES = 3
# A body that is one paragraph longer than this has lost its paragraph breaks.
RUN_ON_CHARS = 800


@dataclass
class _Header:
    end: int = 0
    headline: str | None = None
    section: str | None = None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    published_at: datetime | None = None
    updated_at_source: datetime | None = None
    source_url: str | None = None


def parse_text(text: str) -> Extracted:
    """Parse a decoded plain-text article (NFC, "\\n" line ends, no control characters)."""
    lines = text.split("\n")
    if _spaces_are_single(text):
        lines = [line.strip(" ") for line in lines]
    else:
        lines = [_collapse_spaces(line) for line in lines]
    header = _read_header(lines)
    paragraphs = split_paragraphs(lines[header.end :])
    run_on = len(paragraphs) == 1 and len(paragraphs[0]) > RUN_ON_CHARS
    trailer = clean_trailer(
        split_sentences(paragraphs[0]) if run_on else paragraphs, authors=header.authors
    )
    body = group_sentences(trailer.body) if run_on else trailer.body
    dateline = find_dateline(body[0]) if body else None
    publisher = trailer.publisher or header.publisher
    if publisher is None and dateline is not None:
        publisher = dateline.agency
    return Extracted(
        format="text",
        headline=header.headline,
        section=header.section,
        standfirst=header.standfirst,
        authors=header.authors,
        publisher=publisher,
        published_at=header.published_at,
        updated_at_source=header.updated_at_source,
        dateline=dateline,
        source_url=header.source_url,
        body=body,
        author_bio=trailer.author_bio,
        disclaimer=trailer.disclaimer,
        related=trailer.related,
    )


# ASCII whitespace other than " " and "\n" (what str.split() splits on).
_ASCII_OTHER_SPACES = ("\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _spaces_are_single(text: str) -> bool:
    """True for ASCII text whose only whitespace is "\n" and single " ": collapsing its lines
    is then stripping their ends. One look at the whole text (each `in` is a C scan) instead
    of one per line."""
    return (
        text.isascii()
        and not any(space in text for space in _ASCII_OTHER_SPACES)
        and "  " not in text
    )


def _collapse_spaces(line: str) -> str:
    """Whitespace runs to one space, none at the ends.

    str.split() collapses every Unicode space (no-break, thin, ...), much cheaper than a regex;
    most lines need nothing, and isprintable() (false for every space but " ") shows that
    without building a list of words.
    """
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


# ---------------------------------------------------------------------------------------------
# Header


def _read_header(lines: list[str]) -> _Header:
    header = _Header()
    index = _skip_blank(lines, 0)
    if index == len(lines):
        header.end = index
        return header
    first = _unprefix(lines[index])
    if _apply_kicker(first, header) or _is_headline(first):
        if header.headline is None:
            header.headline = first
        index += 1
    seen = 0
    while index < len(lines) and seen < MAX_HEADER_LINES:
        raw = lines[index]
        if not raw:
            after = _skip_blank(lines, index)
            if after < len(lines) and _is_header_line(lines[after]):
                index = after
                continue
            break
        if _apply_header_line(raw, header):
            index += 1
            seen += 1
            continue
        if _is_standfirst(raw, lines, index, header):
            header.standfirst = _unprefix(raw)
            index += 1
            continue
        if _is_late_headline(raw, lines, index, header):
            header.headline = _unprefix(raw)
            index += 1
            continue
        break
    header.end = index
    return header


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index]:
        index += 1
    return index


def _unprefix(line: str) -> str:
    match = HEADER_PREFIX.pattern.match(line)
    return line[match.end() :] if match else line


def _apply_kicker(text: str, header: _Header) -> bool:
    for rule in KICKER_RULES:
        match = rule.pattern.match(text)
        if match is not None:
            header.section = match["section"].strip()
            header.headline = match["headline"].strip()
            return True
    return False


def _is_headline(text: str) -> bool:
    if not text or len(text) > MAX_HEADLINE_CHARS or len(text.split()) > MAX_HEADLINE_WORDS:
        return False
    if text.rstrip(_CLOSERS).endswith(_TERMINAL) and not ends_with_abbreviation(text):
        return False
    return not _is_header_line(text) and find_dateline(text) is None


def _is_header_line(raw: str) -> bool:
    return _apply_header_line(raw, _Header())


def _apply_header_line(raw: str, header: _Header) -> bool:
    """Record a byline, date or source-URL line in `header`; False when it is none of them."""
    text = _unprefix(raw)
    byline = parse_byline(raw) if raw.startswith("--") else None
    if byline is None:
        byline = parse_byline(text)
    if byline is not None:
        names, agency = byline
        header.authors.extend(name for name in names if name not in header.authors)
        header.publisher = header.publisher or agency
        return True
    if len(text) <= 80 and any(char.isdigit() for char in text) and _apply_date(text, header):
        return True
    for rule in SOURCE_URL_RULES:
        match = rule.pattern.match(text)
        if match is not None:
            header.source_url = header.source_url or match["url"]
            return True
    return _apply_split_line(text, header)


def _apply_split_line(text: str, header: _Header) -> bool:
    """Record a combined line such as "By A | March 3, 2023": both of its parts, or neither."""
    if len(text) > MAX_BYLINE_CHARS:
        return False
    for rule in HEADER_SPLIT_RULES:
        match = rule.pattern.match(text)
        if match is None:
            continue
        parts = (match["first"].strip(), match["second"].strip())
        if all(_is_header_line(part) for part in parts):
            for part in parts:
                _apply_header_line(part, header)
            return True
    return False


def _apply_date(text: str, header: _Header) -> bool:
    for rule in DATE_RULES:
        match = rule.pattern.match(text)
        if match is None:
            continue
        parsed = parse_date(match["value"])
        if parsed is None:
            continue
        label = (match.groupdict().get("label") or "").lower()
        if label in _UPDATE_LABELS or header.published_at is not None:
            header.updated_at_source = header.updated_at_source or parsed
        else:
            header.published_at = parsed
        return True
    return False


def _is_standfirst(raw: str, lines: list[str], index: int, header: _Header) -> bool:
    """A dek sits between the headline and the byline/date lines, on its own line."""
    if header.headline is None or header.standfirst is not None or header.authors:
        return False
    if header.published_at is not None or len(raw) > MAX_STANDFIRST_CHARS:
        return False
    following = index + 1
    return following < len(lines) and bool(lines[following]) and _is_header_line(lines[following])


def _is_late_headline(raw: str, lines: list[str], index: int, header: _Header) -> bool:
    """A headline after a date or byline line ("March 3, 2023" / "Headline" / blank / body)."""
    if header.headline is not None or not _is_headline(_unprefix(raw)):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return not following or _is_header_line(following)


def parse_byline(line: str) -> tuple[list[str], str | None] | None:
    """Names and agency of a byline ("By A, B and C", "By A, Reuters"), or None if it is none.

    An empty "-- " byline gives no names. A line whose "names" are not names ("By the end of
    the year, ...") is not a byline.
    """
    if not line or line[0] not in "BbAWS-" or len(line) > MAX_BYLINE_CHARS:
        return None
    for rule in BYLINE_RULES:
        match = rule.pattern.match(line)
        if match is None:
            continue
        names = match.groupdict().get("names")
        if names is None:
            return [], None
        return _split_names(names)
    return None


def _split_names(names: str) -> tuple[list[str], str | None] | None:
    authors: list[str] = []
    agency: str | None = None
    for part in _NAME_SEPARATORS.split(names):
        name = part.strip()
        if not name:
            continue
        if name.casefold() in BYLINE_AGENCIES:
            agency = agency or name
            continue
        if BYLINE_ROLE.search(name):
            continue
        if not _is_name(name):
            return None
        authors.append(name)
    if not authors and agency is None:
        return None
    return authors, agency


def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or any(char.isdigit() for char in text):
        return False
    # Capitalized words, or scripts without case (CJK); "By the end of ..." is no name.
    return all(
        (word[0].isalpha() and not word[0].islower()) or word in NAME_PARTICLES for word in words
    )


# ---------------------------------------------------------------------------------------------
# Body


def split_paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs of body lines: blank-line separated blocks, one paragraph per line, or
    hard-wrapped lines joined back (when the file is wrapped at a fixed width)."""
    width = _wrap_width(lines)
    if width is None:
        return [line for line in lines if line]
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        if not line:
            continue
        current.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not following or not _wrapped_before(line, following, width):
            paragraphs.append(_join_wrapped(current))
            current = []
    return paragraphs


def _wrapped_before(line: str, following: str, width: int) -> bool:
    """True when `following` continues `line`: its first word would not have fit on `line`."""
    if line.endswith(":"):
        return False
    first_word = following.split(" ", 1)[0]
    return len(line) + 1 + len(first_word) > width


def _wrap_width(lines: list[str]) -> int | None:
    """The wrap column of a hard-wrapped text, or None when lines are whole paragraphs.

    Greedy wrapping leaves no room on a line for the next line's first word; a text is taken
    as wrapped when most pairs of adjacent lines show that and no line is long.
    """
    lengths = [len(line) for line in lines if line]
    if len(lengths) < WRAP_MIN_LINES:
        return None
    width = max(lengths)
    if not WRAP_MIN_WIDTH <= width <= WRAP_MAX_WIDTH:
        return None
    pairs = wrapped = 0
    for line, following in pairwise(lines):
        if line and following:
            pairs += 1
            wrapped += _wrapped_before(line, following, width)
    return width if pairs and wrapped * 2 >= pairs else None


def _join_wrapped(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        # "twenty-" + "four": a hyphen at the wrap joins without a space.
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
            text += line
        else:
            text += " " + line
    return text


def find_dateline(paragraph: str) -> Dateline | None:
    """The dateline a paragraph opens with ("SAN FRANCISCO (Reuters) -", "(CNN)", "BEIJING —")."""
    if not paragraph or not (paragraph[0].isupper() or paragraph[0] == "("):
        return None
    for rule in DATELINE_RULES:
        match = rule.pattern.match(paragraph)
        if match is not None:
            groups = match.groupdict()
            return Dateline(location=groups.get("location"), agency=groups.get("agency"))
    return None
