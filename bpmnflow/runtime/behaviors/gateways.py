"""Gateway behaviours: exclusive choice, parallel fork and join."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import FlowNode, SequenceFlow
from bpmnflow.runtime.behaviors.base import Behavior
from bpmnflow.store.entities import Execution

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


class ExclusiveGateway(Behavior):
    """The first flow (in document order) whose condition holds, else the default flow."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        chosen: SequenceFlow | None = None
        for flow in node.outgoing:
            if flow.id == node.default_flow:
                continue
            if flow.condition is None or rt.condition(flow.condition, ex):
                chosen = flow
                break
        if chosen is None and node.default_flow:
            chosen = next(f for f in node.outgoing if f.id == node.default_flow)
        if chosen is None:
            raise EngineError(
                f"ENGINE-02004 No outgoing sequence flow for the element with id '{node.id}' "
                "could be selected for continuing the process.")
        rt.leave(inst, ex, node, [chosen])


class ParallelGateway(Behavior):
    """Forks on every outgoing flow (conditions ignored); joins one token per incoming flow.

    A token arriving at a join rests as a ``join`` row; when a token has arrived through every
    incoming flow, one row per flow is consumed and the last arrival continues.
    """

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if len(node.incoming) > 1:
            ex.state = "join"
            _lock_scope(rt, inst, ex)
            waiting: dict[str, Execution] = {}
            for sibling in inst.children.get(ex.parent_id or "", ()):
                if (sibling.activity_id == node.id and sibling.state == "join"
                        and sibling.incoming_flow not in waiting):
                    waiting[sibling.incoming_flow or ""] = sibling
            if len(waiting) < len({f.id for f in node.incoming}):
                rt.history.activity_ended(ex)
                return
            for flow_id, sibling in waiting.items():
                if sibling is not ex and flow_id != ex.incoming_flow:
                    rt.end_activity(inst, sibling, history=False)
            ex.state = "active"
        rt.leave(inst, ex, node, list(node.outgoing))


class InclusiveGateway(Behavior):
    """Forks on every flow whose condition holds; joins once no other token can still arrive."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if len(node.incoming) > 1:
            ex.state = "join"
            _lock_scope(rt, inst, ex)
            siblings = inst.children.get(ex.parent_id or "", [])
            for other in siblings:
                if other.state == "join" and other.activity_id == node.id:
                    continue
                other_node = inst.model.nodes.get(other.activity_id or "")
                if other_node is not None and reachable(other_node, node):
                    rt.history.activity_ended(ex)
                    return
            for other in list(siblings):
                if other is not ex and other.state == "join" and other.activity_id == node.id:
                    rt.end_activity(inst, other, history=False)
            ex.state = "active"
        rt.leave(inst, ex, node, rt.outgoing(ex, node))


def _lock_scope(rt: Runtime, inst: Instance, ex: Execution) -> None:
    """Two tokens arriving at one join in concurrent commands must not both wait for ever:
    bumping the scope row's revision makes the later commit fail and retry."""
    scope = inst.parent(ex)
    if scope is not None and not rt.uow.is_new(scope):
        rt.uow.touch(scope)


def reachable(source: FlowNode, target: FlowNode) -> bool:
    """Whether a token at ``source`` can still arrive at ``target`` (same scope, by flows)."""
    cache = source.props.setdefault("_reaches", {})
    found = cache.get(target.id)
    if found is None:
        seen: set[int] = set()
        stack = [source]
        found = False
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for flow in current.outgoing:
                if flow.target is target:
                    found = True
                    break
                stack.append(flow.target)
            if found:
                break
            for boundary in current.props.get("boundary") or ():
                stack.append(boundary)
        cache[target.id] = found
    return found


class EventBasedGateway(Behavior):
    """Waits for the first of its targets' events; the others are dropped with the gateway."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        for flow in node.outgoing:
            rt.arm(inst, ex, flow.target)
