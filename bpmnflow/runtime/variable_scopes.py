"""Variables and expressions of the running VM: scope lookup, set/remove, history of changes.

Camunda's rules: a name resolves in the nearest scope that has it; ``setVariable`` updates the
nearest scope that has the name, else creates it on the process instance; ``...Local`` stays on
the given scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.delegates.registry import BpmnError
from bpmnflow.errors import EngineError
from bpmnflow.expr import Expression, ExpressionError
from bpmnflow.runtime.facades import ExecutionFacade, TaskFacade
from bpmnflow.runtime.ids import new_id
from bpmnflow.runtime.instance import Instance
from bpmnflow.scripting.el import el_global, el_value
from bpmnflow.store.entities import Execution, Task, Variable
from bpmnflow.variables import TypedValue, to_columns

if TYPE_CHECKING:
    from bpmnflow.runtime.history import History
    from bpmnflow.store.unit_of_work import UnitOfWork


class VariableScopes:
    """Mixed into ``Runtime``; needs ``uow``, ``now``, ``history`` and ``instance()``."""

    uow: UnitOfWork
    now: int
    history: History

    def instance(self, proc_inst_id: str) -> Instance:  # pragma: no cover - provided by Runtime
        raise NotImplementedError

    def variable_changed(self, inst: Instance, name: str | None,
                         kind: str) -> None:  # pragma: no cover - provided by Runtime
        raise NotImplementedError

    # -- expressions -----------------------------------------------------------------------------
    def evaluate(self, expr: Expression, ex: Execution, task: Task | None = None,
                 event: str | None = None) -> Any:
        inst = self.instance(ex.proc_inst_id)

        def resolve(name: str) -> Any:
            if name == "execution":
                return ExecutionFacade(self, ex, event)  # type: ignore[arg-type]
            if name == "task" and task is not None:
                return TaskFacade(self, task, ex, event)  # type: ignore[arg-type]
            tv = self._lookup(inst, ex, name, task)
            if tv is None:
                return el_global(name)  # S(), JSON(), XML(); KeyError for anything else
            return el_value(tv)  # Json/Xml variables read as Spin nodes

        try:
            return expr.evaluate(resolve)
        except ExpressionError as exc:
            if isinstance(exc.__cause__, BpmnError):
                raise exc.__cause__ from None
            raise EngineError(str(exc)) from None

    def evaluate_in(self, expr: Expression, values: dict[str, TypedValue]) -> Any:
        """Evaluate against a plain variable map (e.g. a called instance that has ended)."""
        def resolve(name: str) -> Any:
            if name not in values:
                return el_global(name)
            return el_value(values[name])

        try:
            return expr.evaluate(resolve)
        except ExpressionError as exc:
            if isinstance(exc.__cause__, BpmnError):
                raise exc.__cause__ from None
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
        self.create_variable(inst, inst.root, None, name, value)

    def set_variable_local(self, ex: Execution, name: str, value: TypedValue) -> None:
        inst = self.instance(ex.proc_inst_id)
        var = inst.scopes.get(ex.id, {}).get(name)
        if var is not None:
            self._update_variable(inst, var, value, ex)
        else:
            self.create_variable(inst, ex, None, name, value)

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
                self.variable_changed(inst, name, "delete")
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
            self.create_variable(inst, ex, task.id, name, value)

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

    def create_variable(self, inst: Instance, ex: Execution | None, task_id: str | None,
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
        self.variable_changed(inst, name, "create")

    def _update_variable(self, inst: Instance, var: Variable, value: TypedValue,
                         ex: Execution | None) -> None:
        (var.var_type, var.text_value, var.long_value, var.double_value, var.bytes_value,
         var.value_info) = to_columns(value)
        inst.values[var.id] = value
        self.history.variable_updated(var, ex or inst.root)
        self.variable_changed(inst, var.name, "update")

