"""History queries and commands: Camunda's filters and sort keys over the ``bf_hi_*`` tables.

Only ``runtime/history.py`` writes history; this module reads it for the REST layer and deletes
it on request.  Historic process, activity and task instances live here; historic variable
instances and details (which carry typed values) in ``history_variables.py``.

Filters on things the engine does not record yet (incidents, jobs, cases) match nothing, as
Camunda's would on an engine that never had any.
"""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import BadUserRequestError, NotFoundError
from bpmnflow.services import variable_filters
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import (
    Converter,
    Filter,
    QuerySpec,
    build,
    date_cmp,
    eq,
    flag,
    in_list,
    like,
    not_in,
)
from bpmnflow.store.entities import (
    HistoricActivityInstance,
    HistoricProcessInstance,
    HistoricTaskInstance,
)
from bpmnflow.store.query import Query

# -- shared filter builders ----------------------------------------------------------------------
NEVER = "1 = 0"


def never(kind: str) -> Filter:
    """A filter on something that does not exist yet: any value (or ``true``) matches nothing."""
    def apply(q: Query[Any], value: Any) -> None:
        if value is not False and value != []:  # flags act only when true, lists when filled
            q.add(NEVER)
    return Filter(kind, apply)


def historic_variables(param: str, scope: str) -> Filter:
    """``name_op_value`` filters on historic values; ``scope`` ties the row ``v`` to ``t``."""
    def apply(q: Query[Any], raw: Any) -> None:
        for name, op, value, as_text in variable_filters.parse(param, raw):
            cond, params = variable_filters.condition(op, value, as_text)
            q.add(f"EXISTS (SELECT 1 FROM bf_hi_varinst v WHERE {scope} AND v.name = ? "
                  f"AND {cond})", name, *params)
    return Filter("raw", apply)


def lower_in(column: str) -> Filter:
    """Type names compare case-insensitively (Camunda lower-cases both sides)."""
    def apply(q: Query[Any], values: list[str]) -> None:
        if values:
            marks = ", ".join("?" for _ in values)
            q.add(f"LOWER(t.{column}) IN ({marks})", *(v.lower() for v in values))
    return Filter("list", apply)


def upper_eq(column: str, op: str = "=") -> Filter:
    """Task names and descriptions match case-insensitively in history (CAM-12186)."""
    return Filter("str", lambda q, v: q.add(f"UPPER(t.{column}) {op} UPPER(?)", v))


def build_stable(spec: QuerySpec, params: dict[str, Any], convert: Converter) -> Query[Any]:
    """``queries.build``, then the default order as tie-breaker after the client's sort keys.

    History rows often share a timestamp (one command writes many); without a tie-breaker
    their order, and so paging, would change from one database to the next.
    """
    query = build(spec, params, convert)
    for expression, descending in spec.default_order:
        term = f"{expression} {'DESC' if descending else 'ASC'}"
        if not any(existing.startswith(expression + " ") for existing in query.order):
            query.order.append(term)
    return query


# -- historic process instances ------------------------------------------------------------------
_ACTIVITY = "EXISTS (SELECT 1 FROM bf_hi_actinst a WHERE a.proc_inst_id = t.id AND "


def _activities(condition: str) -> Filter:
    def apply(q: Query[Any], ids: list[str]) -> None:
        if ids:
            marks = ", ".join("?" for _ in ids)
            q.add(f"{_ACTIVITY}a.act_id IN ({marks}) AND {condition})", *ids)
    return Filter("list", apply)


def _state(state: str) -> Filter:
    return flag(f"t.state = '{state}'")


