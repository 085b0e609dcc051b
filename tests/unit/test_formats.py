"""HTML, Markdown, JSON and JSON Lines files (our own fixtures) become the records they state."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from newsdesk.models import Article
from newsdesk.parsing import parse_article, parse_articles
from tests.conftest import FIXTURES_DIR


def parse_fixture(name: str, **kwargs: object) -> Article:
    path = FIXTURES_DIR / name
    return parse_article(path.read_bytes(), filename=str(path), **kwargs)  # type: ignore[arg-type]


# --- HTML ---------------------------------------------------------------------------------------


def test_html_article_metadata_and_body() -> None:
    article = parse_fixture("html/article.html")

    assert article.source.format == "html"
    assert article.headline == "Harbour tram line opens after six years of works"
    assert [a.name for a in article.authors] == ["Maria Okafor"]
    assert article.publisher == "Riverside Courier"
    assert article.section == "Transport"
    assert article.published_at == datetime(2024, 3, 14, 7, 30, tzinfo=UTC)
    assert article.source_url == "https://courier.example.org/transport/harbour-tram-opens"
    assert article.language == "en"
    assert article.keywords == ["trams", "public transport", "harbour"]
    # the headline, navigation and footer are not body
    assert len(article.body) == 5
    assert article.body[0].startswith("The first passengers boarded")
    assert article.body[-1].startswith("The council plans a second line")
    assert not any("All rights reserved" in p or p == "Home" for p in article.body)


def test_html_site_name_in_h1_is_not_the_headline() -> None:
    # Given a blog whose <h1> is the site logo and whose <title> is "Headline | Site"
    article = parse_fixture("html/site_title_in_h1.html")
    # Then the headline is the article's, and the text is German
    assert article.headline == "Apfelkuchen vom Blech mit Streuseln"
    assert article.language == "de"
    assert article.body[0].startswith("Wenn im Herbst die Äpfel reif sind")


def test_html_trailer_goes_through_the_trailer_cleanup() -> None:
    article = parse_fixture("html/with_trailer.html")

    assert article.author_bio == (
        "The author is a former harbour master and writes about maritime logistics."
    )
    assert article.disclaimer == "The views do not necessarily reflect those of Coastal Review."
    assert article.body[-1].startswith("A modest programme of dredging")
    assert len(article.body) == 3


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_front_matter_gives_the_metadata() -> None:
    article = parse_fixture("markdown/article.md")

    assert article.source.format == "markdown"
    assert article.headline == "Night buses return to the old town"
    assert article.standfirst == "After a two-year pause, four routes run again from Friday"
    assert [a.name for a in article.authors] == ["Priya Nair", "Tom Weller"]
    assert [a.slug for a in article.authors] == ["priya-nair", "tom-weller"]
    assert article.section == "City"
    assert article.published_at == datetime(2024, 5, 3, 16, 15, tzinfo=UTC)
    assert article.source_url == "https://citydesk.example.net/city/night-buses-return"
    assert article.publisher == "City Desk"
    assert article.keywords == ["night buses", "transport"]
    assert article.tags == ["city", "night-buses", "transport"]


def test_markdown_body_is_plain_text() -> None:
    article = parse_fixture("markdown/article.md")

    # emphasis and link markup go, link text stays; images go; headings and list items are
    # paragraphs of their own
    assert article.body[0] == (
        "Four night bus routes will run again from Friday, the transport authority said, "
        "ending a two-year pause caused by a shortage of drivers."
    )
    assert "Where the buses go" in article.body
    assert "Route N4 serves the hospital and the university campus." in article.body
    assert article.body[-1].startswith("The authority hired 120 drivers")
    text = "\n".join(article.body)
    for markup in ("**", "](", "![", "## ", "> ", "- Route"):
        assert markup not in text


def test_markdown_without_front_matter_takes_its_h1_as_headline() -> None:
    article = parse_fixture("markdown/no_front_matter.md")

    assert article.headline == "Library extends weekend opening hours"
    assert article.body[0].startswith("The central library will open on Sundays")
    assert len(article.body) == 2


# --- JSON and JSON Lines ------------------------------------------------------------------------


def test_json_article_with_common_field_names() -> None:
    article = parse_fixture("json/article.json")

    assert article.source.format == "json"
    assert article.headline == "Wind farm approved off the northern coast"
    assert article.standfirst == "The 40-turbine project could power 300,000 homes"
    assert [a.name for a in article.authors] == ["Sofia Lindqvist", "Ravi Menon"]
    assert article.published_at == datetime(2024, 2, 12, 9, 0, tzinfo=UTC)
    assert article.section == "Energy"
    assert article.source_url == "https://energywire.example.com/wind-farm-approved"
    assert article.keywords == ["wind power", "energy", "fishing"]
    assert article.publisher == "Energy Wire"
    assert article.language == "en"
    assert len(article.body) == 3


def test_jsonl_gives_one_article_per_line() -> None:
    path = FIXTURES_DIR / "json/feed.jsonl"
    articles = parse_articles(path.read_bytes(), filename=str(path), identity="s3://b/feed.jsonl")

    assert [a.headline for a in articles] == [
        "River cleanup removes two tonnes of waste",
        "School meals to include more vegetables",
        "Port strike ends after pay deal",
    ]
    # string body split at blank lines, a byline list, a comma-separated keyword string
    assert articles[0].body == [
        "Volunteers pulled two tonnes of waste from the river on Saturday.",
        "Most of it was plastic packaging washed down from the upper town.",
    ]
    assert [a.name for a in articles[1].authors] == ["Leo Park"]
    assert articles[2].keywords == ["strikes", "ports", "pay"]
    # each article has its own id, derived from the file identity and its line number
    assert len({a.id for a in articles}) == 3
    first = parse_articles(b'{"headline": "x", "body": "y"}', filename="a.jsonl", identity="i")
    assert first[0].id == hashlib.sha256(b"i#1").hexdigest()[:16]


# --- Format choice ------------------------------------------------------------------------------

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Bridge reopens</title></head><body><article>"
    b"<h1>Bridge reopens</h1><p>The old bridge reopened to traffic on Monday after two years "
    b"of repairs, the city said.</p><p>Cyclists get a lane of their own on both sides of the "
    b"bridge, separated from cars by a low wall.</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("filename", "content_type", "data", "expected"),
    [
        ("incoming/story", "text/html; charset=utf-8", HTML_PAGE, "html"),
        ("incoming/story", None, HTML_PAGE, "html"),
        ("incoming/story.bin", None, b'{"headline": "A", "body": "B b b."}', "json"),
        (
            "incoming/story",
            None,
            b'{"headline": "A", "body": "B"}\n{"headline": "C", "body": "D"}',
            "jsonl",
        ),
        ("incoming/story.MD", None, b"---\ntitle: A\n---\nBody text here.", "markdown"),
        ("incoming/story", None, b"---\ntitle: A\n---\nBody text here.", "markdown"),
        ("incoming/story", "text/plain", b"Headline\n\nBody text of the story.", "text"),
    ],
)
def test_format_by_extension_then_content_type_then_content(
    filename: str, content_type: str | None, data: bytes, expected: str
) -> None:
    articles = parse_articles(data, filename=filename, content_type=content_type)
    assert articles[0].source.format == expected


def test_forced_format_wins_over_the_extension() -> None:
    # Given Markdown saved as .txt, when the format is forced, then front matter is read
    article = parse_article(
        b"---\ntitle: Forced\n---\nThe body of the story.", filename="a.txt", fmt="markdown"
    )
    assert article.headline == "Forced"


def test_html_author_meta_with_a_web_address_gives_only_the_person() -> None:
    # Given an author meta that names a person and their website
    page = (
        '<html><head><title>Pflaumenkuchen | Omas Blog</title><meta name="author" '
        'content="Frank Weber - http://frankweber.de"></head><body><article><h2>Pflaumenkuchen'
        "</h2><p>Im September gibt es bei uns jede Woche Pflaumenkuchen, am liebsten mit einem "
        "Hefeteig und vielen Streuseln.</p><p>Die Pflaumen werden halbiert und dicht an dicht "
        "auf den Teig gesetzt, dann kommt der Kuchen für eine Dreiviertelstunde in den Ofen."
        "</p></article></body></html>"
    ).encode()
    # Then the website is not taken for a second author
    article = parse_article(page, filename="kuchen.html")
    assert [a.name for a in article.authors] == ["Frank Weber"]
