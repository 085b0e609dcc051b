"""Decoding: whatever encoding an uploader used, the article text comes out the same."""

from __future__ import annotations

import codecs

import pytest

from newsdesk.errors import ParseError
from newsdesk.parsing.decoding import decode_bytes

TEXT = "Café owners in Zürich say “crème brûlée” sales rose — naïvely.\nSecond line."


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
        TEXT.encode("utf-16-le"),  # no BOM
        TEXT.encode("utf-16-be"),  # no BOM
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf32le",
        "utf32be",
        "utf16le",
        "utf16be",
    ],
)
def test_unicode_encodings_decode_to_the_same_text(data: bytes) -> None:
    assert decode_bytes(data) == TEXT


def test_cp1252_is_detected() -> None:
    # Given a longer cp1252 text (smart quotes and an em dash are cp1252-only bytes)
    text = (
        "The minister’s office said the “temporary” closure of the café would last "
        "until the inspection — expected next week — is complete. Owners said they "
        "were surprised by the decision and would appeal it before the court.\n"
    ) * 3
    # When it is decoded, then it reads as written
    assert decode_bytes(text.encode("cp1252")) == text


def test_latin1_is_detected() -> None:
    text = "Der Bürgermeister erklärte, die Straße bleibe während der Bauarbeiten gesperrt. " * 4
    assert decode_bytes(text.encode("latin-1")) == text


def test_utf8_page_with_a_few_stray_cp1252_bytes_keeps_its_utf8() -> None:
    # Given a UTF-8 page where one pasted word is cp1252 (a real-world mix)
    data = ("Grüße aus Köln — schön, dass Sie da sind. " * 5).encode() + " Küchen".encode("cp1252")
    # Then the UTF-8 text is intact and the stray byte is read as cp1252
    text = decode_bytes(data)
    assert text.startswith("Grüße aus Köln — schön")
    assert text.endswith(" Küchen")


def test_line_endings_become_lf() -> None:
    assert decode_bytes(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_control_and_zero_width_characters_are_removed_but_tabs_kept() -> None:
    data = "a\u200bb\u200cc\u200dd\u2060e\ufefff\x07g\x1bh\ti\n".encode()
    assert decode_bytes(data) == "abcdefgh\ti\n"


def test_text_is_nfc_normalized() -> None:
    decomposed = "Cafe\u0301"  # e + combining acute
    assert decode_bytes(decomposed.encode()) == "Café"


def test_a_bom_that_lies_is_undecodable() -> None:
    with pytest.raises(ParseError) as info:
        decode_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfd broken")
    assert info.value.code == "undecodable"


def test_declared_charset_is_used_before_detection() -> None:
    # Given a short Cyrillic text in KOI8-R, which detection alone may misread
    text = "Привет, мир"
    assert decode_bytes(text.encode("koi8-r"), declared="koi8-r") == text


def test_a_wrong_declared_charset_does_not_override_valid_utf8() -> None:
    assert decode_bytes("Grüße".encode(), declared="latin-1") == "Grüße"


def test_html_meta_charset_is_honoured() -> None:
    from newsdesk.parsing import parse_article

    # Given a windows-1251 page that says so in its <meta>
    page = (
        '<html><head><meta charset="windows-1251"><title>Новости</title></head><body><article>'
        "<p>Городской совет утвердил новый бюджет для библиотек во вторник вечером.</p>"
        "<p>Библиотеки будут открыты дольше по выходным дням с весны.</p></article></body></html>"
    ).encode("windows-1251")
    article = parse_article(page, filename="news.html")
    assert article.body[0].startswith("Городской совет утвердил")


def test_content_type_charset_is_honoured() -> None:
    from newsdesk.parsing import parse_article

    data = "Новости дня\n\nГородской совет утвердил бюджет.".encode("koi8-r")
    article = parse_article(data, filename="a.txt", content_type="text/plain; charset=koi8-r")
    assert article.headline == "Новости дня"


@pytest.mark.parametrize(
    "text",
    [
        # A pound sign alone in a long text: a detector read it as Shift-JIS ("｣15.8m") or
        # Central European ("Ł15.8m").
        "Chelsea paid £15.8m for the striker, the club said on Monday.\n"
        + "His form went into decline and he was left out of the side for weeks.\n" * 50,
        # Smart quotes and dashes of a Windows editor, and one accented name.
        "Tillerson – the chief executive – became a director of the company’s Russian "
        "subsidiary, the “Süddeutsche Zeitung” reported.\n",
        "“I’m very open-minded,” he said. “Nobody really knows.”\n",
    ],
    ids=["pound", "dashes-and-a-name", "quotes"],
)
def test_windows_1252_punctuation_is_decoded_as_windows_1252(text: str) -> None:
    # Given a short text saved as Windows-1252, its high bytes its punctuation
    # When it is decoded, then it reads as written (not Mac Roman, a DOS or a CJK code page)
    assert decode_bytes(text.encode("cp1252")) == text


def test_a_text_of_another_script_is_not_taken_for_windows_1252() -> None:
    # Given a Cyrillic text in windows-1251 that also uses its quotes
    text = "Городской совет «утвердил» новый бюджет для библиотек во вторник вечером. " * 3
    # Then its letters come back, not Latin accented letters
    assert decode_bytes(text.encode("windows-1251")) == text


def test_a_latin_1_label_on_windows_1252_bytes_means_windows_1252() -> None:
    # Given a page that says ISO-8859-1 but holds Windows-1252 quotes (as browsers assume)
    text = "The “temporary” closure — until further notice."
    assert decode_bytes(text.encode("cp1252"), declared="ISO-8859-1") == text


def test_a_declared_charset_that_does_not_decode_cleanly_is_not_trusted() -> None:
    # Given Windows-1252 text whose upload claims a charset that leaves control codes
    text = "The “temporary” closure — until further notice, the café said."
    assert decode_bytes(text.encode("cp1252"), declared="iso-8859-15") == text
