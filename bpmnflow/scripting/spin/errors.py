"""Spin's failures: one error type with Camunda Spin's message codes."""

from __future__ import annotations

from bpmnflow.errors import EngineError


class SpinError(EngineError):
    """A JSON or XML value that does not have what a model asked of it (Camunda's
    SpinDataFormatException and its subclasses)."""
