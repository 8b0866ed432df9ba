"""Process instance modification: start tokens before/after any activity, cancel any activity
instance, creating or removing the enclosing scopes as needed (Camunda's semantics).

Also used by restart, which is a new instance started by the same start instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bpmnflow.errors import BadUserRequestError, NotValidError
from bpmnflow.model.elements import FlowNode, SequenceFlow
from bpmnflow.runtime.ids import new_id, next_seq
from bpmnflow.store.entities import Execution
from bpmnflow.variables import TypedValue

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

START_TYPES = ("startBeforeActivity", "startAfterActivity", "startTransition")


@dataclass
class Instruction:
    type: str
    activity_id: str | None = None
    transition_id: str | None = None
    activity_instance_id: str | None = None
    transition_instance_id: str | None = None
    ancestor_activity_instance_id: str | None = None
    cancel_current: bool = False
    variables: dict[str, tuple[TypedValue, bool]] = field(default_factory=dict)


def apply(rt: Runtime, inst: Instance, instructions: list[Instruction]) -> None:
    """Run instructions in order; afterwards remove scopes (and the instance) left empty."""
    touched: list[Execution] = []
    for instruction in instructions:
        if instruction.type == "cancel":
            touched.extend(_cancel(rt, inst, instruction))
        elif instruction.type in START_TYPES:
            _start(rt, inst, instruction)
            rt.run()
        else:
            raise BadUserRequestError(f"Unknown instruction type '{instruction.type}'")
    _prune(rt, inst, touched)


def _cancel(rt: Runtime, inst: Instance, instruction: Instruction) -> list[Execution]:
    if instruction.activity_instance_id or instruction.transition_instance_id:
        wanted = instruction.activity_instance_id or instruction.transition_instance_id
        row = inst.by_id.get(wanted or "")
        if row is None or row is inst.root:
            kind = "Activity" if instruction.activity_instance_id else "Transition"
            raise NotValidError(f"Cannot perform instruction: Cancel {kind.lower()} instance "
                                f"'{wanted}'; {kind} instance '{wanted}' does not exist: "
                                f"{kind.lower()}Instance is null")
        rows = [row]
    elif instruction.activity_id:
        rows = [r for r in list(inst.by_id.values())
                if r is not inst.root and _activity(r) == instruction.activity_id
                and r.state != "join"]
        if not rows and instruction.activity_id not in inst.model.nodes:
            raise NotValidError(f"Cannot perform instruction: Cancel all instances of activity "
                                f"'{instruction.activity_id}'; Activity '"
                                f"{instruction.activity_id}' does not exist")
    else:
        raise NotValidError("Cancel instruction needs activityId, activityInstanceId or "
                            "transitionInstanceId")
    parents = []
    for row in rows:
        if row.id in inst.by_id:
            parents.append(inst.parent(row))
            rt.end_activity(inst, row, canceled=True)
    return [p for p in parents if p is not None]


def _activity(row: Execution) -> str | None:
    activity = row.activity_id
    if activity is not None and activity.endswith("#multiInstanceBody"):
        return activity[: -len("#multiInstanceBody")]
    return activity


def _prune(rt: Runtime, inst: Instance, touched: list[Execution]) -> None:
    for scope in touched:
        current: Execution | None = scope
        while current is not None and current.id in inst.by_id and \
                not inst.children_of(current):
            if current is inst.root:
                rt.end_process(inst, "EXTERNALLY_TERMINATED", None, "Process instance "
                               "modification", canceled=True)
                return
            parent = inst.parent(current)
            rt.end_activity(inst, current, canceled=True)
            current = parent


def _start(rt: Runtime, inst: Instance, instruction: Instruction) -> None:
    node, flow = _target(inst, instruction)
    if instruction.cancel_current:
        for row in [r for r in list(inst.by_id.values()) if _activity(r) == node.id]:
            if row.id in inst.by_id:
                rt.end_activity(inst, row, canceled=True)
    scope_row = _scope_row(rt, inst, node, instruction.ancestor_activity_instance_id)
    if instruction.type == "startAfterActivity":
        if len(node.outgoing) != 1:
            raise NotValidError(f"Cannot perform instruction: Start after activity "
                                f"'{node.id}'; Activity '{node.id}' has {len(node.outgoing)} "
                                "outgoing sequence flows, exactly one is required")
        flow = node.outgoing[0]
        node = flow.target
    if instruction.type == "startTransition":
        assert flow is not None
        node = flow.target
    row = rt.enter(inst, scope_row, node, flow)
    for name, (value, local) in instruction.variables.items():
        if local:
            rt.set_variable_local(row, name, value)
        else:
            rt.set_variable(row, name, value)


def _target(inst: Instance, instruction: Instruction) -> tuple[FlowNode, SequenceFlow | None]:
    if instruction.type == "startTransition":
        for node in inst.model.nodes.values():
            for flow in node.outgoing:
                if flow.id == instruction.transition_id:
                    return node, flow
        raise NotValidError(f"Cannot perform instruction: Start transition "
                            f"'{instruction.transition_id}'; Element '"
                            f"{instruction.transition_id}' does not exist in process "
                            f"'{inst.definition.id}'")
    node = inst.model.nodes.get(instruction.activity_id or "")
    if node is None:
        raise NotValidError(f"Cannot perform instruction: {_describe(instruction)}; Element '"
                            f"{instruction.activity_id}' does not exist in process "
                            f"'{inst.definition.id}'")
    return node, None


def _describe(instruction: Instruction) -> str:
    verb = "Start before" if instruction.type == "startBeforeActivity" else "Start after"
    return f"{verb} activity '{instruction.activity_id}'"


def _scope_row(rt: Runtime, inst: Instance, node: FlowNode,
               ancestor_id: str | None) -> Execution:
    """The row of the scope ``node`` runs in, created (with its own scopes) when missing."""
    chain: list[FlowNode] = []
    scope = node.scope
    while scope is not None:
        chain.append(scope)
        scope = scope.scope
    chain.reverse()  # outermost subprocess first
    current = inst.root
    ancestor = inst.by_id.get(ancestor_id) if ancestor_id else None
    if ancestor_id and ancestor is None:
        raise NotValidError(f"Cannot perform instruction: ancestor activity instance "
                            f"'{ancestor_id}' does not exist")
    for scope_node in chain:
        candidates = [r for r in inst.children_of(current) if r.activity_id == scope_node.id]
        if ancestor is not None:
            inside = [r for r in candidates if _is_ancestor(inst, r, ancestor)
                      or _is_ancestor(inst, ancestor, r)]
            candidates = inside or candidates
        if len(candidates) > 1:
            raise NotValidError(
                f"Cannot perform instruction: ancestor activity instance id required; there "
                f"are {len(candidates)} instances of scope '{scope_node.id}'")
        current = candidates[0] if candidates else instantiate_scope(rt, inst, current,
                                                                    scope_node)
    return current


def _is_ancestor(inst: Instance, row: Execution, of: Execution) -> bool:
    current: Execution | None = of
    while current is not None:
        if current is row:
            return True
        current = inst.parent(current)
    return False


def instantiate_scope(rt: Runtime, inst: Instance, parent: Execution, node: FlowNode) -> Execution:
    """A subprocess instance without running its start event (tokens are placed inside)."""
    row = Execution(
        id=new_id(), rev=1, proc_inst_id=parent.proc_inst_id, parent_id=parent.id,
        proc_def_id=parent.proc_def_id, proc_def_key=parent.proc_def_key, business_key=None,
        activity_id=node.id, state="active", incoming_flow=None,
        suspension_state=parent.suspension_state, tenant_id=parent.tenant_id, super_exec_id=None,
        root_proc_inst_id=parent.root_proc_inst_id, start_time=rt.now, seq=next_seq())
    rt.uow.add(row)
    inst.add(row)
    rt.history.activity_started(inst, row, node)
    if node.props.get("inputs") and not rt.skip_io:
        from bpmnflow.runtime import io_mapping

        io_mapping.apply_inputs(rt, inst, row, node)
    rt.fire_listeners(inst, row, node, "start")
    for boundary in node.props.get("boundary") or ():
        rt.arm(inst, row, boundary)
    rt.scope_started(inst, row, node.children)
    return row
