"""Shared helpers for the expression tests."""

from __future__ import annotations

from typing import Any

from bpmnflow.expr import compile_expression


def ev(text: str, **variables: Any) -> Any:
    """Evaluate ``text`` with ``variables`` as the only resolvable identifiers."""
    return compile_expression(text).evaluate(variables.__getitem__)
