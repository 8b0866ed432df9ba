"""Event behaviours: start, end, intermediate catch and throw, and boundary events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime import compensation, events
from bpmnflow.runtime.behaviors.base import Behavior, PassThrough
from bpmnflow.runtime.behaviors.tasks import ExternalTaskActivity
from bpmnflow.store.entities import Execution

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


class StartEvent(PassThrough):
    pass


class BoundaryEvent(PassThrough):
    """Entered once its event happened (the attached activity was handled by the trigger)."""


class EndEvent(Behavior):
    """Ends its token (none); or terminates its scope; or throws an error, escalation, signal."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if node.props.get("external"):
            MESSAGE_END.execute(rt, inst, ex, node)
            return
        event = node.props.get("event")
        kind = event.kind if event is not None else None
        if kind == "terminate":
            self._terminate(rt, inst, ex, node)
            return
        if kind == "compensate" and compensation.throw(rt, inst, ex, node, event):
            return  # ends when its handlers have
        if kind == "error":
            if events.propagate(rt, inst, ex, "error", event.code):
                return
        elif kind == "escalation":
            caught = events.propagate(rt, inst, ex, "escalation", event.code)
            if caught and ex.id not in inst.by_id:
                return
        elif kind == "signal":
            throw_signal(rt, ex, event)
        rt.leave(inst, ex, node, [])

    def signal(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
               payload: Any) -> None:
        rt.leave(inst, ex, node, [])

    def cancel(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if node.props.get("external"):
            MESSAGE_END.cancel(rt, inst, ex, node)

    def scope_completed(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        rt.leave(inst, ex, node, [])  # compensation handlers done: the token ends here

    def _terminate(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        scope = inst.parent(ex)
        if scope is None or scope is inst.root:
            rt.end_activity(inst, ex)
            rt.end_process(inst, "COMPLETED", node.id)
            return
        for child in list(inst.children_of(scope)):
            if child is not ex:
                rt.end_activity(inst, child, canceled=True)
        rt.leave(inst, ex, node, [])


class MessageEndEvent(ExternalTaskActivity):
    """A message end event implemented by an external worker (camunda:type="external")."""

    def signal(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
               payload: Any) -> None:
        rt.leave(inst, ex, node, [])


class CatchEvent(Behavior):
    """Waits for its timer, message or signal; a link catch passes straight through."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        event = node.props.get("event")
        if ex.state == "triggered" or event is None or event.kind == "link":
            ex.state = "active"
            rt.leave(inst, ex, node)
            return
        rt.arm(inst, ex, node)

    def signal(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
               payload: Any) -> None:
        rt.leave(inst, ex, node)


class ThrowEvent(Behavior):
    """None, signal, escalation and link throws; message throws run as external tasks."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if node.props.get("external"):
            MESSAGE_THROW.execute(rt, inst, ex, node)
            return
        event = node.props.get("event")
        kind = event.kind if event is not None else None
        if kind == "signal":
            throw_signal(rt, ex, event)
        elif kind == "escalation":
            events.propagate(rt, inst, ex, "escalation", event.code)
            if ex.id not in inst.by_id:
                return
        elif kind == "link":
            self._link(rt, inst, ex, node, event)
            return
        elif kind == "compensate" and compensation.throw(rt, inst, ex, node, event):
            return  # continues when its handlers have ended
        rt.leave(inst, ex, node)

    def signal(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
               payload: Any) -> None:
        rt.leave(inst, ex, node)

    def cancel(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if node.props.get("external"):
            MESSAGE_THROW.cancel(rt, inst, ex, node)

    def _link(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
              event: Any) -> None:
        name = event.name.text if event.name is not None else ""
        siblings = node.scope.children if node.scope is not None else inst.model.children
        target = next((n for n in (siblings or {}).values()
                       if n.kind == "intermediateCatchEvent" and n.props.get("event") is not None
                       and n.props["event"].kind == "link"
                       and n.props["event"].name is not None
                       and n.props["event"].name.text == name), None)
        if target is None:
            raise EngineError(f"No link catch event named '{name}' for '{node.id}'")
        scope = inst.parent(ex)
        rt.end_activity(inst, ex)
        rt.enter(inst, scope, target, None)  # type: ignore[arg-type]


class MessageThrowEvent(ExternalTaskActivity):
    pass


MESSAGE_END = MessageEndEvent()
MESSAGE_THROW = MessageThrowEvent()


def throw_signal(rt: Runtime, ex: Execution, event: Any) -> None:
    """Deliver a signal to every subscription and signal start event, in this command."""
    from bpmnflow.runtime.signals import broadcast

    name = rt.evaluate(event.name, ex) if event.name is not None else ""
    broadcast(rt, str(name), {}, tenant_id=ex.tenant_id)
