"""HTML parser: metadata from what the page states, best source first; the main text from
trafilatura; then the body cleanup and the trailer cleanup the text path uses.

Metadata sources, best first (newsdesk.parsing.pagemeta reads them): schema.org JSON-LD,
OpenGraph/article/Twitter <meta>, other <meta>, microdata and rel=author, bylines and dates in
the article header, the headings and <title>, then trafilatura's own guesses. Which source won
each field is recorded in `provenance`.

trafilatura (and lxml under it) is imported on the first HTML file only. The page is parsed
once: the tree serves the metadata and is handed to trafilatura.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsdesk.errors import ParseError
from newsdesk.models import LeadImage
from newsdesk.parsing.dates import parse_date
from newsdesk.parsing.document import Extracted
from newsdesk.parsing.htmlrules import (
    BYLINE_PREFIX,
    BYLINE_TAIL,
    HEADER_DATE,
    HEADER_DATE_BYLINE,
    NAME_SEPARATOR,
    ORGANIZATION_NAME,
    SOURCE_CREDIT,
    TITLE_SEPARATOR,
    TITLE_TIMESTAMP,
    UPDATED_LINE,
)
from newsdesk.parsing.images import lead_image
from newsdesk.parsing.pagemeta import PageImage, PageMeta, read_page
from newsdesk.parsing.rules import NAME_PARTICLES, is_housekeeping

# Measured on the 12 HTML corpus pages (body F1 / checks, tests/unit/test_corpus.py):
# fast=True (no readability/jusText fallback) lifts one listing page from F1 0.33 to 0.99 and
# recovers a missed section elsewhere, and is faster; favor_precision cost recall (0.98 on one
# page) and favor_recall cost precision (0.85 -> 0.81), so the default balance stays. Tables are
# kept (no page lost by them; some articles are tables of figures); reader comments are dropped.
EXTRACTION_OPTIONS: dict[str, Any] = {
    "fast": True,
    "include_comments": False,
    "include_tables": True,
    "favor_precision": False,
    "favor_recall": False,
}
# htmldate's defaults read the clock (max_date = today) and search the body text for dates;
# parsing is pure and never guesses a date from prose, so both are turned off.
_DATE_PARAMS: dict[str, Any] = {
    "original_date": True,
    "extensive_search": False,
    "max_date": "2999-12-31",
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",  # keep the time and offset when the page states them
}
_LANG_ATTRIBUTE = re.compile(r"^([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)")
_SPLIT_TERMS = re.compile(r"\s*[,;]\s*")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?(?:[\w-]+\.)+[a-z]{2,}/?$", re.I)
# Not text of the article although inside it: captions and credits (by class, or a short
# block inside a picture's box), author hover cards, inline "Read more" links.
_CAPTION_CLASS = re.compile(
    r"caption|credit|copyright|bildunterschrift|bildquelle|legende|legend\b|photo-?info|"
    r"image-?info|img-?info",
    re.I,
)
_MAX_CAPTION_CHARS = 400
# Boxes of other stories beside or under the article ("Latest news", "Read next", "Trending").
_STORY_BOX = re.compile(
    r"(?:^|[\s_-])(?:latest-?(?:news|stories|posts|articles)|read-?next|recommended|trending|"
    r"top-?stories|more-?(?:news|stories)|news-?box|teaser-?list)(?:$|[\s_-])",
    re.I,
)
_MIN_STORY_BOX_LINKS = 3
# Words one of the four class patterns above needs (lowercased label): a cheap first look.
_PRUNE_HINT = re.compile(
    r"caption|credit|copyright|unterschrift|bildquelle|legend|info|hover|rollover|tooltip|"
    r"popover|flyout|image|img|photo|picture|gallery|figure|latest|next|recommended|trending|"
    r"stories|news|teaser"
)
# Links inside a paragraph or list item: one pass over the links, each looking up its
# ancestors ("//p//a | //li//a" merges one node-set per paragraph, quadratic in libxml2: 6 s
# for a page of 24,000 paragraphs).
_INLINE_LINKS = "//a[ancestor::p or ancestor::li][string-length(normalize-space()) < 80]"

# libxml2 keeps 256 levels of elements and silently drops anything deeper (the text inside
# too): a page that reaches that depth is refused rather than read in part.
MAX_HTML_DEPTH = 256
_AT_MAX_DEPTH = "boolean(" + "/*" * MAX_HTML_DEPTH + ")"
# trafilatura's time grows faster than the page: it strips inline tags, which leaves runs of
# adjacent text nodes, and libxml2 sorts node-sets of those in time quadratic in the siblings
# it walks (a paragraph of 6,000 links took 4 s, 24,000 emphasized words 15 s, a 5 MB page of
# 78,000 navigation elements 71 s). The pages of the shared corpus have at most 1,700
# elements once scripts and styles are out; an article page with more than these is refused.
MAX_HTML_ELEMENTS = 12_000
MAX_HTML_CHILDREN = 5_000  # of one element (MAX_PARAGRAPHS paragraphs side by side)
_CODE_ELEMENTS = (
    "//script[not(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'application/ld+json')] | //style | //template"
)
_MAX_PICTURE_BOX_CHARS = 1000  # a picture's box holds a caption, not an article
_BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"})
_PICTURE_BOX = re.compile(
    r"(?:^|[\s_-])(?:image|img|photo|picture|gallery|figure)(?:$|[\s_-])", re.I
)
_HOVER_CARD = re.compile(
    r"(?:rollover|hover|tooltip|popover|flyout)[\w-]*(?:block|card|content|box|panel|popup)|"
    r"hover-?card",
    re.I,
)
_MORE_LINK = re.compile(
    r"^(?:MORE|More|Read more|Read More|READ MORE|Mehr|Weiterlesen|Lire la suite|Lire plus|"
    r"Leer más|Continua a leggere|Lees meer|Leia mais|(?:Weitere|Mehr) Informationen\b.*|"
    r"More information\b.*|Lesen Sie (?:hier )?(?:mehr|weiter)\b.*|Full story\b.*)\W*$"
)
# A fast extraction shorter than this is checked against trafilatura's full one.
_MIN_FAST_TEXT_CHARS = 500
# Person names: at most this many words; longer "names" are sentences or organizations.
MAX_NAME_WORDS = 5
MAX_AUTHORS = 10
MAX_SECTION_CHARS = 60
# The article's header: this many text lines after the headline's heading are read for a
# date or a "date - name" byline, and the header ends at the first line this long.
_HEADER_LINES = 12
_HEADER_LINE_CHARS = 160
# A lead under the headline: looked for among the heading's next siblings and, by class, a few
# elements further on; of a lead's length.
_INTRO_CLASS = re.compile(
    r"intro|lead|lede|teaser|standfirst|\bdek\b|summary|excerpt|abstract|vorspann|chapeau|"
    r"\bsapo\b|entradilla|subtitle|subline|sub-?headline",
    re.I,
)
_INTRO_SIBLINGS = 3
_HEADLINE_REPEAT_WINDOW = 5
_LEAD_TAGS = frozenset({"p", "div", "h2", "h3", "span", "section", "strong", "b"})
_INTRO_WINDOW = 40
_MIN_INTRO_CHARS = 60
_MAX_BYLINE_LINE_CHARS = 200
_MAX_INTRO_CHARS = 800
# A text's closing lines (sign-off, source credit, update note) are its last few paragraphs.
_CLOSING_LINES = 4
_MAX_SIGN_OFF_CHARS = 40
_TERMINAL = (".", "!", "?", ":", ";", ",")
# Date sources in the order they are trusted. A <meta name=date> is often the page's build time.
_DATE_PRIORITY = {
    "json-ld": 0,
    "meta:article:published_time": 1,
    "meta:og:published_time": 1,
    "meta:datepublished": 2,
    "microdata": 2,
    "time": 3,
}


@dataclass
class _Choice:
    value: Any
    source: str


def parse_html(text: str) -> Extracted:
    """An HTML page: main text as paragraphs, metadata from the page's own statements."""
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:
        raise ParseError("no_body", "the HTML page has no article text")
    if tree.xpath(_AT_MAX_DEPTH):
        raise ParseError(
            "too_deep",
            f"the page nests elements more than {MAX_HTML_DEPTH} levels deep; the HTML parser "
            "drops what is deeper, so the text read would be incomplete",
        )
    _drop_code(tree)
    _check_size(tree)
    page = read_page(tree)
    # What the page states is read before trafilatura's guesses are known: its own sitename and
    # title serve only when the page states none.
    sites = _site_names(page)
    stated_headline = _headline(page, sites)
    heading = _heading_node(tree, stated_headline.value if stated_headline else None)
    leads = _dek_and_intro(heading)
    header = _header_lines(heading)
    language = _language(tree)
    _prune(tree, page.classed)
    # A discussion thread's text is its posts; the fast extractor stops after the first one.
    document = _extract(tree, fast=not page.discussion)
    body_text: str = (document.text or "") if document is not None else ""
    if page.discussion is False and len(body_text) < _MIN_FAST_TEXT_CHARS:
        # Less than a short paragraph: the main extractor missed the article (a paywall's
        # preview, an unusual layout); trafilatura's full comparison with its fallback
        # extractors finds it.
        # On the page as it came (its fallback extractors weigh what pruning would take out).
        full = _extract(load_html(text), fast=False)
        full_text = (full.text or "") if full is not None else ""
        # Taken when it extends what was found, not when it is another part of the page.
        if len(full_text) > len(body_text) and _share_kept(body_text, full_text) >= 0.5:
            document, body_text = full, full_text
    if document is None or not body_text.strip():
        raise ParseError("no_body", "the HTML page has no article text")
    from newsdesk.parsing.trailer import clean_trailer

    provenance: dict[str, str] = {}
    headline = stated_headline
    section = _section(page, headline)
    authors = _authors(page, sites)
    published = _published(page) or _header_date(header)
    if not authors.value:
        authors = _header_byline(header) or authors
    publisher = _publisher(page, sites)
    image = _image(page)
    keywords = _keywords(page)

    paragraphs = [p for p in (" ".join(line.split()) for line in body_text.split("\n")) if p]
    paragraphs, closing = _closing_lines(paragraphs, sites)
    if not authors.value and closing.signed:
        authors = _Choice(closing.signed, "sign-off")
    if not authors.value and closing.credit:
        authors = _Choice([closing.credit], "source-credit")
    if published is None and closing.signed_at is not None:
        published = _Choice(closing.signed_at, "sign-off")
    if published is None and (found_date := _guessed_date(tree)) is not None:
        published = _Choice(found_date, "htmldate")
    if headline is not None:
        titles = [headline.value, *(value for _, value in page.headlines)]
        titles += [f"{kicker} {rest}" for kicker, rest in page.kicked_headings]
        paragraphs = _drop_repeated_headline(paragraphs, titles, sites)
    # What the page sets under its headline: an intro paragraph opens the body when trafilatura
    # left it out (it is the lead); a dek (a subheading) is the standfirst, unless trafilatura
    # kept it as the body's opening, where it stays (one place, never twice).
    dek, intro = leads
    opening = _key(" ".join(paragraphs[:4]))
    standfirst = dek if dek is not None and _key(dek) not in opening else None
    if intro is not None and intro != dek:
        # The lead opens the text, wherever trafilatura put it.
        paragraphs = [p for p in paragraphs if _key(p) != _key(intro)]
        if _key(intro) not in _key(" ".join(paragraphs[:4])):
            paragraphs.insert(0, intro)
    trailer = clean_trailer(paragraphs, authors=authors.value)

    for name, choice in (
        ("headline", headline),
        ("section", section),
        ("authors", authors if authors.value else None),
        ("published_at", published),
        ("publisher", publisher),
        ("image", image),
        ("keywords", keywords),
    ):
        if choice is not None:
            provenance[name] = choice.source
    return Extracted(
        format="html",
        headline=headline.value if headline else None,
        section=section.value if section else None,
        standfirst=standfirst,
        authors=authors.value,
        publisher=(publisher.value if publisher else None) or trailer.publisher,
        published_at=published.value if published else None,
        updated_at_source=_modified(page) or closing.updated,
        source_url=page.url,
        image=image.value if image else None,
        body=trailer.body,
        author_bio=trailer.author_bio,
        disclaimer=trailer.disclaimer,
        related=trailer.related,
        language=language,
        keywords=keywords.value if keywords else [],
        provenance=provenance,
    )


