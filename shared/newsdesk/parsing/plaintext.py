"""Plain text for every stored field: no markup, no control characters, URLs only when http(s).

A client may put any field of a record into a page, so none may carry markup of any format:
character references are decoded *before* tags are stripped (never after, which would turn
"&lt;script&gt;" into a live tag), the contents of script-like elements go with their tags,
and a "<" that could still open a tag is dropped. Decoding and stripping repeat while they
change something (double-encoded feeds), a bounded number of rounds. Every step is linear in
the text's length, whatever the input (no pattern that backtracks over unclosed tags).
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from urllib.parse import quote, urlsplit

from newsdesk.models import Dateline, LeadImage, RelatedLink
from newsdesk.parsing.document import Extracted

# Decode-then-strip rounds: "&amp;lt;script&amp;gt;" (encoded twice) needs two.
MAX_ROUNDS = 4
MAX_URL_CHARS = 2048

# Elements whose content is code or styling, never text: removed with what they hold.
_RAW_ELEMENTS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg")
_RAW_OPEN = re.compile(r"<(" + "|".join(_RAW_ELEMENTS) + r")\b[^<>]*>|<!--", re.I)
_RAW_CLOSE = {
    **{name: re.compile(rf"</{name}\s*>", re.I) for name in _RAW_ELEMENTS},
    "!--": re.compile(r"-->"),
}
# A tag, a closing tag, a declaration or a processing instruction (no "<" or ">" inside).
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?=[\s/>])|[!?])[^<>]*>")
# Angle brackets around what no tag name looks like: a wire ticker ("<IBM.N>") keeps its text.
_BRACKETED = re.compile(r"<([A-Za-z][^<>\s]*)>")
# What is left that a browser could still read as the start of a tag; a run of "<" goes whole
# ("<<<b" losing one "<" would leave "<<b", then "<b" the next time the text is cleaned).
_TAG_START = re.compile(r"<+(?=[A-Za-z/!?])")
_ENCODED_TAG_START = re.compile(
    r"(?:&(?:amp;)*(?:lt;?|#0*60;|#x0*3c;))+(?=\s*[A-Za-z/!?])", re.IGNORECASE
)
# Character references with their semicolon ("&amp;", "&#60;", "&#x3C;"), and the four that
# pages often leave without one ("PG&amp", "&quot") where no letter, digit or "=" follows.
# Other legacy references are left alone: in plain text "a=1&not=2" holds no entity.
_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};|"
    r"(?:amp|lt|gt|quot|AMP|LT|GT|QUOT)(?![A-Za-z0-9=]))"
)
# Control characters (C0, DEL, C1; \t and \n become spaces), lone surrogates (not encodable as
# UTF-8), bidirectional overrides and isolates (they reorder what a reader sees), zero-width
# characters and the BOM.
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200d\u2060\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SPACE_CONTROLS = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85]")
# Characters a URL may not hold as they are (RFC 3986): percent-encoded when a stated URL has them.
_URL_SAFE = "-._~:/?#[]@!$&'()*+,;=%"


def plain_text(value: str) -> str:
    """`value` as one line of plain text: references decoded, markup stripped, no control
    characters, whitespace runs as one space, no space at the ends."""
    text = value
    for _ in range(MAX_ROUNDS):
        before = text
        if "&" in text:
            text = decode_references(text)
        if "<" in text:
            # A dropped "<" can join a new reference ("&l&lt;t;" → "&l<t;" → "&lt;"): the
            # next round decodes it.
            text = _TAG_START.sub("", strip_markup(text))
        if text == before:
            break
    else:
        # Encoded more times than there are rounds: what would still decode to a tag start goes.
        text = _TAG_START.sub("", _ENCODED_TAG_START.sub("", text))
    if not text.isascii() or not text.isprintable():
        text = _CONTROLS.sub("", _SPACE_CONTROLS.sub(" ", text))
    elif "  " not in text and text[:1] != " " and text[-1:] != " ":
        # Printable ASCII has no whitespace but " ": with no run of two and none at the ends,
        # the join below gives the text back (most paragraphs; it costs a string per word).
        return text
    return " ".join(text.split())


def optional_text(value: str | None) -> str | None:
    """plain_text, or None when nothing is left."""
    if value is None:
        return None
    return plain_text(value) or None


def decode_references(text: str, *, rounds: int = 1) -> str:
    """Character references decoded: once, or again while `rounds` allow and some are left
    ("&amp;lt;" takes two)."""
    for _ in range(rounds):
        decoded = _REFERENCE.sub(_decode_reference, text)
        if decoded == text:
            break
        text = decoded
    return text


def _decode_reference(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def strip_markup(text: str) -> str:
    """Tags removed; script, style, SVG, iframe … elements and comments with their content.

    Whitespace is kept as it is (callers that split paragraphs at tags do that first).
    """
    if "<" not in text:
        return text
    # Again while something goes: taking "<script>x</script>" out of "<scr<script>x</script>ipt>"
    # leaves a new "<script>".
    for _ in range(MAX_ROUNDS):
        dropped = drop_raw_elements(text)
        if dropped == text:
            break
        text = dropped
    return _BRACKETED.sub(r"\1", _TAG.sub("", text))


def drop_raw_elements(text: str) -> str:
    """Script-like elements and comments out, content and all. An element that never closes
    loses only its opening tag (what follows stays, as text). Linear: each closing tag is
    searched for once per opening tag, and a name that never closes is not searched again."""
    pieces: list[str] = []
    position = 0
    unclosed: set[str] = set()
    while (opening := _RAW_OPEN.search(text, position)) is not None:
        name = (opening.group(1) or "!--").lower()
        pieces.append(text[position : opening.start()])
        closing = None if name in unclosed else _RAW_CLOSE[name].search(text, opening.end())
        if closing is None:
            unclosed.add(name)
            position = opening.end()
        else:
            position = closing.end()
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def http_url(value: str | None) -> str | None:
    """An absolute http(s) URL with a host, characters outside RFC 3986 percent-encoded; None
    for anything else (javascript:, data:, relative, over MAX_URL_CHARS, spaces inside)."""
    if not value:
        return None
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > MAX_URL_CHARS:
        return None
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    safe = quote(url, safe=_URL_SAFE)
    return safe if len(safe) <= MAX_URL_CHARS else None


def plain_fields(extracted: Extracted) -> Extracted:
    """Every text field of `extracted` as plain text (empty ones dropped), every URL http(s)."""
    dateline = extracted.dateline
    if dateline is not None:
        location, agency = optional_text(dateline.location), optional_text(dateline.agency)
        dateline = Dateline(location=location, agency=agency) if location or agency else None
    image = extracted.image
    if image is not None:
        url = http_url(image.url)
        image = (
            None
            if url is None
            else LeadImage(
                url=url, caption=optional_text(image.caption), credit=optional_text(image.credit)
            )
        )
    related = []
    for link in extracted.related:
        headline = plain_text(link.headline)
        if headline:
            related.append(
                RelatedLink(headline=headline, section=optional_text(link.section), id=link.id)
            )
    return replace(
        extracted,
        headline=optional_text(extracted.headline),
        section=optional_text(extracted.section),
        standfirst=optional_text(extracted.standfirst),
        authors=_texts(extracted.authors),
        publisher=optional_text(extracted.publisher),
        dateline=dateline,
        source_url=http_url(extracted.source_url),
        image=image,
        body=_texts(extracted.body),
        author_bio=optional_text(extracted.author_bio),
        disclaimer=optional_text(extracted.disclaimer),
        related=related,
        language=optional_text(extracted.language),
        keywords=_texts(extracted.keywords),
    )


def _texts(values: list[str]) -> list[str]:
    return [text for text in map(plain_text, values) if text]
