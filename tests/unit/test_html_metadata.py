"""HTML pages: metadata from what the page states (JSON-LD first, then meta tags, bylines,
headings, trafilatura last), with the winning source recorded; lead image; body cleanup."""

from __future__ import annotations

import json

from newsdesk.models import Article
from newsdesk.parsing import parse_article

PARAGRAPHS = (
    "<p>The harbour authority approved the new ferry terminal on Tuesday after two years of "
    "public consultation and a long dispute over the cost of the access road.</p>"
    "<p>Construction starts in spring. The terminal will serve three island routes and replace "
    "the old pier, which has been closed to cars since the storm of last winter.</p>"
    "<p>Residents of the islands welcomed the decision but asked for lower fares during the "
    "works, when ferries will leave from a temporary berth further along the quay.</p>"
)


def page(head: str, body: str, *, lang: str = "en") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}</body></html>"
    ).encode()


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def parse(data: bytes) -> Article:
    return parse_article(data, filename="story.html")


def test_json_ld_states_headline_authors_date_and_publisher_and_provenance_says_so() -> None:
    # Given a page whose JSON-LD @graph holds the article, its author by @id and the publisher,
    # and whose og:title is a social title with the site name
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "#org", "name": "Harbour Times"},
            {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
            {
                "@type": ["NewsArticle"],
                "headline": "Ferry terminal approved after two years",
                "author": [{"@id": "#jane"}, {"@type": "Organization", "name": "Harbour Times"}],
                "publisher": {"@id": "#org"},
                "datePublished": "2023-03-03T10:15:00+01:00",
                "articleSection": "Local",
            },
        ],
    }
    head = (
        "<title>Ferry terminal approved after two years | Harbour Times</title>"
        '<meta property="og:title" content="Finally: a new ferry terminal! | Harbour Times">'
        '<meta name="date" content="2023-05-01">' + jsonld(graph)
    )
    body = f"<h1>Ferry terminal approved after two years</h1><article>{PARAGRAPHS}</article>"
    # When it is parsed
    article = parse(page(head, body))
    # Then the article's statements win, an organization is no author, and provenance tells
    assert article.headline == "Ferry terminal approved after two years"
    assert [a.name for a in article.authors] == ["Jane Doe"]
    assert article.publisher == "Harbour Times"
    assert article.section == "Local"
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2023-03-03T09:15:00+00:00"
    assert article.provenance["headline"] == "json-ld"
    assert article.provenance["authors"] == "json-ld"
    assert article.provenance["published_at"] == "json-ld"


def test_the_site_name_leaves_the_headline_whichever_side_it_is_on() -> None:
    for title in (
        "Ferry terminal approved - Harbour Times",
        "Ferry terminal approved › harbourtimes.com",
        "harbourtimes.com - Ferry terminal approved",
        "Ferry terminal approved : 03.03.2023, 10.19 Uhr",
    ):
        head = (
            f'<meta property="og:title" content="{title}">'
            '<meta property="og:site_name" content="Harbour Times">'
            '<link rel="canonical" href="https://www.harbourtimes.com/news/ferry">'
        )
        article = parse(page(head, f"<article>{PARAGRAPHS}</article>"))
        assert article.headline == "Ferry terminal approved", title


def test_a_headline_that_uses_a_separator_keeps_it() -> None:
    head = (
        '<meta property="og:title" content="Olympia 2022 - Two more cases in the team">'
        '<meta property="og:site_name" content="Sport Daily">'
    )
    article = parse(page(head, f"<article>{PARAGRAPHS}</article>"))
    assert article.headline == "Olympia 2022 - Two more cases in the team"


def test_the_visible_heading_wins_over_an_seo_title_no_heading_repeats() -> None:
    head = (
        "<title>The Future of Ferries | Harbour Times</title>"
        '<meta property="og:title" content="The Future of Ferries | Harbour Times">'
        '<meta property="og:site_name" content="Harbour Times">'
    )
    body = f"<h1>Harbour authority approves the new island ferry terminal</h1>{PARAGRAPHS}"
    article = parse(page(head, body))
    assert article.headline == "Harbour authority approves the new island ferry terminal"
    assert article.provenance["headline"] == "h1"


def test_a_kicker_set_apart_in_the_heading_becomes_the_section() -> None:
    head = '<meta property="og:title" content="Covid-19: Can the spread be controlled?">'
    body = (
        '<h2><span class="content__kicker">Covid-19</span><span>: </span>'
        "<span>Can the spread be controlled?</span></h2>" + PARAGRAPHS
    )
    article = parse(page(head, body))
    assert article.headline == "Can the spread be controlled?"
    assert article.section == "Covid-19"


