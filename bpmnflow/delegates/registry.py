"""The delegate registry: Python handlers standing in for the Java classes and beans models name.

Camunda models say ``camunda:class="com.example.ArchiveInvoiceService"`` or
``camunda:delegateExpression="${archiveService}"``; here an embedding application or a plugin
registers a Python callable under that name.  The parser checks every name at deploy, so a model
naming an unknown handler is refused instead of failing on its first run.

A handler is called with the execution facade (``execution.getVariable``, ``setVariable``,
``getBusinessKey``...) — or, for a task listener, the task facade — and, if it takes a second
positional parameter, the dict of ``camunda:field`` values.  It may raise :class:`BpmnError`.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from bpmnflow.errors import EngineError

Handler = Callable[..., Any]


class BpmnError(EngineError):
    """A business error thrown from a handler or script, caught by error events like the error
    a BPMN error end event throws (Camunda's ``org.camunda.bpm.engine.delegate.BpmnError``)."""

    def __init__(self, code: str, message: str | None = None) -> None:
        if not code:
            raise ValueError("a BPMN error needs an error code")
        super().__init__(message or f"BPMN error {code}")
        self.error_code = str(code)
        self.error_message = message


class _Entry:
    """A registered handler with its calling convention worked out once."""

    __slots__ = ("handler", "call", "takes_fields")

    def __init__(self, handler: Any) -> None:
        self.handler = handler
        target = handler
        if not inspect.isroutine(handler) and not inspect.isclass(handler):
            # JavaDelegate / listener style objects: execute(execution) or notify(execution).
            for method in ("execute", "notify"):
                if callable(getattr(handler, method, None)):
                    target = getattr(handler, method)
                    break
        if not callable(target):
            raise TypeError(f"a delegate handler must be callable, not {type(handler).__name__}")
        self.call = target
        self.takes_fields = _positional_count(target) >= 2


def _positional_count(fn: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 2
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


class DelegateRegistry:
    """Handlers by Java class name or bean name; safe to use from several threads."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def register(self, name: str, handler: Handler | None = None) -> Any:
        """Register ``handler`` under ``name``; without a handler, return a decorator."""
        if not name or not isinstance(name, str):
            raise ValueError("a delegate needs a non-empty name")
        if handler is None:
            def decorate(fn: Handler) -> Handler:
                self.register(name, fn)
                return fn
            return decorate
        entry = _Entry(handler)
        with self._lock:
            self._entries[name] = entry
        return handler

    def unregister(self, name: str) -> None:
        with self._lock:
            self._entries.pop(name, None)

    def entry(self, name: str) -> _Entry | None:
        return self._entries.get(name)

    def handler_of(self, value: Any) -> _Entry | None:
        """The entry of a registered handler object (what a delegate expression returned)."""
        for entry in list(self._entries.values()):
            if entry.handler is value:
                return entry
        return None

    def beans(self) -> dict[str, Any]:
        """Names usable as identifiers in a delegate expression (``${archiveService}``)."""
        return {name: e.handler for name, e in self._entries.items() if name.isidentifier()}

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return sorted(self._entries)


REGISTRY = DelegateRegistry()
