"""Engine calls dressed as expressions, for the places the runtime only evaluates expressions.

The runtime runs a sequence flow's condition and an execution listener by evaluating an
``Expression`` against the execution.  A script condition, a script listener or a named
delegate listener is put there as one of these: evaluating it runs the script or the handler
with the runtime and execution the resolver stands for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.expr import Expression

if TYPE_CHECKING:
    from bpmnflow.model.elements import Listener, Script
    from bpmnflow.runtime.runtime import Runtime
    from bpmnflow.store.entities import Execution


def _unused(resolve: Any) -> Any:  # pragma: no cover - evaluate() is overridden
    raise AssertionError


def _context(resolve: Any) -> tuple[Runtime, Execution, str | None]:
    """The runtime and execution behind the resolver's ``execution`` facade."""
    facade = resolve("execution")
    return facade._rt, facade._ex, facade.eventName  # noqa: SLF001 - see module docstring


class ScriptCondition(Expression):
    """A ``conditionExpression`` in JavaScript (or a juel resource)."""

    __slots__ = ("script",)

    def __init__(self, script: Script) -> None:
        super().__init__(script.source or script.resource or "", _unused, False)
        self.script = script

    def evaluate(self, resolve: Any) -> Any:
        from bpmnflow.scripting.invoke import plain, run_script

        rt, ex, _ = _context(resolve)
        return plain(run_script(rt, ex, self.script))


class ListenerCall(Expression):
    """An execution listener given as a script, a class or a delegate expression."""

    __slots__ = ("listener",)

    def __init__(self, listener: Listener, text: str) -> None:
        super().__init__(text, _unused, False)
        self.listener = listener

    def evaluate(self, resolve: Any) -> Any:
        from bpmnflow.delegates.invoke import run_execution_listener

        rt, ex, event = _context(resolve)
        run_execution_listener(rt, ex, event, self.listener)
        return None
