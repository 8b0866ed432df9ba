"""Scope behaviours: embedded and event subprocesses, call activities, multi-instance bodies."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime.behaviors.base import Behavior
from bpmnflow.store.entities import Execution, ProcessDefinition
from bpmnflow.variables import TypedValue, infer

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


class SubProcess(Behavior):
    """Its row is the scope of the inner tokens; it completes when the last of them ends."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        start = node.props.get("start") if node.props.get("triggered_by_event") else node.initial
        if start is None:
            raise EngineError(f"Subprocess '{node.id}' has no none start event")
        rt.scope_started(inst, ex, node.children)
        rt.enter(inst, ex, start, None)


class CallActivity(Behavior):
    """Starts an instance of another process and waits until it ends."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        p = node.props
        definition = _called_definition(rt, inst, ex, node)
        _, model = rt.models(definition.id)
        variables = _mapped_in(rt, inst, ex, p.get("in") or [])
        business_key = (rt.evaluate(p["business_key"], ex) if p.get("business_key") is not None
                        else None)
        child = rt.create_instance(definition, model,
                                   None if business_key is None else str(business_key),
                                   variables, super_exec=ex)
        rt.history.called(ex, child.id)
        if model.initial is None:
            raise EngineError(f"Called process '{definition.def_key}' has no none start event")
        rt.enter(child, child.root, model.initial, None)

    def called_ended(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
                     variables: dict[str, Any]) -> None:
        if ex.id not in inst.by_id:
            return
        for mapping in node.props.get("out") or []:
            for name, value in _mapping_values(rt, mapping, variables).items():
                if mapping["local"]:
                    rt.set_variable_local(ex, name, value)
                else:
                    rt.set_variable(ex, name, value)
        rt.leave(inst, ex, node)

    def cancel(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        # The called instance may have been started in this very command (not written yet).
        for root in rt.uow.find(Execution, "super_exec_id = ?", (ex.id,),
                                lambda r: r.super_exec_id == ex.id):
            child = rt.find_instance(root.proc_inst_id)
            if child is not None:
                rt.end_process(child, "EXTERNALLY_TERMINATED", None, "deleted by caller",
                               canceled=True)


def _called_definition(rt: Runtime, inst: Instance, ex: Execution,
                       node: FlowNode) -> ProcessDefinition:
    p = node.props
    key = str(rt.evaluate(p["called_element"], ex))
    tenant = inst.definition.tenant_id
    if p.get("tenant_id") is not None:
        tenant = rt.evaluate(p["tenant_id"], ex)
    where = "def_key = ? AND " + ("tenant_id = ?" if tenant is not None else "tenant_id IS NULL")
    params: list[Any] = [key] + ([tenant] if tenant is not None else [])
    binding = p.get("binding", "latest")
    if binding == "deployment":
        where += " AND deployment_id = ?"
        params.append(inst.definition.deployment_id)
    elif binding == "version":
        where += " AND version = ?"
        params.append(int(rt.evaluate(p["version"], ex)))
    elif binding == "versionTag":
        where += " AND version_tag = ?"
        params.append(str(rt.evaluate(p["version_tag"], ex)))
    found = rt.uow.select(ProcessDefinition, where + " ORDER BY version DESC LIMIT 1", params)
    if not found:
        raise EngineError(f"no processes deployed with key '{key}': processDefinition is null")
    return found[0]


def _mapped_in(rt: Runtime, inst: Instance, ex: Execution,
               mappings: list[dict[str, Any]]) -> dict[str, TypedValue]:
    out: dict[str, TypedValue] = {}
    for mapping in mappings:
        if mapping.get("all"):
            source = ({n: inst.value(v) for n, v in rt.local_variables(ex).items()}
                      if mapping["local"] else rt.visible_variables(ex))
            out.update(source)
        elif "source" in mapping:
            tv = rt.get_variable(ex, mapping["source"])
            out[mapping["target"]] = tv if tv is not None else infer(None)
        else:
            out[mapping["target"]] = infer(rt.evaluate(mapping["expression"], ex))
    return out


def _mapping_values(rt: Runtime, mapping: dict[str, Any],
                    variables: dict[str, TypedValue]) -> dict[str, TypedValue]:
    if mapping.get("all"):
        return dict(variables)
    if "source" in mapping:
        tv = variables.get(mapping["source"])
        return {mapping["target"]: tv if tv is not None else infer(None)}
    return {mapping["target"]: infer(rt.evaluate_in(mapping["expression"], variables))}


class MultiInstanceBody(Behavior):
    """Runs its inner activity once per element (parallel or one after another)."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        loop = node.props["loop"]
        inner = node.props["inner"]
        items = self._collection(rt, ex, loop)
        count = len(items) if items is not None else int(rt.evaluate(loop.cardinality, ex))
        if count < 0:
            raise EngineError(f"Invalid number of instances: must be non-negative integer value"
                              f", but was {count}")
        rt.set_variable_local(ex, "nrOfInstances", infer(count))
        rt.set_variable_local(ex, "nrOfCompletedInstances", infer(0))
        active = count if not loop.sequential else min(count, 1)
        rt.set_variable_local(ex, "nrOfActiveInstances", infer(active))
        if count == 0:
            rt.leave(inst, ex, node)
            return
        for index in range(active if loop.sequential else count):
            self._start_inner(rt, inst, ex, inner, index, items)

    def _collection(self, rt: Runtime, ex: Execution, loop: Any) -> list[Any] | None:
        if loop.collection is not None:
            value = rt.evaluate(loop.collection, ex)
        elif loop.collection_variable:
            tv = rt.get_variable(ex, loop.collection_variable)
            if tv is None:
                raise EngineError(f"Variable '{loop.collection_variable}' is not found")
            from bpmnflow.variables import python_value

            value = python_value(tv)
        else:
            return None
        if isinstance(value, str):
            import orjson

            with contextlib.suppress(orjson.JSONDecodeError):
                value = orjson.loads(value)
        if not isinstance(value, list | tuple):
            raise EngineError(f"Variable '{loop.collection_variable or loop.collection.text}':"
                              " Invalid collection for multi-instance: not a list")
        return list(value)

    def _start_inner(self, rt: Runtime, inst: Instance, body: Execution, inner: FlowNode,
                     index: int, items: list[Any] | None) -> None:
        child = rt.enter(inst, body, inner, None, inner=True)
        rt.set_variable_local(child, "loopCounter", infer(index))
        loop = inner.props["loop"]
        if loop.element_variable and items is not None:
            rt.set_variable_local(child, loop.element_variable, infer(items[index]))

    def child_completed(self, rt: Runtime, inst: Instance, ex: Execution,
                        node: FlowNode) -> None:
        loop = node.props["loop"]
        total = _int(rt, ex, "nrOfInstances")
        completed = _int(rt, ex, "nrOfCompletedInstances") + 1
        active = max(_int(rt, ex, "nrOfActiveInstances") - 1, 0)
        rt.set_variable_local(ex, "nrOfCompletedInstances", infer(completed))
        rt.set_variable_local(ex, "nrOfActiveInstances", infer(active))
        done = loop.completion is not None and rt.condition(loop.completion, ex)
        if done:
            for child in list(inst.children_of(ex)):
                rt.end_activity(inst, child, canceled=True)
            rt.leave(inst, ex, node)
        elif loop.sequential and completed < total:
            rt.set_variable_local(ex, "nrOfActiveInstances", infer(1))
            self._start_inner(rt, inst, ex, node.props["inner"], completed,
                              self._collection(rt, ex, loop))
        elif not inst.children_of(ex):
            rt.leave(inst, ex, node)


def _int(rt: Runtime, ex: Execution, name: str) -> int:
    tv = rt.get_variable_local(ex, name)
    return int(tv.value) if tv is not None and tv.value is not None else 0