def test_organizations_are_never_authors_and_abbreviations_keep_their_period() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour Times">'
        '<meta name="author" content="Harbour Times">'
        '<meta name="author" content="Web Commerce GmbH www.w-commerce.de">'
    )
    body = (
        f'<h1>Ferry terminal approved</h1><div class="byline">By Perry Bacon Jr.</div>{PARAGRAPHS}'
    )
    article = parse(page(head, body))
    assert [a.name for a in article.authors] == ["Perry Bacon Jr."]
    assert article.provenance["authors"] == "byline"


def test_byline_names_in_other_languages_and_teaser_bylines_are_ignored() -> None:
    body = (
        "<h1>Lässt sich die Ausbreitung kontrollieren?</h1>"
        '<div class="content__author">von Lars Fischer und Alina Schadwinkel</div>'
        f"{PARAGRAPHS}"
        '<a href="/other"><span class="teaser__author">Von Clara Müller</span></a>'
    )
    article = parse(page("", body, lang="de"))
    assert [a.name for a in article.authors] == ["Lars Fischer", "Alina Schadwinkel"]


def test_a_date_and_author_line_under_the_headline() -> None:
    body = (
        '<h1>Variablen und ihr Zuhause</h1><p class="text-muted">11.12.2019 - Amelie Loevenich'
        f"</p>{PARAGRAPHS}"
    )
    article = parse(page("", body, lang="de"))
    assert [a.name for a in article.authors] == ["Amelie Loevenich"]
    assert article.published_at is not None and article.published_at.date().isoformat() == (
        "2019-12-11"
    )
    assert article.provenance["published_at"] == "header"


def test_an_article_time_beats_a_generic_date_meta() -> None:
    head = '<meta name="date" content="2022-1-26T14:32:06+02:00">'
    body = (
        f'<h1>Ferry terminal approved</h1><time datetime="2022-01-21">21.01.2022</time>{PARAGRAPHS}'
    )
    article = parse(page(head, body))
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2022-01-21"


def test_a_signed_text_gives_its_author_and_date_and_the_signature_leaves_the_body() -> None:
    body = (
        f"<h1>Time to say goodbye.</h1><article>{PARAGRAPHS}"
        "<p>Benni<br>10. September 2017</p></article>"
    )
    article = parse(page("", body, lang="de"))
    assert article.headline == "Time to say goodbye."
    assert [a.name for a in article.authors] == ["Benni"]
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2017-09-10"
    assert all("Benni" not in paragraph for paragraph in article.body)


def test_a_closing_source_credit_and_update_note_leave_the_body() -> None:
    body = (
        f"<h1>Ferry terminal approved</h1><article>{PARAGRAPHS}<p>Quelle: kathpress</p>"
        "<p>Aktualisiert am 17.01.2021.</p></article>"
    )
    article = parse(page("", body, lang="de"))
    assert not any("Quelle" in p or "Aktualisiert" in p for p in article.body)
    assert [a.name for a in article.authors] == ["kathpress"]
    assert article.updated_at_source is not None
    assert article.updated_at_source.date().isoformat() == "2021-01-17"


def test_lead_image_from_og_image_resolved_against_the_canonical_url() -> None:
    head = (
        '<link rel="canonical" href="https://news.example.com/2023/ferry">'
        '<meta property="og:image" content="/img/logo.png">'
        '<meta property="og:image" content="/img/ferry-terminal.jpg">'
        '<meta property="og:image:alt" content="The new terminal. Foto: Ann Lee">'
    )
    article = parse(page(head, f"<h1>Ferry terminal approved</h1>{PARAGRAPHS}"))
    assert article.image is not None
    assert article.image.url == "https://news.example.com/img/ferry-terminal.jpg"
    assert article.image.caption == "The new terminal."
    assert article.image.credit == "Ann Lee"
    assert article.provenance["image"] == "meta:og:image"


def test_no_lead_image_from_tiny_pictures_or_other_schemes() -> None:
    head = (
        '<meta property="og:image" content="javascript:alert(1)">'
        '<meta property="twitter:image" content="data:image/png;base64,AAAA">'
    )
    body = (
        '<h1>Ferry terminal approved</h1><figure><img src="https://x.example/pixel.gif" '
        'width="1" height="1"></figure>' + PARAGRAPHS
    )
    assert parse(page(head, body)).image is None


def test_first_figure_is_the_lead_image_with_its_caption_and_credit() -> None:
    body = (
        '<h1>Ferry terminal approved</h1><article><figure><img src="https://img.example.com/'
        'pier.jpg" width="1200" height="800"><figcaption>The old pier (Photo: Bo Chen)'
        f"</figcaption></figure>{PARAGRAPHS}</article>"
    )
    article = parse(page("", body))
    assert article.image is not None
    assert article.image.url == "https://img.example.com/pier.jpg"
    assert article.image.caption == "The old pier"
    assert article.image.credit == "Bo Chen"
    # and the caption is no body text
    assert not any("old pier (Photo" in paragraph for paragraph in article.body)


