"""The bounds of a record: what enrichment keeps of a file's fields (DESIGN §6: every item and
key has a bounded size). Longer text is cut at a word boundary and ends with "…"; longer lists
keep their first entries. A file whose record would still not fit is a failed ingestion.

| field                              | cap                     |
|------------------------------------|-------------------------|
| headline, related headlines        | 300 characters          |
| section, publisher                 | 100 characters          |
| author names                       | 100 characters, 20 authors |
| standfirst                         | 1,000 characters        |
| author_bio, disclaimer             | 2,000 characters        |
| keywords                           | 10, each 60 characters  |
| tags                               | 11 (the keywords and the section), slugs of 80 characters |
| related links                      | 20                      |
| source_url                         | 2,048 characters (longer: dropped) |
| dateline location / agency         | 100 characters          |
| records in one .jsonl file         | 1,000 (more: `too_many_records`, newsdesk.parsing.jsondoc) |
| JSON nesting                       | Python's parser's depth (deeper: `too_deep`) |
"""

from __future__ import annotations

from dataclasses import replace

from newsdesk.enrichment.keywords import MAX_KEYWORDS
from newsdesk.models import Dateline, RelatedLink
from newsdesk.parsing.document import Extracted

MAX_HEADLINE_CHARS = 300
MAX_LABEL_CHARS = 100
MAX_AUTHORS = 20
MAX_STANDFIRST_CHARS = 1000
MAX_NOTE_CHARS = 2000
MAX_KEYWORD_CHARS = 60
MAX_RELATED = 20
MAX_URL_CHARS = 2048
_ELLIPSIS = "…"


def clip(text: str | None, limit: int) -> str | None:
    """`text` if it is at most `limit` characters, else cut at a word boundary with "…"."""
    if text is None or len(text) <= limit:
        return text
    room = limit - len(_ELLIPSIS)
    head = text[: room + 1]
    space = head.rfind(" ", limit // 2)  # a word boundary in the second half, if there is one
    cut = head[:space] if space > 0 else head[:room]
    return cut.rstrip(" ,;:-–—") + _ELLIPSIS


def bounded(extracted: Extracted) -> Extracted:
    """The fields of `extracted` within the caps above (the body is bounded by the file size
    and stored compressed or in parts; see newsdesk.storage.items)."""
    if _within_caps(extracted):
        # Nearly every file: nothing to cut, and copying the record (dataclasses.replace, a
        # new Dateline and RelatedLink each) would give the same values back.
        return extracted
    dateline = extracted.dateline
    if dateline is not None:
        dateline = Dateline(
            location=clip(dateline.location, MAX_LABEL_CHARS),
            agency=clip(dateline.agency, MAX_LABEL_CHARS),
        )
    source_url = extracted.source_url
    if source_url is not None and len(source_url) > MAX_URL_CHARS:
        source_url = None
    return replace(
        extracted,
        headline=clip(extracted.headline, MAX_HEADLINE_CHARS),
        section=clip(extracted.section, MAX_LABEL_CHARS),
        standfirst=clip(extracted.standfirst, MAX_STANDFIRST_CHARS),
        # Duplicates are dropped later; a few times the cap leaves room for them.
        authors=[
            clip(name, MAX_LABEL_CHARS) or "" for name in extracted.authors[: MAX_AUTHORS * 4]
        ],
        publisher=clip(extracted.publisher, MAX_LABEL_CHARS),
        dateline=dateline,
        source_url=source_url,
        author_bio=clip(extracted.author_bio, MAX_NOTE_CHARS),
        disclaimer=clip(extracted.disclaimer, MAX_NOTE_CHARS),
        related=[
            RelatedLink(
                headline=clip(link.headline, MAX_HEADLINE_CHARS) or "",
                section=clip(link.section, MAX_LABEL_CHARS),
            )
            for link in extracted.related[:MAX_RELATED]
        ],
        keywords=[
            clip(keyword, MAX_KEYWORD_CHARS) or ""
            for keyword in extracted.keywords[: MAX_KEYWORDS * 4]
        ],
    )


def _within_caps(extracted: Extracted) -> bool:
    """Whether bounded() would give every field back as it is (a related link's id included:
    bounded drops it)."""
    dateline = extracted.dateline
    return (
        _fits(extracted.headline, MAX_HEADLINE_CHARS)
        and _fits(extracted.section, MAX_LABEL_CHARS)
        and _fits(extracted.standfirst, MAX_STANDFIRST_CHARS)
        and len(extracted.authors) <= MAX_AUTHORS * 4
        and all(len(name) <= MAX_LABEL_CHARS for name in extracted.authors)
        and _fits(extracted.publisher, MAX_LABEL_CHARS)
        and (
            dateline is None
            or (
                _fits(dateline.location, MAX_LABEL_CHARS)
                and _fits(dateline.agency, MAX_LABEL_CHARS)
            )
        )
        and _fits(extracted.source_url, MAX_URL_CHARS)
        and _fits(extracted.author_bio, MAX_NOTE_CHARS)
        and _fits(extracted.disclaimer, MAX_NOTE_CHARS)
        and len(extracted.related) <= MAX_RELATED
        and all(
            len(link.headline) <= MAX_HEADLINE_CHARS
            and _fits(link.section, MAX_LABEL_CHARS)
            and link.id is None
            for link in extracted.related
        )
        and len(extracted.keywords) <= MAX_KEYWORDS * 4
        and all(len(keyword) <= MAX_KEYWORD_CHARS for keyword in extracted.keywords)
    )


def _fits(text: str | None, limit: int) -> bool:
    return text is None or len(text) <= limit
