"""What an HTML page states about its article, source by source.

Sources, best first: schema.org JSON-LD (an Article, NewsArticle, BlogPosting… object, also
inside `@graph` and arrays, `@id` references resolved), OpenGraph/`article:*`/Twitter and other
<meta> tags, microdata (`itemprop`), `rel=author` links, bylines and <time> in the article
header, the headings and the <title>. Nothing is chosen here: each value keeps its source, and
newsdesk.parsing.html picks the best and records which won (the record's `provenance`).

Pure: reads an lxml tree, never changes it. Every list it reads is bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsdesk.parsing.htmlrules import KICKER_CLASS
from newsdesk.parsing.plaintext import MAX_ROUNDS, decode_references, plain_text

# schema.org types whose object is the article itself.
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "SatiricalArticle",
        "LiveBlogPosting",
        "TechArticle",
        "Report",
        "SocialMediaPosting",
        "DiscussionForumPosting",
    }
)
DISCUSSION_TYPES = frozenset({"DiscussionForumPosting", "SocialMediaPosting", "Conversation"})
PERSON_TYPES = frozenset({"Person"})
ORGANIZATION_TYPES = frozenset(
    {
        "Organization",
        "NewsMediaOrganization",
        "Corporation",
        "EducationalOrganization",
        "GovernmentOrganization",
        "LocalBusiness",
        "NGO",
        "WebSite",
        "Brand",
    }
)
# Bounds: a page's JSON-LD is a few kilobytes; more is not metadata worth reading.
MAX_JSONLD_SCRIPTS = 16
MAX_JSONLD_CHARS = 200_000
MAX_JSONLD_NODES = 2_000
MAX_JSONLD_DEPTH = 12
MAX_VALUE_CHARS = 1_000
MAX_BYLINE_CHARS = 120
MAX_CANDIDATES = 20
MAX_KICKER_CHARS = 60

# An element whose class or id names an author or byline (and not a comment's author).
_BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:author|byline|autor|verfasser|auteur|autore)", re.I)

_BYLINE_HINT = re.compile(r"author|byline|autor|verfasser|auteur")
_COMMENT_CLASS = re.compile(r"comment|reply|respond|discussion|related|teaser", re.I)


@dataclass
class PageImage:
    """A picture the page states, with what it says about it."""

    url: str
    source: str
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass
class PageMeta:
    """Candidate values per field, each as (source, value), best source first."""

    headlines: list[tuple[str, str]] = field(default_factory=list)
    title: str | None = None  # the <title>
    headings: list[str] = field(default_factory=list)  # <h1> and <h2> texts, in page order
    h1: list[str] = field(default_factory=list)  # <h1> texts, in page order
    # Headings whose kicker is an element of its own: (kicker, the rest).
    kicked_headings: list[tuple[str, str]] = field(default_factory=list)
    authors: list[tuple[str, list[str]]] = field(default_factory=list)
    organizations: set[str] = field(default_factory=set)  # names stated as organizations
    site_names: list[tuple[str, str]] = field(default_factory=list)
    published: list[tuple[str, str]] = field(default_factory=list)
    modified: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[tuple[str, list[str]]] = field(default_factory=list)
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    images: list[PageImage] = field(default_factory=list)
    discussion: bool = False  # the page is a forum thread or a social post with replies
    url: str | None = None  # canonical link, else og:url, else the JSON-LD url
    # Elements with a class or id (and the first <h1>), in document order: read once, for the
    # parser's passes over page structure.
    classed: list[Any] = field(default_factory=list, repr=False)
    host: str | None = None


def read_page(tree: Any) -> PageMeta:
    """Everything the page states about its article, by source (see the module docstring)."""
    meta = PageMeta()
    tags = _meta_tags(tree)
    objects = _jsonld_objects(tree)
    by_id = {str(obj["@id"]): obj for obj in objects if isinstance(obj.get("@id"), str)}
    article = next((obj for obj in objects if _types(obj) & ARTICLE_TYPES), None)
    if article is None:  # a WebPage that states a headline is as good
        article = next((obj for obj in objects if "headline" in obj), None)

    meta.url = _canonical(tree, tags, article)
    meta.host = _host_of(meta.url) if meta.url else None

    if article is not None:
        meta.discussion = bool(_types(article) & DISCUSSION_TYPES)
        _read_article(meta, article, by_id)
    for obj in objects:
        if _types(obj) & ORGANIZATION_TYPES and (name := _text(obj.get("name"))):
            meta.organizations.add(name)
            if _types(obj) & {"WebSite", "NewsMediaOrganization"} or obj.get("url"):
                meta.site_names.append(("json-ld", name))

    _read_meta_tags(meta, tags)
    _read_document(meta, tree)
    return meta


def _read_article(meta: PageMeta, article: dict[str, Any], by_id: dict[str, Any]) -> None:
    headline = _text(article.get("headline")) or _text(article.get("name"))
    if headline:
        meta.headlines.append(("json-ld", headline))
    people: list[str] = []
    for key in ("author", "creator"):
        for item in _items(article.get(key)):
            node = by_id.get(str(item.get("@id")), item) if isinstance(item, dict) else item
            if isinstance(node, str):
                if (name := _clean(node)) is not None:
                    people.append(name)
                continue
            if not isinstance(node, dict):
                continue
            name = _text(node.get("name"))
            if name is None and isinstance(node.get("givenName"), str):
                name = _clean(f"{node.get('givenName')} {node.get('familyName') or ''}")
            if name is None:
                continue
            if _types(node) & ORGANIZATION_TYPES:
                meta.organizations.add(name)
            else:
                people.append(name)
        if people:
            break
    if people:
        meta.authors.append(("json-ld", people))
    publisher = article.get("publisher")
    if isinstance(publisher, dict):
        publisher = by_id.get(str(publisher.get("@id")), publisher)
    if (name := _text(publisher)) is not None:
        meta.organizations.add(name)
        meta.site_names.append(("json-ld", name))
    for key, target in (
        ("datePublished", meta.published),
        ("dateCreated", meta.published),
        ("dateModified", meta.modified),
    ):
        if (value := _text(article.get(key))) is not None:
            target.append(("json-ld", value))
    if (section := _text(article.get("articleSection"))) is not None:
        meta.sections.append(("json-ld", section))
    keywords = _terms(article.get("keywords"))
    if keywords:
        meta.keywords.append(("json-ld", keywords))
    if (description := _text(article.get("description"))) is not None:
        meta.descriptions.append(("json-ld", description))
    for item in _items(article.get("image")):
        node = by_id.get(str(item.get("@id")), item) if isinstance(item, dict) else item
        image = _jsonld_image(node)
        if image is not None:
            meta.images.append(image)
            break


def _jsonld_image(node: Any) -> PageImage | None:
    if isinstance(node, str):
        return PageImage(url=node, source="json-ld")
    if not isinstance(node, dict):
        return None
    url = _text(node.get("url")) or _text(node.get("contentUrl"))
    if url is None:
        return None
    credit = (
        _text(node.get("creditText"))
        or _text(node.get("copyrightHolder"))
        or _text(node.get("author"))
        or _text(node.get("creator"))
    )
    return PageImage(
        url=url,
        source="json-ld",
        caption=_text(node.get("caption")) or _text(node.get("description")),
        credit=credit,
        width=_pixels(node.get("width")),
        height=_pixels(node.get("height")),
    )


def _read_meta_tags(meta: PageMeta, tags: dict[str, list[str]]) -> None:
    def first(*names: str) -> tuple[str, str] | None:
        for name in names:
            for value in tags.get(name, []):
                if (cleaned := _clean(value)) is not None:
                    return name, cleaned
        return None

    for titles in (("og:title",), ("twitter:title",), ("dc.title", "title")):
        if (found := first(*titles)) is not None:
            meta.headlines.append(found)
    for tag in ("article:author", "author", "dc.creator", "sailthru.author", "parsely-author"):
        values = [v for v in (_clean(value) for value in tags.get(tag, [])) if v]
        # article:author is often a profile URL, not a name.
        people = [v for v in values if not v.startswith(("http://", "https://", "www."))]
        if people:
            meta.authors.append((tag, people))
    labels: tuple[str, ...]
    target: list[tuple[str, str]]
    for labels, target in (
        (("article:published_time", "og:published_time"), meta.published),
        (("datepublished",), meta.published),
        (("dc.date.issued", "dc.date", "date", "pubdate", "publishdate"), meta.published),
        (("sailthru.date", "parsely-pub-date", "publish-date", "publish_date"), meta.published),
        (("article:modified_time", "og:updated_time", "datemodified"), meta.modified),
    ):
        if (found := first(*labels)) is not None:
            target.append(found)
    for labels, target in (
        (("og:site_name",), meta.site_names),
        (("application-name",), meta.site_names),
        (("article:section",), meta.sections),
        (("og:description", "description", "twitter:description"), meta.descriptions),
    ):
        if (found := first(*labels)) is not None:
            target.append(found)
    for name in ("article:tag", "news_keywords", "keywords"):
        terms = [t for value in tags.get(name, []) for t in _terms(value)]
        if terms:
            meta.keywords.append((name, terms))
    alt = (tags.get("og:image:alt") or tags.get("twitter:image:alt") or [""])[0]
    width = (tags.get("og:image:width") or [""])[0]
    height = (tags.get("og:image:height") or [""])[0]
    for tag in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
        for value in tags.get(tag, [])[:MAX_CANDIDATES]:
            if value.strip():
                meta.images.append(
                    PageImage(
                        url=value.strip(),
                        source=tag,
                        caption=_clean(alt),
                        width=_pixels(width),
                        height=_pixels(height),
                    )
                )


def _read_document(meta: PageMeta, tree: Any) -> None:
    titles = tree.xpath("//head/title|//title")
    if titles:
        meta.title = _clean(titles[0].text_content())
    for heading in tree.xpath("//h1|//h2")[:MAX_CANDIDATES]:
        text = _clean(heading.text_content())
        if not text:
            continue
        meta.headings.append(text)
        if heading.tag == "h1":
            meta.h1.append(text)
        for child in heading.iterdescendants():
            if KICKER_CLASS.pattern.search(child.get("class") or ""):
                kicker = _clean(child.text_content())
                rest = _clean(text.replace(child.text_content().strip(), "", 1).strip(" :|-–—"))
                if kicker and rest and len(kicker) <= MAX_KICKER_CHARS:
                    meta.kicked_headings.append((kicker.rstrip(" :"), rest))
                    meta.headings.append(rest)
                break
    first_h1 = next(iter(tree.iter("h1")), None)
    # Microdata and rel=author: names the page marks up as its author.
    people = []
    for node in tree.xpath("//*[@itemprop='author' or @rel='author' or @rel='author external']")[
        :MAX_CANDIDATES
    ]:
        if _in_comments(node) or _in_teaser(node):
            continue
        named = node.xpath(".//*[@itemprop='name']")
        value = (named[0] if named else node).get("content") or (
            named[0] if named else node
        ).text_content()
        if (name := _clean(value)) is not None and len(name) <= MAX_BYLINE_CHARS:
            people.append(name)
    if people:
        meta.authors.append(("microdata", list(dict.fromkeys(people))))
    # Bylines: elements classed as such, not in a teaser, caption or comment; those after the
    # first <h1> first (before it sit the site's own menus).
    before: list[str] = []
    after: list[str] = []
    seen_h1 = first_h1 is None
    # A union comes back in document order: the first <h1> among the classed elements.
    meta.classed = tree.xpath("(//h1)[1] | //*[@class or @id]")
    for node in meta.classed:
        cls, ident = node.get("class"), node.get("id")
        if node is first_h1:
            seen_h1 = True
            if not (cls or ident):
                continue
        label = f"{cls or ''} {ident or ''}"
        if _BYLINE_HINT.search(label.lower()) is None:
            continue  # most elements: one cheap look
        if _BYLINE_CLASS.search(label) is None or _COMMENT_CLASS.search(label):
            continue
        if _in_comments(node) or _in_teaser(node):
            continue
        text = _clean(node.text_content())
        if text and len(text) <= MAX_BYLINE_CHARS:
            (after if seen_h1 else before).append(text)
        if len(after) + len(before) >= MAX_CANDIDATES:
            break
    if after or before:
        meta.authors.append(("byline", after + before))
    # WordPress and other blogs link their category and tags: rel="category tag", rel="tag".
    categories = [
        text
        for node in tree.xpath("//a[contains(@rel, 'category')]")[:MAX_CANDIDATES]
        if not _in_comments(node) and (text := _clean(node.text_content()))
    ]
    if categories:
        meta.sections.append(("rel-category", categories[0]))
    tags = [
        text
        for node in tree.xpath("//a[@rel='tag']")[: MAX_CANDIDATES * 2]
        if not _in_comments(node) and (text := _clean(node.text_content()))
    ]
    if tags:
        meta.keywords.append(("rel-tag", tags))
    for node in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateCreated']")[:3]:
        value = node.get("content") or node.get("datetime") or node.text_content()
        if (cleaned := _clean(value)) is not None:
            meta.published.append(("microdata", cleaned))
            break
    for node in tree.xpath("//time[@datetime]")[:MAX_CANDIDATES]:
        if _in_comments(node) or _in_teaser(node):
            continue
        if (cleaned := _clean(node.get("datetime"))) is not None:
            meta.published.append(("time", cleaned))
            break
    for node in tree.xpath("//figure[.//img]")[:MAX_CANDIDATES]:
        if _in_comments(node):
            continue
        image = _figure_image(node, meta.url)
        if image is not None:
            meta.images.append(image)
            break


def _in_teaser(node: Any) -> bool:
    """Whether a node sits inside a link or a caption: another article's card, a photo credit."""
    return any(a.tag in ("a", "figcaption", "figure") for a in node.iterancestors())


