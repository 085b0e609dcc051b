"""What every parsed record must satisfy, whatever file it came from: the invariants the
hostile-file tests (tests/unit/test_hostile_parsing.py, tests/integration/test_hostile_files.py)
check on every article that parsing returns."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from newsdesk.models import Article

_NOT_WORD = re.compile(r"[\W_]+")
# Besides the Cc and Cs categories: the characters that reorder or hide what a reader sees
# (bidirectional overrides and isolates, zero-width spaces and joiners, the BOM).
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


def record_problems(article: Article) -> list[str]:
    """What is wrong with `article`: [] when every invariant holds.

    - its JSON is valid and reads back as the same record;
    - no string anywhere holds a control character (Cc), a lone surrogate or an invisible
      reordering/zero-width character;
    - word_count equals the whitespace-separated tokens of the body;
    - the body has paragraphs, none blank;
    - a headline the file states is never repeated as a paragraph of the body (a headline
      derived from the lead, for files that state none, is the lead's first sentence).
    """
    problems: list[str] = []
    try:
        serialized = article.model_dump_json()
        data = json.loads(serialized)
    except ValueError as exc:
        return [f"the record is no valid JSON: {exc}"]
    if Article.model_validate(data) != article:
        problems.append("the record's JSON does not read back as the same record")
    problems += control_problems(data)
    tokens = sum(len(paragraph.split()) for paragraph in article.body)
    if article.word_count != tokens:
        problems.append(f"word_count {article.word_count} but the body has {tokens} tokens")
    if not article.body or not all(paragraph.strip() for paragraph in article.body):
        problems.append("the body is empty or holds a blank paragraph")
    if article.provenance.get("headline") != "lead":
        headline = words_only(article.headline)
        for index, paragraph in enumerate(article.body):
            if headline and words_only(paragraph) == headline:
                problems.append(f"body[{index}] repeats the headline {article.headline!r}")
    return problems


def control_problems(value: Any, path: str = "") -> list[str]:
    """Where a JSON value holds a control, surrogate or invisible character."""
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in control_problems(key, f"{path}<key>")
            + control_problems(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            problem
            for index, item in enumerate(value)
            for problem in control_problems(item, f"{path}[{index}]")
        ]
    if isinstance(value, str) and not (value.isascii() and value.isprintable()):
        bad = sorted(
            {ch for ch in value if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs")}
        )
        if bad:
            return [f"{path}: holds {', '.join(f'U+{ord(ch):04X}' for ch in bad)}"]
    return []


def words_only(text: str) -> str:
    """The words of `text` (case, punctuation and spacing aside)."""
    return _NOT_WORD.sub("", text.casefold())
