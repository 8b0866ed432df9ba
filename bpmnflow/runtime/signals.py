"""Signals reach every waiting subscription and every signal start event, in one command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmnflow.runtime import events
from bpmnflow.store.entities import EventSubscription
from bpmnflow.variables import TypedValue

if TYPE_CHECKING:
    from bpmnflow.runtime.runtime import Runtime


def broadcast(rt: Runtime, name: str, variables: dict[str, TypedValue],
              tenant_id: str | None = None, execution_id: str | None = None,
              with_tenant_filter: bool = False) -> int:
    """Deliver signal ``name``; returns how many receivers it reached."""
    reached = 0
    for sub in events.signal_subscriptions(rt, name, execution_id=execution_id):
        if with_tenant_filter and sub.tenant_id != tenant_id:
            continue
        inst = rt.find_instance(sub.proc_inst_id or "")
        if inst is None:
            continue
        holder = inst.by_id.get(sub.execution_id or "")
        node = inst.model.nodes.get(sub.activity_id or "")
        if holder is None or node is None:
            continue
        events.deliver(rt, inst, holder, node, variables)
        reached += 1
    if execution_id is not None:
        return reached
    starts = rt.uow.select(
        EventSubscription, "event_type = 'signal' AND event_name = ? AND execution_id IS NULL "
        "ORDER BY created, id", (name,))
    for sub in starts:
        if with_tenant_filter and sub.tenant_id != tenant_id:
            continue
        definition, model = rt.models(sub.proc_def_id or "")
        node = model.nodes.get(sub.activity_id or "")
        if node is not None:
            rt.start_process(definition, model, None, dict(variables), start_node=node)
            reached += 1
    return reached
