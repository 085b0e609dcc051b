"""The one slug rule: article slugs, author, section and tag slugs, and the API's slug filters.

A slug is lower case letters and digits of any script joined by single hyphens: Latin accents
are transliterated ("Fernández" -> "fernandez", "Straße" -> "strasse"), "&" and "+" become
words ("Art & Design" -> "art-and-design"), apostrophes vanish ("Don't" -> "dont"), and a
script without a Latin form keeps its letters ("東京" -> "東京", "Москва" -> "москва").
Slugifying a slug gives it back, so the API can apply the rule to what clients send.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SLUG_MAX_CHARS = 80

_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "&": " and ",
        "+": " plus ",
        "'": "",
        "’": "",
        "‘": "",
        "ʼ": "",
        "`": "",
    }
)
_HYPHENS = re.compile(r"-{2,}")


@lru_cache(maxsize=8192)
def slugify(text: str, max_chars: int = SLUG_MAX_CHARS) -> str:
    """URL slug of a label; "" when it holds no letter or digit. Cut at a word boundary."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    # Letters, marks and digits of any script make words; everything else separates them.
    words = "".join(
        char if unicodedata.category(char)[0] in "LMN" else "-"
        for char in _without_latin_accents(decomposed).casefold()
    )
    slug = _HYPHENS.sub("-", words).strip("-")
    if len(slug) > max_chars:
        cut = slug[: max_chars + 1]
        boundary = cut.rfind("-", max_chars // 2)
        # At a word boundary in the second half; else hard, so a long word is not dropped
        # whole ("Opinion xxxx…" would become "opinion", the slug of another section).
        slug = cut[:boundary] if boundary > 0 else slug[:max_chars]
    return slug.strip("-")


def _without_latin_accents(decomposed: str) -> str:
    """Drop the combining marks that follow a Latin letter ("é" -> "e"); the marks of other
    scripts are part of their letters (Devanagari vowel signs, Cyrillic "й") and stay."""
    kept: list[str] = []
    base_is_latin = False
    for char in decomposed:
        if unicodedata.combining(char):
            if not base_is_latin:
                kept.append(char)
            continue
        base_is_latin = char.isascii()
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))
