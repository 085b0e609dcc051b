"""Plain-text articles: header, body and trailer fields a reader of the record would check."""

from __future__ import annotations

from pathlib import Path

import pytest

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