def _figure_image(figure: Any, base: str | None) -> PageImage | None:
    img = figure.xpath(".//img")[0]
    src = img.get("src") or img.get("data-src") or img.get("data-lazy-src")
    if not src or src.startswith("data:"):
        return None
    captions = figure.xpath(".//figcaption")
    caption = _clean(captions[0].text_content()) if captions else _clean(img.get("alt"))
    return PageImage(
        url=urljoin(base, src) if base else src,
        source="figure",
        caption=caption,
        width=_pixels(img.get("width")),
        height=_pixels(img.get("height")),
    )


def _in_comments(node: Any) -> bool:
    """Whether a node sits in a comment thread, a related-articles box or a teaser."""
    for ancestor in node.iterancestors():
        label = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if _COMMENT_CLASS.search(label):
            return True
    return False


def _meta_tags(tree: Any) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for node in tree.xpath("//meta[@content]")[:500]:
        key = node.get("property") or node.get("name") or node.get("itemprop")
        if key:
            tags.setdefault(key.strip().lower(), []).append(node.get("content") or "")
    return tags


def _canonical(tree: Any, tags: dict[str, list[str]], article: dict[str, Any] | None) -> str | None:
    links = tree.xpath("//link[@rel='canonical']/@href")
    candidates = [*links[:1], *tags.get("og:url", [])[:1]]
    if article is not None:
        candidates += [v for v in (_text(article.get("url")),) if v]
    for candidate in candidates:
        value = str(candidate).strip()
        if value.startswith(("http://", "https://")) and _host_of(value):
            return value
    return None


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname or None
    except ValueError:  # "https://[…" with no closing bracket: no URL at all
        return None


