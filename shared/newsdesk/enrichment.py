"""Enrichment: what newsdesk derives from a parsed article (id, slug, language, keywords, …).

Pure and deterministic: the same Extracted always gives the same Article. No clock — the service
sets ingested_at/updated_at.

Language detection is a stopword profile over the languages the archive holds (en, de, fr, es,
pt, it, nl, id): for news prose it is right after a sentence or two, costs a few microseconds,
needs no model file in the Lambda layer and never changes between runs. Libraries were weighed:
langdetect is random unless seeded and loads 55 profiles at import; fasttext's model is 1 MB+
and native; lingua is accurate but ~100 MB. A text in a language outside the profiles gets None
rather than a wrong guess.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from itertools import compress, filterfalse, repeat
from operator import ge
from typing import Any

from newsdesk.models import Article, Author, Source
from newsdesk.parsing.document import Extracted
from newsdesk.slugs import slugify

WORDS_PER_MINUTE = 230
SUMMARY_TARGET_CHARS = 300
HEADLINE_MAX_CHARS = 150
MAX_KEYWORDS = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and of to is that it was for on are with as his they be at have this from by "
        "not but what which their were been has would there will who an or had said its he "
        "she we you about after than when more them into could also over just other some "
        "our these"
    ),
    "de": _words(
        "der die und den von zu das mit sich des auf für ist im dem nicht ein eine als auch "
        "es werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über "
        "einen zum war haben nur oder aber vor zur bis mehr durch sein wurde sei ich wir "
        "uns ihr ihre dann kann schon sehr doch immer vom beim ins unter wenn zwei diese "
        "diesem dieser wieder man gibt"
    ),
    "fr": _words(
        "le la les de des et est un une du en que qui dans pour pas sur au aux avec ce "
        "cette il elle ils sont par plus ont été mais nous vous leur ses son sa comme ou "
        "était être fait aussi très tout bien"
    ),
    "es": _words(
        "el la los las de y que en un una del por con para es se no al lo como más pero sus "
        "su le ya fue este esta ha son muy también sobre entre cuando todo desde hay porque"
    ),
    "pt": _words(
        "o a os as de e que em um uma do da dos das no na nos nas por para com não se é ao "
        "mais mas foi como seu sua ele ela também pelo pela são está já muito quando isso"
    ),
    "it": _words(
        "il lo la i gli le di e che è un una per non del della dei delle con si da in al "
        "alla nel nella sono ha anche come più ma questo questa sul sulla stato essere "
        "hanno loro suo sua"
    ),
    "nl": _words(
        "de het een en van in is dat op te zijn voor met niet aan er die ook als bij door "
        "om maar naar uit dan nog worden wordt werd hij zij wij deze dit heeft hebben meer "
        "over kan tot geen"
    ),
    "id": _words(
        "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh "
        "ada karena sebagai atau bisa mereka kami kita saya sudah telah lebih tersebut "
        "namun harus hanya seperti bahwa para saat secara menjadi banyak"
    ),
}
_PROFILE_WORDS = frozenset().union(*_STOPWORDS.values())
_FIRST_LANGUAGE, _FIRST_PROFILE = next(iter(_STOPWORDS.items()))
# The first profile's words that no other profile holds.
_FIRST_OWN = _FIRST_PROFILE.difference(
    *(p for lang, p in _STOPWORDS.items() if lang != _FIRST_LANGUAGE)
)
_MIN_LANGUAGE_HITS = 3
_PUNCTUATION_TO_SPACE = str.maketrans(dict.fromkeys('.,;:!?"()[]{}“”„«»‹›—–…/*#|<>_\n\t', " "))
_PUNCTUATION = ".,;:!?\"'()[]{}“”‘’„«»‹›—–-…/*#|<>_"

# Key-term stoplists, on top of each language's profile stopwords. Keywords become tags that
# clients list and filter by, so a word that could head any article (a reporting verb, an
# auxiliary, "longer", "open", "first", a weekday, a number word) is noise there. Applied per
# language: "war" or "die" is an English key term, not a German article.
_ENGLISH_NOT_KEYWORDS = _words(
    # pronouns, determiners, conjunctions, prepositions
    "a i me my mine myself he him his himself she her hers herself it itself they them their "
    "theirs themselves we us our ours ourselves you your yours yourself yourselves one ones "
    "this that these those who whom whose which what whatever whoever whichever where when "
    "why how whether if unless because since while although though so yet nor either neither "
    "both each every all any some no none not only own same such other others another else "
    "anyone someone everyone anybody somebody everybody nobody anything something everything "
    "nothing here there then now than too very just even also and or but in on at by for "
    "with from into onto upon about above below over under up down out off through during "
    "before after until till against among amid between across around along within without "
    "toward towards behind beyond despite via per like unlike near next past plus versus "
    "mr mrs ms dr st "
    # auxiliaries and modals
    "am is are was were be been being have has had having do does did done doing will would "
    "shall should can could may might must ought "
    # contractions
    "don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't shouldn't "
    "haven't hasn't hadn't mustn't i'm i've i'd i'll you're you've you'd you'll we're we've "
    "we'd we'll they're they've they'd they'll he's he'd he'll she's she'd she'll it's it'll "
    "that's there's here's what's who's let's "
    # verbs of any article
    "say says said saying tell tells told telling ask asks asked asking add adds added adding "
    "according report reported reportedly announce announces announced claim claimed "
    "take takes took taken taking make makes made making get gets got gotten getting "
    "go goes went gone going come comes came coming see sees saw seen seeing look looks "
    "looked looking know knows knew known think thinks thought want wants wanted give gives "
    "gave given giving use uses used using find finds found put puts keep keeps kept keeping "
    "let lets seem seems seemed become becomes became try tries tried trying leave leaves "
    "left call calls called need needs needed feel feels felt begin begins began begun "
    "start starts started end ends ended show shows showed shown mean means meant include "
    "includes included including continue continues continued remain remains remained "
    "appear appears appeared happen happens happened expect expects expected believe "
    "believes believed allow allows allowed bring brings brought hold holds held set sets "
    "built build builds exist exists existed open opens opened close closes closed help "
    "helps helped turn turns turned move moves moved put pass passes passed become "
    "like likes liked release releases released decide decides decided offer offers offered "
    "stand stands stood "
    # adverbs
    "longer still already ever never always often sometimes usually rarely soon later "
    "earlier again once perhaps maybe almost nearly quite rather really actually simply "
    "especially particularly probably possibly certainly clearly previously recently "
    "currently finally eventually together away ago however instead indeed further "
    "furthermore moreover meanwhile therefore thus well back much many more most less least "
    "enough lot lots"
    # generic adjectives
    " new old good bad great big small large high low higher lower long short full able "
    "likely unlikely possible real right first second third last early late recent latest "
    "major main best better worse worst different certain whole sure important clear top "
    "ready several various few little"
    # numbers, time and other nouns of any article
    " two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred hundreds thousand thousands million millions billion billions percent "
    "year years month months week weeks day days time times today tonight tomorrow "
    "yesterday morning afternoon evening night monday tuesday wednesday thursday friday "
    "saturday sunday people thing things way ways part lot kind sort fact case point "
    "number place"
)
_NOT_KEYWORDS_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "en": _ENGLISH_NOT_KEYWORDS,
    "de": _words(
        "ein einer eines einem einen eine kein keine keinen keiner keinem der die das dem den "
        "des dies dieses diesen jeder jede jedes jeden alle allen aller alles andere anderen "
        "anderer seine seinen seinem seiner seines ihre ihren ihrem ihrer ihres unser unsere "
        "euer eure mein meine dein deine du ihm ihn ihnen es sie wer was wo wie warum wann "
        "ob weil denn sondern also so da dort hier heute jetzt nun dann mal etwa etwas nichts "
        "viel viele vielen vieles wenig wenige mehr meist meisten ganz gar sehr zu zum zur "
        "bin bist sind seid war waren wäre wären gewesen wird werden wurde wurden worden "
        "hat hatte hatten habe hätte hätten kann können konnte könnte muss müssen musste "
        "soll sollen sollte will wollen wollte darf dürfen lässt lassen macht machen gibt "
        "geben geht gehen kommt kommen sagt sagte sagen allerdings jedoch bereits schon "
        "besonders hauptsächlich natürlich eigentlich wirklich einfach gerade etwa ebenfalls "
        "sowie sowohl oft immer wieder neu neue neuen neuer großen große kleine kleinen "
        "trotz zudem mag erste ersten zwei drei vier fünf jahr jahre jahren tag tage tagen uhr "
        "prozent"
    ),
    "fr": _words(
        "je tu on lui eux me te se nos notre votre vos mon ma mes ton ta tes leurs ces cet "
        "ceux celle celui dont où quand comment si ne ni car donc alors encore déjà toujours "
        "jamais plus moins peu beaucoup trop aussi avoir ai as avons avez a eu sont suis es "
        "sera seront étaient fait faire peut peuvent doit dit deux trois an ans jour jours"
    ),
    "es": _words(
        "yo tú él ella ellos ellas nosotros usted ustedes mi mis tu tus nuestro nuestra "
        "nuestros nuestras otro otra otros otras ese esa esos esas estos estas aquel cual "
        "quien quienes donde cuando como si ni pero sino tan muy ya aún todavía siempre nunca "
        "había han he hemos está están estaba ser sido puede pueden hace dijo dos tres año "
        "años día días"
    ),
    "pt": _words(
        "eu tu você vocês nós eles elas meu minha meus minhas nosso nossa nossos nossas "
        "pelas pelos quem onde qual quais cada todo toda todos todas outro outra outros outras "
        "esse essa "
        "este esta isto aquilo nem mas ou se já ainda sempre nunca muito muita muitos muitas "
        "tem têm ter ser estar foi era são somos queremos pode podem faz disse dois três ano "
        "anos dia dias"
    ),
    "it": _words(
        "io tu lui lei noi voi essi mio mia miei mie nostro nostra nostri nostre ogni tutto "
        "tutti tutte altro altri quello quella quelli chi dove quando come se né però già "
        "ancora sempre mai molto molti molta poco era erano fa fatto può possono detto due "
        "tre anno anni giorno giorni"
    ),
    "nl": _words(
        "ik jij je u ze we mijn jouw zijn haar ons onze hun wie wat waar wanneer hoe als "
        "omdat want dus toch al nog steeds altijd nooit veel weinig zeer heel wel was waren "
        "had hadden kunnen moet moeten zal zullen zou zouden gaat gaan komt zegt zei twee "
        "drie jaar jaren dag dagen"
    ),
    "id": _words(
        "aku kamu dia ia anda kalian jangan janganlah satu dua tiga sesuatu orang begitu "
        "sangat semua setiap lain hal apa siapa bagaimana mengapa kapan dimana jika kalau "
        "berkata kepada sampai hingga akhirnya bahkan tetapi tapi pun maka agar supaya masih "
        "belum pernah selalu tahun hari"
    ),
}


def _with_curly_apostrophes(words: frozenset[str]) -> frozenset[str]:
    return words | frozenset(word.replace("'", "’") for word in words if "'" in word)


# The words a key term may not be, per language; a text of unknown language gets every list.
_KEYWORD_STOPWORDS: dict[str | None, frozenset[str]] = {
    language: _with_curly_apostrophes(profile | _NOT_KEYWORDS_BY_LANGUAGE[language])
    for language, profile in _STOPWORDS.items()
}
_KEYWORD_STOPWORDS[None] = frozenset().union(*_KEYWORD_STOPWORDS.values())
# Leading words dropped from a name phrase ("The Regional Library Association"): function
# words only, so "New York Stock Exchange" and "South Korea" keep their first word.
_PHRASE_LEADING_STOPWORDS = _with_curly_apostrophes(
    _PROFILE_WORDS | _words("a mr mrs ms dr but if so yet then when while after before")
)
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
# Two to four capitalized words ("Supreme Court", "Bank of England"); Latin scripts.
# Possessive runs: a word is always followed by a space or the end, so giving letters back
# never helps a match; it only costs backtracking.
_CAPITALIZED_PHRASE = re.compile(
    r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ž'’-]++"
    r"(?: (?:of |de |von |van |der |la |del )?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ž'’-]++){1,3}"
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gov",
        "sen",
        "rep",
        "st",
        "jr",
        "sr",
        "gen",
        "lt",
        "col",
        "capt",
        "sgt",
        "prof",
        "inc",
        "co",
        "corp",
        "ltd",
        "no",
        "vs",
        "etc",
        "u.s",
        "u.k",
        "u.n",
        "a.m",
        "p.m",
        "jan",
        "feb",
        "mar",
        "apr",
        "aug",
        "sept",
        "sep",
        "oct",
        "nov",
        "dec",
        "rev",
        "fig",
        "ft",
        "mt",
    ]
)
_SIBILANTS = ("s", "x", "z", "ch", "sh")
_CONNECTOR = re.compile(" (?:of|de|von|van|der|la|del) ")
_SENTENCE_ENDS = frozenset(".!?:\n")
_POSSESSIVES = ("'s", "’s")
_LEADING_DATELINE = re.compile(r"^[^\n]{0,80}?\((?:[A-Z][\w.&]{1,20})\)\s*(?:[—–-]{1,2}\s*)?")
_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def enrich(extracted: Extracted, *, identity: str, source: Source, parser_version: str) -> Article:
    """Turn what a format parser found into the article record."""
    article_id = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    body = [paragraph for paragraph in (p.strip() for p in extracted.body) if paragraph]
    headline = (extracted.headline or "").strip() or derive_headline(
        body, has_dateline=extracted.dateline is not None
    )
    authors = _authors(extracted.authors)
    text = "\n".join(body)
    word_count = _word_count(text, body)
    # One pass of token counting serves both language detection and keyword extraction.
    full = f"{headline}\n{text}"
    lower = full.lower()
    counts = _token_counts(lower)
    language = normalize_language(extracted.language) or _language_of(counts)
    keywords = _stated_keywords(extracted.keywords) or _keywords(
        full, lower, counts, headline, language
    )
    content = {
        "headline": headline,
        "section": extracted.section,
        "standfirst": extracted.standfirst,
        "authors": [author.name for author in authors],
        "publisher": extracted.publisher,
        "published_at": _iso(extracted.published_at),
        "updated_at_source": _iso(extracted.updated_at_source),
        "dateline": extracted.dateline.model_dump() if extracted.dateline else None,
        "source_url": extracted.source_url,
        "body": body,
        "author_bio": extracted.author_bio,
        "disclaimer": extracted.disclaimer,
        "related": [
            {"headline": link.headline, "section": link.section} for link in extracted.related
        ],
        "language": language,
    }
    return Article(
        id=article_id,
        slug=slugify(headline) or f"article-{article_id[:8]}",
        headline=headline,
        section=extracted.section,
        standfirst=extracted.standfirst,
        authors=authors,
        publisher=extracted.publisher,
        published_at=extracted.published_at,
        updated_at_source=extracted.updated_at_source,
        dateline=extracted.dateline,
        source_url=extracted.source_url,
        body=body,
        author_bio=extracted.author_bio,
        disclaimer=extracted.disclaimer,
        related=list(extracted.related),
        language=language,
        word_count=word_count,
        reading_time_minutes=max(1, round(word_count / WORDS_PER_MINUTE)),
        summary=summarize(body),
        keywords=keywords,
        tags=_tags(keywords, extracted.section),
        content_hash=content_hash(content),
        source=source,
        parser_version=parser_version,
    )


# json.dumps with options builds a new encoder on every call; one is enough.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _word_count(text: str, body: list[str]) -> int:
    """len(text.split()) without building the list: when no paragraph holds a space other than
    single " " (isprintable is false for every other space), words are spaces + 1 each."""
    if "  " not in text and all(map(str.isprintable, body)):
        return text.count(" ") + len(body)
    return len(text.split())


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of a canonical JSON of the parsed content: the same content, the same hash."""
    canonical = _CANONICAL_JSON.encode(content)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def derive_headline(body: list[str], *, has_dateline: bool = False) -> str:
    """A headline for a file that states none: the first sentence of the body, without dateline.

    Wire copy (AP, some CNN files) has no headline line; the lead's first sentence is what the
    outlet itself would show as the teaser. Long sentences are cut at a word boundary with "…".
    """
    if not body:
        return ""
    lead = body[0].strip()
    if has_dateline:
        lead = _LEADING_DATELINE.sub("", lead, count=1).strip() or lead
    sentence = _first_sentence(lead)
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) > HEADLINE_MAX_CHARS:
        sentence = sentence[:HEADLINE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"
    return sentence


def summarize(body: list[str]) -> str:
    """The lead paragraph, cut at the sentence boundary nearest SUMMARY_TARGET_CHARS."""
    if not body:
        return ""
    lead = body[0]
    if len(lead) <= SUMMARY_TARGET_CHARS:
        return lead
    ends = [end for end in _sentence_ends(lead) if 80 <= end <= 2 * SUMMARY_TARGET_CHARS]
    if ends:
        best = min(ends, key=lambda end: (abs(end - SUMMARY_TARGET_CHARS), end))
        return lead[:best].rstrip()
    return lead[:SUMMARY_TARGET_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"


def normalize_language(value: str | None) -> str | None:
    """ISO 639-1 code from a stated tag ("en-GB", "de_DE", "EN"); None when it is not a tag."""
    if not value:
        return None
    match = _LANGUAGE_TAG.match(value.strip())
    if match is None:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def detect_language(text: str) -> str | None:
    """The profile language whose stopwords the text uses most; None when too little evidence."""
    return _language_of(_token_counts(text.lower()))


def extract_keywords(
    headline: str, text: str, limit: int = MAX_KEYWORDS, *, language: str | None = None
) -> list[str]:
    """Key terms by frequency: capitalized phrases ("Supreme Court") and non-stopword words.

    Stopwords are the text's language's (detected when not given): function words and the
    verbs, adverbs, adjectives and numbers any article uses ("said", "built", "longer", "first",
    "fifty"). Headline words the body repeats count extra; a headline word the body never uses
    ranks below every word the body repeats. "car" and "cars" are one term, in the form the
    text uses more; a name is given once, as its full phrase when the text has one ("Aston
    Martin", not "Aston" and "Martin"). Deterministic: ties go to the earlier term in the text.
    Proper nouns keep their capitals; a common word capitalized at a sentence start does not.
    """
    full = f"{headline}\n{text}"
    lower = full.lower()
    counts = _token_counts(lower)
    language = normalize_language(language) or _language_of(counts)
    return _keywords(full, lower, counts, headline, language, limit)


def _token_counts(lower: str) -> dict[str, int]:
    """Lowercased words counted: punctuation becomes space, apostrophes and hyphens stay inside.

    str.translate, str.split and Counter all run in C: no per-token Python work here. Each
    str.replace scans the whole text even when it finds nothing, so each is guarded by a cheap
    `in` test.
    """
    spaced = lower.translate(_PUNCTUATION_TO_SPACE) + " "
    if "‘" in spaced or "’" in spaced or "'" in spaced:
        # Possessives count as the word itself ("China’s" is "china").
        for possessive in ("’s ", "'s "):
            if possessive in spaced:
                spaced = spaced.replace(possessive, " ")
        # Quotation marks, not apostrophes: at a word's edge ('bone', ‘bone’).
        for mark in ("‘", "’", "'"):
            if mark in spaced:
                for edge in (f" {mark}", f"{mark} "):
                    if edge in spaced:
                        spaced = spaced.replace(edge, "  ")
    return Counter(spaced.split())


def _language_of(counts: dict[str, int]) -> str | None:
    present = counts.keys() & _PROFILE_WORDS
    if not present:
        return None
    get = counts.__getitem__
    # Most texts are in the first profile (English): when its score reaches what any other
    # profile could score at most (every present word outside its own words), it wins as the
    # full count would have it, ties included, and seven intersections are spared.
    first_score = sum(map(get, present & _FIRST_PROFILE))
    if first_score >= _MIN_LANGUAGE_HITS and first_score >= sum(map(get, present - _FIRST_OWN)):
        return _FIRST_LANGUAGE
    scores = {lang: sum(map(get, present & profile)) for lang, profile in _STOPWORDS.items()}
    # Ties go to the profile listed first (dict order), so the answer never varies.
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= _MIN_LANGUAGE_HITS else None


def _keywords(
    full: str,
    lower: str,
    counts: dict[str, int],
    headline: str,
    language: str | None,
    limit: int = MAX_KEYWORDS,
) -> list[str]:
    stop = _KEYWORD_STOPWORDS.get(language, _KEYWORD_STOPWORDS[None])
    body_start = len(headline) + 1
    # In headline order, not set order: a set's order changes with each process's hash seed,
    # and so would the keywords of equal score.
    head = lower[: len(headline)].translate(_PUNCTUATION_TO_SPACE) + " "
    if "s " in head:  # possessives count as the word itself, as in _token_counts
        head = head.replace("’s ", " ").replace("'s ", " ")
    headline_terms = [word for word in dict.fromkeys(head.split()) if word not in stop]
    # Candidates: repeated words and headline words, in text order (counts are in order of
    # first appearance). compress/filterfalse keep the pass over every distinct word in C.
    repeated = filterfalse(stop.__contains__, compress(counts, map(ge, counts.values(), repeat(2))))
    scores = {
        key: counts[key] for key in repeated if len(key) >= 3 and (key.isalpha() or _is_word(key))
    }
    for word in headline_terms:
        count = counts.get(word, 0)
        if count and len(word) >= 3 and (word.isalpha() or _is_word(word)):
            # A headline word the body repeats is the story's subject; one the body never uses
            # only ties with a word the body uses twice, and that word comes first.
            scores[word] = count + (2 if count >= 2 else 1)
    headline_words = set(headline_terms)
    phrase_counts = _name_phrases(full, body_start, stop)
    for key, count in phrase_counts.items():
        bonus = 0 if headline_words.isdisjoint(key.split(" ")) else 2
        scores[key] = 2 * count + bonus
    # Stable sort: equal scores keep text order.
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    # A name is tagged by the phrase that holds it, best-ranked first ("Aston" as "Aston
    # Martin", "Bez" as "Ulrich Bez"), unless that phrase is a one-off run of three or more
    # capitalized words ("Echo of Moscow", "Russian President Vladimir Putin").
    phrase_of: dict[str, str] | None = None  # built when a name first needs it
    chosen: list[str] = []
    covered: set[str] = set()
    names: set[str] = set()  # capitalized one-word terms chosen
    for key in ranked:
        if len(chosen) >= limit or (scores[key] < 2 and chosen):
            break
        if key in covered:
            continue
        if " " in key:
            # One tag for one name: no "Donald Trump" beside "Trump" (but "Bank of Thailand"
            # beside "Thailand": the name before "of" is what the phrase names).
            if names and not names.isdisjoint(_named_words(key)):
                continue
        elif (other := _other_number(key, counts)) and other not in stop:
            # "car" and "cars" are one term, in the form the text uses more (on a tie, the
            # singular: the shorter).
            covered.add(other)
            if (counts[other], len(key)) > (counts[key], len(other)):
                key = other
        # Occurrences after the headline: phrases are counted in the body only; the headline
        # holds each of its words once or more.
        in_body = phrase_counts[key] if " " in key else counts[key] - (key in headline_words)
        term = _surface_form(key, full, lower, body_start, in_body)
        if " " not in key and term[:1].isupper():
            if phrase_of is None:
                by_rank = sorted(phrase_counts, key=scores.__getitem__, reverse=True)
                phrase_of = {word: p for p in reversed(by_rank) for word in p.split(" ")}
            phrase = phrase_of.get(key)
            if (
                phrase is not None
                and phrase not in covered
                and (phrase_counts[phrase] > 1 or phrase.count(" ") == 1)
                and (not names or names.isdisjoint(_named_words(phrase)))
            ):
                key = phrase
                term = _surface_form(phrase, full, lower, body_start, phrase_counts[phrase])
            elif (
                phrase is not None
                and names
                and 2 * phrase_counts[phrase] >= counts[key]
                and not names.isdisjoint(phrase.split(" "))
            ):
                continue  # "Vladimir" when "Putin" is chosen and mostly in the same phrase
            else:
                names.add(key)
        if " " in key:
            covered.update(key.split(" "))
        covered.add(key)
        chosen.append(term)
    return chosen


def _named_words(phrase: str) -> list[str]:
    """The words naming what a phrase names: "bank" of "bank of thailand", all of "aston martin"."""
    if phrase.count(" ") > 1 and (connector := _CONNECTOR.search(phrase)) is not None:
        return phrase[: connector.start()].split(" ")
    return phrase.split(" ")


def _other_number(word: str, counts: dict[str, int]) -> str | None:
    """The singular of a regular plural, or the plural of a singular, when the text uses it.

    Regular forms only: "-s", "-es" after a sibilant, "-ies" after a consonant's "y".
    """
    if word[-1] == "s" and not word.endswith("ss"):
        if len(word) < 4:
            return None
        if (other := word[:-1]) in counts:
            return other
        if word.endswith("ies"):
            other = word[:-3] + "y"
        elif word.endswith("es") and word[:-2].endswith(_SIBILANTS):
            other = word[:-2]
        else:
            return None
    elif (other := word + "s") in counts:
        return other
    elif word.endswith(_SIBILANTS):
        other = word + "es"
    elif word[-1] == "y":
        other = word[:-1] + "ies"
    else:
        return None
    return other if other in counts else None


def _name_phrases(full: str, body_start: int, stop: frozenset[str]) -> dict[str, int]:
    """Capitalized phrases of the body, lowercased and counted, without the words that are not
    part of the name.

    The headline is left out: in title case every pair of its words would look like a name.
    """
    phrases: dict[str, int] = {}
    leading = _PHRASE_LEADING_STOPWORDS
    for match in _CAPITALIZED_PHRASE.finditer(full, body_start):
        key = match[0].lower()
        words = key.split(" ")
        first = words[0]
        if "’s" in key or "'s" in key:
            # A possessive ends the name: "Guy Roux's French side" is about Guy Roux.
            for index, word in enumerate(words):
                if word.endswith(_POSSESSIVES):
                    words = [*words[:index], word[:-2]]
                    break
        elif first not in leading and first not in stop:
            phrases[key] = phrases.get(key, 0) + 1  # most phrases: nothing to take off
            continue
        if first in stop and first not in leading:
            # A stopword's capital is a name's only mid-sentence ("New York"); at a sentence
            # start it is just a capital ("Several Gurkhas").
            start = match.start()
            if start == body_start or full[start - 2 : start].rstrip(" ")[-1:] in _SENTENCE_ENDS:
                words.pop(0)
        while words and words[0] in leading:
            words.pop(0)
        if len(words) >= 2:
            key = " ".join(words)
            phrases[key] = phrases.get(key, 0) + 1
    return phrases


def _surface_form(key: str, full: str, lower: str, body_start: int, occurrences: int) -> str:
    """How the body writes a term: proper nouns and phrases keep their capitals, others do not.

    Only mid-sentence occurrences are evidence: a headline's title case or a sentence's first
    word says nothing about whether a word is a name. The first four occurrences in the body
    are weighed; knowing how many the body has (`occurrences`) spares scanning the rest of the
    text for one more, and the whole text for a word only the headline uses.
    """
    wanted = min(4, occurrences)
    if len(full) != len(lower) or wanted < 1:  # a letter changed length when lowercased
        return key
    size = len(key)
    find = lower.find
    starts: list[int] = []
    capitalized_somewhere = False
    start = find(key, body_start)
    while start != -1:
        starts.append(start)
        if not capitalized_somewhere and full[start].isupper():
            capitalized_somewhere = True
        if len(starts) == wanted:
            break
        start = find(key, start + size)
    if not capitalized_somewhere:  # most terms: no evidence to weigh
        return key
    forms: list[str] = []
    mid_sentence: list[str] = []
    for start in starts:
        form = full[start : start + size]
        forms.append(form)
        before = full[max(body_start, start - 3) : start].rstrip(" “\"‘'(")
        if before and before[-1] not in ".!?\n:":
            mid_sentence.append(form)
    evidence = mid_sentence or forms
    capitalized = [form for form in evidence if form[:1].isupper()]
    if " " in key or len(capitalized) * 2 > len(evidence):
        return max(capitalized, key=capitalized.count) if capitalized else key
    return key


def _is_word(token: str) -> bool:
    """Letters with inner apostrophes or hyphens ("o'neil", "us-china"); no digits or symbols."""
    return token.replace("'", "").replace("’", "").replace("-", "").isalpha()


def _stated_keywords(keywords: list[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for keyword in keywords:
        cleaned = " ".join(keyword.split())
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            result.append(cleaned)
    return result[:MAX_KEYWORDS]


def _tags(keywords: list[str], section: str | None) -> list[str]:
    tags: list[str] = []
    for term in ([section] if section else []) + keywords:
        slug = slugify(term)
        if slug and slug not in tags:
            tags.append(slug)
    return tags


def _authors(names: list[str]) -> list[Author]:
    authors: list[Author] = []
    slugs: set[str] = set()
    for name in names:
        cleaned = " ".join(name.split())
        slug = slugify(cleaned)
        if cleaned and slug and slug not in slugs:
            slugs.add(slug)
            authors.append(Author(name=cleaned, slug=slug))
    return authors


def _sentence_ends(text: str) -> list[int]:
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].rsplit(None, 1)
        last_word = before[-1].lower().rstrip(".") if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        ends.append(match.start() + len(match.group().rstrip()))
    return ends


def _first_sentence(text: str) -> str:
    for end in _sentence_ends(text):
        if end >= 20:
            return text[:end].strip()
    return text.strip()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
