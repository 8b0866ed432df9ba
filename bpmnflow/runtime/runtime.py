"""The process virtual machine of one command: an agenda of small steps over the execution tree.

Tokens move by ``leave`` (end this activity instance, create the next ones) and the agenda runs
each new activity's behaviour until every token rests in a wait state.  New rows are created
at once, their behaviour runs later from the agenda: that keeps a scope's child count right at
every moment (an end event never sees its scope empty while a sibling is still queued) and keeps
long chains of activities from growing the Python stack.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import FlowNode, Listener, ProcessModel, SequenceFlow
from bpmnflow.runtime import compensation, conditions, io_mapping, waiting
from bpmnflow.runtime.history import History
from bpmnflow.runtime.ids import new_id, next_seq
from bpmnflow.runtime.instance import Instance
from bpmnflow.runtime.variable_scopes import VariableScopes
from bpmnflow.store.entities import ACTIVE, Execution, Incident, ProcessDefinition, Variable
from bpmnflow.store.unit_of_work import UnitOfWork
from bpmnflow.variables import TypedValue, infer

ModelLookup = Callable[[str], tuple[ProcessDefinition, ProcessModel]]
TRANSITION_STATES = ("async_before", "async_after")
# Kinds whose rows may own subscriptions or jobs that must go when the row goes.
_WAITING_KINDS = frozenset({"intermediateCatchEvent", "receiveTask", "eventBasedGateway",
                            "subProcess", "multiInstanceBody"})


class Runtime(VariableScopes):
    __slots__ = ("uow", "now", "models", "history", "agenda", "_instances", "behaviors",
                 "notifications", "skip_listeners", "skip_io", "variable_events",
                 "delete_reason")

    def __init__(self, uow: UnitOfWork, now_ms: int, models: ModelLookup, history_level: str,
                 behaviors: dict[str, Any]) -> None:
        self.uow = uow
        self.now = now_ms
        self.models = models
        self.history = History(self, history_level)
        self.agenda: deque[tuple[Any, ...]] = deque()
        self._instances: dict[str, Instance] = {}
        self.behaviors = behaviors
        self.notifications: list[tuple[str, Any]] = []
        # Administrative operations may skip custom listeners and input/output mappings.
        self.skip_listeners = False
        self.skip_io = False
        self.variable_events: list[tuple[Instance, str | None, str]] = []
        self.delete_reason: str | None = None

    def notify(self, kind: str, info: Any) -> None:
        """Remember a wake-up (new job, new external task...) to send after commit."""
        self.notifications.append((kind, info))

    # -- loading ---------------------------------------------------------------------------------
    def instance(self, proc_inst_id: str) -> Instance:
        inst = self.find_instance(proc_inst_id)
        if inst is None:
            raise EngineError(f"Process instance {proc_inst_id} does not exist")
        return inst

    def find_instance(self, proc_inst_id: str) -> Instance | None:
        inst = self._instances.get(proc_inst_id)
        if inst is not None:
            return None if inst.ended else inst
        rows = self.uow.select(Execution, "proc_inst_id = ?", (proc_inst_id,))
        root = next((r for r in rows if r.id == proc_inst_id), None)
        if root is None:
            return None
        definition, model = self.models(root.proc_def_id)
        inst = Instance(root, definition, model)
        rows.sort(key=lambda r: r.seq)
        for row in rows:
            if row is not root:
                inst.add(row)
        for var in self.uow.select(Variable, "proc_inst_id = ?", (proc_inst_id,)):
            inst.attach_variable(var)
        self._instances[proc_inst_id] = inst
        return inst

    def node(self, inst: Instance, ex: Execution) -> FlowNode:
        return inst.model.nodes[ex.activity_id]  # type: ignore[index]

    # -- starting --------------------------------------------------------------------------------
    def create_instance(self, definition: ProcessDefinition, model: ProcessModel,
                        business_key: str | None, variables: dict[str, TypedValue],
                        start_user: str | None = None, start_node: FlowNode | None = None,
                        super_exec: Execution | None = None) -> Instance:
        pid = new_id()
        root = Execution(
            id=pid, rev=1, proc_inst_id=pid, parent_id=None, proc_def_id=definition.id,
            proc_def_key=definition.def_key, business_key=business_key, activity_id=None,
            state="active", incoming_flow=None, suspension_state=ACTIVE,
            tenant_id=definition.tenant_id,
            super_exec_id=super_exec.id if super_exec is not None else None,
            root_proc_inst_id=super_exec.root_proc_inst_id if super_exec is not None else pid,
            start_time=self.now, seq=next_seq())
        self.uow.add(root)
        inst = Instance(root, definition, model)
        self._instances[pid] = inst
        start = start_node or model.initial
        super_pid = super_exec.proc_inst_id if super_exec is not None else None
        self.history.process_started(inst, start.id if start else None, start_user, super_pid)
        for name, value in variables.items():
            self.create_variable(inst, root, None, name, value, initial=True)
        if model.initiator_variable and start_user:
            self.set_variable_local(root, model.initiator_variable, infer(start_user))
        if model.listeners:
            self.fire([item for item in model.listeners if item.event == "start"], root, "start")
        self.scope_started(inst, root, model.children)
        return inst

    def start_process(self, definition: ProcessDefinition, model: ProcessModel,
                      business_key: str | None, variables: dict[str, TypedValue],
                      start_user: str | None = None, start_node: FlowNode | None = None,
                      super_exec: Execution | None = None) -> Instance:
        start = start_node or model.initial
        if start is None:
            raise EngineError(f"Process definition {definition.id} has no none start event")
        inst = self.create_instance(definition, model, business_key, variables, start_user,
                                    start, super_exec)
        self.enter(inst, inst.root, start, None)
        self.run()
        return inst

    def scope_started(self, inst: Instance, scope: Execution,
                      children: dict[str, FlowNode] | None) -> None:
        """Arm the event subprocesses of a scope that just started."""
        for child in (children or {}).values():
            if child.kind == "subProcess" and child.props.get("triggered_by_event"):
                start = child.props.get("start")
                if start is not None:
                    self.arm(inst, scope, start)

    def arm(self, inst: Instance, holder: Execution, event_node: FlowNode) -> None:
        """Make ``holder`` wait for the event of ``event_node`` (message, signal, timer)."""
        event = event_node.props.get("event")
        if event is None:
            return
        if event.kind in ("message", "signal"):
            waiting.subscribe(self, inst, holder, event_node)
        elif event.kind == "conditional":
            sub = waiting.subscribe(self, inst, holder, event_node)
            self.variable_events.append((inst, sub.id, "initial"))
        elif event.kind == "timer":
            waiting.timer(self, inst, holder, event_node)

    # -- moving tokens ---------------------------------------------------------------------------
    def enter(self, inst: Instance, scope: Execution, node: FlowNode,
              flow: SequenceFlow | None, inner: bool = False) -> Execution:
        """Create the activity instance row for ``node`` now, run its behaviour from the agenda."""
        body = node.props.get("mi_body")
        if body is not None and not inner:
            node = body
        ex = Execution(
            id=new_id(), rev=1, proc_inst_id=scope.proc_inst_id, parent_id=scope.id,
            proc_def_id=scope.proc_def_id, proc_def_key=scope.proc_def_key, business_key=None,
            activity_id=node.id, state="active", incoming_flow=flow.id if flow else None,
            suspension_state=scope.suspension_state, tenant_id=scope.tenant_id,
            super_exec_id=None, root_proc_inst_id=scope.root_proc_inst_id, start_time=self.now,
            seq=next_seq())
        self.uow.add(ex)
        inst.add(ex)
        if node.props.get("async_before") and node.kind != "multiInstanceBody":
            ex.state = "async_before"
            waiting.new_job(self, inst, ex, waiting.ASYNC_CONTINUATION, "before",
                            activity_id=node.id)
            return ex
        self.history.activity_started(inst, ex, node)
        self.agenda.append((self.execute, inst, ex, node))
        return ex

    def execute(self, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if ex.id not in inst.by_id:
            return  # cancelled before its turn came
        if ex.state == "async_before":
            ex.state = "active"
            self.history.activity_started(inst, ex, node)
        if node.props.get("inputs") and not self.skip_io:
            io_mapping.apply_inputs(self, inst, ex, node)
        self.fire_listeners(inst, ex, node, "start")
        for boundary in node.props.get("boundary") or ():
            self.arm(inst, ex, boundary)
        self.behaviors[node.kind].execute(self, inst, ex, node)

    def run(self) -> None:
        agenda = self.agenda
        for _ in range(1000):  # conditions that keep re-triggering each other end here
            while agenda:
                step = agenda.popleft()
                step[0](*step[1:])
            if not self.variable_events:
                return
            changes, self.variable_events = self.variable_events, []
            conditions.evaluate(self, changes)
            if not agenda and not self.variable_events:
                return
        raise EngineError("Conditional events keep triggering each other (more than 1000 rounds)")

    def variable_changed(self, inst: Instance, name: str | None, kind: str) -> None:
        """Remember a variable change for the conditional events that may be watching it."""
        if inst.model.has_conditionals:
            self.variable_events.append((inst, name, kind))

    def uow_removed_ids(self) -> set[str]:
        return self.uow.removed_ids()

    def leave(self, inst: Instance, ex: Execution, node: FlowNode,
              flows: list[SequenceFlow] | None = None) -> None:
        """End this activity instance and send a token down each flow (default: Camunda's rule)."""
        if ex.state != "async_after":
            if node.props.get("outputs") and not self.skip_io:
                io_mapping.apply_outputs(self, inst, ex, node)
            self.fire_listeners(inst, ex, node, "end")
            if node.props.get("compensation_handler") is not None:
                compensation.completed(self, inst, ex, node)
            if node.props.get("async_after"):
                self.history.activity_ended(ex)
                self._drop_waiters(node, ex)
                ex.state = "async_after"
                waiting.new_job(self, inst, ex, waiting.ASYNC_CONTINUATION, "after",
                                activity_id=node.id)
                return
        scope = inst.parent(ex)
        if scope is not None and scope.activity_id is not None and \
                inst.model.nodes[scope.activity_id].kind == "multiInstanceBody":
            self.end_activity(inst, ex)
            body = inst.model.nodes[scope.activity_id]
            self.behaviors[body.kind].child_completed(self, inst, scope, body)
            return
        if node.kind == "subProcess" and inst.model.has_compensation:
            compensation.promote(self, inst, ex, node)
        if flows is None:
            flows = self.outgoing(ex, node)
        if not flows:
            # The last token of a scope completes it: Camunda marks that activity instance.
            last = scope is not None and len(inst.children_of(scope)) == 1
            self.end_activity(inst, ex, complete_scope=last and node.kind == "endEvent")
            self.scope_may_end(inst, scope, node)
            return
        self.end_activity(inst, ex)
        self.take(inst, scope, flows)  # type: ignore[arg-type]

    def take(self, inst: Instance, scope: Execution, flows: list[SequenceFlow]) -> None:
        for flow in flows:
            if flow.listeners:
                self.fire(flow.listeners, scope, "take")
            self.enter(inst, scope, flow.target, flow)

    def outgoing(self, ex: Execution, node: FlowNode) -> list[SequenceFlow]:
        """Every flow whose condition holds (unconditional ones always), else the default flow."""
        chosen, default = [], None
        for flow in node.outgoing:
            if flow.id == node.default_flow:
                default = flow
            elif flow.condition is None or self.condition(flow.condition, ex):
                chosen.append(flow)
        if not chosen and default is not None:
            chosen.append(default)
        if not chosen and node.outgoing:
            raise EngineError(
                f"ENGINE-02004 No outgoing sequence flow for the element with id '{node.id}' "
                "could be selected for continuing the process.")
        return chosen

    def end_activity(self, inst: Instance, ex: Execution, canceled: bool = False,
                     history: bool = True, complete_scope: bool = False) -> None:
        """Remove one activity instance row with its local variables and everything below it."""
        for child in list(inst.children_of(ex)):
            self.end_activity(inst, child, canceled=True, history=history)
        node = inst.model.nodes.get(ex.activity_id or "")
        if node is not None:
            if canceled:
                self.behaviors[node.kind].cancel(self, inst, ex, node)
                if ex.state not in TRANSITION_STATES:
                    self.fire_listeners(inst, ex, node, "end")
            self._drop_waiters(node, ex)
        if history:
            self.history.activity_ended(ex, canceled=canceled, complete_scope=complete_scope)
        for var in list(inst.scopes.pop(ex.id, {}).values()):
            self.uow.remove(var)
        inst.discard(ex)
        self.uow.remove(ex)

    def _drop_waiters(self, node: FlowNode, ex: Execution) -> None:
        if (node.kind in _WAITING_KINDS or node.props.get("boundary")
                or ex.state in TRANSITION_STATES):
            waiting.drop(self, ex)

    def scope_may_end(self, inst: Instance, scope: Execution | None, last: FlowNode) -> None:
        """A token ended: when its scope has no tokens left, the scope completes."""
        if scope is None or inst.children_of(scope):
            return
        if scope is inst.root:
            self.end_process(inst, "COMPLETED", last.id)
            return
        node = self.node(inst, scope)
        self.behaviors[node.kind].scope_completed(self, inst, scope, node)

    def end_process(self, inst: Instance, state: str, end_activity: str | None,
                    reason: str | None = None, canceled: bool = False) -> None:
        root = inst.root
        if canceled and reason:
            self.delete_reason = reason  # the tasks cancelled below carry it into history
        for child in list(inst.children_of(root)):
            self.end_activity(inst, child, canceled=True)
        self.delete_reason = None
        if inst.model.root_waits:
            waiting.drop(self, root)
        if inst.model.listeners:
            self.fire([item for item in inst.model.listeners if item.event == "end"], root, "end")
        self.history.process_ended(inst, state, end_activity, reason)
        variables = {name: inst.value(var) for name, var in inst.scopes.get(root.id, {}).items()}
        inst.final_variables = variables
        for scope in (inst.scopes, inst.task_scopes):
            for scoped in scope.values():
                for var in scoped.values():
                    self.uow.remove(var)
            scope.clear()
        self.uow.remove(root)
        inst.ended = True
        if root.super_exec_id and not canceled:
            self._return_to_caller(root, variables)

    def _return_to_caller(self, root: Execution, variables: dict[str, TypedValue]) -> None:
        """A called process ended: its call activity in the calling instance moves on."""
        caller = self.uow.get(Execution, root.super_exec_id)  # type: ignore[arg-type]
        if caller is None:
            return
        parent = self.find_instance(caller.proc_inst_id)
        if parent is None:
            return
        ex = parent.by_id.get(caller.id)
        if ex is None:
            return
        node = self.node(parent, ex)
        self.agenda.append((self.behaviors[node.kind].called_ended, self, parent, ex, node,
                            variables))

    # -- listeners -------------------------------------------------------------------------------
    def fire_listeners(self, inst: Instance, ex: Execution, node: FlowNode, event: str) -> None:
        listeners = node.props.get("listeners")
        if listeners:
            self.fire([item for item in listeners if item.event == event], ex, event)

    def fire(self, listeners: list[Listener], ex: Execution, event: str) -> None:
        if self.skip_listeners:
            return
        for listener in listeners:
            if listener.expression is not None:
                self.evaluate(listener.expression, ex, event=event)

    # -- resuming --------------------------------------------------------------------------------
    def signal(self, inst: Instance, ex: Execution, payload: Any = None) -> None:
        """Resume a token resting in a wait state (task completed, message arrived...)."""
        node = self.node(inst, ex)
        self.behaviors[node.kind].signal(self, inst, ex, node, payload)
        self.run()

    # -- incidents -------------------------------------------------------------------------------
    def create_incident(self, kind: str, message: str | None, ex: Execution | None,
                        activity_id: str | None, configuration: str | None,
                        proc_inst_id: str | None = None, proc_def_id: str | None = None,
                        proc_def_key: str | None = None,
                        tenant_id: str | None = None) -> Incident:
        incident = Incident(
            id=new_id(), rev=1, incident_type=kind, incident_message=message,
            incident_timestamp=self.now, execution_id=ex.id if ex is not None else None,
            activity_id=activity_id, failed_activity_id=activity_id,
            proc_inst_id=ex.proc_inst_id if ex is not None else proc_inst_id,
            proc_def_id=ex.proc_def_id if ex is not None else proc_def_id,
            cause_incident_id=None, root_cause_incident_id=None, configuration=configuration,
            tenant_id=ex.tenant_id if ex is not None else tenant_id, job_def_id=None,
            annotation=None)
        incident.cause_incident_id = incident.root_cause_incident_id = incident.id
        self.uow.add(incident)
        self.history.incident_created(
            incident, ex.proc_def_key if ex is not None else proc_def_key)
        return incident

    def resolve_incidents(self, ex: Execution | None = None, deleted: bool = False,
                          configuration: str | None = None) -> None:
        if configuration is not None:
            found = self.uow.select(Incident, "configuration = ?", (configuration,))
        elif ex is not None:
            found = self.uow.select(Incident, "execution_id = ?", (ex.id,))
        else:
            return
        for incident in found:
            self.history.incident_ended(incident, deleted)
            self.uow.remove(incident)
