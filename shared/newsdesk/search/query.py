"""The search query language of GET /search and its translation into SQLite FTS5 syntax. Pure.

What a client may type (DESIGN.md section 7):
  words                 all of them (AND is implied):            harbour wind
  AND, OR, NOT          upper case; NOT excludes:                 wind OR solar NOT nuclear
  -word, -"phrase"      the same as NOT:                         budget -council
  ( … )                 grouping:                                 (wind OR solar) farm
  "a phrase"            the words in this order:                  "throws China a bone"
  prefix*               words that start so (2 letters at least): clim*   "offshore wi"*
  field:term            headline:, standfirst:, body:, author:    author:fowdy headline:(us OR uk)

Nothing typed reaches FTS5 as syntax: every word and phrase becomes an FTS5 string ("…", with
quotes doubled), operators and parentheses are re-emitted by us, and column filters only name
our columns. Text without letters or digits (punctuation, emoji) is ignored. Anything that
cannot be understood is a QueryError (an InvalidRequestError: HTTP 400) saying what is wrong.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from newsdesk.errors import InvalidRequestError

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_DEPTH = 8
MIN_PREFIX_CHARS = 2
# Field names a client may use -> the index column they search.
FIELDS: dict[str, str] = {
    "headline": "headline",
    "title": "headline",
    "standfirst": "standfirst",
    "body": "body",
    "author": "author",
    "by": "author",
}
COLUMNS: tuple[str, ...] = ("headline", "standfirst", "body", "author", "keywords")
# Private-use characters the index uses to mark highlights; never part of a query or document.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"

_OPERATORS = frozenset({"AND", "OR", "NOT"})
_BREAKS = frozenset('()"')


class QueryError(InvalidRequestError):
    """A query that cannot be searched; the message says what is wrong and how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, parameter="q")


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase (FTS5 splits it into tokens); `prefix`: its last word starts."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Field:
    column: str
    operand: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Term | Field | Not | And | Or


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready for the index: its tree, the FTS5 expression, and the terms it holds."""

    tree: Node
    fts: str
    terms: tuple[str, ...]


# ---------------------------------------------------------------- lexer

TokenKind = Literal["word", "phrase", "open", "close", "op", "neg", "field"]


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str
    position: int
    prefix: bool = False


def clean_text(text: str) -> str:
    """NFC, with control, format and private-use characters turned into spaces."""
    text = unicodedata.normalize("NFC", text)
    return "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Co") else char for char in text
    )


def has_word(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer finds a token in text (a letter or a digit)."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        if char.isspace():
            index += 1
        elif char == "(":
            tokens.append(_Token("open", char, index))
            index += 1
        elif char == ")":
            tokens.append(_Token("close", char, index))
            index += 1
        elif char == '"':
            closing = text.find('"', index + 1)
            if closing < 0:
                raise QueryError(
                    f'the quote at position {index + 1} is never closed: end the phrase with "'
                )
            prefix = closing + 1 < end and text[closing + 1] == "*"
            tokens.append(_Token("phrase", text[index + 1 : closing], index, prefix))
            index = closing + 2 if prefix else closing + 1
        elif char == "-" and index + 1 < end and text[index + 1] not in " -)\t\n":
            tokens.append(_Token("neg", char, index))
            index += 1
        else:
            start = index
            while index < end and not text[index].isspace() and text[index] not in _BREAKS:
                index += 1
            chunk = text[start:index]
            name, colon, rest = chunk.partition(":")
            if colon and name.lower() in FIELDS:
                tokens.append(_Token("field", FIELDS[name.lower()], start))
                index = start + len(name) + 1
                if not rest and (index >= end or text[index].isspace()):
                    raise QueryError(f"`{name}:` at position {start + 1} needs a word after it")
                continue
            if chunk in _OPERATORS:
                tokens.append(_Token("op", chunk, start))
            elif chunk.endswith("*") and len(chunk) > 1:
                tokens.append(_Token("word", chunk.rstrip("*"), start, prefix=True))
            else:
                tokens.append(_Token("word", chunk, start))
    return tokens


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._at = 0
        self._depth = 0
        self.terms: list[str] = []

    def peek(self) -> _Token | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def take(self) -> _Token:
        token = self._tokens[self._at]
        self._at += 1
        return token

    def parse(self) -> Node | None:
        node = self.parse_or()
        token = self.peek()
        if token is not None:  # only a stray ")" stops parse_or early
            raise QueryError(f"the `)` at position {token.position + 1} has no `(` to close")
        return node

    def parse_or(self) -> Node | None:
        operands = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "OR":
            self.take()
            following = self.peek()
            if (
                following is None
                or following.kind == "close"
                or (following.kind == "op" and following.text != "NOT")
            ):
                raise QueryError(f"OR at position {token.position + 1} needs a term after it")
            operands.append(self.parse_and())
        kept = [node for node in operands if node is not None]
        if len(operands) > 1 and any(isinstance(node, Not) for node in kept):
            raise QueryError("NOT cannot be one side of OR: write `a NOT b`, or `(a OR b) NOT c`")
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def parse_and(self) -> Node | None:
        operands: list[Node | None] = []
        while (token := self.peek()) is not None:
            if token.kind == "close" or (token.kind == "op" and token.text == "OR"):
                if not operands:
                    what = "OR" if token.kind == "op" else "`)`"
                    raise QueryError(
                        f"{what} at position {token.position + 1} needs a term before it"
                    )
                break
            if token.kind == "op" and token.text == "AND":
                self.take()
                following = self.peek()
                # "a AND NOT b" reads as "a NOT b".
                if (
                    not operands
                    or following is None
                    or following.kind == "close"
                    or (following.kind == "op" and following.text != "NOT")
                ):
                    raise QueryError(
                        f"AND at position {token.position + 1} needs a term on both sides"
                    )
                continue
            operands.append(self.parse_unary())
        kept = [node for node in operands if node is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else And(tuple(kept))

    def parse_unary(self) -> Node | None:
        token = self.peek()
        if token is not None and (
            token.kind == "neg" or (token.kind == "op" and token.text == "NOT")
        ):
            self.take()
            following = self.peek()
            if (
                following is None
                or following.kind == "close"
                or (following.kind == "op" and following.text != "NOT")
            ):
                raise QueryError(f"NOT at position {token.position + 1} needs a term after it")
            operand = self.parse_unary()
            if operand is None:
                return None
            return operand.operand if isinstance(operand, Not) else Not(operand)
        return self.parse_primary()

    def parse_primary(self) -> Node | None:
        token = self.take()
        if token.kind == "open":
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise QueryError(f"parentheses nest deeper than {MAX_DEPTH} levels")
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError(f"the `(` at position {token.position + 1} is never closed")
            self.take()
            self._depth -= 1
            return node
        if token.kind == "field":
            following = self.peek()
            if following is None or following.kind in ("close", "op", "neg", "field"):
                raise QueryError(
                    f"a field at position {token.position + 1} needs a word, phrase or (…) after it"
                )
            operand = self.parse_primary()
            if operand is not None and _holds_field(operand):
                raise QueryError(
                    f"the field at position {token.position + 1} holds another field; use one"
                )
            return Field(token.text, operand) if operand is not None else None
        if token.kind in ("word", "phrase"):
            return self.term(token)
        raise QueryError(f"{token.text} at position {token.position + 1} needs a term before it")

    def term(self, token: _Token) -> Term | None:
        text = " ".join(token.text.split())
        if not has_word(text):
            if token.prefix or text == "*":
                raise QueryError(
                    f"the * at position {token.position + 1} must end a word (prefix search: clim*)"
                )
            return None  # punctuation or emoji: nothing the index could match
        if token.prefix:
            last = text.split()[-1]
            letters = sum(1 for char in last if unicodedata.category(char)[0] in "LN")
            if letters < MIN_PREFIX_CHARS:
                raise QueryError(
                    f"a prefix needs at least {MIN_PREFIX_CHARS} letters before the * "
                    f"(position {token.position + 1})"
                )
        self.terms.append(text)
        if len(self.terms) > MAX_TERMS:
            raise QueryError(f"the query has more than {MAX_TERMS} words and phrases")
        return Term(text, token.prefix)


def parse_query(text: str) -> ParsedQuery:
    """The query a client typed, checked and translated; QueryError when it cannot be searched."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise QueryError("the query is empty: give words to search for")
    parser = _Parser(_tokens(cleaned))
    tree = parser.parse()
    if tree is None:
        raise QueryError("the query has no words to search for (only punctuation or symbols)")
    _check_exclusions(tree)
    return ParsedQuery(tree=tree, fts=to_fts(tree), terms=tuple(parser.terms))


