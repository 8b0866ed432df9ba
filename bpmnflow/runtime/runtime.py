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
from bpmnflow.expr import Expression, ExpressionError
from bpmnflow.model.elements import FlowNode, ProcessModel, SequenceFlow
from bpmnflow.runtime.facades import ExecutionFacade, TaskFacade
from bpmnflow.runtime.history import History
from bpmnflow.runtime.ids import new_id, next_seq
from bpmnflow.runtime.instance import Instance
from bpmnflow.store.entities import ACTIVE, Execution, ProcessDefinition, Task, Variable
from bpmnflow.store.unit_of_work import UnitOfWork
from bpmnflow.variables import TypedValue, python_value, to_columns

ModelLookup = Callable[[str], tuple[ProcessDefinition, ProcessModel]]


class Runtime:
    __slots__ = ("uow", "now", "models", "history", "agenda", "_instances", "behaviors")

    def __init__(self, uow: UnitOfWork, now_ms: int, models: ModelLookup, history_level: str,
                 behaviors: dict[str, Any]) -> None:
        self.uow = uow
        self.now = now_ms
        self.models = models
        self.history = History(self, history_level)
        self.agenda: deque[tuple[Any, ...]] = deque()
        self._instances: dict[str, Instance] = {}
        self.behaviors = behaviors

    # -- loading ---------------------------------------------------------------------------------
    def instance(self, proc_inst_id: str) -> Instance:
        inst = self._instances.get(proc_inst_id)
        if inst is None:
            found = self.find_instance(proc_inst_id)
            if found is None:
                raise EngineError(f"Process instance {proc_inst_id} does not exist")
            inst = found
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

    # -- starting --------------------------------------------------------------------------------
    def start_process(self, definition: ProcessDefinition, model: ProcessModel,
                      business_key: str | None, variables: dict[str, TypedValue],
                      start_user: str | None = None) -> Instance:
        if model.initial is None:
            raise EngineError(f"Process definition {definition.id} has no none start event")
        pid = new_id()
        root = Execution(
            id=pid, rev=1, proc_inst_id=pid, parent_id=None, proc_def_id=definition.id,
            proc_def_key=definition.def_key, business_key=business_key, activity_id=None,
            state="active", incoming_flow=None, suspension_state=ACTIVE,
            tenant_id=definition.tenant_id, super_exec_id=None, root_proc_inst_id=pid,
            start_time=self.now, seq=next_seq())
        self.uow.add(root)
        inst = Instance(root, definition, model)
        self._instances[pid] = inst
        self.history.process_started(inst, model.initial.id, start_user)
        for name, value in variables.items():
            self._create_variable(inst, root, None, name, value, initial=True)
        if model.initiator_variable and start_user:
            from bpmnflow.variables import infer

            self.set_variable_local(root, model.initiator_variable, infer(start_user))
        self.enter(inst, root, model.initial, None)
        self.run()
        return inst

    # -- moving tokens ---------------------------------------------------------------------------
    def enter(self, inst: Instance, scope: Execution, node: FlowNode,
              flow: SequenceFlow | None) -> Execution:
        """Create the activity instance row for ``node`` now, run its behaviour from the agenda."""
        ex = Execution(
            id=new_id(), rev=1, proc_inst_id=scope.proc_inst_id, parent_id=scope.id,
            proc_def_id=scope.proc_def_id, proc_def_key=scope.proc_def_key, business_key=None,
            activity_id=node.id, state="active", incoming_flow=flow.id if flow else None,
            suspension_state=scope.suspension_state, tenant_id=scope.tenant_id,
            super_exec_id=None, root_proc_inst_id=scope.root_proc_inst_id, start_time=self.now,
            seq=next_seq())
        self.uow.add(ex)
        inst.add(ex)
        self.history.activity_started(inst, ex, node)
        self.agenda.append((self._execute, inst, ex, node))
        return ex

    def _execute(self, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if ex.id not in inst.by_id:
            return  # cancelled before its turn came
        self.behaviors[node.kind].execute(self, inst, ex, node)

    def run(self) -> None:
        agenda = self.agenda
        while agenda:
            step = agenda.popleft()
            step[0](*step[1:])

    def leave(self, inst: Instance, ex: Execution, node: FlowNode,
              flows: list[SequenceFlow] | None = None) -> None:
        """End this activity instance and send a token down each flow (default: Camunda's rule)."""
        if flows is None:
            flows = self.outgoing(ex, node)
        scope = inst.parent(ex)
        self.end_activity(inst, ex)
        if not flows:
            self.scope_may_end(inst, scope, node)
            return
        for flow in flows:
            self.enter(inst, scope, flow.target, flow)  # type: ignore[arg-type]

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
                     history: bool = True) -> None:
        """Remove one activity instance row with its local variables and everything below it."""
        for child in list(inst.children_of(ex)):
            self.end_activity(inst, child, canceled=True, history=history)
        if canceled and ex.activity_id is not None:
            node = inst.model.nodes[ex.activity_id]
            self.behaviors[node.kind].cancel(self, inst, ex, node)
        if history:
            self.history.activity_ended(ex, canceled=canceled)
        for var in list(inst.scopes.pop(ex.id, {}).values()):
            self.uow.remove(var)
        inst.discard(ex)
        self.uow.remove(ex)

    def scope_may_end(self, inst: Instance, scope: Execution | None, last: FlowNode) -> None:
        """A token ended: when its scope has no tokens left, the scope completes."""
        if scope is None or inst.children_of(scope):
            return
        if scope is inst.root:
            self.end_process(inst, "COMPLETED", last.id)
            return
        node = inst.model.nodes[scope.activity_id]  # type: ignore[index]
        self.behaviors[node.kind].scope_completed(self, inst, scope, node)

    def end_process(self, inst: Instance, state: str, end_activity: str | None,
                    reason: str | None = None) -> None:
        root = inst.root
        for child in list(inst.children_of(root)):
            self.end_activity(inst, child, canceled=True)
        self.history.process_ended(inst, state, end_activity, reason)
        for scope in (inst.scopes, inst.task_scopes):
            for variables in scope.values():
                for var in variables.values():
                    self.uow.remove(var)
            scope.clear()
        self.uow.remove(root)
        inst.ended = True

    # -- expressions -----------------------------------------------------------------------------
    def evaluate(self, expr: Expression, ex: Execution, task: Task | None = None) -> Any:
        inst = self.instance(ex.proc_inst_id)

        def resolve(name: str) -> Any:
            if name == "execution":
                return ExecutionFacade(self, ex)
            if name == "task" and task is not None:
                return TaskFacade(self, task, ex)
            tv = self._lookup(inst, ex, name, task)
            if tv is None:
                raise KeyError(name)
            return python_value(tv)

        try:
            return expr.evaluate(resolve)
        except ExpressionError as exc:
            raise EngineError(str(exc)) from None

    def condition(self, expr: Expression, ex: Execution) -> bool:
        result = self.evaluate(expr, ex)
        if not isinstance(result, bool):
            raise EngineError(
                f"Error while evaluating expression: {expr.text}. Cause: condition expression "
                f"returns non-Boolean: result has class {type(result).__name__} and not Boolean")
        return result

    # -- variables -------------------------------------------------------------------------------
    def _lookup(self, inst: Instance, ex: Execution | None, name: str,
                task: Task | None = None) -> TypedValue | None:
        if task is not None:
            var = inst.task_scopes.get(task.id, {}).get(name)
            if var is not None:
                return inst.value(var)
        while ex is not None:
            var = inst.scopes.get(ex.id, {}).get(name) if inst.scopes else None
            if var is not None:
                return inst.value(var)
            ex = inst.by_id.get(ex.parent_id) if ex.parent_id else None
        return None

    def get_variable(self, ex: Execution, name: str) -> TypedValue | None:
        return self._lookup(self.instance(ex.proc_inst_id), ex, name)

    def get_variable_local(self, ex: Execution, name: str) -> TypedValue | None:
        inst = self.instance(ex.proc_inst_id)
        var = inst.scopes.get(ex.id, {}).get(name)
        return inst.value(var) if var is not None else None

    def local_variables(self, ex: Execution) -> dict[str, Variable]:
        return self.instance(ex.proc_inst_id).scopes.get(ex.id, {})

    def visible_variables(self, ex: Execution, task: Task | None = None) -> dict[str, TypedValue]:
        """Variables seen from ``ex``: nearer scopes hide farther ones."""
        inst = self.instance(ex.proc_inst_id)
        chain: list[Execution] = []
        cur: Execution | None = ex
        while cur is not None:
            chain.append(cur)
            cur = inst.by_id.get(cur.parent_id) if cur.parent_id else None
        out: dict[str, TypedValue] = {}
        for scope in reversed(chain):
            for name, var in inst.scopes.get(scope.id, {}).items():
                out[name] = inst.value(var)
        if task is not None:
            for name, var in inst.task_scopes.get(task.id, {}).items():
                out[name] = inst.value(var)
        return out

    def set_variable(self, ex: Execution, name: str, value: TypedValue) -> None:
        """Camunda's setVariable: update where the name is visible, else create on the instance."""
        inst = self.instance(ex.proc_inst_id)
        cur: Execution | None = ex
        while cur is not None:
            var = inst.scopes.get(cur.id, {}).get(name)
            if var is not None:
                self._update_variable(inst, var, value, cur)
                return
            cur = inst.by_id.get(cur.parent_id) if cur.parent_id else None
        self._create_variable(inst, inst.root, None, name, value)

    def set_variable_local(self, ex: Execution, name: str, value: TypedValue) -> None:
        inst = self.instance(ex.proc_inst_id)
        var = inst.scopes.get(ex.id, {}).get(name)
        if var is not None:
            self._update_variable(inst, var, value, ex)
        else:
            self._create_variable(inst, ex, None, name, value)

    def remove_variable(self, ex: Execution, name: str, local: bool = False) -> bool:
        inst = self.instance(ex.proc_inst_id)
        cur: Execution | None = ex
        while cur is not None:
            scope = inst.scopes.get(cur.id, {})
            var = scope.get(name)
            if var is not None:
                del scope[name]
                self.history.variable_deleted(var)
                self.uow.remove(var)
                return True
            if local:
                return False
            cur = inst.by_id.get(cur.parent_id) if cur.parent_id else None
        return False

    def get_task_variable(self, task: Task, name: str, local: bool = False) -> TypedValue | None:
        inst = self.instance(task.proc_inst_id)  # type: ignore[arg-type]
        var = inst.task_scopes.get(task.id, {}).get(name)
        if var is not None:
            return inst.value(var)
        if local or task.execution_id is None:
            return None
        return self._lookup(inst, inst.by_id.get(task.execution_id), name)

    def set_task_variable(self, task: Task, name: str, value: TypedValue) -> None:
        inst = self.instance(task.proc_inst_id)  # type: ignore[arg-type]
        var = inst.task_scopes.get(task.id, {}).get(name)
        ex = inst.by_id.get(task.execution_id or "")
        if var is not None:
            self._update_variable(inst, var, value, ex)
        else:
            self._create_variable(inst, ex, task.id, name, value)

    def remove_task_variable(self, task: Task, name: str) -> bool:
        inst = self.instance(task.proc_inst_id)  # type: ignore[arg-type]
        scope = inst.task_scopes.get(task.id, {})
        var = scope.pop(name, None)
        if var is None:
            return False
        self.history.variable_deleted(var)
        self.uow.remove(var)
        return True

    def drop_task_variables(self, task: Task) -> None:
        inst = self.instance(task.proc_inst_id)  # type: ignore[arg-type]
        for var in inst.task_scopes.pop(task.id, {}).values():
            self.uow.remove(var)

    def _create_variable(self, inst: Instance, ex: Execution | None, task_id: str | None,
                         name: str, value: TypedValue, initial: bool = False) -> None:
        var_type, text, long_, double, raw, info = to_columns(value)
        var = Variable(
            id=new_id(), rev=1, name=name, var_type=var_type, text_value=text, long_value=long_,
            double_value=double, bytes_value=raw, value_info=info,
            execution_id=ex.id if ex is not None and task_id is None else (
                ex.id if ex is not None else None),
            proc_inst_id=inst.id, task_id=task_id, proc_def_id=inst.definition.id,
            tenant_id=inst.root.tenant_id, create_time=self.now)
        self.uow.add(var)
        inst.attach_variable(var)
        inst.values[var.id] = value
        self.history.variable_created(var, ex or inst.root, initial)

    def _update_variable(self, inst: Instance, var: Variable, value: TypedValue,
                         ex: Execution | None) -> None:
        (var.var_type, var.text_value, var.long_value, var.double_value, var.bytes_value,
         var.value_info) = to_columns(value)
        inst.values[var.id] = value
        self.history.variable_updated(var, ex or inst.root)

    # -- tasks -----------------------------------------------------------------------------------
    def signal(self, inst: Instance, ex: Execution, payload: Any = None) -> None:
        """Resume a token resting in a wait state (task completed, message arrived...)."""
        node = inst.model.nodes[ex.activity_id]  # type: ignore[index]
        self.behaviors[node.kind].signal(self, inst, ex, node, payload)
        self.run()