def _check_size(tree: Any) -> None:
    """Refuse a page of more than MAX_HTML_ELEMENTS elements, or with an element of more than
    MAX_HTML_CHILDREN children, before anything costs more than a count."""
    for elements, node in enumerate(tree.iter(), 1):
        if elements > MAX_HTML_ELEMENTS:
            raise ParseError(
                "too_long",
                f"the page has more than {MAX_HTML_ELEMENTS:,} elements besides scripts and "
                "styles; an article page has a few thousand",
            )
        if len(node) > MAX_HTML_CHILDREN:
            raise ParseError(
                "too_long",
                f"a <{node.tag}> element of the page holds {len(node):,} elements; at most "
                f"{MAX_HTML_CHILDREN:,} side by side are read",
            )


def _drop_code(tree: Any) -> None:
    """Scripts (but the JSON-LD the metadata is read from), styles and templates out of the
    tree: a heading's or byline's text_content() would otherwise carry their code."""
    for node in tree.xpath(_CODE_ELEMENTS):
        node.drop_tree()


def _share_kept(text: str, other: str) -> float:
    """The share of text's word trigrams that other holds too."""
    mine, theirs = _trigrams(text), _trigrams(other)
    return len(mine & theirs) / len(mine) if mine else 0.0


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _prune(tree: Any, classed: list[Any]) -> None:
    """Drop what sits inside an article's text but is not text of it: captions and credits,
    author hover cards, inline "Read more" links. Done on the tree before extraction (the
    metadata has been read), so trafilatura never sees them."""
    doomed: list[Any] = list(tree.iter("figcaption"))
    for node in classed:
        label = node.get("class")
        if not label or _PRUNE_HINT.search(label.lower()) is None:
            continue  # most elements: one cheap look, no pattern of the four matches
        if (
            _HOVER_CARD.search(label)
            or (_CAPTION_CLASS.search(label) and _short(node, _MAX_CAPTION_CHARS))
            or (_STORY_BOX.search(label) and _is_story_box(node))
        ):
            doomed.append(node)
        elif _PICTURE_BOX.search(label) and _short(node, _MAX_PICTURE_BOX_CHARS):
            # A caption beside the image in a picture's box, not in <figure>.
            doomed += [
                child
                for child in node.xpath("./*/descendant-or-self::*[self::p or self::span]")
                if _short(child, _MAX_CAPTION_CHARS)
                and not any(part.tag in _BLOCK_TAGS for part in child.iterdescendants())
            ]
    doomed += [
        link
        for link in tree.xpath(_INLINE_LINKS)
        if _MORE_LINK.match(" ".join(link.text_content().split()))
    ]
    for node in doomed:
        if node.getparent() is not None:
            node.drop_tree()


