"""Enrichment: ids, slugs, language, keywords, summary and content hash, all deterministic."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.enrichment import (
    content_hash,
    derive_headline,
    detect_language,
    enrich,
    extract_keywords,
    summarize,
)
from newsdesk.models import Dateline, RelatedLink, Source
from newsdesk.parsing.document import Extracted

SOURCE = Source(key="incoming/a.txt", format="text", size=100)
BODY = [
    "The city council approved a new budget for public libraries on Tuesday. The budget adds "
    "evening opening hours at six branches and funds a mobile library for the outer districts, "
    "which have had no branch since 2015. Council member Ada Lovelace said the plan answered a "
    "petition signed by 12,000 residents. The mobile library will visit each district weekly.",
    "Libraries across the region have cut hours in the past decade. The Regional Library "
    "Association said visits rose when branches opened in the evening.",
    "The Regional Library Association welcomed the budget.",
]


def make(**fields: object) -> Extracted:
    base = Extracted(format="text", headline="Council approves library budget", body=list(BODY))
    return replace(base, **fields)  # type: ignore[arg-type]


def test_id_is_16_hex_chars_of_sha256_of_the_identity() -> None:
    article = enrich(
        make(), identity="s3://bucket/incoming/a.txt", source=SOURCE, parser_version="1"
    )
    assert article.id == hashlib.sha256(b"s3://bucket/incoming/a.txt").hexdigest()[:16]


def test_counts_reading_time_and_summary() -> None:
    article = enrich(make(), identity="x", source=SOURCE, parser_version="1")

    assert article.word_count == sum(len(p.split()) for p in BODY)
    assert article.reading_time_minutes == 1
    # the lead is longer than 300 chars: cut at the sentence boundary nearest 300
    assert article.summary == (
        "The city council approved a new budget for public libraries on Tuesday. The budget adds "
        "evening opening hours at six branches and funds a mobile library for the outer "
        "districts, which have had no branch since 2015. Council member Ada Lovelace said the "
        "plan answered a petition signed by 12,000 residents."
    )
    assert article.ingested_at is None and article.updated_at is None


def test_reading_time_is_words_over_230_rounded_at_least_one() -> None:
    long_body = ["word " * 1000]
    article = enrich(make(body=long_body), identity="x", source=SOURCE, parser_version="1")
    assert article.reading_time_minutes == 4  # 1000 / 230 = 4.35


def test_short_lead_is_the_whole_summary() -> None:
    assert summarize(["A short lead."]) == "A short lead."


def test_summary_of_one_long_sentence_is_cut_at_a_word() -> None:
    summary = summarize(["word " * 200])
    assert summary.endswith("…") and len(summary) <= 301


def test_author_slugs_and_duplicates() -> None:
    article = enrich(
        make(authors=["José Álvarez", "Jose Alvarez", "Mary O'Neil"]),
        identity="x",
        source=SOURCE,
        parser_version="1",
    )
    assert [(a.name, a.slug) for a in article.authors] == [
        ("José Álvarez", "jose-alvarez"),
        ("Mary O'Neil", "mary-oneil"),
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The council said that it would open the library in the evening for the residents.", "en"),
        (
            "Der Bürgermeister sagte, dass die Bibliothek nach dem Umbau wieder offen ist.",
            "de",
        ),
        (
            "Le maire a dit que la bibliothèque sera ouverte le soir pour les habitants.",
            "fr",
        ),
        (
            "El alcalde dijo que la biblioteca estará abierta por la noche para los vecinos.",
            "es",
        ),
        (
            "O prefeito disse que a biblioteca não vai abrir à noite para os moradores da cidade.",
            "pt",
        ),
        (
            "Il sindaco ha detto che la biblioteca sarà aperta la sera per gli abitanti.",
            "it",
        ),
        (
            "De burgemeester zei dat de bibliotheek ook 's avonds open is voor de bewoners.",
            "nl",
        ),
        (
            "Wali kota mengatakan bahwa perpustakaan akan dibuka pada malam hari untuk warga.",
            "id",
        ),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_too_little_text_has_no_language() -> None:
    assert detect_language("Tokyo 2020") is None


def test_stated_language_wins_and_is_normalized() -> None:
    article = enrich(make(language="en-GB"), identity="x", source=SOURCE, parser_version="1")
    assert article.language == "en"
    short = make(language="DE_de", body=["Tokyo 2020: the results."])
    assert enrich(short, identity="x", source=SOURCE, parser_version="1").language == "de"


def test_a_stated_language_the_text_plainly_is_not_gives_way() -> None:
    # Given a long English article on a page whose lang attribute says "fr" (its site's UI)
    article = enrich(make(language="fr"), identity="x", source=SOURCE, parser_version="1")
    # Then the text's language is recorded
    assert article.language == "en"


def test_keywords_are_names_multi_word_terms_then_the_storys_own_words() -> None:
    keywords = extract_keywords("Council approves library budget", "\n".join(BODY))
    assert 0 < len(keywords) <= 10
    # names and multi-word terms first, then words of this story
    assert keywords[:2] == ["Regional Library Association", "mobile library"]
    assert "library" in keywords
    # stopwords, reporting verbs and words of any story are never key terms
    assert not {"the", "said", "which", "budget", "council", "approves"} & {
        k.lower() for k in keywords
    }


def test_keywords_of_equal_score_keep_headline_order_in_every_process() -> None:
    # Given headline words the body uses equally often: they tie on score
    headline = "Walrus yodel quokka ferret narwhal"
    body = (
        "A narwhal, a ferret, a quokka, a yodel and a walrus met at the zoo. Another narwhal, "
        "ferret, quokka, yodel and walrus came on Sunday."
    )
    code = (
        "from newsdesk.enrichment import extract_keywords; "
        f"print(extract_keywords({headline!r}, {body!r}))"
    )
    # When two interpreters with different string hash seeds extract them
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    # Then the keywords are the same, in the headline's order
    assert runs == {str(["walrus", "yodel", "quokka", "ferret", "narwhal"]) + "\n"}


def test_stated_keywords_come_first_and_tags_are_their_slugs_plus_section() -> None:
    article = enrich(
        make(
            keywords=["Public Libraries", "public libraries", "Budget 2024"], section="Local News"
        ),
        identity="x",
        source=SOURCE,
        parser_version="1",
    )
    assert article.keywords == ["Public Libraries", "Budget 2024"]
    assert article.tags == ["local-news", "public-libraries", "budget-2024"]


def test_at_most_ten_keywords() -> None:
    article = enrich(
        make(keywords=[f"term {i}" for i in range(15)]),
        identity="x",
        source=SOURCE,
        parser_version="1",
    )
    assert len(article.keywords) == 10


def test_headline_is_derived_from_the_first_sentence_when_the_file_has_none() -> None:
    body = [
        "CHEYENNE, Wyo. (AP) — Wyoming’s only abortion clinic stopped providing abortions "
        "Friday. More text."
    ]
    assert derive_headline(body, has_dateline=True) == (
        "Wyoming’s only abortion clinic stopped providing abortions Friday"
    )
    article = enrich(
        make(headline=None, body=body, dateline=Dateline(location="CHEYENNE, Wyo.", agency="AP")),
        identity="x",
        source=SOURCE,
        parser_version="1",
    )
    assert article.headline == "Wyoming’s only abortion clinic stopped providing abortions Friday"
    assert article.slug == "wyomings-only-abortion-clinic-stopped-providing-abortions-friday"


def test_content_hash_is_stable_and_tracks_content() -> None:
    full = make(
        section="Local",
        authors=["Ada Lovelace"],
        published_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        related=[RelatedLink(headline="Other story", section="Local")],
    )
    first = enrich(full, identity="a", source=SOURCE, parser_version="1")
    again = enrich(
        make(
            section="Local",
            authors=["Ada Lovelace"],
            published_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            related=[RelatedLink(headline="Other story", section="Local")],
        ),
        identity="b",
        source=Source(key="other", format="text", size=1),
        parser_version="2",
    )
    # the same content gives the same hash whatever the file's name, size or parser version
    assert first.content_hash == again.content_hash
    changed = enrich(
        replace(full, body=[*BODY, "A new paragraph."]),
        identity="a",
        source=SOURCE,
        parser_version="1",
    )
    assert changed.content_hash != first.content_hash
    assert len(first.content_hash) == 64


# Text a hash must survive: plain ASCII, DEL, control characters, backslashes before "u",
# non-ASCII letters and quotes, astral characters.
_HASHED_TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "B", " ", "u", "\\", '"', "\n", "\x00", "\x1f", "\x7f", "é", "’", "😀"]
    ),
    max_size=30,
)


@given(
    body=st.lists(_HASHED_TEXT, max_size=4),
    headline=_HASHED_TEXT,
    author_bio=st.none() | _HASHED_TEXT,
)
@settings(max_examples=300, deadline=None)
def test_content_hash_is_the_sha256_of_the_canonical_json(
    body: list[str], headline: str, author_bio: str | None
) -> None:
    # Stored records compare hashes: the definition (sorted keys, no spaces, UTF-8 as itself)
    # must hold whatever the text, whichever way the JSON is produced.
    content = {"headline": headline, "body": body, "author_bio": author_bio, "related": []}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert content_hash(content) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


HEATWAVE = Extracted(
    format="text",
    headline="Our schools were built for a climate that no longer exists",
    body=[
        "Classrooms in the city's older schools reach 34C by noon in June, teachers say. The "
        "schools were built in the 1960s with large windows that face south and open only a few "
        "centimetres.",
        "Head teacher Maria Okafor said the school had bought a fan for every classroom, but the "
        'fans only move hot air around. "We take the children outside when we can," she said.',
        "The council says it has no budget to refit the schools this year. A report found that 40 "
        "school buildings would need new windows, shading and ventilation to stay below 28C.",
        "Parents have started a petition. Maria Okafor said the schools need shade before the next "
        "heatwave, and that the windows should open wider.",
    ],
)
CARMAKER = Extracted(
    format="text",
    headline="Budget carmaker takes on the big brands",
    body=[
        "Aston Martin will sell its cheapest cars yet from next spring, the company said on "
        "Tuesday. Aston Martin cars have cost more than £100,000 until now.",
        "The new car will be built in Gaydon. Chief executive Ulrich Bez said the cars would "
        "compete with Porsche, and that Aston Martin expected to sell 3,000 cars a year.",
        "Porsche said it welcomed the competition. Analysts said the car market was crowded.",
    ],
)


def tags_of(extracted: Extracted) -> list[str]:
    return enrich(extracted, identity="x", source=SOURCE, parser_version="1").tags


def test_verbs_adverbs_and_generic_adjectives_are_never_tags() -> None:
    # Given a headline made mostly of generic words, and a body full of reporting verbs and
    # words of any story ("schools", "windows", "climate", "budget")
    tags = tags_of(HEATWAVE)
    # Then only the name it is about is a tag
    generic = {"built", "longer", "exists", "open", "say", "says", "said", "take", "new", "year"}
    generic |= {"schools", "school", "windows", "climate", "budget", "council"}
    assert not generic & set(tags)
    assert tags == ["maria-okafor"]


def test_singular_and_plural_are_one_tag_in_the_form_the_text_uses_more() -> None:
    # Given "turbines" 4 times and "turbine" twice, "kite" 3 times and "kites" once
    extracted = Extracted(
        format="text",
        headline="Offshore turbines meet a kite",
        body=[
            "The turbines stood in a row. A kite flew past the turbines, and one turbine stopped.",
            "Engineers checked the turbines and the turbine beside the kite. Two kites came later, "
            "and the kite stayed near the turbines.",
        ],
    )
    tags = tags_of(extracted)
    # Then each is one tag, in the form the text uses more
    assert "turbines" in tags and "turbine" not in tags
    assert "kite" in tags and "kites" not in tags


def test_a_name_is_one_tag_in_its_full_form() -> None:
    keywords = extract_keywords(CARMAKER.headline or "", "\n".join(CARMAKER.body))
    assert "Aston Martin" in keywords and "Ulrich Bez" in keywords
    assert not {"Aston", "Martin", "Bez", "aston", "martin"} & set(keywords)


def test_repeated_body_terms_rank_above_a_headline_word_the_body_never_uses() -> None:
    headline = "Ferry crews vow to soldier on"
    body = (
        "The harbour ferry lost two crews to illness this winter. The ferry timetable was cut "
        "and the harbour master asked for a new timetable. The crews now work longer shifts."
    )
    keywords = extract_keywords(headline, body)
    assert keywords[:2] == ["ferry", "crews"]  # headline words the body repeats
    assert {"timetable", "harbour"} <= set(keywords)
    # a common word only the headline uses is no subject
    assert not {"soldier", "vow"} & set(keywords)


def test_stopwords_are_the_texts_language() -> None:
    # "hat" is a German stopword ("has"), not an English one
    english = extract_keywords(
        "The regiment finds its lost hat",
        "The hat was lost eighty years ago. Veterans of the regiment kept looking for the hat, "
        "and the hat now hangs in the museum.",
    )
    assert "hat" in english and "eighty" not in english
    # German function words are not key terms of a German text; its nouns are
    german = extract_keywords(
        "Kleine Schafskunde",
        "Das Schaf lebt in der Herde. Allerdings lässt ein Schaf seine Herde nur selten allein, "
        "und seiner Herde folgt es überall hin. Allerdings frisst seine Herde viel Gras, und "
        "ihrer Herde bleibt das Schaf treu.",
        language="de",
    )
    assert german[:2] == ["Herde", "Schaf"]
    assert not {"allerdings", "seine", "seiner", "ihrer", "lässt", "viel"} & set(german)


def test_stated_keywords_are_kept_as_stated_and_first() -> None:
    # A file's own keywords are the outlet's choice, generic words included
    article = enrich(
        replace(HEATWAVE, keywords=["Open Schools", "Built Environment"]),
        identity="x",
        source=SOURCE,
        parser_version="1",
    )
    assert article.keywords[:2] == ["Open Schools", "Built Environment"]
    assert article.tags[:2] == ["open-schools", "built-environment"]


def test_keywords_of_a_full_article_are_the_same_in_every_process() -> None:
    code = (
        "from newsdesk.enrichment import extract_keywords; "
        f"print(extract_keywords({CARMAKER.headline!r}, {chr(10).join(CARMAKER.body)!r}), "
        f"extract_keywords({HEATWAVE.headline!r}, {chr(10).join(HEATWAVE.body)!r}))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1
