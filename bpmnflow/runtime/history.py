"""History as events: behaviours report what happened, this one handler writes it.

The history level (none < activity < audit < full) is checked here and nowhere else, so a
behaviour never has to know which tables exist or what the configuration says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime.ids import new_id, next_seq
from bpmnflow.store.entities import (
    Execution,
    HistoricActivityInstance,
    HistoricDetail,
    HistoricProcessInstance,
    HistoricTaskInstance,
    HistoricVariableInstance,
    Task,
    Variable,
)

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

LEVELS = {"none": 0, "activity": 1, "audit": 2, "full": 3}
DAY_MS = 86_400_000


class History:
    __slots__ = ("rt", "level", "activity", "audit", "full", "_actinst")

    def __init__(self, rt: Runtime, level: str) -> None:
        self.rt = rt
        self.level = LEVELS[level]
        self.activity = self.level >= 1
        self.audit = self.level >= 2
        self.full = self.level >= 3
        self._actinst: dict[str, HistoricActivityInstance] = {}

    # -- process instances -----------------------------------------------------------------------
    def process_started(self, inst: Instance, start_activity: str | None,
                        start_user: str | None) -> None:
        if not self.activity:
            return
        root, d = inst.root, inst.definition
        self.rt.uow.add(HistoricProcessInstance(
            id=root.id, business_key=root.business_key, proc_def_id=d.id, proc_def_key=d.def_key,
            proc_def_name=d.name, proc_def_version=d.version, start_time=root.start_time,
            end_time=None, duration=None, start_user_id=start_user, start_act_id=start_activity,
            end_act_id=None, super_proc_inst_id=None, root_proc_inst_id=root.root_proc_inst_id,
            delete_reason=None, tenant_id=root.tenant_id, state="ACTIVE", removal_time=None,
            restarted_proc_inst_id=None))

    def process_ended(self, inst: Instance, state: str, end_activity: str | None,
                      reason: str | None = None) -> None:
        if not self.activity:
            return
        hi = self.rt.uow.get(HistoricProcessInstance, inst.id)
        if hi is None:
            return
        now = self.rt.now
        hi.end_time, hi.duration, hi.state = now, now - hi.start_time, state
        hi.end_act_id, hi.delete_reason = end_activity, reason
        ttl = inst.definition.history_ttl
        if ttl is not None:
            hi.removal_time = now + ttl * DAY_MS

    # -- activity instances ----------------------------------------------------------------------
    def activity_started(self, inst: Instance, ex: Execution, node: FlowNode) -> None:
        if not self.activity:
            return
        hi = HistoricActivityInstance(
            id=ex.id, parent_act_inst_id=ex.parent_id, act_id=node.id, act_name=node.name,
            act_type=node.activity_type, proc_def_key=ex.proc_def_key, proc_def_id=ex.proc_def_id,
            proc_inst_id=ex.proc_inst_id, execution_id=ex.id, task_id=None, assignee=None,
            called_proc_inst_id=None, start_time=self.rt.now, end_time=None, duration=None,
            canceled=False, complete_scope=False, tenant_id=ex.tenant_id, removal_time=None,
            root_proc_inst_id=ex.root_proc_inst_id, seq=next_seq())
        self._actinst[ex.id] = hi
        self.rt.uow.add(hi)

    def _activity(self, ex_id: str) -> HistoricActivityInstance | None:
        hi = self._actinst.get(ex_id)
        if hi is None:
            hi = self.rt.uow.get(HistoricActivityInstance, ex_id)
        return hi

    def activity_ended(self, ex: Execution, canceled: bool = False,
                       complete_scope: bool = False) -> None:
        if not self.activity:
            return
        hi = self._activity(ex.id)
        if hi is None or hi.end_time is not None:
            return
        hi.end_time = self.rt.now
        hi.duration = hi.end_time - hi.start_time
        hi.canceled = canceled
        hi.complete_scope = complete_scope

    # -- tasks -----------------------------------------------------------------------------------
    def task_created(self, task: Task, ex: Execution | None) -> None:
        if self.activity and ex is not None:
            hi = self._activity(ex.id)
            if hi is not None:
                hi.task_id, hi.assignee = task.id, task.assignee
        if not self.audit:
            return
        self.rt.uow.add(HistoricTaskInstance(
            id=task.id, proc_def_key=task.proc_def_key, proc_def_id=task.proc_def_id,
            proc_inst_id=task.proc_inst_id, execution_id=task.execution_id,
            act_inst_id=task.execution_id, name=task.name, description=task.description,
            delete_reason=None, owner=task.owner, assignee=task.assignee,
            start_time=task.create_time, end_time=None, duration=None,
            task_def_key=task.task_def_key, priority=task.priority, due_date=task.due_date,
            follow_up_date=task.follow_up_date, parent_task_id=task.parent_task_id,
            tenant_id=task.tenant_id, removal_time=None,
            root_proc_inst_id=task.proc_inst_id, task_state=task.task_state))

    def task_updated(self, task: Task) -> None:
        if self.activity and task.execution_id:
            hi_act = self._activity(task.execution_id)
            if hi_act is not None:
                hi_act.assignee = task.assignee
        if not self.audit:
            return
        hi = self.rt.uow.get(HistoricTaskInstance, task.id)
        if hi is None:
            return
        hi.name, hi.description, hi.owner, hi.assignee = (
            task.name, task.description, task.owner, task.assignee)
        hi.priority, hi.due_date, hi.follow_up_date = task.priority, task.due_date, task.follow_up_date
        hi.parent_task_id, hi.task_state = task.parent_task_id, task.task_state

    def task_ended(self, task: Task, reason: str) -> None:
        if not self.audit:
            return
        hi = self.rt.uow.get(HistoricTaskInstance, task.id)
        if hi is None:
            return
        hi.end_time = self.rt.now
        hi.duration = hi.end_time - hi.start_time
        hi.delete_reason = reason
        hi.task_state = task.task_state

    # -- variables -------------------------------------------------------------------------------
    def variable_created(self, var: Variable, ex: Execution | None, initial: bool) -> None:
        if not self.audit:
            return
        self.rt.uow.add(HistoricVariableInstance(
            id=var.id, name=var.name, var_type=var.var_type, text_value=var.text_value,
            long_value=var.long_value, double_value=var.double_value,
            bytes_value=var.bytes_value, value_info=var.value_info,
            proc_def_key=ex.proc_def_key if ex else None, proc_def_id=var.proc_def_id,
            proc_inst_id=var.proc_inst_id, execution_id=var.execution_id,
            act_inst_id=var.execution_id, task_id=var.task_id, tenant_id=var.tenant_id,
            state="CREATED", create_time=self.rt.now, removal_time=None,
            root_proc_inst_id=var.proc_inst_id))
        self._detail(var, ex, initial, 0)

    def variable_updated(self, var: Variable, ex: Execution | None) -> None:
        if not self.audit:
            return
        hi = self.rt.uow.get(HistoricVariableInstance, var.id)
        if hi is not None:
            hi.var_type, hi.text_value, hi.long_value = var.var_type, var.text_value, var.long_value
            hi.double_value, hi.bytes_value, hi.value_info = (
                var.double_value, var.bytes_value, var.value_info)
        self._detail(var, ex, False, var.rev)

    def variable_deleted(self, var: Variable) -> None:
        if not self.audit:
            return
        hi = self.rt.uow.get(HistoricVariableInstance, var.id)
        if hi is not None:
            hi.state = "DELETED"

    def _detail(self, var: Variable, ex: Execution | None, initial: bool, revision: int) -> None:
        if not self.full:
            return
        self.rt.uow.add(HistoricDetail(
            id=new_id(), type="variableUpdate", proc_def_key=ex.proc_def_key if ex else None,
            proc_def_id=var.proc_def_id, proc_inst_id=var.proc_inst_id,
            act_inst_id=var.execution_id, execution_id=var.execution_id, task_id=var.task_id,
            tenant_id=var.tenant_id, user_op_id=None, time=self.rt.now, removal_time=None,
            root_proc_inst_id=var.proc_inst_id, field_id=None, var_name=var.name,
            var_inst_id=var.id, var_type=var.var_type, text_value=var.text_value,
            long_value=var.long_value, double_value=var.double_value,
            bytes_value=var.bytes_value, value_info=var.value_info, initial=initial,
            revision=revision, seq=next_seq()))