def _is_story_box(node: Any) -> bool:
    """Other stories' cards: several links, and not the box that holds the article's heading."""
    return len(node.xpath(".//a[@href]")) >= _MIN_STORY_BOX_LINKS and not node.xpath(".//h1")


def _short(node: Any, limit: int) -> bool:
    return len(node.text_content()) <= limit


def _extract(tree: Any, *, fast: bool) -> Any:
    import trafilatura

    # Only the text: the metadata is read from the page (newsdesk.parsing.pagemeta), and
    # trafilatura's own metadata pass costs as much as its text extraction.
    document = trafilatura.bare_extraction(
        tree, with_metadata=False, **{**EXTRACTION_OPTIONS, "fast": fast}
    )
    if isinstance(document, dict):  # only with the deprecated as_dict=True
        raise TypeError("trafilatura returned a dict; newsdesk expects a Document")
    return document


# ---------------------------------------------------------------------------------------------
# Headline


def _headline(page: PageMeta, sites: set[str]) -> _Choice | None:
    """The article's heading, not the site's, without a site name before or after it.

    JSON-LD states the article's headline; otherwise a title the page states (og:title, …, the
    <title>'s parts) that a heading on the page repeats; otherwise the page's main <h1> when it
    reads as a headline; otherwise og:title, then the <title>, site name stripped.
    """
    headings = {_key(text): text for text in page.headings}
    stated = [(source, _strip_site(value, sites)) for source, value in page.headlines]
    title_parts = _title_parts(page.title)
    for source, value in stated:
        if source == "json-ld" and value and _key(value) not in sites:
            return _unkicked(page, _Choice(_longer_heading(value, page.headings), source))
    for source, value in stated:
        if value and _key(value) in headings:
            return _unkicked(page, _Choice(value, f"meta:{source}+heading"))
    for part in title_parts:
        if _key(part) in headings and _key(part) not in sites:
            return _unkicked(page, _Choice(part, "title+heading"))
    for kicker, rest in page.kicked_headings:
        if any(value and _key(value) == _key(f"{kicker} {rest}") for _, value in stated):
            return _Choice(rest, "heading")
    # A heading the page shows but no title names: a visible headline beside an SEO title.
    site_parts = {_key(p) for p in title_parts} - {_key(v) for _, v in stated if v}
    for text in page.h1:
        key = _key(text)
        if len(text.split()) >= 4 and key not in sites and key not in site_parts:
            return _Choice(text, "h1")
    for source, value in stated:
        if value and _key(value) not in sites:
            return _unkicked(page, _Choice(value, f"meta:{source}"))
    for part in title_parts:
        if _key(part) not in sites:
            return _Choice(part, "title")
    for text in page.h1:
        if _key(text) not in sites:
            return _Choice(text, "h1")
    return None