def _jsonld_objects(tree: Any) -> list[dict[str, Any]]:
    """Every schema.org object of the page's JSON-LD (top level, arrays, @graph, nested)."""
    objects: list[dict[str, Any]] = []
    scripts = tree.xpath("//script[@type='application/ld+json']")[:MAX_JSONLD_SCRIPTS]
    for script in scripts:
        text = script.text or ""
        if not text.strip() or len(text) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue  # a broken script states nothing
        for node in _walk(data, 0):
            objects.append(node)
            if len(objects) >= MAX_JSONLD_NODES:
                return objects
    return objects


def _walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_JSONLD_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        for key, item in value.items():
            if isinstance(item, dict | list) and key not in ("@context",):
                yield from _walk(item, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value[:MAX_CANDIDATES] if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A plain string from a JSON-LD value: a string, a {name}/{@value} object, a list's first."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return _clean(value) if isinstance(value, str) else None


def _terms(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    terms: list[str] = []
    for item in values[: MAX_CANDIDATES * 5]:
        if isinstance(item, str):
            # References decoded first: "PG&amp;E" is one term, not "PG&amp" and "E".
            parts = re.split(r"[,;]", decode_references(item, rounds=MAX_ROUNDS))
            terms += [t for t in (_clean(part) for part in parts) if t]
    return terms


def _clean(value: str | None) -> str | None:
    """Plain text: entities decoded, tags dropped, whitespace collapsed, bounded."""
    if not value:
        return None
    return plain_text(value[: MAX_VALUE_CHARS * 2])[:MAX_VALUE_CHARS] or None


def _pixels(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        match = re.match(r"\s*(\d{1,6})", value)
        return int(match.group(1)) if match else None
    return None
