"""Errors raised by the expression language.

The public tree is small because callers only ever need to tell "the model is wrong"
from "a variable is missing"::

    ValueError
    └── ExpressionError            syntax errors, coercion failures, forbidden access
        └── UnknownPropertyError   an identifier or property that cannot be resolved

Evaluation code raises the private ``_Failure`` family instead, without the expression
text; :class:`~bpmnflow.expr.expression.Expression` turns them into the public errors
at its boundary, so the hot path never formats a message it may not need.
"""

from __future__ import annotations

__all__ = ["ExpressionError", "UnknownPropertyError"]


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated.

    ``expression`` is the whole source text and ``position`` the 0-based offset of a
    syntax error (``None`` for evaluation errors).
    """

    def __init__(self, message: str, expression: str | None = None, position: int | None = None):
        super().__init__(message)
        self.expression = expression
        self.position = position


class UnknownPropertyError(ExpressionError):
    """An identifier or property that nothing resolves.

    Camunda reports these as "Unknown property used in expression"; keeping a subclass
    lets the engine map them to the same REST error while still being an ExpressionError.
    """


class _Failure(Exception):
    """Internal evaluation failure; the facade prefixes it like Camunda's JuelExpression."""

    prefix = "Error while evaluating expression"


class EvaluationFailure(_Failure):
    """A coercion, arithmetic or call failure (Camunda's ELException)."""


class PropertyNotFound(_Failure):
    """An unresolvable identifier or property (Camunda's PropertyNotFoundException)."""

    prefix = "Unknown property used in expression"


class MethodNotFound(_Failure):
    """A method that is not whitelisted for the value (Camunda's MethodNotFoundException)."""

    prefix = "Unknown method used in expression"
