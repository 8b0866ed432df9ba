"""The syntax tree of one ``${...}`` body.

Nodes are immutable values so parsed trees can be compared in tests and shared between
threads; the compiler turns them into closures once, and evaluation never sees them.
Operator names are canonical (``div`` is stored as ``/``, ``and`` as ``&&``…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Binary",
    "Choice",
    "Dot",
    "FunctionCall",
    "Identifier",
    "Index",
    "Literal",
    "MethodCall",
    "Node",
    "Unary",
]


@dataclass(frozen=True, slots=True)
class Literal:
    """``true``, ``false``, ``null``, a number or a string."""

    value: Any


@dataclass(frozen=True, slots=True)
class Identifier:
    """A name looked up through the caller's resolver."""

    name: str


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x``, ``!x`` / ``not x`` or ``empty x``; op is ``-``, ``!`` or ``empty``."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic, relational, equality and logical operators."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Choice:
    """The ternary ``cond ? yes : no``."""

    condition: Node
    yes: Node
    no: Node


@dataclass(frozen=True, slots=True)
class Dot:
    """``base.name``."""

    base: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    """``base[key]``."""

    base: Node
    key: Node


@dataclass(frozen=True, slots=True)
class MethodCall:
    """``base.name(args)`` or ``base[key](args)``."""

    target: Dot | Index
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """``name(args)`` or ``ns:name(args)``; the resolver must return an ELFunction."""

    name: str
    args: tuple[Node, ...]


Node = Literal | Identifier | Unary | Binary | Choice | Dot | Index | MethodCall | FunctionCall
