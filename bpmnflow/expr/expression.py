"""The compiled expression and its cached factory: the package's public face."""

from __future__ import annotations

import functools
from typing import Any

from .errors import ExpressionError, PropertyNotFound, UnknownPropertyError, _Failure
from .evaluator import Evaluator, Resolve, compile_parts
from .parser import parse_template

__all__ = ["Expression", "compile_expression"]


class Expression:
    """A parsed JUEL expression, immutable and safe to share between threads.

    ``text`` is the source, ``is_literal`` tells whether it contains no ``${}``/``#{}``
    part at all (so its value is the text itself, after un-escaping ``\\${``).
    """

    __slots__ = ("_evaluate", "is_literal", "text")

    def __init__(self, text: str, evaluate: Evaluator, is_literal: bool) -> None:
        self.text = text
        self.is_literal = is_literal
        self._evaluate = evaluate

    def evaluate(self, resolve: Resolve) -> Any:
        """Evaluate with ``resolve`` mapping identifiers to values (KeyError if unknown).

        A single eval returns its raw value; a template returns a str. Every failure is
        an :class:`ExpressionError` naming this expression; the original exception, if
        any, is kept as ``__cause__`` (so the engine can find, say, a BPMN error thrown by
        a method the expression called).
        """
        try:
            return self._evaluate(resolve)
        except _Failure as failure:
            message = f"{failure.prefix}: {self.text}. Cause: {failure}"
            if isinstance(failure, PropertyNotFound):
                raise UnknownPropertyError(message, self.text) from failure.__cause__
            raise ExpressionError(message, self.text) from failure.__cause__
        except ExpressionError:
            raise
        except RecursionError:
            message = f"Error while evaluating expression: {self.text}. Cause: nested too deeply"
            raise ExpressionError(message, self.text) from None
        except Exception as exc:
            cause = str(exc) or type(exc).__name__
            message = f"Error while evaluating expression: {self.text}. Cause: {cause}"
            raise ExpressionError(message, self.text) from exc

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> Expression:
    """Parse ``text`` once (results are cached by text) and return its Expression.

    Raises ExpressionError, naming the text and the position, on a syntax error.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression text must be a str, not {type(text).__name__}")
    try:
        parts = parse_template(text)
        evaluate = compile_parts(parts)
    except RecursionError:
        message = f"Error parsing '{text}': expression nested too deeply"
        raise ExpressionError(message, text) from None
    is_literal = all(isinstance(part, str) for part in parts)
    return Expression(text, evaluate, is_literal)
