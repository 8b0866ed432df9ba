"""The JUEL expression language as Camunda 7 models use it.

``compile_expression(text)`` parses ``${...}`` / ``#{...}`` expressions and templates
once; ``Expression.evaluate(resolve)`` runs them against a resolver with EL's coercion
rules, reaching Python objects only through dict keys, list indexes, the whitelists of
:class:`ELObject` subclasses, :class:`ELFunction` wrappers and a fixed set of
Java-named methods on plain values.
"""

from .errors import ExpressionError, UnknownPropertyError
from .expression import Expression, compile_expression
from .objects import ELFunction, ELObject

__all__ = [
    "ELFunction",
    "ELObject",
    "Expression",
    "ExpressionError",
    "UnknownPropertyError",
    "compile_expression",
]
