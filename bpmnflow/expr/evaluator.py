"""Compile syntax trees into nested closures.

Walking a tree on every evaluation would re-dispatch on node types each time; closures
do that dispatch once, at compile time, so evaluating ``${x > 5}`` is two closure calls
and a comparison. Each operator closure tries a fast path for same-typed ints, floats or
strings, where EL's coercions are the identity, and defers to :mod:`.coercion` otherwise.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from bpmnflow.javatypes import JavaLong

from . import coercion
from .access import call_method, get_property
from .errors import EvaluationFailure, PropertyNotFound
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
from .objects import ELFunction

__all__ = ["Evaluator", "Resolve", "compile_node", "compile_parts"]

Resolve = Callable[[str], Any]
Evaluator = Callable[[Resolve], Any]
_Operator = Callable[[Any, Any], Any]
_Builder = Callable[[Evaluator, Evaluator], Evaluator]

_to_boolean = coercion.to_boolean
_to_string = coercion.to_string


def compile_node(node: Node) -> Evaluator:
    """Turn one tree into a function of the resolver."""
    return _COMPILERS[type(node)](node)


def compile_parts(parts: tuple[str | Node, ...]) -> Evaluator:
    """A template: one eval alone yields its raw value, anything else joins as a string."""
    texts = [part for part in parts if isinstance(part, str)]
    if len(texts) == len(parts):
        return _constant("".join(texts))
    if len(parts) == 1 and not isinstance(parts[0], str):
        return compile_node(parts[0])
    pieces = [_constant(part) if isinstance(part, str) else compile_node(part) for part in parts]

    def template(resolve: Resolve) -> str:
        return "".join([_to_string(piece(resolve)) for piece in pieces])

    return template


def _constant(value: Any) -> Evaluator:
    return lambda resolve: value


def _literal(node: Literal) -> Evaluator:
    return _constant(node.value)


def _identifier(node: Identifier) -> Evaluator:
    name = node.name

    def identifier(resolve: Resolve) -> Any:
        try:
            return resolve(name)
        except KeyError:
            raise PropertyNotFound(f"Cannot resolve identifier '{name}'") from None

    return identifier


def _unary(node: Unary) -> Evaluator:
    operand = compile_node(node.operand)
    if node.op == "!":
        return lambda resolve: not _to_boolean(operand(resolve))
    if node.op == "empty":
        return lambda resolve: coercion.is_empty(operand(resolve))
    return lambda resolve: coercion.neg(operand(resolve))


def _numeric(fast: _Operator, slow: _Operator, long_result: bool = False) -> _Builder:
    """An operator whose fast path applies when both sides are ints or both are floats.

    Integer results of ``+ - *`` are Java longs (``JavaLong``), as JUEL computes them.
    """

    def build(left: Evaluator, right: Evaluator) -> Evaluator:
        def apply(resolve: Resolve) -> Any:
            a = left(resolve)
            b = right(resolve)
            kind = type(a)
            if kind is type(b):
                if kind is int:
                    return JavaLong(fast(a, b)) if long_result else fast(a, b)
                if kind is float:
                    return fast(a, b)
            return slow(a, b)

        return apply

    return build


def _comparison(fast: _Operator, slow: _Operator) -> _Builder:
    """A relational operator whose fast path also covers two strings."""

    def build(left: Evaluator, right: Evaluator) -> Evaluator:
        def apply(resolve: Resolve) -> Any:
            a = left(resolve)
            b = right(resolve)
            kind = type(a)
            if kind is type(b) and (kind is int or kind is str or kind is float):
                return fast(a, b)
            return slow(a, b)

        return apply

    return build


def _equality(negate: bool) -> _Builder:
    def build(left: Evaluator, right: Evaluator) -> Evaluator:
        def apply(resolve: Resolve) -> bool:
            a = left(resolve)
            b = right(resolve)
            kind = type(a)
            if kind is type(b) and (kind is int or kind is str or kind is bool):
                return (a == b) is not negate
            return coercion.eq(a, b) is not negate

        return apply

    return build


def _and(left: Evaluator, right: Evaluator) -> Evaluator:
    def apply(resolve: Resolve) -> bool:
        a = left(resolve)
        if not (a if type(a) is bool else _to_boolean(a)):
            return False
        b = right(resolve)
        return b if type(b) is bool else _to_boolean(b)

    return apply


def _or(left: Evaluator, right: Evaluator) -> Evaluator:
    def apply(resolve: Resolve) -> bool:
        a = left(resolve)
        if a if type(a) is bool else _to_boolean(a):
            return True
        b = right(resolve)
        return b if type(b) is bool else _to_boolean(b)

    return apply


def _float_ge(a: Any, b: Any) -> bool:
    return not a < b  # JUEL's >= is "not less than", which matters only for NaN


def _float_le(a: Any, b: Any) -> bool:
    return not a > b


_BINARY_BUILDERS: dict[str, _Builder] = {
    "+": _numeric(operator.add, coercion.add, long_result=True),
    "-": _numeric(operator.sub, coercion.sub, long_result=True),
    "*": _numeric(operator.mul, coercion.mul, long_result=True),
    "/": _numeric(coercion.div, coercion.div),
    "%": _numeric(coercion.mod, coercion.mod),
    "<": _comparison(operator.lt, coercion.lt),
    ">": _comparison(operator.gt, coercion.gt),
    "<=": _comparison(_float_le, coercion.le),
    ">=": _comparison(_float_ge, coercion.ge),
    "==": _equality(negate=False),
    "!=": _equality(negate=True),
    "&&": _and,
    "||": _or,
}


def _binary(node: Binary) -> Evaluator:
    return _BINARY_BUILDERS[node.op](compile_node(node.left), compile_node(node.right))


def _choice(node: Choice) -> Evaluator:
    condition = compile_node(node.condition)
    yes = compile_node(node.yes)
    no = compile_node(node.no)

    def choice(resolve: Resolve) -> Any:
        test = condition(resolve)
        return yes(resolve) if (test if type(test) is bool else _to_boolean(test)) else no(resolve)

    return choice


def _dot(node: Dot) -> Evaluator:
    base = compile_node(node.base)
    name = node.name

    def dot(resolve: Resolve) -> Any:
        value = base(resolve)
        if type(value) is dict:
            return value.get(name)
        return get_property(value, name)

    return dot


def _index(node: Index) -> Evaluator:
    base = compile_node(node.base)
    key = compile_node(node.key)
    return lambda resolve: get_property(base(resolve), key(resolve))


def _method_call(node: MethodCall) -> Evaluator:
    target = node.target
    base = compile_node(target.base)
    name_of = _constant(target.name) if isinstance(target, Dot) else compile_node(target.key)
    args = [compile_node(arg) for arg in node.args]

    def method_call(resolve: Resolve) -> Any:
        value = base(resolve)
        name = name_of(resolve)
        if name is None:
            raise PropertyNotFound("Cannot call a method whose name is null")
        name = name if type(name) is str else _to_string(name)
        return call_method(value, name, [arg(resolve) for arg in args])

    return method_call


def _function_call(node: FunctionCall) -> Evaluator:
    name = node.name
    args = [compile_node(arg) for arg in node.args]

    def function_call(resolve: Resolve) -> Any:
        try:
            function = resolve(name)
        except KeyError:
            raise EvaluationFailure(f"Could not resolve function '{name}'") from None
        if not isinstance(function, ELFunction):
            raise EvaluationFailure(f"'{name}' is not a function")
        return function.fn(*[arg(resolve) for arg in args])

    return function_call


_COMPILERS: dict[type, Callable[[Any], Evaluator]] = {
    Literal: _literal,
    Identifier: _identifier,
    Unary: _unary,
    Binary: _binary,
    Choice: _choice,
    Dot: _dot,
    Index: _index,
    MethodCall: _method_call,
    FunctionCall: _function_call,
}