def _unkicked(page: PageMeta, choice: _Choice) -> _Choice:
    """The headline without the kicker the page sets apart in its heading ("Covid-19: …")."""
    key = _key(choice.value)
    for kicker, rest in page.kicked_headings:
        if key == _key(f"{kicker} {rest}"):
            return _Choice(rest, choice.source)
    return choice


def _longer_heading(value: str, headings: list[str]) -> str:
    """A JSON-LD headline cut short ("…", Google's 110 characters) is the heading it starts."""
    stem = value.rstrip(".…").rstrip()
    if stem == value and len(value) < 100:
        return value
    for heading in headings:
        if len(heading) > len(stem) and _key(heading).startswith(_key(stem)):
            return heading
    return value


def _title_parts(title: str | None) -> list[str]:
    if not title:
        return []
    return [part for part in (p.strip() for p in TITLE_SEPARATOR.pattern.split(title)) if part]


def _strip_site(value: str | None, sites: set[str]) -> str | None:
    """A title without the site name (or a time stamp) before or after a separator."""
    if not value:
        return None
    pieces = re.split(f"({TITLE_SEPARATOR.pattern.pattern})", value)
    # pieces alternate: text, separator, text, ...
    while len(pieces) >= 3 and _is_site(pieces[-1], sites, last=True):
        pieces = pieces[:-2]
    while len(pieces) >= 3 and _is_site(pieces[0], sites, last=False):
        pieces = pieces[2:]
    result = "".join(pieces).strip()
    return result or value


