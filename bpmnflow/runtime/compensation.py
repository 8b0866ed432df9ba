"""Compensation: completed activities that have a compensation handler leave a ``compensate``
subscription in their scope; a compensation throw runs those handlers (most recent first) as
children of the throwing event, which continues once they have all ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime.ids import new_id
from bpmnflow.store.entities import EventSubscription, Execution

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


def _scope_of(inst: Instance, ex: Execution) -> Execution | None:
    """The scope that compensates ``ex``: a multi-instance body is no scope of its own here."""
    scope = inst.parent(ex)
    while scope is not None and (scope.activity_id or "").endswith("#multiInstanceBody"):
        scope = inst.parent(scope)
    return scope


def completed(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
    """``node`` completed in its scope: remember its handler for a later compensation."""
    handler = node.props.get("compensation_handler")
    scope = _scope_of(inst, ex)
    if handler is None or scope is None:
        return
    rt.uow.add(EventSubscription(
        id=new_id(), rev=1, event_type="compensate", event_name=None, execution_id=scope.id,
        proc_inst_id=ex.proc_inst_id, activity_id=handler.id, configuration=node.id,
        created=rt.now, proc_def_id=ex.proc_def_id, tenant_id=ex.tenant_id))


def throw(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode, event: Any) -> bool:
    """Start the handlers of the throw's scope; True when the throw must wait for them."""
    scope = inst.parent(ex)
    if scope is None:
        return False
    subs = rt.uow.find(EventSubscription, "execution_id = ? AND event_type = 'compensate'",
                       (scope.id,), lambda s: s.execution_id == scope.id
                       and s.event_type == "compensate")
    if event.activity_ref:
        subs = [s for s in subs if s.configuration == event.activity_ref]
    subs.sort(key=lambda s: (s.created, s.id), reverse=True)
    # Waiting handlers run inside the throwing event, which ends when they have; the others
    # run beside it in the scope.
    holder = ex if event.wait_for_completion else scope
    started = False
    for sub in subs:
        handler = inst.model.nodes.get(sub.activity_id or "")
        rt.uow.remove(sub)
        if handler is None:
            continue
        rt.enter(inst, holder, handler, None)
        started = True
    return started and event.wait_for_completion


def promote(rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
    """A subprocess completed: what it can compensate moves to the enclosing scope, named
    after the subprocess (``activityRef`` of an outer throw)."""
    parent = _scope_of(inst, ex)
    if parent is None:
        return
    for sub in rt.uow.find(EventSubscription, "execution_id = ? AND event_type = 'compensate'",
                           (ex.id,), lambda s: s.execution_id == ex.id
                           and s.event_type == "compensate"):
        sub.execution_id = parent.id
        sub.configuration = node.id


def drop(rt: Runtime, scope: Execution) -> None:
    for sub in rt.uow.find(EventSubscription, "execution_id = ? AND event_type = 'compensate'",
                           (scope.id,), lambda s: s.execution_id == scope.id
                           and s.event_type == "compensate"):
        rt.uow.remove(sub)
