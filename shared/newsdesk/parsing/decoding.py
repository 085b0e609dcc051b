"""Bytes of an article file to clean text: BOM, UTF-8, UTF-16, a declared charset, Windows-1252
punctuation, then a detector; NFC, LF endings.

charset-normalizer is imported only when every rule before it fails, so the common path stays
cheap.
"""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from collections import Counter

from newsdesk.errors import ParseError

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0/C1 controls except \t and \n, DEL, and zero-width characters (ZWSP, ZWNJ, ZWJ, WJ, BOM).
_STRIP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# What _STRIP removes from ASCII text, as bytes: bytes.translate tests a text for them in C
# several times faster than the regex scan.
_ASCII_STRIP = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
# Detector answers below this coherence are noise (random bytes decode as *something*).
_MIN_DETECTED_PRINTABLE = 0.95
_MAX_STRAY_BYTES = 64
# UTF-16/32 without a BOM are recognized from the first bytes of the file.
_SNIFF_BYTES = 4096
# Bytes undefined in Windows-1252.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Windows-1252's punctuation and symbols (quotes, dashes, ellipsis, €, ™, no-break space, £, ©,
# ®, °, «, », ·, soft hyphen): what an English (or any Western) text saved by a Windows editor
# holds outside ASCII. In the code pages a detector confuses it with (Mac Roman, DOS code pages,
# Shift-JIS and the other CJK encodings) these bytes are letters or halves of a character.
_CP1252_PUNCTUATION = frozenset(
    b"\x80\x85\x91\x92\x93\x94\x95\x96\x97\x99\xa0\xa3\xa9\xab\xad\xae\xb0\xb7\xbb"
)
# Three high bytes in a row: words of a non-Latin script or multi-byte characters, never the
# punctuation of a Western text.
_HIGH_BYTE_RUN = re.compile(rb"[\x80-\xff]{3}")
# Labels browsers read as Windows-1252 (WHATWG Encoding): a page that says latin-1 and holds
# 0x80-0x9F bytes means Windows-1252's quotes and dashes, not C1 control codes.
_WINDOWS_1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"}
)
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode an article file and normalize the text (NFC, LF line ends, no control chars).

    declared: the charset the file or its upload claims (HTTP/S3 content type, HTML meta); it
    is trusted after BOM and UTF-8, before detection. Raises ParseError("undecodable") when no
    encoding gives readable text.
    """
    return normalize_text(_decode(data, declared))


def normalize_text(text: str) -> str:
    """NFC, CRLF/CR to LF, control and zero-width characters removed (\\n and \\t kept)."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    if not text.isascii():
        return unicodedata.normalize("NFC", _STRIP.sub("", text))
    encoded = text.encode("ascii")
    if len(encoded.translate(None, _ASCII_STRIP)) != len(encoded):
        text = _STRIP.sub("", text)
    return text


def _decode(data: bytes, declared: str | None = None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    "undecodable", f"the file starts with a {encoding} BOM but is not {encoding}"
                ) from exc
    if b"\x00" in data[:_SNIFF_BYTES]:
        # Before UTF-8, which no NUL byte stops: UTF-16 text in the ASCII range is valid UTF-8
        # with NULs between the letters, and "—" (U+2014, bytes 14 20) would become a control
        # byte and a space.
        for sniff in (_sniff_utf32, _sniff_utf16):
            unicode = sniff(data)
            if unicode is not None:
                return unicode
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _decode_mostly_utf8(data)
    if mixed is not None:
        return mixed
    if declared:
        stated = _decode_declared(data, declared)
        if stated is not None:
            return stated
    if _is_windows_1252_punctuation(data):
        return data.decode("cp1252")
    return _detect(data)


def _decode_declared(data: bytes, declared: str) -> str | None:
    """The text in the declared charset, when it decodes cleanly (no error, no C1 controls)."""
    label = declared.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        label = "cp1252"
    try:
        text = data.decode(label)
    except (LookupError, UnicodeDecodeError):
        return None  # a wrong or unknown label: the next rules decide
    return None if _C1_CONTROLS.search(text) else text