def _is_site(part: str, sites: set[str], *, last: bool) -> bool:
    text = part.strip()
    key = _key(text)
    if not key:
        return True
    if key in sites or _DOMAIN.match(text) or TITLE_TIMESTAMP.pattern.match(text):
        return True
    # "Schweizer Jäger Online" after a headline on schweizerjaeger.ch, "Spektrum der
    # Wissenschaft" on spektrum.de: a trailing part that starts with the site's name.
    return last and any(len(site) >= 5 and key.startswith(site) for site in sites)


def _site_names(page: PageMeta) -> set[str]:
    """Keys of every name the site goes by: stated names, its host's labels, its publisher."""
    names = {_key(value) for _, value in page.site_names}
    if page.host:
        labels = page.host.lower().removeprefix("www.").split(".")
        names.add(_key(".".join(labels)))
        names.update(_key(_transliterate(label)) for label in labels[:-1] if len(label) >= 3)
        names.update(_key(label) for label in labels[:-1] if len(label) >= 3)
    names.update(_key(name) for name in page.organizations)
    names.discard("")
    return names


# ---------------------------------------------------------------------------------------------
# Authors


def _authors(page: PageMeta, sites: set[str]) -> _Choice:
    """People the page names as authors; an organization (the site, a company) is none."""
    for source, values in page.authors:
        names: list[str] = []
        for value in values if source != "byline" else values[:1]:
            names += [n for n in byline_names(value) if _is_person(n, sites)]
        if source == "byline" and not names:
            # The first byline that names someone (a photo credit may come first).
            for value in values[1:]:
                names = [n for n in byline_names(value) if _is_person(n, sites)]
                if names:
                    break
        if names:
            label = source if source in ("json-ld", "microdata", "byline") else f"meta:{source}"
            return _Choice(list(dict.fromkeys(names))[:MAX_AUTHORS], label)
    return _Choice([], "none")


