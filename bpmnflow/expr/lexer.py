"""Tokens of a ``${...}`` body, scanned the way JUEL's scanner does.

Scanning stops at the first ``}`` outside a string literal, which is how EL finds the end
of an eval in a composite template; the caller resumes reading literal text after it.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .errors import ExpressionError

__all__ = ["Token", "scan_eval", "syntax_error"]


class Token(NamedTuple):
    """One token: ``kind`` is an operator spelling, ``ident``, ``literal``, ``}`` or ``eof``."""

    kind: str
    value: Any
    pos: int
    image: str


# Word operators share a kind with their symbol so the parser knows one spelling only.
_KEYWORDS: dict[str, str] = {
    "div": "/",
    "mod": "%",
    "and": "&&",
    "or": "||",
    "not": "!",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "empty": "empty",
    "instanceof": "instanceof",
}
_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}

_TWO_CHAR = frozenset({"==", "!=", "<=", ">=", "&&", "||"})
_ONE_CHAR = frozenset("+-*/%()[],.?:<>!")
_DIGITS = frozenset("0123456789")

# JUEL: digits, an optional fraction, an optional exponent that only counts when complete.
_NUMBER = re.compile(r"[0-9]*(\.[0-9]*)?([eE][+-]?[0-9]+)?")
# Java identifiers: a letter, '_' or '$', then letters, digits, '_' or '$'.
_IDENTIFIER = re.compile(r"(?:[^\W\d]|\$)[\w$]*")


def syntax_error(text: str, pos: int, encountered: str, expected: str) -> ExpressionError:
    """Build the parse error; the message names the whole text as JUEL's does."""
    message = (
        f"Error parsing '{text}': syntax error at position {pos}, "
        f"encountered {encountered}, expected {expected}"
    )
    return ExpressionError(message, text, pos)


def scan_eval(text: str, pos: int) -> tuple[list[Token], int]:
    """Tokenize from ``pos`` (just after ``${``) through the closing ``}``.

    Returns the tokens, ending with a ``}`` or ``eof`` token, and the offset after them.
    """
    tokens: list[Token] = []
    end = len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            tokens.append(Token("eof", None, pos, ""))
            return tokens, pos
        token = _next_token(text, pos)
        tokens.append(token)
        pos += len(token.image)
        if token.kind == "}":
            return tokens, pos


def _next_token(text: str, pos: int) -> Token:
    char = text[pos]
    pair = text[pos : pos + 2]
    if char == "}":
        return Token("}", None, pos, "}")
    if char in "'\"":
        return _string(text, pos)
    if char in _DIGITS or (char == "." and pair[1:] in _DIGITS):
        return _number(text, pos)
    if pair in _TWO_CHAR:
        return Token(pair, None, pos, pair)
    if char in _ONE_CHAR:
        return Token(char, None, pos, char)
    match = _IDENTIFIER.match(text, pos)
    if match:
        return _word(match.group(), pos)
    raise syntax_error(text, pos, f"invalid character {char!r}", "an expression token")


def _word(word: str, pos: int) -> Token:
    if word in _KEYWORDS:
        return Token(_KEYWORDS[word], None, pos, word)
    if word in _CONSTANTS:
        return Token("literal", _CONSTANTS[word], pos, word)
    return Token("ident", word, pos, word)


def _number(text: str, pos: int) -> Token:
    match = _NUMBER.match(text, pos)
    assert match is not None  # every part of the pattern is optional
    image = match.group()
    if match.group(1) is None and match.group(2) is None:
        try:
            return Token("literal", int(image), pos, image)
        except ValueError:  # past Python's int-parsing digit limit
            raise syntax_error(text, pos, "a number that is too long", "a number") from None
    return Token("literal", float(image), pos, image)


def _string(text: str, pos: int) -> Token:
    """Read a quoted string; only ``\\\\`` and an escaped quote are valid escapes (JUEL)."""
    quote = text[pos]
    chars: list[str] = []
    i = pos + 1
    end = len(text)
    while i < end:
        char = text[i]
        if char == quote:
            return Token("literal", "".join(chars), pos, text[pos : i + 1])
        if char == "\\":
            following = text[i + 1 : i + 2]
            if following not in ("\\", quote):
                shown = repr("\\" + following) if following else "end of input"
                raise syntax_error(text, i, shown, f"\\{quote} or \\\\ in a string literal")
            char = following
            i += 1
        chars.append(char)
        i += 1
    raise syntax_error(text, pos, "an unterminated string", f"a closing {quote}")
