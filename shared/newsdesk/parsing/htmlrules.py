"""Pattern tables of the HTML path: bylines, site names in titles, header date lines, and the
page chrome trafilatura keeps inside an article's text.

Rules are data, as in newsdesk.parsing.rules: each has a name, a pattern and an example it must
match (tests/unit/test_rules.py checks every example). Web pages come in many languages, so
labels are listed in the languages of the archive (en, de, fr, es, pt, it, nl).
"""

from __future__ import annotations

import re

from newsdesk.parsing.rules import Rule, _rule

# A byline's lead-in before the names: "By", "Von", "Par", "Publié par", "Text:", "Autor:".
BYLINE_PREFIX = _rule(
    "byline_prefix",
    r"^(?:(?:written|posted|published|words|story|text|reported|veröffentlicht|geschrieben|"
    r"publié|escrito|publicado|pubblicato|scritto|gepubliceerd|geschreven)\s+)?"
    r"(?:by|von|vom|par|por|di|da|door|de)\s*:?\s+|^(?:text|autor(?:in)?|author|auteur|"
    r"autore|redaktion|reporter|von)\s*:\s*",
    "Von Clara Müller",
    re.IGNORECASE,
)
# What follows the names on a byline: a date, a reading time, a role after a pipe.
BYLINE_TAIL = _rule(
    "byline_tail",
    r"\s*(?:[|•·]|\s[-–—]\s|,?\s+(?:am|on|le|el|il|op|um)\s+\d|\s+\d{1,2}[./]\d{1,2}[./]\d{2,4}|"
    r"\s+\d{4}-\d{2}-\d{2}|\s+(?:Lesezeit|Reading time|Lecture|Lettura)\b|\s+\d+\s*min\b).*$",
    "Lars Sobiraj Lesezeit: 4 Min.",
    re.IGNORECASE,
)
# Between names: "A, B und C", "A & B", "A and B", "A et B", "A y B", "A e B", "A en B".
NAME_SEPARATOR = _rule(
    "name_separator",
    r"\s*(?:,|;|&|\+|/|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*",
    "Lars Fischer und Alina Schadwinkel",
)
# A date-and-author line in an article's header: "11.12.2019 - Amelie Loevenich",
# "06.11.2023 13:30 von Olga".
HEADER_DATE_BYLINE = _rule(
    "header_date_byline",
    r"^(?P<date>\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}-\d{2}-\d{2})(?:,?\s+\d{1,2}[:.]\d{2}"
    r"(?:\s*Uhr)?)?\s*(?:[-–—|]\s*|\s+(?:von|by|par|por|di|door)\s+)(?P<names>[^\d|]{2,80}?)\s*$",
    "06.11.2023 13:30 von Olga",
    re.IGNORECASE,
)
# A date on its own line under the headline: "20.12.2022", "18. Mai 2014", "Jan 04 2021".
HEADER_DATE = _rule(
    "header_date",
    r"^(?:(?:veröffentlicht|publiziert|erschienen|published|posted|publié|publicado|pubblicato|"
    r"gepubliceerd)(?:\s+(?:am|on|le|el|il|op))?:?\s*)?(?:\w+,\s*)?"
    r"(?P<date>\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s+\w+\.?\s+\d{4}|"
    r"\w+\.?\s+\d{1,2},?\s+\d{4})(?:,?\s+\d{1,2}[:.]\d{2}(?:\s*Uhr)?)?$",
    "20.12.2022",
    re.IGNORECASE,
)
# A closing line that states when the page was last changed: "Aktualisiert am 17.01.2021."
UPDATED_LINE = _rule(
    "updated_line",
    r"^(?:zuletzt\s+)?(?:aktualisiert|geändert|stand|last\s+updated|updated|mis\s+à\s+jour|"
    r"actualizado|aggiornato|bijgewerkt)(?:\s+(?:am|on|le|el|il|op))?\s*:?\s*"
    r"(?P<date>\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s+\w+\.?\s+\d{4}|"
    r"\w+\.?\s+\d{1,2},?\s+\d{4})\.?$",
    "Aktualisiert am 17.01.2021.",
    re.IGNORECASE,
)
# A source credit closing a text: "Quelle: Deutscher Jagdverband (DJV)", "Source: AP".
SOURCE_CREDIT = _rule(
    "source_credit",
    r"^(?:quelle|quellen|source|sources|fuente|fonte|bron|text\s*/\s*quelle)\s*:\s*"
    r"(?P<source>[^!?]{2,100}?)\.?$",
    "Quelle: Deutscher Jagdverband (DJV)",
    re.IGNORECASE,
)
# Companies and site roles are never people: legal forms and newsroom labels.
ORGANIZATION_NAME = _rule(
    "organization_name",
    r"\b(?:GmbH|AG|KG|e\.\s?V\.|Verlag|Inc\.?|LLC|Ltd\.?|Limited|Corp\.?|S\.A\.|SAS|SARL|S\.L\.|"
    r"S\.p\.A\.|B\.V\.|Media|Medien|Redaktion|Newsroom|Editorial|Staff|Team|Webmaster|Admin|"
    r"publisher)\b|https?://|www\.|\.(?:com|de|at|ch|org|net|info|fr|it|es|nl|uk|io)\b",
    "Web Commerce GmbH www.w-commerce.de",
    re.IGNORECASE,
)
# Separators between a headline and a site name in titles: "Headline | Site", "Site - Headline".
TITLE_SEPARATOR = _rule(
    "title_separator",
    r"\s+(?:[|–—»«›‹·•~/\\:]|-{1,2}|::)\s+|(?<=\S)\s*[|»›]\s*(?=\S)",
    "Fünf HR-Trends 2023 | HR JOURNAL",
)
# A date or time stamp a CMS appends to titles: "31.10.2023, 10.19 Uhr".
TITLE_TIMESTAMP = _rule(
    "title_timestamp",
    r"^\d{1,2}\.\d{1,2}\.\d{2,4}(?:,?\s+\d{1,2}[:.]\d{2}(?:\s*Uhr)?)?$",
    "31.10.2023, 10.19 Uhr",
)
# A kicker's element inside a heading: <span class="kicker">, "overline", "dachzeile" …
KICKER_CLASS = _rule(
    "kicker_class",
    r"kicker|overline|dachzeile|topline|roofline|spitzmarke|eyebrow|supertitle|surtitre",
    "content__kicker",
    re.IGNORECASE,
)

HTML_RULES: tuple[Rule, ...] = (
    BYLINE_PREFIX,
    BYLINE_TAIL,
    NAME_SEPARATOR,
    HEADER_DATE_BYLINE,
    HEADER_DATE,
    UPDATED_LINE,
    SOURCE_CREDIT,
    ORGANIZATION_NAME,
    TITLE_SEPARATOR,
    TITLE_TIMESTAMP,
    KICKER_CLASS,
)
