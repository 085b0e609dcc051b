"""Pattern tables of the plain-text block classifier: headers, datelines and trailers.

Rules are data: each is a name, a compiled pattern and an example it must match (a unit test
checks every example). A new outlet's convention is a new entry here, not a new branch in code.
Patterns run on one line or paragraph with whitespace already collapsed to single spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TrailerKind = Literal["bio", "disclaimer", "copyright", "chrome", "funding"]


@dataclass(frozen=True)
class Rule:
    """One named pattern; `example` documents the shape and is checked by the tests."""

    name: str
    pattern: re.Pattern[str]
    example: str


@dataclass(frozen=True)
class TrailerRule(Rule):
    """A trailer pattern and what a matching paragraph is.

    A `contextual` rule has a shape that ordinary closing paragraphs share ("Jane Doe is a
    professor at ..."): it counts only beside other trailer notes or when it names an author.
    """

    kind: TrailerKind = "chrome"
    contextual: bool = False


def _rule(name: str, pattern: str, example: str, flags: int = 0) -> Rule:
    return Rule(name, re.compile(pattern, flags), example)


def _trailer(
    kind: TrailerKind,
    name: str,
    pattern: str,
    example: str,
    flags: int = 0,
    *,
    contextual: bool = False,
) -> TrailerRule:
    return TrailerRule(name, re.compile(pattern, flags), example, kind, contextual)


# A capitalized word of a name or place: "Tom", "O'Brien", "Smith-Spark", "D.C.".
_CAP = r"[A-Z\u00c0-\u00de][\w.'’\u00c0-\u024f-]*"

# ---------------------------------------------------------------------------------------------
# Header

# Reuters-style archives prefix every header line with "-- "; an empty "-- " is a blank byline.
HEADER_PREFIX = _rule("dash_prefix", r"^--(?: +|$)", "-- Dow ends higher on IBM boost")

KICKER_RULES: tuple[Rule, ...] = (
    _rule(
        "kicker_pipe",
        r"^(?P<section>[A-Z][\w&'’-]*(?: [\w&'’-]+){0,3}) \| (?P<headline>\S.*)$",
        "Opinion | The US throws China a bone, but don't buy it",
    ),
)

# `names` holds one or more names joined by ",", "and" or "&", possibly with an agency or role.
BYLINE_RULES: tuple[Rule, ...] = (
    _rule("empty_prefixed", r"^--\s*$", "-- "),
    _rule(
        "by_agency", r"^[Bb][Yy]:? (?P<names>.+, (?:Reuters|AP|AFP|CNN))$", "By Ann Lee, Reuters"
    ),
    _rule("by_list", r"^[Bb][Yy]:? (?P<names>.+, .+ and .+)$", "By Ann Lee, Bo Chen and Cy Diaz"),
    _rule("by_two", r"^[Bb][Yy]:? (?P<names>.+ and .+)$", "By Alexei Oreskovic and Jennifer Saba"),
    _rule("by", r"^(?:Written |Words |Story )?[Bb][Yy]:? (?P<names>\S.*)$", "By Tom Fowdy"),
    _rule("author_label", r"^Authors?: (?P<names>\S.*)$", "Author: Jane Doe"),
)

# Words that end a byline name list but are not people: agencies and roles.
BYLINE_AGENCIES: frozenset[str] = frozenset(
    {
        "reuters",
        "ap",
        "the associated press",
        "associated press",
        "afp",
        "agence france-presse",
        "cnn",
        "bloomberg",
        "upi",
        "xinhua",
        "dpa",
        "bbc news",
    }
)
BYLINE_ROLE = re.compile(
    r"\b(?:staff|writer|reporter|correspondent|editor|contributor|columnist|special to|"
    r"for the|bureau|news service)\b",
    re.IGNORECASE,
)
# Lower-case particles allowed inside a personal name.
NAME_PARTICLES: frozenset[str] = frozenset(
    {
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "bin",
        "al",
        "y",
    }
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|urday)?\.?,?"
_TIME = r"\d{1,2}(?::\d{2}){1,2}\s*(?:[AaPp]\.?[Mm]\.?)?(?: ?[A-Z]{1,4}\b)?"
_ZONE = r"(?:[A-Z]{1,4}|[+-]\d{2}:?\d{2})"

# `value` is handed to dates.parse_date; a `label` of "Updated"/"Modified" marks an update time.
DATE_RULES: tuple[Rule, ...] = (
    _rule(
        "weekday_month_day_year_time",
        rf"^(?P<value>{_WEEKDAY} {_MONTH} \d{{1,2}},? \d{{4}}(?:,? {_TIME})?)$",
        "Fri Apr 27, 2007 11:43pm EDT",
    ),
    _rule(
        "labelled",
        r"^(?P<label>Published|Posted|Updated|Last updated|Last modified|First published|Modified|"
        r"Date|Dated)(?: on| at)?:? (?P<value>.*\d{4}.*)$",
        "Published: March 3, 2023",
        re.IGNORECASE,
    ),
    _rule(
        "labelled_time_first",
        rf"^(?P<label>Updated|Published|Posted) (?P<value>{_TIME},? {_WEEKDAY}? ?{_MONTH} "
        rf"\d{{1,2}},? \d{{4}})$",
        "Updated 10:32 AM ET, Tue May 2, 2023",
        re.IGNORECASE,
    ),
    _rule(
        "month_day_year",
        rf"^(?P<value>(?:{_WEEKDAY} )?{_MONTH} \d{{1,2}},? \d{{4}}(?:,? (?:at )?{_TIME})?)$",
        "March 3, 2023",
    ),
    _rule(
        "day_month_year",
        rf"^(?P<value>(?:{_WEEKDAY} )?\d{{1,2}} {_MONTH},? \d{{4}}(?:,? {_TIME})?)$",
        "Tuesday 2 May 2023 10:32 BST",
    ),
    _rule(
        "iso",
        rf"^(?P<value>\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?"
        rf"(?: ?(?:Z|{_ZONE}))?)?)$",
        "2023-03-03T10:15:00Z",
    ),
)

# One line holding two header items: "By Jane Doe | March 3, 2023", "By Ann Lee, Published
# 2023-03-03". Each part must be a header line on its own.
_DATE_START = (
    rf"(?:(?:Published|Updated|Posted)(?: on)?:? )?(?:{_WEEKDAY} )?"
    rf"(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
)
HEADER_SPLIT_RULES: tuple[Rule, ...] = (
    _rule(
        "byline_then_date",
        rf"^(?P<first>[Bb][Yy]:? .+?)(?:,| ?[|•·—–-]) ?(?P<second>{_DATE_START}.*)$",
        "By Jane Doe | March 3, 2023",
    ),
    _rule(
        "date_then_byline",
        rf"^(?P<first>{_DATE_START}.*?) ?[|•·—–-] ?(?P<second>[Bb][Yy]:? .+)$",
        "March 3, 2023 | By Jane Doe",
    ),
)

SOURCE_URL_RULES: tuple[Rule, ...] = (
    _rule("bare_url", r"^<?(?P<url>https?://[^\s<>]+)>?$", "http://www.reuters.com/article/x"),
    _rule(
        "labelled_url",
        r"^(?:Source|URL|Link|Original(?:ly published)?(?: at)?|Read online)\s*:?\s*"
        r"<?(?P<url>https?://[^\s<>]+)>?$",
        "Source: https://example.com/news/1",
        re.IGNORECASE,
    ),
)

# ---------------------------------------------------------------------------------------------
# Datelines: matched at the start of the first body paragraph, which keeps them in its text.

_AGENCY = r"(?P<agency>[A-Z][A-Za-z]{1,14}(?: [A-Z][A-Za-z]{1,14})?)"
_LOCATION = rf"(?P<location>{_CAP}(?:(?:, ?| |/){_CAP}){{0,5}})"
_DASH = r"(?:--|[—–_-])"
# Newer wire datelines carry the day: "LONDON, March 3 (Reuters) -".
_WIRE_DAY = r"(?:, (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2})?"

DATELINE_RULES: tuple[Rule, ...] = (
    _rule(
        "location_agency",
        rf"^{_LOCATION}{_WIRE_DAY} ?\({_AGENCY}\)(?: ?{_DASH} ?| ?: ?|(?=[A-Z“\"'‘]))",
        "SAN FRANCISCO (Reuters) - Yahoo Inc will buy Tumblr.",
    ),
    _rule(
        "agency_only",
        rf"^\({_AGENCY}\)(?: ?{_DASH} ?| ?: ?|(?=[A-Z“\"'‘])| )",
        "(CNN)ISIS militants kidnapped 20 foreigners.",
    ),
    _rule(
        "location_dash",
        r"^(?P<location>[A-Z][A-Z.'’-]+(?:(?:, ?| |/)[A-Z][\w.'’-]*){0,4}) (?:—|–|--) ",
        "BEIJING — Red has been considered the color of prosperity.",
    ),
)

# ---------------------------------------------------------------------------------------------
# Trailers

# "Read more articles by Tom Fowdy:" — every short paragraph after it is a related link.
READ_MORE_RULES: tuple[Rule, ...] = (
    _rule(
        "read_more_heading",
        r"^(?:Read|See) (?:more|also)\b[^.!?:]{0,80}:?$",
        "Read more articles by Tom Fowdy:",
        re.IGNORECASE,
    ),
    _rule(
        "related_heading",
        r"^(?:Related(?: (?:articles|stories|coverage|content|reading))?|More (?:from|on|in) "
        r"[^.!?]{1,60}|Also read|You may also like|Recommended(?: for you)?|Don[’']t miss|"
        r"Most (?:read|popular|viewed)|Trending(?: now)?|Top stories|More stories|"
        r"Latest (?:news|stories))\s*:?$",
        "Related stories:",
        re.IGNORECASE,
    ),
    _rule(
        "read_more_heading_other_languages",
        r"^(?:Lesen Sie (?:auch|mehr|hier)|Mehr (?:zum Thema|dazu|Artikel)|Weitere (?:Artikel|"
        r"Beiträge|Nachrichten|Meldungen|News|Informationen)|Zusatzinformationen|Ähnliche "
        r"(?:Artikel|Beiträge|News)|Das könnte Sie (?:auch )?interessieren|Auch interessant|"
        r"(?:À|A) lire (?:aussi|également)|Lire aussi|Voir aussi|Sur le même sujet|Lee también|"
        r"Leer más|Te puede interesar|Leggi anche|Potrebbe interessarti|Lees ook|Meer over|"
        r"Leia também|Veja também|Saiba mais)\b[^.!?]{0,80}:?$",
        "Lesen Sie auch die folgenden Beiträge:",
        re.IGNORECASE,
    ),
)
# A single "Read more" line right after a headline line: an inline related link.
INLINE_READ_MORE = _rule("inline_read_more", r"^(?:Read more|READ MORE|Read More)\W*$", "Read more")
# A "READ MORE: <headline>" line inside the body (a teaser link between paragraphs), or an
# "Also on rt.com <headline>" card: one related link, wherever it sits.
INLINE_RELATED = _rule(
    "inline_related",
    r"^(?:(?:READ MORE|Read more|Read More|MORE|ALSO READ|Also read|Also Read|RELATED|Related|"
    r"SEE ALSO|See also|SEE MORE|See more|WATCH|Watch|Opinion|OPINION|LESEN SIE AUCH|"
    r"Lesen Sie auch|Mehr zum Thema|LIRE AUSSI|Lire aussi|À lire aussi|LEE TAMBIÉN|"
    r"Lee también|LEGGI ANCHE|Leggi anche)"
    r"\s*[:»>]\s*|Also on [\w.-]+\.[a-z]{2,}\s+)(?P<headline>\S.{5,200})$",
    "READ MORE: Plague warning as CDC names the countries at risk",
)

RELATED_ENTRY_RULES: tuple[Rule, ...] = (
    _rule(
        "section_pipe_headline",
        r"^(?P<section>[A-Z][\w&'’-]*(?: [\w&'’-]+){0,3}) \| (?P<headline>\S.*)$",
        "Opinion | The most hypocritical statement of all time",
    ),
    _rule("bullet_headline", r"^(?:[-•*·»] ?)(?P<headline>\S.*)$", "• Markets slide on Fed fears"),
)

_BIO_NOUNS = (
    r"(?:writer|columnist|professor|journalist|analyst|editor|correspondent|author|contributor|"
    r"fellow|researcher|reporter|commentator|lecturer|director|scholar|economist|historian|"
    r"novelist|blogger|consultant|strategist|expert|founder|associate)"
)

TRAILER_RULES: tuple[TrailerRule, ...] = (
    _trailer(
        "bio",
        "the_author_is",
        r"^(?:The|This|Our) (?:author|writer|columnist|contributor)s? (?:is|are|was)\b",
        "The author is a well-seasoned writer and analyst.",
    ),
    _trailer("bio", "about_the_author", r"^About the authors?\b", "About the author: Jane Doe"),
    _trailer(
        "bio",
        "named_is_a_role",
        rf"^(?P<name>{_CAP}(?: {_CAP}){{0,3}}) (?:is|was|has been) (?:an?|the) "
        rf"[^.]{{0,120}}?\b{_BIO_NOUNS}s?\b",
        "Tom Fowdy is a British writer and analyst of politics.",
        contextual=True,
    ),
    _trailer(
        "bio",
        "named_is_other_languages",
        rf"^(?:(?:Dr|Prof|Mag|Ing)\. )*(?P<name>{_CAP}(?: (?:von |van |de |di )?{_CAP}){{0,3}}) "
        r"(?:ist|war|arbeitet als|schreibt als|est|était|es|era|è|é) ",
        "Dr. Arne Sjöström ist Lead People Scientist bei Culture Amp.",
        contextual=True,
    ),
    _trailer(
        "disclaimer",
        "not_necessarily_reflect",
        r"^(?:The |These |Any )?(?:views|opinions)(?: and opinions)?(?: expressed)?"
        r"(?: in this [a-z]+| here| herein)?(?: are those of [^.]+ and)? (?:do not|don't|does not)"
        r" necessarily (?:reflect|represent)",
        "The views do not necessarily reflect those of DotDotNews.",
        re.IGNORECASE,
    ),
    _trailer(
        "disclaimer",
        "solely_those_of",
        r"^(?:The |These )?(?:views|opinions) expressed (?:in this [a-z]+ |here |herein )?"
        r"(?:are|is) (?:solely |entirely )?(?:those of|the author|his|hers|her|theirs|their|my)",
        "The opinions expressed in this commentary are solely those of the author.",
        re.IGNORECASE,
    ),
    _trailer(
        "disclaimer",
        "reflects_views_of_author",
        r"^This (?:article|column|commentary|piece) (?:reflects|represents) the (?:views|opinions)"
        r" of the author",
        "This article reflects the opinions of the author.",
        re.IGNORECASE,
    ),
    _trailer(
        "copyright",
        "copyright_line",
        r"^(?:©|\(c\)|Copyright ?(?:©|\(c\))? ?\d{4}|Copyright\b.{0,100}\bAll rights reserved|"
        r"All rights reserved\b)",
        "© 2023 DotDotNews. All rights reserved.",
        re.IGNORECASE,
    ),
    _trailer(
        "funding",
        "ap_support",
        r"^The Associated Press(?:’|')?s? (?:\w+ )*?(?:receives|is supported|gets) (?:financial )?"
        r"support\b",
        "The Associated Press receives support from several private foundations.",
    ),
    _trailer(
        "funding",
        "solely_responsible",
        r"^(?:The )?(?:AP|Associated Press) is solely responsible for all content\b",
        "The AP is solely responsible for all content.",
    ),
    _trailer(
        "chrome",
        "page_chrome",
        r"^(?:\d+ )?(?:Comments?|Share(?: this(?: article| story| page)?)?|Share on \w+|Tweet|"
        r"Print|E-?mail|Advertisement|ADVERTISEMENT|Skip (?:advertisement|ad)|Supported by|"
        r"Continue reading(?: the main story)?|Scroll to continue(?: with content)?|"
        r"Sign up(?: for)? [^.]{0,60}newsletter[^.]{0,40}|Subscribe(?: now)?|Follow us on [\w ,]+|"
        r"Click here to [^.]{0,80}|Story continues below(?: advertisement)?|Top of page)[.!]?$",
        "Comment",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "page_chrome_other_languages",
        r"^(?:\d+ )?(?:Teilen|Drucken|Anzeige|Werbung|Kommentare?|Merken|Partager|Imprimer|"
        r"Publicité|Commentaires?|Compartir|Imprimir|Publicidad|Comentarios?|Condividi|Stampa|"
        r"Pubblicità|Commenti|Delen|Afdrukken|Advertentie|Reacties|Compartilhar|Publicidade)[.!]?$",
        "Teilen",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "permalink",
        r"^(?:Permalink|Short ?link|Kurzlink|Kurz-URL|Lien permanent)\s*:?\s*(?:https?://\S+)?$",
        "Permalink: https://example.com/news/2021/helium.php",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "picture_credit_line",
        r"^(?:(?:Foto|Fotos|Bild|Bilder|Bildquelle|Photo|Photos|Crédit photo|Crédits photo|"
        r"Foto ?/ ?Video|Titelbild|Beitragsbild)\s*:\s*[^.!?]{1,80}|©\s*(?!\d{4})[^.!?]{1,60})$",
        "Foto: Ingo Schneider",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "engagement_prompt",
        r"^(?:Tell us what (?:you|YOU) think|What do you think\?|Like this (?:story|article)\?|"
        r"Share (?:this|it) with (?:a friend|your friends)|Did you (?:like|enjoy) this|"
        r"Join the (?:conversation|discussion)|Leave a (?:comment|reply)).{0,80}$",
        "Like this story? Share it with a friend!",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "promotion",
        # Every paragraph of every article is tried: the length check gives nothing back, and
        # "click" is looked for from one "c" to the next ("[^c]*+" scans in C) rather than by
        # backtracking over every character (".*\bclick").
        r"^(?=.{0,300}+$)(?:(?:[^c]*+c)+?(?<=\bc)lick(?:ing)? here\b|(?:Get|Subscribe|Sign up|Join|"
        r"Try|Download|Become|Buy)\b.*\b(?:subscriptions?|subscribe|subscriber|issues for|use the "
        r"code|promo code|free trial|newsletter)\b).*$",
        "GET FOX BUSINESS ON THE GO BY CLICKING HERE",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "shortcode",
        r"^\[(?P<tag>[a-z_]{2,20})\b[^\]]{0,300}\].{0,300}\[/(?P=tag)\]$",
        "[button link=”http://example.com/submit/” type=”big”] Send us YOUR review[/button]",
    ),
    _trailer(
        "chrome",
        "bare_link",
        r"^<?https?://\S+>?$",
        "https://www.mysanantonio.com/news/article/Cat-found-14848175.php",
    ),
    _trailer(
        "chrome",
        "photo_credit",
        r"^.{0,400}\((?:AP|AFP|Reuters|EPA|UPI|Getty Images?)(?: Photo| Images)?/[^)]{1,80}\)\.?$",
        "Protesters gather outside the court, Friday. (AP Photo/Mead Gruver)",
    ),
    _trailer(
        "chrome",
        "photo_by",
        r"^(?:Photo|Image|Picture|Photograph)(?: by| credit)?:? [^.]{1,60}/ ?(?:Getty Images|"
        r"AFP|AP|Reuters|EPA|Shutterstock|Bloomberg)[^.]{0,20}$",
        "Photo by Joe Raedle/Getty Images",
        re.IGNORECASE,
    ),
    _trailer(
        "chrome",
        "caps_credit",
        r"^[A-Z][A-Z.'’ -]{2,40} ?/ ?(?:REUTERS|AP|AFP|GETTY IMAGES|EPA|BLOOMBERG)$",
        "JONATHAN DRAKE / REUTERS",
    ),
)

# Press releases close with the issuer's boilerplate: an "About <Company>" heading or a paragraph
# opening "<Company> is a leading provider of …", then more about the company, contacts and
# legal notes. Not article text. trailer.py cuts it only at the end of the body, only for a
# company the body has named before, and only when everything after it is boilerplate too.
_COMPANY_NOUNS = (
    r"(?:provider|supplier|developer|manufacturer|maker|producer|company|corporation|leader|"
    r"pioneer|innovator|group|firm|specialist|operator|distributor|retailer|organi[sz]ation|"
    r"platform|brand|network|agency|bank|insurer|institution|business)"
)
# Atomic words: what follows a name (" is", ",", " (", the end) never starts a word, so giving
# letters or words back never helps a match; it only costs time on every paragraph tried.
_COMPANY_NAME = (
    r"(?!(?:It|Its|He|She|They|We|This|That|These|Those|There|Our|His|Her|Their)\b)"
    rf"(?P<name>(?>{_CAP})(?: (?>{_CAP}|&)){{0,5}}+)"
)
ABOUT_COMPANY = _rule("about_company", rf"^About {_COMPANY_NAME} ?:?$", "About Ascom")
COMPANY_DESCRIPTION = _rule(
    "company_is_a",
    rf"^{_COMPANY_NAME}(?: \([^)]{{1,40}}\))?,? (?:is|are) (?:an?|the) [^.]{{0,100}}?"
    rf"\b{_COMPANY_NOUNS}s?\b",
    "Ascom is a global solutions provider focused on healthcare ICT.",
)
# What may follow a company's boilerplate to the end of a press release (besides another
# company's boilerplate and trailer notes).
COMPANY_FOLLOWER_RULES: tuple[Rule, ...] = (
    _rule(
        "company_facts",
        r"^[^.]{0,80}?\b(?:is headquartered|has its headquarters|was founded|employs|employees|"
        r"subsidiaries|offices in|operations in|(?:are|is) (?:listed|traded) on)\b",
        "Ascom is headquartered in Baar (Switzerland) and employs around 1,300 people.",
    ),
    _rule(
        "press_contacts",
        r"^(?:(?:Media|Press|Investor|Editorial|Company)(?: and \w+)? )?(?:contacts?|enquiries|"
        r"inquiries|relations)\b",
        "Media contact: Jane Doe, +41 41 544 00 00",
        re.IGNORECASE,
    ),
    _rule(
        "more_information",
        r"^For (?:more|further|additional) information\b",
        "For more information, visit www.ascom.com",
        re.IGNORECASE,
    ),
    _rule(
        "legal_notes",
        r"^(?:Forward[- ]looking statements?|Safe harbou?r|Disclaimer|Trademarks?)\b",
        "Forward-looking statements: this release contains statements about the future.",
        re.IGNORECASE,
    ),
    _rule(
        "contact_detail",
        r"^[^.]{0,80}?(?:[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+|www\.\S+|\+?\d[\d ()/.-]{7,}\d)"
        r"\s*$",
        "Jane Doe, jane.doe@example.com",
    ),
)

# A note before the body (CNN opinion pieces): "Editor's note: X is a columnist ... The opinions
# expressed in this commentary are solely hers." Matched after any dateline prefix.
EDITORS_NOTE = _rule(
    "editors_note",
    r"Editor(?:'|’)?s(?:'|’)? [Nn]ote ?: ?",
    "Editor's note: Jane Doe is a columnist for The Example Herald.",
)

# Kinds that may sit anywhere in the body (captions, ad slots); the rest only at the end.
ANYWHERE_KINDS: frozenset[TrailerKind] = frozenset({"chrome"})

# The outlet a disclaimer or copyright line names: "... reflect those of DotDotNews."
PUBLISHER_RULES: tuple[Rule, ...] = (
    _rule(
        "disclaimer_outlet",
        r"\breflect(?:s)? (?:those|the (?:views|opinions|position|policy|policies))"
        r"(?: or policies)? of (?:the )?(?P<publisher>[A-Z][\w&.'’ -]{1,60}?)\.?$",
        "The views do not necessarily reflect those of DotDotNews.",
    ),
    _rule(
        "copyright_outlet",
        r"^(?:©|\(c\)|Copyright)(?: ?©)? ?(?:\d{4}(?: ?[-–] ?\d{4})?,? )?"
        r"(?P<publisher>[A-Z][\w&.'’ -]{1,60}?)\.?(?: All rights reserved\.?)?$",
        "© 2023 DotDotNews. All rights reserved.",
        re.IGNORECASE,
    ),
)

# Labels a CMS files everything under when nobody chose one ("Uncategorized", WordPress's
# default), and tags of its own bookkeeping ("imported", "image"): never a section or a tag.
HOUSEKEEPING_TERMS: frozenset[str] = frozenset(
    {
        "uncategorized",
        "uncategorised",
        "unkategorisiert",
        "allgemein",
        "allgemeines",
        "sonstiges",
        "non classé",
        "sin categoría",
        "sem categoria",
        "senza categoria",
        "geen categorie",
        "ongecategoriseerd",
        "imported",
        "imported comments",
        "image",
        "images",
        "featured",
        "default",
        "untagged",
    }
)


def is_housekeeping(term: str) -> bool:
    """Whether a section or tag is a CMS's bookkeeping, not a subject."""
    return " ".join(term.casefold().replace("-", " ").replace("_", " ").split()) in (
        HOUSEKEEPING_TERMS
    )


ALL_RULES: tuple[Rule, ...] = (
    HEADER_PREFIX,
    *KICKER_RULES,
    *BYLINE_RULES,
    *DATE_RULES,
    *HEADER_SPLIT_RULES,
    *SOURCE_URL_RULES,
    *DATELINE_RULES,
    *READ_MORE_RULES,
    INLINE_READ_MORE,
    INLINE_RELATED,
    EDITORS_NOTE,
    *RELATED_ENTRY_RULES,
    *TRAILER_RULES,
    ABOUT_COMPANY,
    COMPANY_DESCRIPTION,
    *COMPANY_FOLLOWER_RULES,
    *PUBLISHER_RULES,
)
