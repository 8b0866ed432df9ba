"""``camunda:inputOutput``: input parameters become local variables of the activity instance;
output parameters are evaluated in it and written to the enclosing scope when it ends.

A parameter is text, an expression (with Spin's ``S()``), a list, a map or a script.  A
connector's own mapping passes ``names``: the connector's values (its response when mapping
outputs), which expressions see first and scripts see as ``connector`` and as globals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bpmnflow.model.elements import FlowNode, ValueSpec
from bpmnflow.store.entities import Execution
from bpmnflow.variables import infer

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


def value(rt: Runtime, ex: Execution, spec: ValueSpec,
          names: Mapping[str, Any] | None = None) -> Any:
    if spec.kind == "text":
        return spec.text
    if spec.kind == "expression":
        from bpmnflow.scripting import el

        return el.evaluate(rt, spec.expression, ex, names=names)  # type: ignore[arg-type]
    if spec.kind == "script":
        from bpmnflow.scripting.invoke import run_script

        return run_script(rt, ex, spec.script, connector=names)  # type: ignore[arg-type]
    if spec.kind == "list":
        return [value(rt, ex, item, names) for item in spec.items or []]
    if spec.kind == "map":
        return {key: value(rt, ex, item, names) for key, item in spec.entries or []}
    return None


def apply_inputs(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
    for name, spec in node.props["inputs"]:
        rt.set_variable_local(ex, name, infer(value(rt, ex, spec)))


def apply_outputs(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
    target = inst.parent(ex) or inst.root
    results = [(name, value(rt, ex, spec)) for name, spec in node.props["outputs"]]
    for name, result in results:
        rt.set_variable(target, name, infer(result))
