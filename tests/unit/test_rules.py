"""The pattern tables of the text parser: every rule documents its shape with an example."""

from __future__ import annotations

import pytest

from newsdesk.parsing.rules import ALL_RULES, TRAILER_RULES, Rule, TrailerRule
from newsdesk.parsing.text import find_dateline, parse_byline
from newsdesk.parsing.trailer import classify_trailer, clean_trailer, find_publisher


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.name)
def test_each_rule_matches_its_own_example(rule: Rule) -> None:
    assert rule.pattern.search(rule.example) is not None


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in ALL_RULES]

    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", TRAILER_RULES, ids=lambda rule: rule.name)
def test_each_trailer_example_is_classified_as_its_kind(rule: TrailerRule) -> None:
    kind = classify_trailer(rule.example)

    assert kind == rule.kind


@pytest.mark.parametrize(
    ("line", "names", "agency"),
    [
        ("By Tom Fowdy", ["Tom Fowdy"], None),
        ("By Alexei Oreskovic and Jennifer Saba", ["Alexei Oreskovic", "Jennifer Saba"], None),
        ("By Ann Lee, Bo Chen and Cy Diaz", ["Ann Lee", "Bo Chen", "Cy Diaz"], None),
        ("By Ann Lee, Reuters", ["Ann Lee"], "Reuters"),
        ("By Ann Lee & Bo Chen", ["Ann Lee", "Bo Chen"], None),
        ("By Jane Doe, Staff Writer", ["Jane Doe"], None),
        ("By Ludwig van Beethoven", ["Ludwig van Beethoven"], None),
        ("--", [], None),
    ],
)
def test_bylines_give_names_and_agency(line: str, names: list[str], agency: str | None) -> None:
    assert parse_byline(line) == (names, agency)


@pytest.mark.parametrize(
    "line",
    ["By the end of the year, prices had doubled.", "Bystanders watched the fire.", "By 2030"],
)
def test_sentences_starting_with_by_are_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


@pytest.mark.parametrize(
    ("paragraph", "location", "agency"),
    [
        ("SAN FRANCISCO (Reuters) - Yahoo Inc will buy Tumblr.", "SAN FRANCISCO", "Reuters"),
        ("NEW YORK/ZURICH (Reuters) - Supervisors proposed rules.", "NEW YORK/ZURICH", "Reuters"),
        ("BEIJING — Red has been the color of prosperity.", "BEIJING", None),
        ("(CNN)ISIS militants kidnapped 20 foreigners.", None, "CNN"),
        ("(CNN) -- The storm moved north.", None, "CNN"),
        ("Atlanta, Georgia (CNN) -- A garden became a classroom.", "Atlanta, Georgia", "CNN"),
        ("Moscow (CNN)Russian President Vladimir Putin appeared.", "Moscow", "CNN"),
        ("CHEYENNE, Wyo. (AP) — Wyoming's only clinic closed.", "CHEYENNE, Wyo.", "AP"),
        ("LONDON, March 3 (Reuters) - Sterling rose on Friday.", "LONDON", "Reuters"),
        ("WASHINGTON (AP) _ The Senate voted on Tuesday.", "WASHINGTON", "AP"),
    ],
)
def test_datelines(paragraph: str, location: str | None, agency: str | None) -> None:
    dateline = find_dateline(paragraph)

    assert dateline is not None
    assert (dateline.location, dateline.agency) == (location, agency)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Campbell Soup Co ( CPB.N ) said on Tuesday its board had authorized a buyback.",
        "Apple (AAPL) said on Tuesday its sales rose.",
        "The company — founded in 1990 — grew fast.",
        "In January, the office announced new rules.",
    ],
)
def test_ordinary_first_sentences_have_no_dateline(paragraph: str) -> None:
    assert find_dateline(paragraph) is None


@pytest.mark.parametrize(
    ("text", "publisher"),
    [
        ("The views do not necessarily reflect those of DotDotNews.", "DotDotNews"),
        ("The views do not necessarily reflect those of the Morning Ledger.", "Morning Ledger"),
        ("© 2023 The Example Gazette. All rights reserved.", "The Example Gazette"),
        ("Copyright 2024 The Associated Press. All rights reserved.", "The Associated Press"),
        ("The opinions expressed in this commentary are solely those of the author.", None),
    ],
)
def test_publisher_named_by_a_disclaimer_or_copyright(text: str, publisher: str | None) -> None:
    assert find_publisher(text) == publisher


