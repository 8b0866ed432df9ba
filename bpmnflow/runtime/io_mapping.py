"""``camunda:inputOutput``: input parameters become local variables of the activity instance;
output parameters are evaluated in it and written to the enclosing scope when it ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.model.elements import FlowNode, ValueSpec
from bpmnflow.store.entities import Execution
from bpmnflow.variables import infer

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


def value(rt: Runtime, ex: Execution, spec: ValueSpec) -> Any:
    if spec.kind == "text":
        return spec.text
    if spec.kind == "expression":
        return rt.evaluate(spec.expression, ex)  # type: ignore[arg-type]
    if spec.kind == "list":
        return [value(rt, ex, item) for item in spec.items or []]
    if spec.kind == "map":
        return {key: value(rt, ex, item) for key, item in spec.entries or []}
    return None


def apply_inputs(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
    for name, spec in node.props["inputs"]:
        rt.set_variable_local(ex, name, infer(value(rt, ex, spec)))


def apply_outputs(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
    target = inst.parent(ex) or inst.root
    results = [(name, value(rt, ex, spec)) for name, spec in node.props["outputs"]]
    for name, result in results:
        rt.set_variable(target, name, infer(result))