def _is_windows_1252_punctuation(data: bytes) -> bool:
    """Whether non-UTF-8 bytes read as a Western text with Windows-1252 punctuation.

    True when every high byte is defined in Windows-1252, at least half of them are its
    punctuation (0x91-0x97 quotes and dashes, 0xA3 £, …) and none stands in a run of three
    (the mark of another script's letters or of multi-byte characters). A detector guesses Mac
    Roman, a DOS code page or a CJK encoding for such text ("£15.8m" became "｣15.8m"). Mostly
    accented letters (a German or Czech text) are left to the detector, which weighs letters.
    """
    high = data.translate(None, bytes(range(0x80)))
    if not high or _HIGH_BYTE_RUN.search(data) is not None:
        return False
    counts = Counter(high)
    if not _CP1252_UNDEFINED.isdisjoint(counts):
        return False
    punctuation = sum(count for byte, count in counts.items() if byte in _CP1252_PUNCTUATION)
    return 2 * punctuation >= len(high)


def _decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray cp1252 bytes (pages edited with two editors, pasted snippets).

    Accepted only when valid UTF-8 non-ASCII characters outnumber the stray bytes: a genuine
    cp1252/latin-1 file almost never contains valid multi-byte UTF-8 sequences, so one without
    anything shaped like one is turned down before decoding. The stray bytes are decoded by an
    error handler in one pass over the file (not one decode of the rest per stray byte).
    """
    if _UTF8_MULTIBYTE.search(data) is None:
        return None
    _strays.count = 0
    try:
        text = data.decode("utf-8", errors=_STRAY_BYTES)
    except _TooManyStrays:
        return None
    stray = _strays.count
    # Non-ASCII characters counted in C (a generator over every character cost ~2 ms a page).
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - stray
    return text if valid_non_ascii > stray else None


# A superset of UTF-8's multi-byte sequences: where none matches, none is valid.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_STRAY_BYTES = "newsdesk-stray-bytes"
_strays = threading.local()


class _TooManyStrays(UnicodeError):
    """More stray bytes than a UTF-8 file with a few pasted cp1252 ones would have."""


def _decode_stray(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    _strays.count += len(bad)
    if _strays.count > _MAX_STRAY_BYTES:
        raise _TooManyStrays
    return (bad.decode("cp1252") if _cp1252_ok(bad) else bad.decode("latin-1")), error.end


codecs.register_error(_STRAY_BYTES, _decode_stray)


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SNIFF_BYTES]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.6 * half and even_nuls < 0.05 * half:
        encoding = "utf-16-le"
    elif even_nuls > 0.6 * half and odd_nuls < 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def utf32_byte_order(head: bytes) -> str | None:
    """ "le" or "be" when `head` reads as UTF-32 without a BOM, else None: every code point is
    at most 0x10FFFF, so one byte of four is always NUL, and for text in any alphabetic
    script a second one is almost always."""
    usable = len(head) - len(head) % 4
    if usable < 8:
        return None
    quarters = [head[offset:usable:4] for offset in range(4)]
    count = usable // 4
    zeros = [quarter.count(0) for quarter in quarters]
    if zeros[3] == count and zeros[2] > 0.9 * count and zeros[0] < 0.1 * count:
        return "le"
    if zeros[0] == count and zeros[1] > 0.9 * count and zeros[3] < 0.1 * count:
        return "be"
    return None


def _sniff_utf32(data: bytes) -> str | None:
    if len(data) % 4 or b"\x00\x00" not in data[:16]:  # the common case: one look
        return None
    order = utf32_byte_order(data[:_SNIFF_BYTES])
    if order is None:
        return None
    try:
        return data.decode(f"utf-32-{order}")
    except UnicodeDecodeError:
        return None


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ParseError("undecodable", "the file is not text in any encoding newsdesk recognizes")
    text = str(best)
    if text and _printable_ratio(text) < _MIN_DETECTED_PRINTABLE:
        raise ParseError(
            "undecodable", f"the file does not decode to readable text (best guess {best.encoding})"
        )
    return text


def _printable_ratio(text: str) -> float:
    sample = text[:20000]
    good = sum(1 for ch in sample if ch.isprintable() or ch in "\n\t\r")
    return good / len(sample)
