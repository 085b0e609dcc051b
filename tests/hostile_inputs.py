"""Files a hostile uploader would try, by name: the named cases of the hostile-file tests
(tests/unit/test_hostile_parsing.py, tests/integration/test_hostile_files.py) and of the script
that measures their worst time and memory (benchmarks/hostile.py).

Each case is (name, S3 key, a function that builds the bytes, what must happen): an outcome of
"stored" or a failed ingestion's code. Built on demand: some are megabytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BODY = [
    "The harbour council voted on Tuesday to keep the ferry network running through winter.",
    "Councillors said the routes carry more than twelve thousand commuters a day.",
]
FIVE_MB = 5 * 1024 * 1024


@dataclass(frozen=True)
class HostileCase:
    name: str
    key: str
    make: Callable[[], bytes]
    outcome: str  # "stored", or the code of the failed ingestion


def markdown_with_authors(count: int) -> bytes:
    front = ["---", "title: Ferries stay", "authors:"]
    front += [f"  - Reporter Number{n} Smith" for n in range(count)]
    return ("\n".join([*front, "---", "", *BODY]) + "\n").encode()


def markdown_with_front_matter(*lines: str) -> bytes:
    return ("\n".join(["---", *lines, "---", "", *BODY]) + "\n").encode()


def yaml_python_tags() -> bytes:
    # PyYAML's unsafe loaders would run os.system here; safe_load refuses the tag.
    return markdown_with_front_matter(
        "title: !!python/object/apply:os.system ['echo pwned > /tmp/newsdesk-pwned']",
        "author: !!python/object:subprocess.Popen {args: [id]}",
    )


def yaml_billion_laughs(levels: int = 9) -> bytes:
    """Each anchor lists the previous one ten times: 10**levels strings once expanded (the
    date field is one a parser might turn into text)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    last = f"*a{levels}"
    lines += [
        "title: Ferries stay",
        f"date: {last}",
        f"authors: {last}",
        f"tags: {last}",
        f"section: {last}",
        f"image: {last}",
        f"description: {last}",
    ]
    return markdown_with_front_matter(*lines)


def nested_html(levels: int) -> bytes:
    inner = "<p>" + " ".join(BODY) + "</p>"
    return (
        "<!doctype html><html><head><title>Ferries stay</title></head><body><h1>Ferries stay</h1>"
        + "<div>" * levels
        + inner
        + "</div>" * levels
        + "</body></html>"
    ).encode()