def byline_names(text: str) -> list[str]:
    """The names of a byline: "Von Lars Fischer und Alina Schadwinkel" -> the two names."""
    line = " ".join(text.split())
    line = BYLINE_PREFIX.pattern.sub("", line, count=1)
    line = BYLINE_TAIL.pattern.sub("", line, count=1).strip(" ,;:")
    if not line or len(line) > 120:
        return []
    parts = [p.strip(" .,;:") if not _ends_in_initial(p) else p.strip() for p in _split(line)]
    return [p for p in parts if p]


def _split(line: str) -> list[str]:
    # "Perry Bacon Jr." and "Joe S." keep their period; "Jr." is no name of its own.
    parts = NAME_SEPARATOR.pattern.split(line)
    merged: list[str] = []
    for part in parts:
        if merged and part.strip(" .") in ("Jr", "Sr", "II", "III", "IV", "Jun", "sen"):
            merged[-1] = f"{merged[-1]}, {part.strip()}"
        else:
            merged.append(part)
    return merged


def _ends_in_initial(name: str) -> bool:
    from newsdesk.parsing.sentences import ends_with_abbreviation

    return ends_with_abbreviation(name.strip())


def _is_person(name: str, sites: set[str]) -> bool:
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or any(ch.isdigit() for ch in name):
        return False
    if any(ch in name for ch in '@:|/()[]{}<>=»«"') or ORGANIZATION_NAME.pattern.search(name):
        return False
    key = _key(name)
    if key in sites or _key(_transliterate(name)) in sites:
        return False
    if len(words) == 1:
        return True  # a pen name or user name ("Pepemaus", "Herr_Rein")
    return all(
        (word[0].isalpha() and not word[0].islower()) or word in NAME_PARTICLES for word in words
    )


def _header_byline(lines: list[str]) -> _Choice | None:
    """A "date - name" or "date von name" line under the headline names the author."""
    for line in lines:
        match = HEADER_DATE_BYLINE.pattern.match(line)
        if match is not None:
            names = [n for n in byline_names(match["names"]) if _is_person(n, set())]
            if names:
                return _Choice(names, "header")
    return None


# ---------------------------------------------------------------------------------------------
# Dates


def _published(page: PageMeta) -> _Choice | None:
    ranked = sorted(
        enumerate(page.published),
        key=lambda item: (_DATE_PRIORITY.get(item[1][0], 4), item[0]),
    )
    for _, (source, value) in ranked:
        parsed = parse_date(value)
        if parsed is not None:
            label = source if source in ("json-ld", "microdata", "time") else f"meta:{source}"
            return _Choice(parsed, label)
    return None


def _header_date(lines: list[str]) -> _Choice | None:
    for line in lines:
        match = HEADER_DATE_BYLINE.pattern.match(line) or HEADER_DATE.pattern.match(line)
        if match is not None and (parsed := parse_date(match["date"])) is not None:
            return _Choice(parsed, "header")
    return None


def _modified(page: PageMeta) -> datetime | None:
    for _, value in page.modified:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return None


def _heading_node(tree: Any, headline: str | None) -> Any:
    """The page's element that shows the headline (an <h1> or <h2>), or None."""
    if not headline:
        return None
    key = _key(headline)
    matches = [
        node
        for node in tree.iter("h1", "h2")
        if (text := _key(node.text_content())) and (key in text or text in key)
    ]
    # A breadcrumb's last item repeats the title; the article's heading is elsewhere.
    return next((node for node in matches if not _in_breadcrumb(node)), None)


def _in_breadcrumb(node: Any) -> bool:
    return any(
        "breadcrumb"
        in f"{a.get('class') or ''} {a.get('id') or ''} {a.get('itemtype') or ''}".lower()
        for a in node.iterancestors()
    )


def _header_lines(heading: Any) -> list[str]:
    """Short text lines right after the headline's heading: where bylines and dates sit."""
    if heading is None:
        return []
    lines: list[str] = []
    for node in heading.xpath(
        "following::text()[normalize-space()][not(ancestor::script or ancestor::style)]"
        f"[position() <= {_HEADER_LINES * 3}]"
    ):
        line = " ".join(str(node).split())
        if len(line) > _HEADER_LINE_CHARS:
            break
        lines.append(line)
        if len(lines) >= _HEADER_LINES:
            break
    return lines


