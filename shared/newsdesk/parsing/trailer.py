"""Trailer cleanup shared by the text, HTML and Markdown paths: what follows an article's body
(author bio, disclaimer, "Read more …" lists, copyright, funding notes) and page chrome
(share/comment/advert lines, photo credits) is taken out of the body into its own fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newsdesk.models import RelatedLink
from newsdesk.parsing.rules import (
    ABOUT_COMPANY,
    ANYWHERE_KINDS,
    COMPANY_DESCRIPTION,
    COMPANY_FOLLOWER_RULES,
    DATELINE_RULES,
    EDITORS_NOTE,
    INLINE_READ_MORE,
    INLINE_RELATED,
    PUBLISHER_RULES,
    READ_MORE_RULES,
    RELATED_ENTRY_RULES,
    TRAILER_RULES,
    Rule,
    TrailerKind,
    TrailerRule,
)
from newsdesk.parsing.sentences import split_sentences

# An editor's note before the body spans at most this many paragraphs (sentences in run-on text).
_MAX_NOTE_PARAGRAPHS = 4
# Paragraphs after a "Read more" heading are links only when they are headline-sized.
_MAX_RELATED_CHARS = 200
# A "Read more" heading is looked for among the last paragraphs only.
_READ_MORE_WINDOW = 25
# Chrome lines are short; longer paragraphs skip the chrome patterns (cheap pre-check).
_MAX_CHROME_CHARS = 500
_MAX_INLINE_HEADLINE_CHARS = 160
# A press release's closing boilerplate starts among its last paragraphs, after a body of at
# least this many paragraphs.
_BOILERPLATE_WINDOW = 8
_MIN_RELEASE_PARAGRAPHS = 2


@dataclass
class Trailer:
    """A body with its trailer taken apart."""

    body: list[str]
    author_bio: str | None = None
    disclaimer: str | None = None
    related: list[RelatedLink] = field(default_factory=list)
    publisher: str | None = None


def clean_trailer(paragraphs: list[str], *, authors: Sequence[str] = ()) -> Trailer:
    """Split trailing notes and page chrome off a list of body paragraphs.

    Chrome (share/comment/advert lines, photo credits) is dropped wherever it sits; an inline
    "<headline>" + "Read more" pair becomes a related link; bios, disclaimers, copyright and
    funding notes are recognised at the end only, so body sentences of the same shape stay.
    An "Editor's note:" opening the body gives the bio and disclaimer it holds; a dateline
    before it stays at the start of the body. `authors` (from the byline) lets a closing
    "<author> is a columnist …" paragraph count as a bio on its own.
    """
    related: list[RelatedLink] = []
    body = _drop_anywhere(paragraphs, related)
    body = _take_related_blocks(body, related)
    body, notes = _take_editors_note(body)
    tail: list[tuple[str, TrailerKind]] = []
    author_names = {name.casefold() for name in authors}
    end = _read_more_start(body, author_names)
    if end is not None:
        for text in body[end + 1 :]:
            rule = _match_trailer(text)
            entry_kind = None if rule is None else rule.kind
            if rule is not None and rule.contextual and not _names_author(rule, text, author_names):
                entry_kind = None
            if entry_kind is None:
                related.append(_related_entry(text))
            else:
                tail.append((text, entry_kind))
        body = body[:end]
    boilerplate = _company_boilerplate_start(body)
    if boilerplate is not None:
        for text in body[boilerplate:]:
            kind = classify_trailer(text)
            if kind in ("disclaimer", "copyright"):
                tail.append((text, kind))
        body = body[:boilerplate]
    while body:
        rule = _match_trailer(body[-1])
        if rule is None:
            break
        if rule.contextual and not (
            end is not None
            or any(kind != "chrome" for _, kind in tail)
            or _names_author(rule, body[-1], author_names)
        ):
            break
        tail.insert(0, (body.pop(), rule.kind))
    notes.extend(tail)
    bios: list[str] = []
    disclaimers: list[str] = []
    publisher: str | None = None
    for text, kind in notes:
        if kind == "bio":
            bios.append(text)
        elif kind == "disclaimer":
            disclaimers.append(text)
        if kind in ("disclaimer", "copyright") and publisher is None:
            publisher = find_publisher(text)
    return Trailer(
        body=body,
        author_bio=" ".join(bios) or None,
        disclaimer=" ".join(disclaimers) or None,
        related=related,
        publisher=publisher,
    )


def classify_trailer(paragraph: str) -> TrailerKind | None:
    """The trailer kind of a paragraph (bio, disclaimer, copyright, chrome, funding) or None."""
    rule = _match_trailer(paragraph)
    return None if rule is None else rule.kind


def _match_trailer(paragraph: str) -> TrailerRule | None:
    """The first of TRAILER_RULES (chrome rules only for short paragraphs) that matches."""
    if len(paragraph) <= _MAX_CHROME_CHARS:
        match = _FIRST_TRAILER_RULE.match(paragraph)
    else:
        match = _FIRST_LONG_TRAILER_RULE.match(paragraph)
    return None if match is None else _RULE_OF_GROUP[match.lastgroup]


def _names_author(rule: TrailerRule, paragraph: str, author_names: set[str]) -> bool:
    match = rule.pattern.match(paragraph)
    name = match.groupdict().get("name") if match is not None else None
    return name is not None and name.casefold() in author_names


def find_publisher(text: str) -> str | None:
    """The outlet a disclaimer or copyright line names, e.g. "DotDotNews"."""
    for rule in PUBLISHER_RULES:
        match = rule.pattern.search(text)
        if match is not None:
            return match["publisher"].strip()
    return None


def _take_editors_note(body: list[str]) -> tuple[list[str], list[tuple[str, TrailerKind]]]:
    """Split a leading "Editor's note: <bio> <disclaimer>" off the body, keeping its dateline."""
    if not body:
        return body, []
    first = body[0]
    prefix = _dateline_prefix(first)
    match = EDITORS_NOTE.pattern.match(first, len(prefix))
    if match is None:
        return body, []
    note_paragraphs = [first[match.end() :], *body[1:_MAX_NOTE_PARAGRAPHS]]
    note: list[str] = []
    for index, paragraph in enumerate(note_paragraphs):
        sentences = split_sentences(paragraph)
        for position, sentence in enumerate(sentences):
            if classify_trailer(sentence) == "disclaimer":
                rest = [" ".join(sentences[position + 1 :]), *body[index + 1 :]]
                return _with_prefix(prefix, [p for p in rest if p]), _note_kinds(note, sentence)
            note.append(sentence)
    # No disclaimer: only a note that reads as a bio leaves the body.
    bio = note_paragraphs[0]
    if classify_trailer(bio) != "bio":
        return body, []
    return _with_prefix(prefix, body[1:]), [(bio, "bio")]


def _note_kinds(note: list[str], disclaimer: str) -> list[tuple[str, TrailerKind]]:
    kinds: list[tuple[str, TrailerKind]] = [(disclaimer, "disclaimer")]
    if note:
        kinds.insert(0, (" ".join(note), "bio"))
    return kinds


def _dateline_prefix(paragraph: str) -> str:
    for rule in DATELINE_RULES:
        match = rule.pattern.match(paragraph)
        if match is not None:
            return paragraph[: match.end()]
    return ""


def _with_prefix(prefix: str, body: list[str]) -> list[str]:
    if prefix and body:
        return [prefix + body[0], *body[1:]]
    return body


def _drop_anywhere(paragraphs: list[str], related: list[RelatedLink]) -> list[str]:
    kept: list[str] = []
    for raw in paragraphs:
        text = raw.strip()
        if not text:
            continue
        if len(text) <= _MAX_CHROME_CHARS:
            if INLINE_READ_MORE.pattern.match(text):
                if kept and _looks_like_headline(kept[-1]):
                    related.append(RelatedLink(headline=kept.pop()))
                continue
            inline = INLINE_RELATED.pattern.match(text)
            if inline is not None and _looks_like_headline(inline["headline"]):
                related.append(RelatedLink(headline=inline["headline"].strip()))
                continue
            if _is_anywhere_chrome(text):
                continue
        kept.append(text)
    return kept


def _take_related_blocks(body: list[str], related: list[RelatedLink]) -> list[str]:
    """A "Read more"/"Don't miss" heading followed by headline-like entries, wherever it sits:
    the entries are related links, and the body goes on after them (pages set such boxes
    between paragraphs). A heading followed by anything else is left to the end-of-body rule."""
    kept: list[str] = []
    index = 0
    while index < len(body):
        text = body[index]
        if len(text) <= _MAX_RELATED_CHARS and _READ_MORE.match(text):
            end = index + 1
            while end < len(body) and _looks_like_headline(body[end]):
                end += 1
            resumes = end < len(body) and not _is_trailer_run(body[end:])
            if end > index + 1 and resumes:
                related.extend(_related_entry(entry) for entry in body[index + 1 : end])
                index = end
                continue
        kept.append(text)
        index += 1
    return kept


def _is_trailer_run(paragraphs: list[str]) -> bool:
    return all(classify_trailer(text) is not None for text in paragraphs)


def _any_of(rules: Iterable[Rule]) -> re.Pattern[str]:
    """One alternation of the rules' patterns (each keeping its own flags): a paragraph costs
    one match call instead of one per rule. Only for rules whose groups are not read."""
    alternatives = []
    for rule in rules:
        flags = "i" if rule.pattern.flags & re.IGNORECASE else ""
        alternatives.append(f"(?{flags}:{rule.pattern.pattern})")
    return re.compile("|".join(alternatives))


_ANYWHERE_CHROME = _any_of(rule for rule in TRAILER_RULES if rule.kind in ANYWHERE_KINDS)


def _first_of(rules: Iterable[tuple[int, Rule]]) -> re.Pattern[str]:
    """One alternation of the rules' patterns, alternative i in a group named "r<i>": a
    paragraph costs one match call instead of one per rule, and the match names the rule.

    At one position a regex tries its alternatives in order and takes the first that matches,
    as a loop over the rules does, so `lastgroup` (the outermost group closes last) is the first
    rule that matches. The rules' own named groups get the prefix "r<i>_" to stay distinct.
    """
    alternatives = []
    for index, rule in rules:
        if rule.pattern.flags & ~(re.IGNORECASE | re.UNICODE):
            raise ValueError(f"trailer rule {rule.name}: only IGNORECASE carries into one regex")
        flags = "i" if rule.pattern.flags & re.IGNORECASE else ""
        pattern = re.sub(r"\(\?P([<=])", rf"(?P\1r{index}_", rule.pattern.pattern)
        alternatives.append(f"(?P<r{index}>(?{flags}:{pattern}))")
    return re.compile("|".join(alternatives))


_FIRST_TRAILER_RULE = _first_of(enumerate(TRAILER_RULES))
_RULE_OF_GROUP: dict[str | None, TrailerRule] = {
    f"r{index}": rule for index, rule in enumerate(TRAILER_RULES)
}
# Chrome lines are short: a long paragraph is tried against the other rules only.
_FIRST_LONG_TRAILER_RULE = _first_of(
    (index, rule) for index, rule in enumerate(TRAILER_RULES) if rule.kind != "chrome"
)
_READ_MORE = _any_of(READ_MORE_RULES)


def _is_anywhere_chrome(text: str) -> bool:
    return _ANYWHERE_CHROME.match(text) is not None


def _read_more_start(body: list[str], author_names: set[str]) -> int | None:
    """Index of a "Read more …:" heading followed only by headline-sized entries (and trailer
    notes: the author's bio may close the page after the list)."""
    first = max(0, len(body) - _READ_MORE_WINDOW)
    for index in range(len(body) - 1, first - 1, -1):
        text = body[index]
        if len(text) > _MAX_RELATED_CHARS:
            rule = _match_trailer(text)
            if rule is None or (rule.contextual and not _names_author(rule, text, author_names)):
                return None
            continue
        if _READ_MORE.match(text):
            return index
    return None


def _company_boilerplate_start(body: list[str]) -> int | None:
    """Index where a press release's closing company boilerplate starts, or None.

    It opens with an "About Ascom" heading (the section runs to the end), or with "Ascom is a
    global solutions provider …" followed only by more boilerplate: company facts, contacts,
    legal or trailer notes, another company's description. Either way the company must be
    named earlier in the body. A news story whose last paragraphs describe a company, or go on
    after describing it, keeps them.
    """
    first = max(_MIN_RELEASE_PARAGRAPHS, len(body) - _BOILERPLATE_WINDOW)
    for index in range(first, len(body)):
        opening = _company_opening(body[index])
        if opening is None:
            continue
        name, heading = opening
        named = re.compile(rf"\b{re.escape(name)}\b")
        if not any(named.search(text) for text in body[:index]):
            continue
        rest = body[index + 1 :]
        if heading or (rest and all(_is_boilerplate(text) for text in rest)):
            return index
    return None


def _company_opening(text: str) -> tuple[str, bool] | None:
    """The company an "About X" heading or an "X is a … provider" paragraph introduces."""
    heading = ABOUT_COMPANY.pattern.match(text)
    if heading is not None:
        return heading["name"], True
    description = COMPANY_DESCRIPTION.pattern.match(text)
    return None if description is None else (description["name"], False)


def _is_boilerplate(text: str) -> bool:
    return (
        _company_opening(text) is not None
        or any(rule.pattern.match(text) for rule in COMPANY_FOLLOWER_RULES)
        or classify_trailer(text) is not None
    )


def _related_entry(text: str) -> RelatedLink:
    for rule in RELATED_ENTRY_RULES:
        match = rule.pattern.match(text)
        if match is not None:
            groups = match.groupdict()
            return RelatedLink(headline=groups["headline"].strip(), section=groups.get("section"))
    return RelatedLink(headline=text)


def _looks_like_headline(text: str) -> bool:
    return len(text) <= _MAX_INLINE_HEADLINE_CHARS and not text.endswith((".", ":", ";", ","))