def _check_exclusions(node: Node) -> None:
    """FTS5's NOT is binary ("a NOT b"): every NOT needs something beside it to exclude from."""
    if isinstance(node, Not):
        raise QueryError("a query cannot only exclude: say what to find, as in `wind NOT solar`")
    if isinstance(node, And):
        if all(isinstance(operand, Not) for operand in node.operands):
            raise QueryError(
                "a query cannot only exclude: say what to find, as in `wind NOT solar`"
            )
        for operand in node.operands:
            _check_exclusions(operand.operand if isinstance(operand, Not) else operand)
    elif isinstance(node, Or):
        for operand in node.operands:
            _check_exclusions(operand)
    elif isinstance(node, Field):
        _check_exclusions(node.operand)


# ---------------------------------------------------------------- FTS5 output


def fts_string(text: str) -> str:
    """An FTS5 string literal: the tokenizer splits it; nothing in it is syntax."""
    return '"' + text.replace('"', '""') + '"'


def to_fts(node: Node) -> str:
    if isinstance(node, Term):
        return fts_string(node.text) + (" *" if node.prefix else "")
    if isinstance(node, Field):
        return "{" + node.column + "} : (" + to_fts(node.operand) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts(operand) for operand in node.operands) + ")"
    if isinstance(node, And):
        positives = [operand for operand in node.operands if not isinstance(operand, Not)]
        negatives = [operand.operand for operand in node.operands if isinstance(operand, Not)]
        expression = "(" + " AND ".join(to_fts(operand) for operand in positives) + ")"
        for negative in negatives:
            expression = f"({expression} NOT {to_fts(negative)})"
        return expression
    raise QueryError("a query cannot only exclude: say what to find, as in `wind NOT solar`")


def _holds_field(node: Node) -> bool:
    if isinstance(node, Field):
        return True
    if isinstance(node, Not):
        return _holds_field(node.operand)
    if isinstance(node, And | Or):
        return any(_holds_field(operand) for operand in node.operands)
    return False


def any_of(phrases: list[str]) -> str | None:
    """An FTS5 OR of phrases (e.g. an article's keywords for "more like this"); None if empty."""
    kept = [" ".join(clean_text(phrase).split()) for phrase in phrases]
    kept = [phrase for phrase in kept if has_word(phrase)][:MAX_TERMS]
    if not kept:
        return None
    return " OR ".join(fts_string(phrase) for phrase in kept)
