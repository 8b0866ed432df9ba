"""Parse expression text into literal text parts and syntax trees.

A template is literal text with ``${...}`` / ``#{...}`` evals in it; a backslash right
before ``${`` or ``#{`` makes it literal text (JUEL drops one backslash there and keeps
every other backslash as written). Each eval body is parsed by precedence climbing,
which keeps Python's stack shallow: one frame per precedence step actually taken.

Precedence, loosest first (EL 2.2, section 1.13)::

    ?:   ||   &&   == !=   < > <= >=   + -   * / %   unary - ! empty   . [] ()
"""

from __future__ import annotations

import re

from .errors import ExpressionError
from .lexer import Token, scan_eval, syntax_error
from .nodes import (
    Binary,
    Choice,
    Dot,
    FunctionCall,
    Identifier,
    Index,
    Literal,
    MethodCall,
    Node,
    Unary,
)

__all__ = ["MAX_DEPTH", "Part", "parse_template"]

Part = str | Node

# Deeper trees would risk RecursionError when compiled and evaluated; real models
# never come close.
MAX_DEPTH = 150
_MAX_NESTING = 40

_PRECEDENCE: dict[str, int] = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_UNARY = frozenset({"-", "!", "empty"})
_EVAL_START = re.compile(r"(\\*)([$#])\{")


def parse_template(text: str) -> tuple[Part, ...]:
    """Split ``text`` into literal strings and parsed eval trees, in order."""
    parts: list[Part] = []
    literal: list[str] = []
    pos = 0
    while True:
        match = _EVAL_START.search(text, pos)
        if match is None:
            literal.append(text[pos:])
            break
        literal.append(text[pos : match.start()])
        backslashes = match.group(1)
        if backslashes:
            literal.append(backslashes[1:] + match.group(2) + "{")
            pos = match.end()
            continue
        if any(literal):
            parts.append("".join(literal))
        literal = []
        tokens, pos = scan_eval(text, match.end())
        parts.append(_Parser(text, tokens).parse_eval())
    if any(literal):
        parts.append("".join(literal))
    return tuple(parts)


class _Parser:
    """Recursive descent over the tokens of one eval body (which end in '}' or eof)."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.token = tokens[0]
        self.nesting = 0

    def parse_eval(self) -> Node:
        node = self.expr()
        self.expect("}", "'}'")
        _check_depth(node, self.text, self.tokens[0].pos)
        return node

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        self.token = self.tokens[min(self.index, len(self.tokens) - 1)]
        return token

    def expect(self, kind: str, described: str) -> Token:
        if self.token.kind != kind:
            raise self.fail(described)
        return self.advance()

    def fail(self, expected: str) -> ExpressionError:
        token = self.token
        encountered = "end of input" if token.kind == "eof" else repr(token.image)
        return syntax_error(self.text, token.pos, encountered, expected)

    def expr(self) -> Node:
        """expr := binary ('?' expr ':' expr)?"""
        self.nesting += 1
        if self.nesting > _MAX_NESTING:
            raise self.fail(f"at most {_MAX_NESTING} levels of nesting")
        node = self.binary(1)
        if self.token.kind == "?":
            self.advance()
            yes = self.expr()
            self.expect(":", "':'")
            node = Choice(node, yes, self.expr())
        self.nesting -= 1
        return node

    def binary(self, min_precedence: int) -> Node:
        """Left-associative binary operators at ``min_precedence`` or tighter."""
        left = self.unary()
        while True:
            op = self.token.kind
            precedence = _PRECEDENCE.get(op)
            if precedence is None or precedence < min_precedence:
                return left
            self.advance()
            left = Binary(op, left, self.binary(precedence + 1))

    def unary(self) -> Node:
        """unary := ('-' | '!' | 'empty')* value, read in a loop to stay flat."""
        ops: list[str] = []
        while self.token.kind in _UNARY:
            ops.append(self.advance().kind)
        node = self.value()
        for op in reversed(ops):
            node = Unary(op, node)
        return node

    def value(self) -> Node:
        """value := primary ('.' ident args? | '[' expr ']' args?)*"""
        node = self.primary()
        while True:
            if self.token.kind == ".":
                self.advance()
                target: Dot | Index = Dot(node, self.expect("ident", "a property name").value)
            elif self.token.kind == "[":
                self.advance()
                key = self.expr()
                self.expect("]", "']'")
                target = Index(node, key)
            else:
                return node
            node = MethodCall(target, self.args()) if self.token.kind == "(" else target

    def primary(self) -> Node:
        """primary := literal | ident | ident args | '(' expr ')'"""
        token = self.token
        if token.kind == "literal":
            self.advance()
            return Literal(token.value)
        if token.kind == "ident":
            self.advance()
            if self.token.kind == "(":
                return FunctionCall(token.value, self.args())
            return Identifier(token.value)
        if token.kind == "(":
            self.advance()
            node = self.expr()
            self.expect(")", "')'")
            return node
        raise self.fail("an operand (literal, identifier, '(' or unary operator)")

    def args(self) -> tuple[Node, ...]:
        """args := '(' (expr (',' expr)*)? ')'"""
        self.expect("(", "'('")
        if self.token.kind == ")":
            self.advance()
            return ()
        args = [self.expr()]
        while self.token.kind == ",":
            self.advance()
            args.append(self.expr())
        self.expect(")", "')' or ','")
        return tuple(args)


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Unary(_, operand):
            return (operand,)
        case Binary(_, left, right):
            return (left, right)
        case Choice(condition, yes, no):
            return (condition, yes, no)
        case Dot(base, _):
            return (base,)
        case Index(base, key):
            return (base, key)
        case MethodCall(target, args):
            return (target, *args)
        case FunctionCall(_, args):
            return args
    return ()


def _check_depth(root: Node, text: str, pos: int) -> None:
    """Refuse trees deeper than MAX_DEPTH, walking iteratively so the check itself is safe."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            message = f"Error parsing '{text}': expression nested deeper than {MAX_DEPTH} levels"
            raise ExpressionError(message, text, pos)
        stack.extend((child, depth + 1) for child in _children(node))
