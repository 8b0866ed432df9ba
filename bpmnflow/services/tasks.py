"""Task queries: Camunda's task filters and sort keys over the task table."""

from __future__ import annotations

from typing import Any

from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import (
    Filter,
    QuerySpec,
    date_cmp,
    eq,
    flag,
    in_list,
    int_cmp,
    like,
    not_in,
    variables,
)
from bpmnflow.store.entities import Task

_LINK = "EXISTS (SELECT 1 FROM bf_identity_link l WHERE l.task_id = t.id AND l.type = 'candidate'"


def _candidate_user(q: Any, user: str) -> None:
    q.add(f"{_LINK} AND l.user_id = ?)", user)
    q.add("t.assignee IS NULL")


def _candidate_groups(q: Any, groups: list[str]) -> None:
    if not groups:
        q.empty = True
        return
    marks = ", ".join("?" for _ in groups)
    q.add(f"{_LINK} AND l.group_id IN ({marks}))", *groups)
    q.add("t.assignee IS NULL")


def _involved(q: Any, user: str) -> None:
    q.add("(t.assignee = ? OR t.owner = ? OR EXISTS (SELECT 1 FROM bf_identity_link l "
          "WHERE l.task_id = t.id AND l.user_id = ?))", user, user, user)


def _day(column: str) -> Filter:
    return Filter("date", lambda q, v: q.add(f"t.{column} >= ? AND t.{column} < ?", v,
                                             v + 86_400_000))


_INSTANCE = "t.proc_inst_id IN (SELECT e.id FROM bf_execution e WHERE e.parent_id IS NULL AND "
_DEFINITION = "t.proc_def_id IN (SELECT p.id FROM bf_process_definition p WHERE "

SPEC = QuerySpec(
    Task,
    key_column="t.proc_def_key",
    filters={
        "taskId": eq("id"), "taskIdIn": in_list("id"),
        "processInstanceId": eq("proc_inst_id"), "processInstanceIdIn": in_list("proc_inst_id"),
        "processInstanceBusinessKey": Filter("str", lambda q, v: q.add(
            _INSTANCE + "e.business_key = ?)", v)),
        "processInstanceBusinessKeyLike": Filter("str", lambda q, v: q.add(
            _INSTANCE + "e.business_key LIKE ?)", v)),
        "processInstanceBusinessKeyIn": Filter("list", lambda q, v: q.add(
            _INSTANCE + f"e.business_key IN ({', '.join('?' for _ in v)}))", *v) if v else None),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "processDefinitionKeyIn": in_list("proc_def_key"),
        "processDefinitionName": Filter("str", lambda q, v: q.add(_DEFINITION + "p.name = ?)", v)),
        "processDefinitionNameLike": Filter("str", lambda q, v: q.add(
            _DEFINITION + "p.name LIKE ?)", v)),
        "executionId": eq("execution_id"),
        "activityInstanceIdIn": in_list("execution_id"),
        "assignee": eq("assignee"), "assigneeLike": like("assignee"),
        "assigneeIn": in_list("assignee"), "assigneeNotIn": not_in("assignee"),
        "owner": eq("owner"),
        "candidateUser": Filter("str", _candidate_user),
        "candidateGroup": Filter("str", lambda q, v: _candidate_groups(q, [v])),
        "candidateGroups": Filter("list", _candidate_groups),
        "involvedUser": Filter("str", _involved),
        "assigned": flag("t.assignee IS NOT NULL"),
        "unassigned": flag("t.assignee IS NULL"),
        "taskDefinitionKey": eq("task_def_key"), "taskDefinitionKeyIn": in_list("task_def_key"),
        "taskDefinitionKeyNotIn": not_in("task_def_key"),
        "taskDefinitionKeyLike": like("task_def_key"),
        "name": eq("name"), "nameLike": like("name"),
        "nameNotEqual": Filter("str", lambda q, v: q.add("(t.name IS NULL OR t.name <> ?)", v)),
        "nameNotLike": Filter("str", lambda q, v: q.add("(t.name IS NULL OR t.name NOT LIKE ?)",
                                                         v)),
        "description": eq("description"), "descriptionLike": like("description"),
        "priority": Filter("int", lambda q, v: q.eq("priority", v)),
        "maxPriority": int_cmp("priority", "<="), "minPriority": int_cmp("priority", ">="),
        "dueDate": date_cmp("due_date", "="), "dueAfter": date_cmp("due_date", ">"),
        "dueBefore": date_cmp("due_date", "<"), "withoutDueDate": flag("t.due_date IS NULL"),
        "followUpDate": date_cmp("follow_up_date", "="),
        "followUpAfter": date_cmp("follow_up_date", ">"),
        "followUpBefore": date_cmp("follow_up_date", "<"),
        "followUpBeforeOrNotExistent": Filter("date", lambda q, v: q.add(
            "(t.follow_up_date IS NULL OR t.follow_up_date < ?)", v)),
        "createdOn": date_cmp("create_time", "="),
        "createdAfter": date_cmp("create_time", ">"),
        "createdBefore": date_cmp("create_time", "<"),
        "updatedAfter": date_cmp("last_updated", ">"),
        "delegationState": eq("delegation_state"),
        "tenantIdIn": in_list("tenant_id"), "withoutTenantId": flag("t.tenant_id IS NULL"),
        "active": flag("t.suspension_state = 1"), "suspended": flag("t.suspension_state = 2"),
        "parentTaskId": eq("parent_task_id"),
        "withCandidateGroups": flag(_LINK + " AND l.group_id IS NOT NULL)"),
        "withoutCandidateGroups": flag("NOT " + _LINK + " AND l.group_id IS NOT NULL)"),
        "withCandidateUsers": flag(_LINK + " AND l.user_id IS NOT NULL)"),
        "withoutCandidateUsers": flag("NOT " + _LINK + " AND l.user_id IS NOT NULL)"),
        "taskVariables": variables("v.task_id = t.id", "taskVariables"),
        "processVariables": variables(
            "v.proc_inst_id = t.proc_inst_id AND v.task_id IS NULL "
            "AND v.execution_id = t.proc_inst_id", "processVariables"),
    },
    sorts={"instanceId": "t.proc_inst_id", "dueDate": "t.due_date",
           "executionId": "t.execution_id", "assignee": "t.assignee",
           "created": "t.create_time", "lastUpdated": "t.last_updated",
           "description": "t.description", "id": "t.id", "name": "t.name",
           "nameCaseInsensitive": "LOWER(t.name)", "priority": "t.priority",
           "followUpDate": "t.follow_up_date", "tenantId": "t.tenant_id",
           "processDefinitionId": "t.proc_def_id", "caseInstanceId": "t.id",
           "caseExecutionId": "t.id"},
    default_order=(("t.create_time", False), ("t.id", False)),
)


def get(ctx: CommandContext, task_id: str) -> Task | None:
    return ctx.uow.get(Task, task_id)


def update(ctx: CommandContext, task_id: str, fields: dict[str, Any]) -> None:
    from bpmnflow.services.task_service import _touch, task_or_fail

    task = task_or_fail(ctx, task_id)
    for name, value in fields.items():
        setattr(task, name, value)
    _touch(ctx, task)
