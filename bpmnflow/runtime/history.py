"""History as events: behaviours report what happened, this one handler writes it.

The history level (none < activity < audit < full) is checked here and nowhere else, so a
behaviour never has to know which tables exist or what the configuration says.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime.ids import new_id, next_seq
from bpmnflow.store.entities import (
    Execution,
    ExternalTask,
    HistoricActivityInstance,
    HistoricDetail,
    HistoricExternalTaskLog,
    HistoricIncident,
    HistoricJobLog,
    HistoricProcessInstance,
    HistoricTaskInstance,
    HistoricVariableInstance,
    Incident,
    Job,
    Task,
    Variable,
)

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

HOSTNAME = socket.gethostname()
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
                        start_user: str | None, super_proc_inst_id: str | None = None) -> None:
        if not self.activity:
            return
        root, d = inst.root, inst.definition
        self.rt.uow.add(HistoricProcessInstance(
            id=root.id, business_key=root.business_key, proc_def_id=d.id, proc_def_key=d.def_key,
            proc_def_name=d.name, proc_def_version=d.version, start_time=root.start_time,
            end_time=None, duration=None, start_user_id=start_user, start_act_id=start_activity,
            end_act_id=None, super_proc_inst_id=super_proc_inst_id,
            root_proc_inst_id=root.root_proc_inst_id,
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

    def called(self, ex: Execution, child_id: str) -> None:
        if self.activity:
            hi = self._activity(ex.id)
            if hi is not None:
                hi.called_proc_inst_id = child_id

    # -- jobs, external tasks, incidents ---------------------------------------------------------
    def job_created(self, job: Job) -> None:
        self._job_log(job, 0)

    def job_deleted(self, job: Job) -> None:
        self._job_log(job, 3)

    def job_failed(self, job: Job) -> None:
        self._job_log(job, 1)

    def job_succeeded(self, job: Job) -> None:
        self._job_log(job, 2)

    def _job_log(self, job: Job, state: int) -> None:
        if not self.full:
            return
        self.rt.uow.add(HistoricJobLog(
            id=new_id(), timestamp=self.rt.now, job_id=job.id, job_due_date=job.due_date,
            job_retries=job.retries, job_priority=job.priority,
            job_exception_msg=job.exception_message if state == 1 else None,
            job_exception_stack=job.exception_stacktrace if state == 1 else None,
            job_state=state, job_def_id=job.job_def_id, job_def_type=job.handler_type,
            job_def_configuration=job.handler_cfg, activity_id=job.activity_id,
            failed_activity_id=job.failed_activity_id, execution_id=job.execution_id,
            proc_inst_id=job.proc_inst_id, proc_def_id=job.proc_def_id,
            proc_def_key=job.proc_def_key, deployment_id=job.deployment_id,
            tenant_id=job.tenant_id, hostname=HOSTNAME, removal_time=None,
            root_proc_inst_id=job.proc_inst_id, seq=next_seq()))

    def external_task_logged(self, task: ExternalTask, state: int) -> None:
        if not self.full:
            return
        self.rt.uow.add(HistoricExternalTaskLog(
            id=new_id(), timestamp=self.rt.now, ext_task_id=task.id, retries=task.retries,
            topic_name=task.topic_name, worker_id=task.worker_id, priority=task.priority,
            error_msg=task.error_message if state == 1 else None,
            error_details=task.error_details if state == 1 else None,
            activity_id=task.activity_id, activity_instance_id=task.activity_instance_id,
            execution_id=task.execution_id, proc_inst_id=task.proc_inst_id,
            proc_def_id=task.proc_def_id, proc_def_key=task.proc_def_key,
            tenant_id=task.tenant_id, state=state, removal_time=None,
            root_proc_inst_id=task.proc_inst_id, seq=next_seq()))

    def incident_created(self, incident: Incident, proc_def_key: str | None) -> None:
        if not self.full:
            return
        self.rt.uow.add(HistoricIncident(
            id=incident.id, proc_def_key=proc_def_key, proc_def_id=incident.proc_def_id,
            proc_inst_id=incident.proc_inst_id, execution_id=incident.execution_id,
            create_time=incident.incident_timestamp, end_time=None,
            incident_message=incident.incident_message, incident_type=incident.incident_type,
            activity_id=incident.activity_id, failed_activity_id=incident.failed_activity_id,
            cause_incident_id=incident.cause_incident_id,
            root_cause_incident_id=incident.root_cause_incident_id,
            configuration=incident.configuration, history_configuration=None,
            incident_state=0, tenant_id=incident.tenant_id, job_def_id=incident.job_def_id,
            annotation=incident.annotation, removal_time=None,
            root_proc_inst_id=incident.proc_inst_id))

    def incident_ended(self, incident: Incident, deleted: bool) -> None:
        if not self.full:
            return
        hi = self.rt.uow.get(HistoricIncident, incident.id)
        if hi is not None:
            hi.end_time = self.rt.now
            hi.incident_state = 2 if deleted else 1

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
        hi.priority, hi.due_date = task.priority, task.due_date
        hi.follow_up_date = task.follow_up_date
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
