"""Process instance queries (roots of the execution table) and their single-instance commands."""

from __future__ import annotations

from typing import Any

from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import Filter, QuerySpec, eq, flag, in_list, like, not_in, variables
from bpmnflow.store.entities import Execution

_ACTIVITY_IN = ("t.id IN (SELECT a.proc_inst_id FROM bf_execution a WHERE a.activity_id IN ({}) "
                "AND a.state <> 'join')")


def _activity_in(q: Any, ids: list[str]) -> None:
    if not ids:
        q.empty = True
        return
    q.add(_ACTIVITY_IN.format(", ".join("?" for _ in ids)), *ids)


SPEC = QuerySpec(
    Execution,
    key_column="t.proc_def_key",
    base_where="t.parent_id IS NULL",
    filters={
        "processInstanceIds": in_list("id"),
        "businessKey": eq("business_key"), "businessKeyLike": like("business_key"),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "processDefinitionKeyIn": in_list("proc_def_key"),
        "processDefinitionKeyNotIn": not_in("proc_def_key"),
        "deploymentId": Filter("str", lambda q, v: q.add(
            "t.proc_def_id IN (SELECT p.id FROM bf_process_definition p WHERE "
            "p.deployment_id = ?)", v)),
        "superProcessInstance": Filter("str", lambda q, v: q.add(
            "t.super_exec_id IN (SELECT s.id FROM bf_execution s WHERE s.proc_inst_id = ?)", v)),
        "subProcessInstance": Filter("str", lambda q, v: q.add(
            "t.id IN (SELECT s.proc_inst_id FROM bf_execution s WHERE s.id IN "
            "(SELECT c.super_exec_id FROM bf_execution c WHERE c.id = ?))", v)),
        "active": flag("t.suspension_state = 1"),
        "suspended": flag("t.suspension_state = 2"),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        "processDefinitionWithoutTenantId": flag("t.tenant_id IS NULL"),
        "activityIdIn": Filter("list", _activity_in),
        "rootProcessInstances": flag("t.super_exec_id IS NULL"),
        "leafProcessInstances": flag(
            "NOT EXISTS (SELECT 1 FROM bf_execution c WHERE c.super_exec_id IN "
            "(SELECT s.id FROM bf_execution s WHERE s.proc_inst_id = t.id))"),
        "rootProcessInstanceId": eq("root_proc_inst_id"),
        "withIncident": flag("1 = 0"),
        "variables": variables("v.proc_inst_id = t.id AND v.task_id IS NULL"),
    },
    sorts={"instanceId": "t.id", "definitionId": "t.proc_def_id",
           "definitionKey": "t.proc_def_key", "businessKey": "t.business_key",
           "tenantId": "t.tenant_id"},
)


def get(ctx: CommandContext, proc_inst_id: str) -> Execution | None:
    row = ctx.uow.get(Execution, proc_inst_id)
    return row if row is not None and row.parent_id is None else None