PROCESS_INSTANCES = QuerySpec(
    HistoricProcessInstance,
    key_column="t.proc_def_key",
    filters={
        "processInstanceId": eq("id"),
        "processInstanceIds": in_list("id"),
        "processInstanceIdNotIn": not_in("id"),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "processDefinitionKeyIn": in_list("proc_def_key"),
        "processDefinitionKeyNotIn": not_in("proc_def_key"),
        "processDefinitionName": eq("proc_def_name"),
        "processDefinitionNameLike": like("proc_def_name"),
        "processInstanceBusinessKey": eq("business_key"),
        "processInstanceBusinessKeyIn": in_list("business_key"),
        "processInstanceBusinessKeyLike": like("business_key"),
        "rootProcessInstances": flag("t.super_proc_inst_id IS NULL"),
        "rootProcessInstanceId": eq("root_proc_inst_id"),
        "superProcessInstanceId": eq("super_proc_inst_id"),
        "subProcessInstanceId": Filter("str", lambda q, v: q.add(
            "t.id IN (SELECT s.super_proc_inst_id FROM bf_hi_procinst s WHERE s.id = ?)", v)),
        "finished": flag("t.end_time IS NOT NULL"),
        "unfinished": flag("t.end_time IS NULL"),
        "startedBefore": date_cmp("start_time", "<="),
        "startedAfter": date_cmp("start_time", ">="),
        "finishedBefore": date_cmp("end_time", "<="),
        "finishedAfter": date_cmp("end_time", ">="),
        "executedActivityAfter": Filter("date", lambda q, v: q.add(
            _ACTIVITY + "(a.start_time >= ? OR a.end_time >= ?))", v, v)),
        "executedActivityBefore": Filter("date", lambda q, v: q.add(
            _ACTIVITY + "(a.start_time <= ? OR a.end_time <= ?))", v, v)),
        "activityIdIn": _activities("a.end_time IS NULL"),
        "activeActivityIdIn": _activities("a.end_time IS NULL"),
        "executedActivityIdIn": _activities("a.end_time IS NOT NULL"),
        "startedBy": eq("start_user_id"),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        "active": _state("ACTIVE"),
        "suspended": _state("SUSPENDED"),
        "completed": _state("COMPLETED"),
        "externallyTerminated": _state("EXTERNALLY_TERMINATED"),
        "internallyTerminated": _state("INTERNALLY_TERMINATED"),
        "variables": historic_variables("variables", "v.proc_inst_id = t.id"),
        # not recorded yet: incidents, job logs, case instances
        "withIncidents": never("bool"), "withRootIncidents": never("bool"),
        "withJobsRetrying": never("bool"), "incidentIdIn": never("list"),
        "incidentType": never("str"), "incidentStatus": never("str"),
        "incidentMessage": never("str"), "incidentMessageLike": never("str"),
        "executedJobAfter": never("date"), "executedJobBefore": never("date"),
        "superCaseInstanceId": never("str"), "subCaseInstanceId": never("str"),
        "caseInstanceId": never("str"),
    },
    sorts={"instanceId": "t.id", "definitionId": "t.proc_def_id",
           "definitionKey": "t.proc_def_key", "definitionName": "t.proc_def_name",
           "definitionVersion": "t.proc_def_version", "businessKey": "t.business_key",
           "startTime": "t.start_time", "endTime": "t.end_time", "duration": "t.duration",
           "tenantId": "t.tenant_id"},
    default_order=(("t.start_time", False), ("t.id", False)),
)


# -- historic activity instances -----------------------------------------------------------------
ACTIVITY_INSTANCES = QuerySpec(
    HistoricActivityInstance,
    key_column="t.proc_def_key",
    filters={
        "activityInstanceId": eq("id"),
        "processInstanceId": eq("proc_inst_id"),
        "processDefinitionId": eq("proc_def_id"),
        "executionId": eq("execution_id"),
        "activityId": eq("act_id"),
        "activityName": eq("act_name"),
        "activityType": eq("act_type"),
        "taskAssignee": eq("assignee"),
        "finished": flag("t.end_time IS NOT NULL"),
        "unfinished": flag("t.end_time IS NULL"),
        # TRUE literal: a BOOL column on PostgreSQL, 1/0 on SQLite (3.23+ knows both)
        "canceled": flag("t.canceled = TRUE"),
        "completeScope": flag("t.complete_scope = TRUE"),
        "startedBefore": date_cmp("start_time", "<="),
        "startedAfter": date_cmp("start_time", ">="),
        "finishedBefore": date_cmp("end_time", "<="),
        "finishedAfter": date_cmp("end_time", ">="),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
    },
    sorts={"activityInstanceId": "t.id", "instanceId": "t.proc_inst_id",
           "executionId": "t.execution_id", "activityId": "t.act_id",
           "activityName": "t.act_name", "activityType": "t.act_type",
           "startTime": "t.start_time", "endTime": "t.end_time", "duration": "t.duration",
           "definitionId": "t.proc_def_id", "occurrence": "t.seq", "tenantId": "t.tenant_id"},
    default_order=(("t.start_time", False), ("t.seq", False)),
)


