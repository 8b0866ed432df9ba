"""Events arriving and events thrown: delivering a message, signal or timer to whatever waits
for it, and propagating errors and escalations outwards through scopes (and call activities)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime import waiting
from bpmnflow.store.entities import EventSubscription, Execution
from bpmnflow.variables import TypedValue, infer

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


def deliver(rt: Runtime, inst: Instance, holder: Execution, event_node: FlowNode,
            variables: dict[str, TypedValue] | None = None,
            local_variables: dict[str, TypedValue] | None = None) -> Execution | None:
    """The event of ``event_node`` happened for ``holder``; returns the execution that received
    it (Camunda's correlation result names it)."""
    target = holder
    for name, tv in (local_variables or {}).items():
        rt.set_variable_local(target, name, tv)
    for name, tv in (variables or {}).items():
        rt.set_variable(target, name, tv)
    if holder.activity_id == event_node.id:
        rt.signal(inst, holder)
        return holder
    holder_node = inst.model.nodes.get(holder.activity_id or "")
    if event_node.kind == "boundaryEvent":
        trigger_boundary(rt, inst, holder, event_node)
    elif holder_node is not None and holder_node.kind == "eventBasedGateway":
        scope = inst.parent(holder)
        rt.end_activity(inst, holder)
        ex = rt.enter(inst, scope, event_node, None)  # type: ignore[arg-type]
        ex.state = "triggered"
    elif event_node.kind == "startEvent":
        start_event_subprocess(rt, inst, holder, event_node)
    rt.run()
    return holder


def trigger_boundary(rt: Runtime, inst: Instance, attached: Execution, boundary: FlowNode,
                     variables: dict[str, TypedValue] | None = None) -> Execution:
    scope = inst.parent(attached)
    if boundary.props.get("cancel", True):
        rt.end_activity(inst, attached, canceled=True)
    ex = rt.enter(inst, scope, boundary, None)  # type: ignore[arg-type]
    for name, tv in (variables or {}).items():
        rt.set_variable(ex, name, tv)
    return ex


def start_event_subprocess(rt: Runtime, inst: Instance, scope: Execution, start: FlowNode,
                           variables: dict[str, TypedValue] | None = None) -> None:
    sub = start.scope
    assert sub is not None
    if start.props.get("interrupting", True):
        for child in list(inst.children_of(scope)):
            rt.end_activity(inst, child, canceled=True)
        waiting.drop(rt, scope)
    ex = rt.enter(inst, scope, sub, None)
    for name, tv in (variables or {}).items():
        rt.set_variable(ex, name, tv)


def _catches(node: FlowNode, kind: str, code: str | None) -> FlowNode | None:
    """The boundary event of ``node`` catching this error/escalation: exact code first."""
    candidates = [b for b in node.props.get("boundary") or ()
                  if b.props["event"] is not None and b.props["event"].kind == kind]
    exact = [b for b in candidates if b.props["event"].code is not None
             and b.props["event"].code == code]
    if exact:
        return exact[0]
    return next((b for b in candidates if b.props["event"].code is None), None)


def _event_subprocess_for(children: dict[str, FlowNode] | None, kind: str,
                          code: str | None) -> FlowNode | None:
    starts = []
    for child in (children or {}).values():
        if child.kind == "subProcess" and child.props.get("triggered_by_event"):
            start = child.props.get("start")
            event = start.props.get("event") if start is not None else None
            if event is not None and event.kind == kind:
                starts.append(start)
    exact = [s for s in starts if s.props["event"].code is not None
             and s.props["event"].code == code]
    if exact:
        return exact[0]
    return next((s for s in starts if s.props["event"].code is None), None)


def propagate(rt: Runtime, inst: Instance, ex: Execution, kind: str, code: str | None,
              message: str | None = None,
              variables: dict[str, TypedValue] | None = None) -> bool:
    """Find the nearest handler of an error or escalation thrown at ``ex``; True if caught."""
    cur: Execution | None = ex
    while cur is not None:
        if cur.activity_id is not None:
            node = inst.model.nodes[cur.activity_id]
            boundary = _catches(node, kind, code)
            if boundary is not None:
                handler = trigger_boundary(rt, inst, cur, boundary, variables)
                _error_variables(rt, handler, boundary, code, message)
                return True
            children = node.children
        else:
            children = inst.model.children
        start = _event_subprocess_for(children, kind, code)
        if start is not None:
            start_event_subprocess(rt, inst, cur, start, variables)
            _error_variables_on_sub(rt, inst, cur, start, code, message)
            return True
        parent = inst.parent(cur)
        if parent is None and cur.super_exec_id:
            caller = rt.uow.get(Execution, cur.super_exec_id)
            outer = rt.find_instance(caller.proc_inst_id) if caller is not None else None
            if outer is not None and caller is not None and caller.id in outer.by_id:
                call_row = outer.by_id[caller.id]
                call_node = outer.model.nodes[call_row.activity_id]  # type: ignore[index]
                boundary = _catches(call_node, kind, code)
                if boundary is not None or _event_subprocess_for(
                        _children_chain(outer, call_row), kind, code) is not None:
                    # An interrupting handler cancels the call activity and with it this
                    # instance; a non-interrupting one lets this instance go on.
                    return propagate(rt, outer, call_row, kind, code, message, variables)
        cur = parent
    return False


def _children_chain(inst: Instance, row: Execution) -> dict[str, FlowNode] | None:
    parent = inst.parent(row)
    if parent is None or parent.activity_id is None:
        return inst.model.children
    return inst.model.nodes[parent.activity_id].children


def _error_variables(rt: Runtime, handler: Execution, boundary: FlowNode, code: str | None,
                     message: str | None) -> None:
    event = boundary.props["event"]
    if event.code_variable and code is not None:
        rt.set_variable(handler, event.code_variable, infer(code))
    if event.message_variable and message is not None:
        rt.set_variable(handler, event.message_variable, infer(message))


def _error_variables_on_sub(rt: Runtime, inst: Instance, scope: Execution, start: FlowNode,
                            code: str | None, message: str | None) -> None:
    event = start.props["event"]
    if event.code_variable and code is not None:
        rt.set_variable(scope, event.code_variable, infer(code))
    if event.message_variable and message is not None:
        rt.set_variable(scope, event.message_variable, infer(message))


def signal_subscriptions(rt: Runtime, name: str, tenant_id: str | None = None,
                         execution_id: str | None = None) -> list[EventSubscription]:
    where = "event_type = 'signal' AND event_name = ? AND execution_id IS NOT NULL"
    params: list[object] = [name]
    if execution_id is not None:
        where += " AND execution_id = ?"
        params.append(execution_id)
    return rt.uow.select(EventSubscription, where + " ORDER BY created, id", params)
