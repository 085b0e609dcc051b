"""The one slug rule: every place that makes or compares a slug agrees on it."""

from __future__ import annotations

import pytest

from newsdesk.enrichment import enrich
from newsdesk.models import Source
from newsdesk.parsing.document import Extracted
from newsdesk.service.content import ArticleFilters, ContentService
from newsdesk.slugs import slugify
from newsdesk.storage.items import listings_of, registry_names

NAMES = [
    ("The US throws China a bone, but don't buy it", "the-us-throws-china-a-bone-but-dont-buy-it"),
    ("Cristina Fernández exits stage — left?", "cristina-fernandez-exits-stage-left"),
    ("Straße & Œuvre in Łódź", "strasse-and-oeuvre-in-lodz"),
    ("Art & Design", "art-and-design"),
    ("C++ & Rust", "c-plus-plus-and-rust"),
    ("Seán O'Brien", "sean-obrien"),
    ("Renée D’Arcy-Smith", "renee-darcy-smith"),
    ("Москва сегодня", "москва-сегодня"),
    ("東京 オリンピック", "東京-オリンピック"),
    ("हिन्दी समाचार", "हिन्दी-समाचार"),
    ("  ---  ", ""),
]


@pytest.mark.parametrize(("text", "slug"), NAMES)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(("text", "slug"), NAMES)
def test_a_slug_slugifies_to_itself(text: str, slug: str) -> None:
    # The API applies the rule to the slugs clients send: a slug must survive it unchanged.
    assert slugify(slug) == slug


def test_slug_is_cut_at_a_word_boundary() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and not slug.endswith("-") and slug.endswith("word")


def test_a_long_word_is_cut_not_dropped() -> None:
    # Dropping the long word would give "opinion": another section's slug
    slug = slugify("Opinion " + "x" * 200)
    assert slug.startswith("opinion-xxx") and len(slug) == 80


def test_section_tag_author_and_listing_slugs_agree() -> None:
    # Given an article whose section and author names are punctuation-heavy
    article = enrich(
        Extracted(
            format="text",
            headline="Gallery reopens",
            section="Art & Design",
            authors=["Seán O'Brien"],
            body=["The city gallery reopened on Monday after a two-year renovation."],
        ),
        identity="fixture://art",
        source=Source(key="incoming/art.txt", format="text", size=10),
        parser_version="test",
    )
    # Then the tag, the author slug, the listings and the registries all spell them one way
    assert "art-and-design" in article.tags
    assert article.authors[0].slug == "sean-obrien"
    listings = listings_of(article)
    assert "section#art-and-design" in listings and "author#sean-obrien" in listings
    assert ("section", "art-and-design") in registry_names(article)


class _RecordingStore:
    def __init__(self) -> None:
        self.filters: list[ArticleFilters] = []

    def list_articles(self, filters: ArticleFilters, *, limit: int, cursor: str | None) -> object:
        self.filters.append(filters)
        return object()


def test_api_filters_are_spelled_by_the_same_rule() -> None:
    store = _RecordingStore()
    service = ContentService(store)  # type: ignore[arg-type]
    service.list_articles(
        ArticleFilters(section="Art & Design", author="Seán O'Brien", tag="art-and-design"),
        limit=10,
        cursor=None,
    )
    assert store.filters == [
        ArticleFilters(section="art-and-design", author="sean-obrien", tag="art-and-design")
    ]