@pytest.mark.parametrize(
    ("paragraph", "kind"),
    [
        ("Copyright 2024 The Associated Press. All rights reserved.", "copyright"),
        ("Copyright © 2023 Example Media Ltd", "copyright"),
        ("Copyright law is changing, and publishers are worried.", None),
        ("Comment", "chrome"),
        ("Share this article", "chrome"),
        ("Advertisement", "chrome"),
        ("A man walks past the court, Friday, May 5, 2023. (AP Photo/Mead Gruver, File)", "chrome"),
        ("The views expressed here are his own.", "disclaimer"),
        ("The author is a senior fellow at an example institute.", "bio"),
        ("The company is a leading maker of chips.", None),
    ],
)
def test_trailer_kinds(paragraph: str, kind: str | None) -> None:
    assert classify_trailer(paragraph) == kind


def test_read_more_list_entries_become_related_links_with_sections() -> None:
    # Given a body followed by a "Read more" list and page chrome
    paragraphs = [
        "The first paragraph of the story, long enough to be body text.",
        "Read more articles by Tom Fowdy:",
        "Opinion | The most hypocritical statement of all time",
        "Markets slide on rate fears",
        "Comment",
    ]

    # When the trailer is cleaned
    trailer = clean_trailer(paragraphs)

    # Then the list becomes related links and the chrome disappears
    assert trailer.body == ["The first paragraph of the story, long enough to be body text."]
    assert [(link.headline, link.section) for link in trailer.related] == [
        ("The most hypocritical statement of all time", "Opinion"),
        ("Markets slide on rate fears", None),
    ]


def test_trailer_notes_in_any_order_leave_the_body() -> None:
    paragraphs = [
        "Body paragraph one.",
        "Body paragraph two.",
        "The views do not necessarily reflect those of DotDotNews.",
        "The author is a commentator on Asian affairs.",
        "Share this article",
    ]

    trailer = clean_trailer(paragraphs)

    assert trailer.body == ["Body paragraph one.", "Body paragraph two."]
    assert trailer.author_bio == "The author is a commentator on Asian affairs."
    assert trailer.disclaimer == "The views do not necessarily reflect those of DotDotNews."
    assert trailer.publisher == "DotDotNews"


def test_a_trailer_shape_before_the_last_body_paragraph_stays_in_the_body() -> None:
    paragraphs = [
        "The author is a rare breed, said her publisher.",
        "She will sign copies on Saturday.",
    ]

    trailer = clean_trailer(paragraphs)

    assert trailer.body == paragraphs
    assert trailer.author_bio is None


RELEASE = [
    "BAAR, SWITZERLAND",
    "Acme Health and Example Medical today announced a partnership in intensive care.",
    "Clinicians will see every alarm of a patient on one screen, Acme Health said.",
    "For more information on the solution, please visit: www.acme.example",
]


def test_press_release_company_boilerplate_leaves_the_body() -> None:
    # Given a press release closing with its company boilerplate, facts and contacts
    paragraphs = [
        *RELEASE,
        "Acme Health is a global solutions provider focused on healthcare ICT.",
        "Acme Health is headquartered in Baar and employs around 1,300 people worldwide.",
        "Media contact: Jane Doe, +41 41 544 00 00",
        "© 2024 Acme Health. All rights reserved.",
    ]

    # When the trailer is cleaned
    trailer = clean_trailer(paragraphs)

    # Then the article text stays and the boilerplate goes; the copyright still names it
    assert trailer.body == RELEASE
    assert trailer.publisher == "Acme Health"


def test_about_heading_opens_the_boilerplate_of_each_company() -> None:
    paragraphs = [
        *RELEASE,
        "About Acme Health",
        "Acme Health builds clinical workflow software for hospitals in 15 countries.",
        "About Example Medical",
        "Example Medical is a leading maker of patient monitors.",
    ]

    assert clean_trailer(paragraphs).body == RELEASE


@pytest.mark.parametrize(
    "ending",
    [
        # the company's description is the story's last word: no boilerplate follows it
        ["Acme Health is the largest provider of alarm software in Europe."],
        # a company the story never named before
        ["Globex is a global provider of monitors.", "Globex is headquartered in Zurich."],
        # what follows the description is story text
        [
            "Acme Health is a global provider of alarm software.",
            "Hospitals in Geneva will try the system first, Acme Health said on Tuesday.",
        ],
        # a pronoun is not a company
        ["It is a leading provider of alarms.", "It employs 1,300 people."],
    ],
)
def test_company_descriptions_in_stories_stay_in_the_body(ending: list[str]) -> None:
    paragraphs = [*RELEASE, *ending]

    assert clean_trailer(paragraphs).body == paragraphs