def nested_json(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def nested_json_body(levels: int) -> bytes:
    """An article object whose body holds a deeply nested value (the file opens like a good one)."""
    return ('{"headline": "Ferries stay", "body": ' + "[" * levels + "]" * levels + "}").encode()


def jsonl(lines: int) -> bytes:
    rows = [
        json.dumps({"headline": f"Wire story {n} about the ferries", "body": BODY[:1]})
        for n in range(lines)
    ]
    return "\n".join(rows).encode()


def short_jsonl(lines: int) -> bytes:
    """As many lines as fit a small file: 2.8 MB for 100,000."""
    return "\n".join(f'{{"headline":"W{n}","body":"x"}}' for n in range(lines)).encode()


def many_lines(lines: int) -> bytes:
    return b"Ferries stay\n\n" + b"Boats ran.\n" * lines


def json_paragraphs(count: int) -> bytes:
    return json.dumps({"headline": "Ferries stay", "body": ["Boats ran."] * count}).encode()


def html_paragraphs(count: int) -> bytes:
    return (
        "<html><head><title>Ferries stay</title></head><body><article><h1>Ferries stay</h1>"
        + "<p>Boats ran.</p>" * count
        + "</article></body></html>"
    ).encode()


def bloated_html(size: int) -> bytes:
    """A short article in a page of 5 MB, as big pages are: inline scripts and styles (state,
    tracking, fonts) are most of the bytes, with navigation around the article."""
    article = "".join(f"<p>{text}</p>" for text in BODY * 4)
    state = json.dumps({"items": [{"id": n, "title": f"Story {n}"} for n in range(80)]})
    filler_unit = (
        f"<script>window.__STATE__ = {state};</script>"
        "<style>.nav a { color: #333; margin: 0 4px; } .card { padding: 8px; }</style>"
        '<nav><a href="/news">News</a> <a href="/sport">Sport</a></nav>'
    )
    head = "<html><head><title>Ferries stay</title></head><body>"
    tail = f"<article><h1>Ferries stay</h1>{article}</article></body></html>"
    filler = filler_unit * ((size - len(head) - len(tail)) // len(filler_unit))
    return (head + filler + tail).encode()


def links_paragraph(count: int) -> bytes:
    """One paragraph of `count` links: what an HTML extractor strips leaves that many text
    nodes side by side."""
    links = '<a href="/x">Boats</a> ran ' * count
    return (
        "<html><head><title>Ferries stay</title></head><body><article><h1>Ferries stay</h1>"
        f"<p>{links}</p></article></body></html>"
    ).encode()


def html_elements(count: int) -> bytes:
    """An article of short paragraphs that each hold an emphasized word: `count` elements."""
    paragraph = "<p>The <b>boats</b> ran on time today, the council said.</p>"
    return (
        "<html><head><title>Ferries stay</title></head><body><article><h1>Ferries stay</h1>"
        + paragraph * (count // 2)
        + "</article></body></html>"
    ).encode()


def markdown_markup(size: int) -> bytes:
    unit = b"**a *b _c ~~d [e](f ![g](h {{< <!-- `i "
    return b"# Ferries stay\n\n" + (unit * (size // len(unit)))[:size]


def single_line(size: int, *, prose: bool = True) -> bytes:
    """One line of `size` bytes: sentences (prose) or one unbroken word."""
    if not prose:
        return b"Ferries " + b"x" * (size - 8)
    sentence = b"The ferry to the outer islands left on time again today. "
    return (sentence * (size // len(sentence) + 1))[:size]


def single_line_json(size: int) -> bytes:
    return json.dumps(
        {"headline": "Ferries stay", "body": single_line(size - 60).decode()}
    ).encode()


def single_line_html(size: int) -> bytes:
    head = "<html><head><title>Ferries stay</title></head><body><article><h1>Ferries stay</h1><p>"
    tail = "</p></article></body></html>"
    body = single_line(size - len(head) - len(tail)).decode()
    return (head + body + tail).encode()


def single_line_markdown(size: int) -> bytes:
    head = "---\ntitle: Ferries stay\n---\n\n"
    return head.encode() + single_line(size - len(head))


def wide_markup(size: int) -> bytes:
    """One line of markup shapes that make naive patterns backtrack: unclosed tags and links."""
    unit = b"<a href='x' [link](http://x <b "
    return b"Ferries stay\n\n" + (unit * (size // len(unit)))[:size]


TEXT = "Ferries stay\n\n" + "\n\n".join(BODY) + "\n"


def utf16_without_bom(byteorder: str) -> bytes:
    return TEXT.encode(f"utf-16-{byteorder}")


def utf32_without_bom(byteorder: str) -> bytes:
    return TEXT.encode(f"utf-32-{byteorder}")


def scripted_html() -> bytes:
    """A real-looking page whose scripts, javascript: links and on* handlers must all vanish."""
    paragraphs = "".join(
        f'<p onclick="alert(\'XSS-onclick\')" onmouseover="steal()">{text} '
        f"<a href=\"javascript:alert('XSS-href')\">more</a></p>"
        for text in BODY * 3
    )
    return (
        "<!doctype html><html><head>"
        "<title>Ferries stay<script>alert('XSS-title')</script></title>"
        '<meta property="og:title" content="Ferries stay">'
        '<meta property="article:section" content="<script>alert(\'XSS-section\')</script>">'
        '<meta name="author" content="Jane Doe<img src=x onerror=alert(\'XSS-author\')>">'
        '<meta property="og:image" content="javascript:alert(\'XSS-image\')">'
        '<link rel="canonical" href="javascript:alert(\'XSS-canonical\')">'
        "<script>document.write('XSS-script')</script>"
        "<style>body{background:url(\"javascript:alert('XSS-style')\")}</style>"
        "</head><body onload=\"alert('XSS-onload')\">"
        "<article><h1>Ferries stay</h1>"
        f"{paragraphs}"
        "<script>alert('XSS-inline')</script>"
        "<svg onload=\"alert('XSS-svg')\"><script>alert('XSS-svgscript')</script></svg>"
        "<iframe src=\"javascript:alert('XSS-iframe')\"></iframe>"
        "</article></body></html>"
    ).encode()


def _case(name: str, key: str, make: Callable[[], bytes], outcome: str) -> HostileCase:
    return HostileCase(name, f"incoming/hostile/{key}", make, outcome)


CASES: tuple[HostileCase, ...] = (
    _case(
        "Markdown, 20,000 authors", "authors.md", lambda: markdown_with_authors(20_000), "stored"
    ),
    _case(
        "Markdown, 40,000 authors (1.2 MB front matter)",
        "authors-40k.md",
        lambda: markdown_with_authors(40_000),
        "front_matter_too_large",
    ),
    _case("YAML !!python/object tags", "python-tags.md", yaml_python_tags, "invalid_front_matter"),
    _case("YAML billion laughs (10^9 strings)", "laughs.md", yaml_billion_laughs, "stored"),
    _case(
        "YAML nested 100,000 levels",
        "nested-yaml.md",
        lambda: markdown_with_front_matter("title: Ferries", "x: " + "[" * 100_000 + "]" * 100_000),
        "invalid_front_matter",
    ),
    _case("HTML nested 100,000 levels", "nested.html", lambda: nested_html(100_000), "too_deep"),
    _case("JSON nested 100,000 levels", "nested.json", lambda: nested_json(100_000), "too_deep"),
    _case(
        "JSON body nested 100,000 levels",
        "nested-body.json",
        lambda: nested_json_body(100_000),
        "too_deep",
    ),
    _case("JSONL, 100,000 lines", "wire.jsonl", lambda: short_jsonl(100_000), "too_many_records"),
    _case("text, one 5 MB line of sentences", "line.txt", lambda: single_line(FIVE_MB), "too_long"),
    _case("text, one 5 MB word", "word.txt", lambda: single_line(FIVE_MB, prose=False), "too_long"),
    _case("text, 5 MB of unclosed markup", "markup.txt", lambda: wide_markup(FIVE_MB), "too_long"),
    # The paragraph counts below fill a file of just under the 10 MiB file limit.
    _case("text, 900,000 short lines", "lines.txt", lambda: many_lines(900_000), "too_long"),
    _case("JSON, one 5 MB line", "line.json", lambda: single_line_json(FIVE_MB), "too_long"),
    _case(
        "JSON, 700,000 paragraphs",
        "paragraphs.json",
        lambda: json_paragraphs(700_000),
        "too_long",
    ),
    _case("HTML, one 5 MB line", "line.html", lambda: single_line_html(FIVE_MB), "too_long"),
    _case(
        "HTML, 5 MB page around a short article",
        "bloated.html",
        lambda: bloated_html(FIVE_MB),
        "stored",
    ),
    _case(
        "HTML, one paragraph of 100,000 links",
        "links.html",
        lambda: links_paragraph(100_000),
        "too_long",
    ),
    _case("HTML, 30,000 elements", "elements.html", lambda: html_elements(30_000), "too_long"),
    _case(
        "HTML, 600,000 paragraphs (10 MB)",
        "paragraphs.html",
        lambda: html_paragraphs(600_000),
        "too_long",
    ),
    _case("Markdown, one 5 MB line", "line.md", lambda: single_line_markdown(FIVE_MB), "too_long"),
    _case(
        "Markdown, 5 MB of unclosed emphasis and links",
        "markup.md",
        lambda: markdown_markup(FIVE_MB),
        "too_long",
    ),
    _case("UTF-16-LE without BOM", "utf16le.txt", lambda: utf16_without_bom("le"), "stored"),
    _case("UTF-16-BE without BOM", "utf16be.txt", lambda: utf16_without_bom("be"), "stored"),
    _case("UTF-32-LE without BOM", "utf32le.txt", lambda: utf32_without_bom("le"), "stored"),
    _case("UTF-32-BE without BOM", "utf32be.txt", lambda: utf32_without_bom("be"), "stored"),
    _case(
        "HTML with scripts, javascript: links, on* handlers", "xss.html", scripted_html, "stored"
    ),
)


# ---------------------------------------------------------------------------------------------
# Markup payloads: what must never reach a stored or served field as markup.

# Each payload's "XSS" sits only where it would run (inside a tag, a script, a handler): when
# the markup is gone, so is the marker.
PAYLOADS: tuple[str, ...] = (
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=//evil.example/XSS.js></SCRIPT>",
    "<img src=x onerror=alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<a href=\"javascript:alert('XSS')\">a link</a>",
    "<a href=x onmouseover=alert('XSS')>hover</a>",
    "<body onload=alert('XSS')>",
    "<svg onload=alert('XSS')><circle r=1 /></svg>",
    "<svg><script>alert('XSS')</script></svg>",
    "<div style=\"width: expression(alert('XSS'))\">styled</div>",
    "<style>body{background:url('javascript:alert(\"XSS\")')}</style>",
    '<iframe src="data:text/html;base64,PHNjcmlwdD5YU1M8L3NjcmlwdD4="></iframe>',
    "&lt;script&gt;alert('XSS')&lt;/script&gt;",
    "&#60;img src=x onerror=alert('XSS')&#62;",
    "&#x3C;svg onload=alert('XSS')&#x3E;",
    "&amp;lt;script&amp;gt;alert('XSS')&amp;lt;/script&amp;gt;",
    "<scr<script>x</script>ipt>alert('XSS')</scr<script>x</script>ipt>",
    "<<script>script>alert('XSS')<</script>/script>",
    "<!--<script>-->alert(1)<!--</script>-->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS')></style>",
    "<object data=\"javascript:alert('XSS')\"></object>",
    "<a href=\"&#106;avascript:alert('XSS')\">encoded scheme</a>",
)
# What URL fields (source_url, image.url) are given: none may be kept as it is.
BAD_URLS: tuple[str, ...] = (
    "javascript:alert('XSS')",
    "JaVaScRiPt:alert('XSS')",
    " javascript:alert('XSS')",
    "data:text/html;base64,PHNjcmlwdD5YU1M8L3NjcmlwdD4=",
    "vbscript:msgbox('XSS')",
    "//evil.example/XSS",
    "/relative/XSS.jpg",
    "https://x.example/\"><script>alert('XSS')</script>",
    "https://x.example/a b\" onerror=\"alert('XSS')",
)
TEXT_LINES = [
    "The harbour council voted on Tuesday to keep the ferry network running through winter.",
    "Councillors said the routes carry more than twelve thousand commuters a day.",
    "A final budget vote is expected next month, when the council meets again.",
]


def payload_files(payload: str, url: str) -> dict[str, tuple[str, bytes]]:
    """One file per format (and both shapes of a JSON body) with `payload` in every field the
    format has and `url` in every URL field: {format: (key, bytes)}."""
    headline = f"Ferries stay {payload} for winter"
    body = [f"{TEXT_LINES[0]} {payload}", payload, *TEXT_LINES[1:], f"{payload} {TEXT_LINES[2]}"]
    name = f"Jane Doe{payload}"
    image = {"url": url, "caption": f"The ferry {payload}", "credit": f"Photo {payload}"}
    fields = {
        "headline": headline,
        "section": f"World{payload}",
        "standfirst": f"The routes stay {payload}",
        "authors": [name, {"name": f"Tom{payload} Weller"}],
        "publisher": f"Courier{payload}",
        "url": url,
        "image": image,
        "keywords": [f"ferries{payload}", "harbour"],
        "language": f"en{payload}",
        "published_at": "2024-03-14T08:30:00Z",
    }
    text = "\n\n".join(
        [
            headline,
            f"By Jane Doe{payload}",
            # A line that is no http(s) URL stays text (inert); only a URL line is a source_url.
            *([f"Source: {url}"] if url.startswith("http") and " " not in url else []),
            *body,
            f"The author is a columnist {payload}.",
            f"The views do not necessarily reflect those of the Courier {payload}.",
        ]
    )
    front = {
        "title": headline,
        "subtitle": fields["standfirst"],
        "section": fields["section"],
        "authors": [name],
        "publisher": fields["publisher"],
        "tags": fields["keywords"],
        "url": url,
        "image": image,
        "lang": fields["language"],
    }
    markdown = (
        "---\n"
        + json.dumps(front, ensure_ascii=False)  # JSON is YAML: every quote escaped
        + "\n---\n\n"
        + "\n\n".join([*body, f"[{payload}](javascript:alert('XSS')) and ![x]({url})"])
    )
    json_list = {**fields, "body": body}
    json_string = {**fields, "body": "".join(f"<p>{paragraph}</p>" for paragraph in body)}
    return {
        "text": ("incoming/payload/article.txt", text.encode()),
        "markdown": ("incoming/payload/article.md", markdown.encode()),
        "json": ("incoming/payload/list.json", json.dumps(json_list).encode()),
        "json-html": ("incoming/payload/html.json", json.dumps(json_string).encode()),
        "jsonl": (
            "incoming/payload/lines.jsonl",
            (json.dumps(json_list) + "\n" + json.dumps(json_string)).encode(),
        ),
        "html": ("incoming/payload/page.html", payload_page(payload, url, body)),
    }


def payload_page(payload: str, url: str, body: list[str]) -> bytes:
    attr = html_attribute(payload)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": f"Ferries stay {payload} for winter",
            "author": [{"@type": "Person", "name": f"Jane Doe{payload}"}],
            "articleSection": f"World{payload}",
            "keywords": f"ferries{payload}, harbour",
            "image": {"url": url, "caption": f"The ferry {payload}"},
            "url": url,
        }
    ).replace("</", "<\\/")
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in body)
    return (
        '<!doctype html><html lang="en"><head>'
        f"<title>Ferries stay {payload} for winter | Courier</title>"
        f'<meta property="og:title" content="Ferries stay {attr} for winter">'
        f'<meta property="article:section" content="World{attr}">'
        f'<meta name="author" content="Jane Doe{attr}">'
        f'<meta name="keywords" content="ferries{attr}, harbour">'
        f'<meta name="description" content="The routes stay {attr}">'
        f'<meta property="og:site_name" content="Courier{attr}">'
        f'<meta property="og:image" content="{html_attribute(url)}">'
        f'<link rel="canonical" href="{html_attribute(url)}">'
        f'<script type="application/ld+json">{ld}</script>'
        "</head><body><article>"
        f"<h1>Ferries stay {payload} for winter</h1>"
        f'<p class="byline">By Jane Doe{payload}</p>'
        f'<figure><img src="{html_attribute(url)}" width="800" height="600">'
        f"<figcaption>The ferry {payload}</figcaption></figure>"
        f"{paragraphs}"
        f"<p>The author is a columnist {payload}.</p>"
        "</article></body></html>"
    ).encode()


def html_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


_TAG_START = re.compile(r"<[A-Za-z/!?]")
_ENCODED_TAG_START = re.compile(r"&(?:lt|#0*60|#x0*3c);?\s*[A-Za-z/!?]", re.I)
_UNSAFE_URL = re.compile(r"[\s<>\"\\]")
URL_FIELDS = ("source_url", "image.url")


def markup_problems(value: Any, path: str = "") -> list[str]:
    """Where a record (or an API answer) holds markup: a tag or an encoded tag in a text field,
    a payload's marker, a URL field that is not a plain http(s) URL. Search snippets are HTML
    by contract: their <mark> tags are allowed, nothing else."""
    problems: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            problems += markup_problems(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += markup_problems(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if path.endswith(URL_FIELDS) and not path.endswith("next_url"):
            if not value.startswith(("http://", "https://")) or _UNSAFE_URL.search(value):
                problems.append(f"{path}: {value!r} is no plain http(s) URL")
            return problems
        text = value
        if path.endswith("snippet"):
            text = value.replace("<mark>", "").replace("</mark>", "")
        if _TAG_START.search(text) or _ENCODED_TAG_START.search(text) or "XSS" in text:
            problems.append(f"{path}: {value[:120]!r}")
    return problems