# -- historic task instances ---------------------------------------------------------------------
# Identity links are kept for running tasks only (there is no historic identity-link table yet),
# so the "involved"/"candidate" filters see the links of open tasks plus assignee and owner.
_LINK = "EXISTS (SELECT 1 FROM bf_identity_link l WHERE l.task_id = t.id AND "
_INSTANCE = "t.proc_inst_id IN (SELECT p.id FROM bf_hi_procinst p WHERE "


def _business_keys(q: Query[Any], keys: list[str]) -> None:
    if keys:
        q.add(_INSTANCE + f"p.business_key IN ({', '.join('?' for _ in keys)}))", *keys)


TASKS = QuerySpec(
    HistoricTaskInstance,
    key_column="t.proc_def_key",
    filters={
        "taskId": eq("id"),
        "taskParentTaskId": eq("parent_task_id"),
        "processInstanceId": eq("proc_inst_id"),
        "rootProcessInstanceId": eq("root_proc_inst_id"),
        "processInstanceBusinessKey": Filter("str", lambda q, v: q.add(
            _INSTANCE + "p.business_key = ?)", v)),
        "processInstanceBusinessKeyIn": Filter("list", _business_keys),
        "processInstanceBusinessKeyLike": Filter("str", lambda q, v: q.add(
            _INSTANCE + "p.business_key LIKE ?)", v)),
        "executionId": eq("execution_id"),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "processDefinitionName": Filter("str", lambda q, v: q.add(
            "t.proc_def_id IN (SELECT d.id FROM bf_process_definition d WHERE d.name = ?)", v)),
        "activityInstanceIdIn": in_list("act_inst_id"),
        "taskName": upper_eq("name"),
        "taskNameLike": upper_eq("name", "LIKE"),
        "taskDescription": upper_eq("description"),
        "taskDescriptionLike": upper_eq("description", "LIKE"),
        "taskDefinitionKey": eq("task_def_key"),
        "taskDefinitionKeyIn": in_list("task_def_key"),
        "taskDeleteReason": eq("delete_reason"),
        "taskDeleteReasonLike": like("delete_reason"),
        "taskAssignee": eq("assignee"), "taskAssigneeLike": like("assignee"),
        "taskOwner": eq("owner"), "taskOwnerLike": like("owner"),
        "taskPriority": Filter("int", lambda q, v: q.eq("priority", v)),
        "assigned": flag("t.assignee IS NOT NULL"),
        "unassigned": flag("t.assignee IS NULL"),
        "finished": flag("t.end_time IS NOT NULL"),
        "unfinished": flag("t.end_time IS NULL"),
        "processFinished": flag(_INSTANCE + "p.end_time IS NOT NULL)"),
        "processUnfinished": flag(_INSTANCE + "p.end_time IS NULL)"),
        "taskDueDate": date_cmp("due_date", "="),
        "taskDueDateBefore": date_cmp("due_date", "<"),
        "taskDueDateAfter": date_cmp("due_date", ">"),
        "withoutTaskDueDate": flag("t.due_date IS NULL"),
        "taskFollowUpDate": date_cmp("follow_up_date", "="),
        "taskFollowUpDateBefore": date_cmp("follow_up_date", "<"),
        "taskFollowUpDateAfter": date_cmp("follow_up_date", ">"),
        "startedBefore": date_cmp("start_time", "<="),
        "startedAfter": date_cmp("start_time", ">="),
        "finishedBefore": date_cmp("end_time", "<="),
        "finishedAfter": date_cmp("end_time", ">="),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        "taskVariables": historic_variables("taskVariables", "v.task_id = t.id"),
        "processVariables": historic_variables(
            "processVariables", "v.proc_inst_id = t.proc_inst_id AND v.task_id IS NULL"),
        "taskInvolvedUser": Filter("str", lambda q, v: q.add(
            f"(t.assignee = ? OR t.owner = ? OR {_LINK}l.user_id = ?))", v, v, v)),
        "taskInvolvedGroup": Filter("str", lambda q, v: q.add(_LINK + "l.group_id = ?)", v)),
        "taskHadCandidateUser": Filter("str", lambda q, v: q.add(
            _LINK + "l.type = 'candidate' AND l.user_id = ?)", v)),
        "taskHadCandidateGroup": Filter("str", lambda q, v: q.add(
            _LINK + "l.type = 'candidate' AND l.group_id = ?)", v)),
        "withCandidateGroups": flag(_LINK + "l.type = 'candidate' AND l.group_id IS NOT NULL)"),
        "withoutCandidateGroups": flag(
            "NOT " + _LINK + "l.type = 'candidate' AND l.group_id IS NOT NULL)"),
        "caseInstanceId": never("str"), "caseExecutionId": never("str"),
        "caseDefinitionId": never("str"), "caseDefinitionKey": never("str"),
        "caseDefinitionName": never("str"),
    },
    sorts={"taskId": "t.id", "activityInstanceId": "t.act_inst_id",
           "processDefinitionId": "t.proc_def_id", "processInstanceId": "t.proc_inst_id",
           "executionId": "t.execution_id", "duration": "t.duration", "endTime": "t.end_time",
           "startTime": "t.start_time", "taskName": "t.name",
           "taskDescription": "t.description", "assignee": "t.assignee", "owner": "t.owner",
           "dueDate": "t.due_date", "followUpDate": "t.follow_up_date",
           "deleteReason": "t.delete_reason", "taskDefinitionKey": "t.task_def_key",
           "priority": "t.priority", "tenantId": "t.tenant_id",
           # no case management: every row has the same (null) case ids
           "caseDefinitionId": "t.id", "caseInstanceId": "t.id", "caseExecutionId": "t.id"},
    default_order=(("t.start_time", False), ("t.id", False)),
)