def _guessed_date(tree: Any) -> datetime | None:
    """htmldate's reading of a page that states no date where newsdesk looks: dates in URLs,
    <abbr>, class-marked elements of the page (never in the body text: extensive search off)."""
    from htmldate import find_date

    found = find_date(tree, **_DATE_PARAMS)
    if not found:
        return None
    try:
        parsed = datetime.fromisoformat(found)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Publisher, section, keywords, language


def _publisher(page: PageMeta, sites: set[str]) -> _Choice | None:
    """The outlet: as JSON-LD or og:site_name states it, else the site part of the <title>."""
    for source, value in page.site_names:
        if value and not value.startswith(("http://", "https://")):
            return _Choice(value, source if source == "json-ld" else f"meta:{source}")
    parts = _title_parts(page.title)
    if len(parts) >= 2:
        for part in (parts[-1], parts[0]):
            if _is_site(part, sites, last=True) and not _DOMAIN.match(part):
                return _Choice(part, "title")
    return None


def _section(page: PageMeta, headline: _Choice | None) -> _Choice | None:
    """The section the page states (JSON-LD, article:section, a rel=category link) or the
    kicker set apart in its heading; a label ("Opinion", "Local"), not a sentence."""
    for source, value in page.sections:
        if value and len(value) <= MAX_SECTION_CHARS and not is_housekeeping(value):
            label = source if source in ("json-ld", "rel-category") else f"meta:{source}"
            return _Choice(value, label)
    if headline is not None:
        for kicker, rest in page.kicked_headings:
            if _key(rest) == _key(headline.value):
                return _Choice(kicker, "heading")
    return None


def _keywords(page: PageMeta) -> _Choice | None:
    for source, values in page.keywords:
        terms = [term for term in _terms(values) if not is_housekeeping(term)]
        if terms:
            label = source if source in ("json-ld", "rel-tag") else f"meta:{source}"
            return _Choice(terms, label)
    return None


def _language(tree: Any) -> str | None:
    value = tree.get("lang") or tree.get("xml:lang")
    if value:
        match = _LANG_ATTRIBUTE.match(value.strip())
        if match is not None:
            return match.group(1)
    for node in tree.xpath(
        "//meta[@http-equiv='content-language' or @http-equiv='Content-Language' "
        "or @property='og:locale']/@content"
    )[:2]:
        match = _LANG_ATTRIBUTE.match(str(node).strip())
        if match is not None:
            return match.group(1)[:3].split("_")[0]
    return None


# ---------------------------------------------------------------------------------------------
# Lead image


def _image(page: PageMeta) -> _Choice | None:
    """The first picture the page states that is a real picture at an absolute http(s) URL."""
    for candidate in page.images:
        image = _lead_image(candidate, page.url)
        if image is not None:
            source = candidate.source
            return _Choice(image, source if source in ("json-ld", "figure") else f"meta:{source}")
    return None


def _lead_image(candidate: PageImage, base: str | None) -> LeadImage | None:
    return lead_image(
        candidate.url,
        base=base,
        caption=candidate.caption,
        credit=candidate.credit,
        width=candidate.width,
        height=candidate.height,
    )


# ---------------------------------------------------------------------------------------------
# Body


def _drop_repeated_headline(paragraphs: list[str], titles: list[str], sites: set[str]) -> list[str]:
    """The page's heading often opens the extracted text (or follows a picture); a headline
    (with or without its kicker or site name, as any title the page states) is not body."""
    keys = {_key(title) for title in titles} | {_key(_strip_site(t, sites)) for t in titles}
    keys.discard("")
    head = [p for p in paragraphs[:_HEADLINE_REPEAT_WINDOW] if _key(p) not in keys]
    return head + paragraphs[_HEADLINE_REPEAT_WINDOW:]


