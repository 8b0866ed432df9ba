"""Calling handlers and listener scripts for a running execution.

Service tasks call ``call_delegate``; execution listeners arrive through
``scripting.hosted.ListenerCall``; task listeners through ``run_task_listener``.  Field
injections are evaluated at each call, as Camunda evaluates field expressions when the
delegate runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import DelegateCall, FieldInjection, Listener

if TYPE_CHECKING:
    from bpmnflow.delegates.registry import DelegateRegistry, _Entry
    from bpmnflow.runtime.runtime import Runtime
    from bpmnflow.store.entities import Execution, Task


def call_delegate(rt: Runtime, ex: Execution, call: DelegateCall, target: Any,
                  task: Task | None = None, event: str | None = None) -> Any:
    """Run the handler ``call`` names with ``target`` (an execution or task facade)."""
    entry = _resolve(rt, ex, call, task, event)
    fields = _fields(rt, ex, call.fields, task, event)
    try:
        return entry.call(target, fields) if entry.takes_fields else entry.call(target)
    except EngineError:
        raise
    except Exception as exc:  # a handler's own failure fails the activity, with its message
        name = call.class_name or (call.expression.text if call.expression else "handler")
        raise EngineError(f"Delegate {name} failed: {type(exc).__name__}: {exc}") from exc


def run_execution_listener(rt: Runtime, ex: Execution, event: str | None,
                           listener: Listener) -> None:
    from bpmnflow.runtime.facades import ExecutionFacade
    from bpmnflow.scripting.invoke import run_script

    if listener.script is not None:
        run_script(rt, ex, listener.script, event=event)
        return
    call = _listener_call(listener)
    call_delegate(rt, ex, call, ExecutionFacade(rt, ex, event), event=event)


def run_task_listener(rt: Runtime, ex: Execution, task: Task, event: str,
                      listener: Listener) -> None:
    """A task listener of any kind, with ``task`` (and ``execution``) in scope."""
    from bpmnflow.runtime.facades import TaskFacade
    from bpmnflow.scripting import el
    from bpmnflow.scripting.invoke import run_script

    if listener.script is not None:
        run_script(rt, ex, listener.script, task=task, event=event)
    elif listener.class_name is not None or listener.delegate_expression is not None:
        call_delegate(rt, ex, _listener_call(listener), TaskFacade(rt, task, ex, event),
                      task=task, event=event)
    elif listener.expression is not None:
        el.evaluate(rt, listener.expression, ex, task=task, event=event)


def _listener_call(listener: Listener) -> DelegateCall:
    from bpmnflow.delegates.registry import REGISTRY

    registry = listener.registry or REGISTRY
    return DelegateCall(listener.class_name, listener.delegate_expression, listener.fields,
                        registry)


def _resolve(rt: Runtime, ex: Execution, call: DelegateCall, task: Task | None,
             event: str | None) -> _Entry:
    registry: DelegateRegistry = call.registry
    if call.class_name is not None:
        entry = registry.entry(call.class_name)
        if entry is None:
            raise EngineError(f"ENGINE-09008 Exception while instantiating class "
                              f"'{call.class_name}': no handler is registered under that name")
        return entry
    from bpmnflow.scripting import el

    assert call.expression is not None
    value = el.evaluate(rt, call.expression, ex, task, event, registry.beans())
    # a string names a registered class; anything else must be a registered handler
    entry = registry.entry(value) if isinstance(value, str) else registry.handler_of(value)
    if entry is None:
        raise EngineError(f"Delegate expression {call.expression.text} did not resolve to a "
                          "registered handler")
    return entry


def _fields(rt: Runtime, ex: Execution, fields: list[FieldInjection], task: Task | None,
            event: str | None) -> dict[str, Any]:
    from bpmnflow.scripting import el

    out: dict[str, Any] = {}
    for f in fields:
        out[f.name] = f.text if f.expression is None else el.evaluate(
            rt, f.expression, ex, task, event)
    return out