# -- lookups -------------------------------------------------------------------------------------
def process_instance(ctx: CommandContext, pid: str) -> HistoricProcessInstance | None:
    """None when unknown: each REST resource words its own 404."""
    return ctx.uow.get(HistoricProcessInstance, pid)


def activity_instance(ctx: CommandContext, aid: str) -> HistoricActivityInstance | None:
    """None when unknown: each REST resource words its own 404."""
    return ctx.uow.get(HistoricActivityInstance, aid)


# -- deletion ------------------------------------------------------------------------------------
_PER_INSTANCE = ("bf_hi_actinst", "bf_hi_taskinst", "bf_hi_varinst", "bf_hi_detail",
                 "bf_hi_incident", "bf_hi_job_log", "bf_hi_ext_task_log")


def delete_process_instance(ctx: CommandContext, pid: str, fail_if_not_exists: bool = True
                            ) -> None:
    """Delete the history of one ended process instance (running ones keep theirs)."""
    hi = ctx.uow.get(HistoricProcessInstance, pid)
    if hi is None:
        if fail_if_not_exists:
            raise NotFoundError(f"No historic process instance found with id: {pid}")
        return
    if hi.end_time is None:
        raise BadUserRequestError(
            f"Process instance is still running, cannot delete historic process instance: "
            f"{pid}: instance.getEndTime() is null")
    for table in _PER_INSTANCE:
        ctx.session.execute(f"DELETE FROM {table} WHERE proc_inst_id = ?", (pid,))
    ctx.uow.remove(hi)


__all__ = ["ACTIVITY_INSTANCES", "PROCESS_INSTANCES", "TASKS", "activity_instance",
           "build_stable", "delete_process_instance", "historic_variables", "lower_in", "never",
           "process_instance", "upper_eq"]