def test_hover_cards_and_inline_more_links_leave_paragraphs() -> None:
    body = (
        "<h1>Ferry terminal approved</h1><article><p>The plan was backed by Rep. "
        '<span class="rollover-people"><a href="/people/ann-lee">Ann Lee</a>'
        '<span class="rollover-people-block"><a href="/a">Ann Lee on taxes</a>'
        '<a href="/b">Ann Lee on ferries</a></span></span> and approved on Tuesday after a '
        'long debate. <a href="/more">MORE</a></p>' + PARAGRAPHS + "</article>"
    )
    article = parse(page("", body))
    first = article.body[0]
    assert "Rep. Ann Lee and approved on Tuesday" in first
    assert "on taxes" not in first
    assert not first.rstrip().endswith("MORE")


def test_image_is_a_summary_field_and_in_the_api_schema() -> None:
    from newsdesk.models import SUMMARY_FIELDS, ArticleSummary

    assert "image" in SUMMARY_FIELDS
    schema = ArticleSummary.model_json_schema()
    assert "image" in schema["properties"]


def test_markdown_front_matter_and_json_state_the_lead_image() -> None:
    # Given a Markdown file with a cover image relative to its stated URL
    markdown = (
        b"---\ntitle: Ferry terminal approved\nurl: https://news.example.com/2023/ferry\n"
        b"cover:\n  src: /img/terminal.jpg\n  caption: The new terminal\n  credit: Ann Lee\n"
        b"---\n\nThe harbour authority approved the terminal on Tuesday after long talks.\n"
    )
    article = parse_article(markdown, filename="ferry.md")
    assert article.image is not None
    assert article.image.url == "https://news.example.com/img/terminal.jpg"
    assert (article.image.caption, article.image.credit) == ("The new terminal", "Ann Lee")
    # And a JSON article states one as a plain URL; a non-web URL is none
    data = {
        "title": "Ferry terminal approved",
        "body": "The harbour authority approved the terminal on Tuesday after long talks.",
        "image": "https://img.example.com/terminal.jpg",
    }
    image = parse_article(json.dumps(data).encode(), filename="ferry.json").image
    assert image is not None and image.url == "https://img.example.com/terminal.jpg"
    data["image"] = "file:///etc/passwd"
    assert parse_article(json.dumps(data).encode(), filename="ferry.json").image is None


def test_teaser_links_promotions_and_other_stories_leave_the_body() -> None:
    # Given an article with an inline "READ MORE: …" teaser, a "DON'T MISS" box of headlines
    # between paragraphs, a promotion, a shortcode and a "latest news" box of other stories
    body = (
        "<h1>Ferry terminal approved</h1><article>"
        "<p>The harbour authority approved the new ferry terminal on Tuesday.</p>"
        "<p>READ MORE: Island fares to rise as ferry operator cuts routes</p>"
        "<p>Construction starts in spring and ends before the summer season.</p>"
        "<p>DON'T MISS</p><p>Storm closes the old pier for good</p><p>Harbour master retires</p>"
        "<p>Residents asked for lower fares during the works on the quay.</p>"
        "<p>Get Harbour Monthly delivered every month. 12 issues for £11.99. Click here.</p>"
        '<p>[button link="https://example.com/x"] Send us YOUR view[/button]</p>'
        "<p>Like this story? Share it with a friend!</p></article>"
        '<div class="latest-news-box"><a href="/a">Bridge reopens</a><a href="/b">Quay works '
        'delayed</a><a href="/c">Ferry fares frozen</a></div>'
    )
    article = parse(page("", body))
    # Then the body is the article's own paragraphs, the teasers are related links
    assert article.body == [
        "The harbour authority approved the new ferry terminal on Tuesday.",
        "Construction starts in spring and ends before the summer season.",
        "Residents asked for lower fares during the works on the quay.",
    ]
    assert [link.headline for link in article.related] == [
        "Island fares to rise as ferry operator cuts routes",
        "Storm closes the old pier for good",
        "Harbour master retires",
    ]


def test_a_dek_under_the_headline_is_the_standfirst_and_an_intro_opens_the_body() -> None:
    body = (
        "<header><h1>Ferry terminal approved</h1><h2>After two years of talks the harbour "
        "authority said yes to the terminal, and to a new road.</h2></header>"
        '<div class="article__intro"><p>The harbour authority approved the new ferry terminal '
        "on Tuesday, after a long dispute over the cost of the access road.</p></div>"
        "<article><p>Construction starts in spring. The terminal will serve three island routes "
        "and replace the old pier, which has been closed to cars since last winter.</p>"
        "<p>Residents welcomed the decision but asked for lower fares during the works.</p>"
        "</article>"
    )
    article = parse(page("", body))
    assert article.standfirst == (
        "After two years of talks the harbour authority said yes to the terminal, and to a new "
        "road."
    )
    assert article.body[0].startswith("The harbour authority approved the new ferry terminal")
    assert not any(p.startswith("After two years of talks") for p in article.body)
