"""Expressions with Spin: the global functions and the variable view expressions should see.

``el_global`` and ``el_value`` are the two pieces ``VariableScopes.evaluate`` needs for
``${S(response)...}`` and ``${jsonVariable.prop('a')}`` everywhere; ``evaluate`` is the same
resolution with extra names first (a connector's response, delegate beans), used by this
package's callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bpmnflow.delegates.registry import BpmnError
from bpmnflow.errors import EngineError
from bpmnflow.expr import ELFunction, Expression, ExpressionError
from bpmnflow.scripting.spin import JSON, XML, S, wrap_typed
from bpmnflow.variables import TypedValue, python_value

if TYPE_CHECKING:
    from bpmnflow.runtime.runtime import Runtime
    from bpmnflow.store.entities import Execution, Task

FUNCTIONS: dict[str, ELFunction] = {
    "S": ELFunction(S, "S"), "JSON": ELFunction(JSON, "JSON"), "XML": ELFunction(XML, "XML"),
}


def el_global(name: str) -> Any:
    """A name every expression knows when no variable has it; KeyError otherwise."""
    return FUNCTIONS[name]


def el_value(tv: TypedValue) -> Any:
    """A variable as expressions see it: Json and Xml as Spin nodes, the rest as
    ``python_value`` gives it."""
    node = wrap_typed(tv)
    return node if node is not None else python_value(tv)


def evaluate(rt: Runtime, expr: Expression, ex: Execution, task: Task | None = None,
             event: str | None = None, names: Mapping[str, Any] | None = None) -> Any:
    """``rt.evaluate`` with ``names`` resolved first and Spin available; a BPMN error raised
    by something the expression called comes out as itself."""
    from bpmnflow.runtime.facades import ExecutionFacade, TaskFacade

    def resolve(name: str) -> Any:
        if names is not None and name in names:
            return names[name]
        if name == "execution":
            return ExecutionFacade(rt, ex, event)
        if name == "task" and task is not None:
            return TaskFacade(rt, task, ex, event)
        tv = rt.get_task_variable(task, name) if task is not None else rt.get_variable(ex, name)
        if tv is not None:
            return el_value(tv)
        return el_global(name)

    try:
        return expr.evaluate(resolve)
    except ExpressionError as exc:
        if isinstance(exc.__cause__, BpmnError):
            raise exc.__cause__ from None
        raise EngineError(str(exc)) from None
