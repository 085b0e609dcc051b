"""Lead images: the picture a client card shows, as the file states it.

Only absolute http(s) URLs (relative ones resolved against the page's own URL), never a logo,
icon, avatar or tracking pixel (by name, or by a stated size under MIN_IMAGE_PIXELS). A credit
written into the caption ("… (Photo: Jane Doe)", "… © AFP") is split off into `credit`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsdesk.models import LeadImage

MIN_IMAGE_PIXELS = 100
MAX_URL_CHARS = 2000
MAX_TEXT_CHARS = 500
_NOT_A_PICTURE = re.compile(
    r"logo|icon|sprite|favicon|pixel|spacer|blank\.gif|avatar|placeholder|1x1|badge|button|"
    r"gravatar|emoji|/ads?/|doubleclick",
    re.I,
)
_CREDIT = re.compile(
    r"\s*(?:\(|\[)?(?:Foto|Fotos|Photo|Photos|Bild|Bilder|Image|Credit|Credits|Quelle|Source|"
    r"Crédit|Crédits|Fuente|Foto\s*/\s*Video)\s*:\s*(?P<credit>[^()\[\]]{2,120}?)(?:\)|\])?\s*$"
    r"|\s*©\s*(?P<copyright>[^()\[\]]{2,120}?)\s*$",
    re.I,
)


def lead_image(
    url: str,
    *,
    base: str | None = None,
    caption: str | None = None,
    credit: str | None = None,
    width: int | None = None,
    height: int | None = None,
) -> LeadImage | None:
    """The lead image at url, or None when it is no picture a card could show."""
    url = url.strip()
    try:
        if base and not url.startswith(("http://", "https://")):
            url = urljoin(base, url)
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # "https://[…" with no closing bracket: no URL at all
        return None
    if parts.scheme not in ("http", "https") or not host or len(url) > MAX_URL_CHARS:
        return None
    if any(ch.isspace() for ch in url) or _NOT_A_PICTURE.search(parts.path):
        return None
    if any(size is not None and size < MIN_IMAGE_PIXELS for size in (width, height)):
        return None
    caption, credit = _text(caption), _text(credit)
    if caption:
        match = _CREDIT.search(caption)
        if match is not None:
            credit = credit or _text(match["credit"] or match["copyright"])
            caption = _text(caption[: match.start()])
    return LeadImage(url=url, caption=caption, credit=credit)


def stated_image(value: Any, *, base: str | None = None) -> LeadImage | None:
    """A front matter or JSON `image`/`cover`: a URL, or {url|src, caption|alt, credit}."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return lead_image(value, base=base)
    if not isinstance(value, dict):
        return None
    url = value.get("url") or value.get("src") or value.get("contentUrl")
    if not isinstance(url, str):
        return None
    caption = value.get("caption") or value.get("alt") or value.get("description")
    credit = value.get("credit") or value.get("creditText") or value.get("copyright")
    return lead_image(
        url,
        base=base,
        caption=caption if isinstance(caption, str) else None,
        credit=credit if isinstance(credit, str) else None,
    )


def _text(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = " ".join(value.split())[:MAX_TEXT_CHARS]
    return cleaned or None
