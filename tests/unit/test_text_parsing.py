"""Plain-text articles: header, body and trailer fields a reader of the record would check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.models import Dateline
from newsdesk.parsing.decoding import decode_bytes
from newsdesk.parsing.document import Extracted
from newsdesk.parsing.text import parse_text

SEED = "seed/000_7d4c0a3551aecea8.txt"


def parse_file(path: Path) -> Extracted:
    return parse_text(decode_bytes(path.read_bytes()))


@pytest.mark.corpus
def test_reference_sample_parses_as_the_design_states(corpus_dir: Path) -> None:
    # Given the reference sample the service was specified with
    # When it is parsed
    article = parse_file(corpus_dir / SEED)

    # Then every field is as DESIGN.md section 3 states
    assert article.section == "Opinion"
    assert article.headline == "The US throws China a bone, but don't buy it"
    assert article.authors == ["Tom Fowdy"]
    assert article.publisher == "DotDotNews"
    assert len(article.body) == 8
    assert article.body[0].startswith("After what has been a disastrous half")
    assert article.body[-1].startswith("So, while the US is pursuing")
    assert sum(len(paragraph.split()) for paragraph in article.body) == 776
    assert article.author_bio is not None
    assert article.author_bio.startswith("The author is a well-seasoned writer")
    assert article.disclaimer == "The views do not necessarily reflect those of DotDotNews."
    assert [(link.headline, link.section) for link in article.related] == [
        ("The most hypocritical statement of all time", "Opinion"),
        ("The Endgame of the Ukraine War, and the 'Damming' of the Conflict", "Opinion"),
    ]
    assert article.published_at is None
    texts = [
        article.headline,
        article.author_bio,
        article.disclaimer,
        *article.body,
        *(link.headline for link in article.related),
    ]
    assert "Comment" not in texts
    assert not any("Read more articles" in text for text in texts if text)


def parse_fixture(fixtures_dir: Path, name: str) -> Extracted:
    return parse_text((fixtures_dir / "text" / name).read_text(encoding="utf-8"))


def test_blank_line_layout_gives_headline_and_one_paragraph_per_block(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "blank_line_layout.txt")

    assert article.headline == "Harbour town opens its first tidal power station"
    assert len(article.body) == 3
    assert article.body[0].startswith("The small harbour town of Port Elwyn")
    assert article.authors == []
    assert article.published_at is None
    assert article.dateline is None


def test_line_per_paragraph_layout_with_kicker_bio_disclaimer_and_read_more(
    fixtures_dir: Path,
) -> None:
    article = parse_fixture(fixtures_dir, "line_per_paragraph.txt")

    assert (article.section, article.headline) == ("Analysis", "Why the river ferry still matters")
    assert article.authors == ["Maria Okafor"]
    assert len(article.body) == 3
    assert article.body[-1].startswith("What the ferry lacks is money")
    assert article.author_bio == (
        "Maria Okafor is a transport correspondent and author of a book on river cities."
    )
    assert article.disclaimer == (
        "The views do not necessarily reflect those of The Riverside Courier."
    )
    assert article.publisher == "The Riverside Courier"
    assert [(link.headline, link.section) for link in article.related] == [
        ("The slow return of the night bus", "Analysis"),
        ("Cycle lanes are not a culture war", "Opinion"),
    ]
    assert not any(p in ("Share this article", "Comment") for p in article.body)


def test_hard_wrapped_lines_are_joined_back_into_paragraphs(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "hard_wrapped.txt")

    assert article.headline == "Library lends out telescopes to stargazers"
    assert article.authors == ["Tom Reyes"]
    assert article.published_at == datetime(2023, 3, 3, tzinfo=UTC)
    assert len(article.body) == 4
    assert article.body[0] == (
        "The county library has started lending telescopes to its members, and the waiting "
        "list for the twelve instruments already runs to more than two hundred names, staff "
        "said on Friday."
    )


def test_wrapped_text_without_blank_lines_breaks_paragraphs_at_short_lines() -> None:
    text = (
        "Ferry fares to rise\n\n"
        "Fares on the harbour ferry will rise by ten pence from April, the operator\n"
        "said on Monday, the first increase in six years.\n"
        "Season tickets will not change, and children will still travel free on\n"
        "weekends, a spokeswoman said.\n"
        "The council has to approve the increase.\n"
    )

    article = parse_text(text)

    assert article.body == [
        "Fares on the harbour ferry will rise by ten pence from April, the operator said on "
        "Monday, the first increase in six years.",
        "Season tickets will not change, and children will still travel free on weekends, a "
        "spokeswoman said.",
        "The council has to approve the increase.",
    ]


def test_dash_prefixed_header_gives_byline_date_url_and_dateline(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "dash_prefixed.txt")

    assert article.headline == "Chipmaker profit beats forecasts on data centre demand"
    assert article.authors == ["Lena Park", "Omar Haddad"]
    assert article.published_at == datetime(2007, 4, 28, 3, 43, tzinfo=UTC)
    assert (
        article.source_url == "http://www.example.com/article/2007/04/27/chipmaker-profit-idUS123"
    )
    assert article.dateline == Dateline(location="SAN FRANCISCO", agency="Reuters")
    # The dateline stays in the body's first paragraph, whitespace tidied.
    assert article.body[0].startswith("SAN FRANCISCO (Reuters) - A large chipmaker")
    assert article.body[-1].endswith("(Reporting by Lena Park; editing by Omar Haddad)")


def test_empty_dash_byline_gives_no_authors(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "dash_prefixed_empty_byline.txt")

    assert article.headline == "Regulators weigh tougher capital rules"
    assert article.authors == []
    assert article.published_at == datetime(2008, 3, 6, 17, 26, tzinfo=UTC)
    assert article.dateline == Dateline(location="NEW YORK/ZURICH", agency="Reuters")
    assert len(article.body) == 2


def test_byline_with_three_names_and_an_updated_line(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "multiple_bylines.txt")

    assert article.authors == ["Ann Lee", "Bo Chen", "Cy Diaz"]
    assert article.published_at is None
    assert article.updated_at_source == datetime(2023, 5, 2, 14, 32, tzinfo=UTC)
    assert article.body[0].startswith("The city council approved")


def test_byline_naming_an_agency_gives_author_and_publisher(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "byline_agency.txt")

    assert article.authors == ["Sara Nilsen"]
    assert article.publisher == "Reuters"
    assert article.published_at == datetime(2023, 3, 3, tzinfo=UTC)


def test_source_url_line_and_dash_dateline_without_agency(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "url_line_dateline_dash.txt")

    assert article.headline == "Smog alert closes schools across the capital"
    assert article.source_url == "http://www.example.com/2015/12/11/world/asia/smog-alert.html"
    assert article.dateline == Dateline(location="BEIJING", agency=None)
    assert article.body[0].startswith("BEIJING — Schools across the capital")
    assert len(article.body) == 3


def test_run_on_text_is_split_into_paragraphs_and_loses_its_trailing_notes(
    fixtures_dir: Path,
) -> None:
    article = parse_fixture(fixtures_dir, "run_on_cnn.txt")

    assert article.headline is None
    assert article.dateline == Dateline(location="Atlanta, Georgia", agency="CNN")
    assert len(article.body) > 2
    assert article.body[0].startswith("Atlanta, Georgia (CNN) -- A community garden")
    assert article.body[-1].endswith('"I didn\'t know you could have a job doing this," he said.')
    assert article.disclaimer == (
        "The opinions expressed in this commentary are solely those of the author."
    )
    assert article.author_bio is not None
    assert article.author_bio.startswith("Dolores Grant is a retired teacher")
    assert not any("opinions expressed" in paragraph for paragraph in article.body)


def test_wire_copy_without_headline_drops_photo_credits_ads_and_funding_note(
    fixtures_dir: Path,
) -> None:
    article = parse_fixture(fixtures_dir, "wire_no_headline.txt")

    assert article.headline is None
    assert article.dateline == Dateline(location="CHEYENNE, Wyo.", agency="AP")
    assert article.body[0].startswith("CHEYENNE, Wyo. (AP) — A small-town museum")
    assert len(article.body) == 4
    assert not any(
        "AP Photo" in p or "Advertisement" in p or "Associated Press" in p for p in article.body
    )
    assert article.body[-1].startswith("The new wing includes a workshop")


def test_inline_read_more_link_and_photo_credit_leave_the_body(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "inline_read_more.txt")

    assert [link.headline for link in article.related] == [
        "Council plans new cycle route along the canal"
    ]
    assert len(article.body) == 3
    assert not any("Read more" in p or "Getty Images" in p for p in article.body)


def test_copyright_line_names_the_publisher_and_leaves_the_body(fixtures_dir: Path) -> None:
    article = parse_fixture(fixtures_dir, "copyright_trailer.txt")

    assert article.publisher == "The Example Gazette"
    assert article.author_bio == (
        "The author is a business reporter who has covered the retail trade since 2015."
    )
    assert article.published_at is None  # the 2015 in the bio and 2023 in the copyright are not
    assert len(article.body) == 2
    assert not any("©" in p for p in article.body)


def test_a_body_line_starting_with_by_is_not_a_byline() -> None:
    text = (
        "Harvest ends early\n"
        "By the end of the week, most farms in the valley had finished the harvest.\n"
        "Growers blamed the dry summer.\n"
    )

    article = parse_text(text)

    assert article.authors == []
    assert article.body[0].startswith("By the end of the week")


def test_bio_and_disclaimer_shapes_inside_the_body_stay_in_the_body() -> None:
    text = (
        "A quiet revolution in the lab\n\n"
        "Jane Doe is a professor of chemistry who has spent a decade on one molecule.\n\n"
        "Her work, colleagues say, could halve the cost of fertiliser.\n"
    )

    article = parse_text(text)

    assert article.author_bio is None
    assert len(article.body) == 2
    assert article.body[0].startswith("Jane Doe is a professor")


def test_a_file_whose_first_line_is_a_paragraph_has_no_headline() -> None:
    text = (
        "The river burst its banks overnight, flooding dozens of homes in the lower town and "
        "closing the main road to the coast for the second time this winter.\n"
        "Volunteers filled sandbags until dawn.\n"
    )

    article = parse_text(text)

    assert article.headline is None
    assert len(article.body) == 2


def test_a_standfirst_between_headline_and_byline() -> None:
    text = (
        "Orchard saved by crowdfunding\n"
        "Villagers raised the money in nine days\n"
        "By Ruth Evans\n\n"
        "An orchard planted in 1910 will not be sold for housing: villagers raised the price.\n"
    )

    article = parse_text(text)

    assert article.headline == "Orchard saved by crowdfunding"
    assert article.standfirst == "Villagers raised the money in nine days"
    assert article.authors == ["Ruth Evans"]
    assert len(article.body) == 1


def test_text_without_any_content_gives_no_body() -> None:
    article = parse_text("\n \n\n")

    assert article.body == []
    assert article.headline is None


def test_leading_editors_note_gives_bio_and_disclaimer_and_keeps_the_dateline(
    fixtures_dir: Path,
) -> None:
    # Given a run-on opinion piece that opens with an editor's note after "(CNN)"
    # When it is parsed
    article = parse_fixture(fixtures_dir, "run_on_editors_note.txt")

    # Then the note's bio and disclaimer leave the body, and the body keeps the dateline
    assert article.author_bio == (
        "Ruth Marsh is a professor of economics at an example university and the author of a "
        "book on cities."
    )
    assert article.disclaimer == "The opinions expressed in this commentary are solely hers."
    assert article.dateline == Dateline(location=None, agency="CNN")
    assert article.body[0].startswith("(CNN)Cities have always been engines of growth")
    assert len(article.body) > 1
    assert not any("Editor's note" in p or "solely hers" in p for p in article.body)


def test_an_editors_note_that_is_no_bio_stays_in_the_body() -> None:
    text = (
        "Storm photos\n\n"
        "Editor's note: This story contains images some readers may find distressing.\n\n"
        "The storm flattened the harbour wall overnight.\n"
    )

    article = parse_text(text)

    assert article.author_bio is None
    assert article.body[0].startswith("Editor's note: This story contains images")


def test_published_and_last_modified_lines() -> None:
    text = (
        "Orchard saved by crowdfunding\n"
        "Published: 2023-03-03T09:00:00+01:00\n"
        "Last modified: March 4, 2023\n\n"
        "An orchard planted in 1910 will not be sold.\n"
    )

    article = parse_text(text)

    assert article.published_at == datetime(2023, 3, 3, 8, tzinfo=UTC)
    assert article.updated_at_source == datetime(2023, 3, 4, tzinfo=UTC)
    assert article.body == ["An orchard planted in 1910 will not be sold."]


def test_a_headline_after_a_date_line() -> None:
    text = (
        "March 3, 2023\n"
        "Orchard saved by crowdfunding\n"
        "By Ruth Evans\n\n"
        "An orchard planted in 1910 will not be sold.\n"
    )

    article = parse_text(text)

    assert article.headline == "Orchard saved by crowdfunding"
    assert article.authors == ["Ruth Evans"]
    assert article.published_at == datetime(2023, 3, 3, tzinfo=UTC)
    assert article.body == ["An orchard planted in 1910 will not be sold."]


@pytest.mark.parametrize(
    "text",
    [
        "x",
        "--",
        "-- \n-- \n-- ",
        "By",
        "Opinion | ",
        " | Headline only",
        "Read more:",
        "Comment\nShare this article\nAdvertisement",
        "(CNN)",
        "Mr. " * 500,
        "((((((((((" * 100,
        "NEW YORK " * 200 + "(Reuters) - x",
        "a\n" * 2000,
        ("word " * 15 + "\n") * 300,
        "Headline\n\n" + "The end. " * 400,
        "Editor's note:",
        "(CNN)Editor's note: The opinions expressed in this commentary are solely hers.",
    ],
)
def test_odd_inputs_parse_without_error(text: str) -> None:
    article = parse_text(text)

    assert article.format == "text"
    assert all(paragraph.strip() == paragraph and paragraph for paragraph in article.body)


def test_a_closing_paragraph_about_a_source_is_body_not_bio() -> None:
    text = (
        "Bank warns of slower growth\n"
        "By Ann Lee\n\n"
        "The bank cut its growth forecast on Monday.\n\n"
        "Sam Jones is a senior analyst at Example Bank.\n"
    )

    article = parse_text(text)

    assert article.author_bio is None
    assert article.body[-1] == "Sam Jones is a senior analyst at Example Bank."


def test_a_closing_paragraph_about_the_byline_author_is_the_bio() -> None:
    text = (
        "Bank warns of slower growth\n"
        "By Ann Lee\n\n"
        "The bank cut its growth forecast on Monday.\n\n"
        "Ann Lee is a business writer based in London.\n"
    )

    article = parse_text(text)

    assert article.author_bio == "Ann Lee is a business writer based in London."
    assert article.body == ["The bank cut its growth forecast on Monday."]


def test_a_byline_in_a_script_without_capitals() -> None:
    article = parse_text("春季茶叶上市\nBy 王芳 and 李明\n\n今年的春茶比去年早上市两周。\n")

    assert article.authors == ["王芳", "李明"]


@pytest.mark.parametrize(
    ("line", "authors", "published_at"),
    [
        ("By Jane Doe | March 3, 2023", ["Jane Doe"], datetime(2023, 3, 3, tzinfo=UTC)),
        ("By Jane Doe, Published: 2023-03-03", ["Jane Doe"], datetime(2023, 3, 3, tzinfo=UTC)),
        (
            "March 3, 2023 | By Jane Doe and Bo Chen",
            ["Jane Doe", "Bo Chen"],
            datetime(2023, 3, 3, tzinfo=UTC),
        ),
        (
            "By Jane Doe, March 3, 2023 10:32 AM ET",
            ["Jane Doe"],
            datetime(2023, 3, 3, 15, 32, tzinfo=UTC),
        ),
    ],
)
def test_byline_and_date_on_one_line(line: str, authors: list[str], published_at: datetime) -> None:
    article = parse_text(f"Orchard saved by crowdfunding\n{line}\n\nThe orchard will stay.\n")

    assert article.authors == authors
    assert article.published_at == published_at
    assert article.body == ["The orchard will stay."]


def test_a_headline_ending_in_an_abbreviation_keeps_its_period() -> None:
    # Given a text whose headline ends in "U.S." and a byline naming "Jr."
    text = (
        "Drug Prices Rise Fastest In U.S.\n\nBy Perry Bacon Jr.\n\n"
        "Prices of prescription drugs rose faster in the United States than anywhere else "
        "last year, a study of twelve countries found.\n\n"
        "The study compared list prices of the 50 most sold drugs.\n"
    )
    article = parse_text(text)
    # Then both keep their final period
    assert article.headline == "Drug Prices Rise Fastest In U.S."
    assert article.authors == ["Perry Bacon Jr."]
