"""Execution queries: every row of the execution tree is an execution for the REST API.

The root row of an instance is the process instance itself; each activity instance is a row of
its own (see ``store.entities.Execution``); ``join`` rows are tokens waiting at a joining gateway.
"""

from __future__ import annotations

from bpmnflow.services import variable_filters
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import Filter, QuerySpec, eq, flag, in_list
from bpmnflow.store.entities import Execution


def _variables(param: str, scope: str) -> Filter:
    return Filter("raw", lambda q, v: variable_filters.apply(
        q, variable_filters.parse(param, v), scope))


def _subscribed(kind: str) -> Filter:
    return Filter("str", lambda q, v: q.add(
        "EXISTS (SELECT 1 FROM bf_event_subscription s WHERE s.execution_id = t.id AND "
        f"s.event_type = '{kind}' AND s.event_name = ?)", v))


def _incident(condition: str) -> Filter:
    return Filter("str", lambda q, v: q.add(
        f"EXISTS (SELECT 1 FROM bf_incident i WHERE i.execution_id = t.id AND {condition})", v))


SPEC = QuerySpec(
    Execution,
    key_column="t.proc_def_key",
    filters={
        "processInstanceId": eq("proc_inst_id"),
        # the business key belongs to the process instance, i.e. the root row
        "businessKey": Filter("str", lambda q, v: q.add(
            "t.proc_inst_id IN (SELECT r.id FROM bf_execution r WHERE r.parent_id IS NULL "
            "AND r.business_key = ?)", v)),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        # as Camunda, tokens waiting at a joining gateway count as executions in the gateway
        "activityId": eq("activity_id"),
        "signalEventSubscriptionName": _subscribed("signal"),
        "messageEventSubscriptionName": _subscribed("message"),
        "incidentId": _incident("i.id = ?"),
        "incidentType": _incident("i.incident_type = ?"),
        "incidentMessage": _incident("i.incident_message = ?"),
        "incidentMessageLike": _incident("i.incident_message LIKE ?"),
        "active": flag("t.suspension_state = 1"),
        "suspended": flag("t.suspension_state = 2"),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        # Camunda's scopes: "variables" are those held by the execution (task variables too,
        # they carry their task's execution); "processVariables" any non-task variable of the
        # instance, whichever execution holds it
        "variables": _variables("variables", "v.execution_id = t.id"),
        "processVariables": _variables(
            "processVariables", "v.proc_inst_id = t.proc_inst_id AND v.task_id IS NULL"),
    },
    sorts={"instanceId": "t.proc_inst_id", "definitionKey": "t.proc_def_key",
           "definitionId": "t.proc_def_id", "tenantId": "t.tenant_id"},
    default_order=(("t.start_time", False), ("t.seq", False)),
)


def get(ctx: CommandContext, execution_id: str) -> Execution | None:
    """Any row of the tree: a process instance id is an execution id too."""
    return ctx.uow.get(Execution, execution_id)