def _dek_and_intro(heading: Any) -> tuple[str | None, str | None]:
    """What the page sets under its headline: a dek (a subheading, <h2>/<h3>, right after the
    headline's heading: the standfirst) and an intro (a lead paragraph classed "intro", "lead",
    "teaser", …, which trafilatura often leaves out as page chrome although it opens the text).
    """
    if heading is None:
        return None, None
    dek = intro = None
    siblings = [node for node in heading.itersiblings() if isinstance(node.tag, str)]
    for node in siblings[:_INTRO_SIBLINGS]:
        if node.tag in ("h2", "h3") and dek is None:
            dek = _lead_text(node)
            continue
        if node.tag == "p" or _INTRO_CLASS.search(node.get("class") or ""):
            intro = _lead_text(node)
            if intro is not None:
                break
    if intro is None:
        for node in heading.xpath(f"following::*[position() <= {_INTRO_WINDOW}]"):
            if node.tag in _LEAD_TAGS and _INTRO_CLASS.search(node.get("class") or ""):
                intro = _lead_text(node)
                if intro is not None:
                    break
    return dek, intro


def _lead_text(node: Any) -> str | None:
    if node.tag not in _LEAD_TAGS or any(a.tag == "a" for a in node.iterancestors()):
        return None
    if len(node.xpath(".//a[@href]")) > 1:
        return None  # a list of links is navigation, not a lead
    text = _clean(node.text_content())
    if text is None or not _MIN_INTRO_CHARS <= len(text) <= _MAX_INTRO_CHARS:
        return None
    if HEADER_DATE_BYLINE.pattern.match(text) or HEADER_DATE.pattern.match(text):
        return None
    if BYLINE_PREFIX.pattern.match(text) and len(text) < _MAX_BYLINE_LINE_CHARS:
        return None  # "By Mike Wuerthele and Malcolm Owen Monday, November 18, 2019"
    return text


@dataclass
class _Closing:
    """What the last lines of a text state about it, once taken out of the body."""

    signed: list[str]  # a sign-off name ("Benni", "Stefan Wasmer")
    signed_at: datetime | None = None  # the date under a sign-off
    credit: str | None = None  # "Quelle: kathpress": who the text comes from
    updated: datetime | None = None  # "Aktualisiert am 17.01.2021."


def _closing_lines(paragraphs: list[str], sites: set[str]) -> tuple[list[str], _Closing]:
    """Take a text's closing lines out of its body: "Aktualisiert am <date>", a source credit
    ("Quelle: …"), and a sign-off (the author's name alone on the last line, maybe with a date
    under it). Blogs and regional papers sign their texts at the end instead of a byline."""
    closing = _Closing(signed=[])
    body = list(paragraphs)
    for _ in range(_CLOSING_LINES):
        if len(body) < 2:
            break
        last = body[-1]
        if (match := UPDATED_LINE.pattern.match(last)) is not None:
            closing.updated = closing.updated or parse_date(match["date"])
        elif (match := SOURCE_CREDIT.pattern.match(last)) is not None:
            source = match["source"].split(",")[0].strip()
            if source and _key(source) not in sites:
                closing.credit = closing.credit or source
        elif (
            closing.signed_at is None
            and not closing.signed
            and (match := HEADER_DATE.pattern.match(last)) is not None
            and _is_sign_off(body[-2], sites)
        ):
            closing.signed_at = parse_date(match["date"])
            closing.signed = [body[-2]]
            body.pop()
        elif not closing.signed and _is_sign_off(last, sites):
            closing.signed = [last]
        else:
            break
        body.pop()
    return body, closing


def _is_sign_off(text: str, sites: set[str]) -> bool:
    return (
        len(text) <= _MAX_SIGN_OFF_CHARS
        and not text.endswith(_TERMINAL)
        and _is_person(text, sites)
        and len(text.split()) <= 3
    )


# ---------------------------------------------------------------------------------------------
# Helpers


def _key(text: str | None) -> str:
    """Letters and digits only, casefolded: how two spellings of one title are compared."""
    return _NOT_ALNUM.sub("", text.casefold()) if text else ""


_NOT_ALNUM = re.compile(r"[\W_]+")


_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae"})


def _transliterate(text: str) -> str:
    return text.translate(_TRANSLITERATION)


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _terms(values: list[str] | None) -> list[str]:
    terms: list[str] = []
    seen: set[str] = set()
    for value in values or []:
        for term in _SPLIT_TERMS.split(value):
            cleaned = _clean(term)
            if cleaned and cleaned.lower() not in seen:
                seen.add(cleaned.lower())
                terms.append(cleaned)
    return terms
