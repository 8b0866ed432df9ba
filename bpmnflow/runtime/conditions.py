"""Conditional events: re-evaluated when variables they can see change.

A conditional catch, boundary or event-subprocess start waits as a subscription of type
``conditional``.  Changing a variable records a change; when the agenda has drained, the
subscriptions of the changed instances are evaluated (respecting ``camunda:variableName`` and
``camunda:variableEvents``) and the satisfied ones are delivered.  A freshly armed subscription
is evaluated once right away, as Camunda does on entering the activity or scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.store.entities import EventSubscription

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

def evaluate(rt: Runtime, changes: list[tuple[Instance, str | None, str]]) -> None:
    """Deliver every conditional subscription whose condition now holds."""
    from bpmnflow.runtime import events

    by_instance: dict[str, tuple[Instance, list[tuple[str | None, str]]]] = {}
    for inst, name, kind in changes:
        by_instance.setdefault(inst.id, (inst, []))[1].append((name, kind))
    for inst, instance_changes in by_instance.values():
        if inst.ended:
            continue
        subs = rt.uow.find(EventSubscription, "proc_inst_id = ? AND event_type = 'conditional' "
                           "ORDER BY created, id", (inst.id,),
                           lambda s, pid=inst.id: s.proc_inst_id == pid
                           and s.event_type == "conditional")
        for sub in subs:
            if not _relevant(sub, inst, instance_changes):
                continue
            holder = inst.by_id.get(sub.execution_id or "")
            node = inst.model.nodes.get(sub.activity_id or "")
            if holder is None or node is None or sub.id in rt.uow_removed_ids():
                continue
            event = node.props["event"]
            if rt.condition(event.condition, holder):
                if not _stays(node):
                    rt.uow.remove(sub)
                events.deliver(rt, inst, holder, node)


def _stays(node: Any) -> bool:
    """Non-interrupting boundary events and event subprocesses fire again on later changes."""
    if node.kind == "boundaryEvent":
        return not node.props.get("cancel", True)
    return node.kind == "startEvent" and not node.props.get("interrupting", True)


def _relevant(sub: EventSubscription, inst: Instance,
              changes: list[tuple[str | None, str]]) -> bool:
    node = inst.model.nodes.get(sub.activity_id or "")
    if node is None:
        return False
    event: Any = node.props.get("event")
    for name, kind in changes:
        if kind == "initial":
            if name == sub.id:
                return True
            continue
        if event.variable_name and name != event.variable_name:
            continue
        if event.variable_events and kind not in event.variable_events:
            continue
        return True
    return False
