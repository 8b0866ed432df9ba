"""Entities to Camunda's JSON shapes, field for field as the contract names them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bpmnflow.store.entities import (
    SUSPENDED,
    Deployment,
    Execution,
    ProcessDefinition,
    Task,
)
from bpmnflow.variables import TypedValue, to_rest

_UTC = dt.UTC


def date(ms: int | None) -> str | None:
    """Epoch milliseconds as ``yyyy-MM-dd'T'HH:mm:ss.SSS+0000``."""
    if ms is None:
        return None
    d = dt.datetime.fromtimestamp(ms / 1000, _UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}+0000"


def variables(values: dict[str, TypedValue], deserialize: bool = True) -> dict[str, Any]:
    return {name: to_rest(tv, deserialize) for name, tv in values.items()}


def definition(d: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": d.id, "key": d.def_key, "category": d.category, "description": d.description,
        "name": d.name, "version": d.version, "resource": d.resource_name,
        "deploymentId": d.deployment_id, "diagram": d.diagram_resource_name,
        "suspended": d.suspension_state == SUSPENDED, "tenantId": d.tenant_id,
        "versionTag": d.version_tag, "historyTimeToLive": d.history_ttl,
        "startableInTasklist": bool(d.startable),
    }


def deployment(d: Deployment, links: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"links": links or [], "id": d.id, "tenantId": d.tenant_id,
            "deploymentTime": date(d.deploy_time), "source": d.source, "name": d.name}


def process_instance(root: Execution, ended: bool = False,
                     links: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"links": links or [], "id": root.id, "definitionId": root.proc_def_id,
            "definitionKey": root.proc_def_key, "businessKey": root.business_key,
            "caseInstanceId": None, "ended": ended,
            "suspended": root.suspension_state == SUSPENDED, "tenantId": root.tenant_id}


def execution(ex: Execution) -> dict[str, Any]:
    return {"id": ex.id, "processInstanceId": ex.proc_inst_id, "ended": False,
            "tenantId": ex.tenant_id}


def task(t: Task) -> dict[str, Any]:
    return {
        "id": t.id, "name": t.name, "assignee": t.assignee, "owner": t.owner,
        "created": date(t.create_time), "lastUpdated": date(t.last_updated),
        "due": date(t.due_date), "followUp": date(t.follow_up_date),
        "delegationState": t.delegation_state, "description": t.description,
        "executionId": t.execution_id, "parentTaskId": t.parent_task_id,
        "priority": t.priority, "processDefinitionId": t.proc_def_id,
        "processInstanceId": t.proc_inst_id, "caseExecutionId": None, "caseDefinitionId": None,
        "caseInstanceId": None, "taskDefinitionKey": t.task_def_key,
        "suspended": t.suspension_state == SUSPENDED, "formKey": t.form_key,
        "camundaFormRef": None, "tenantId": t.tenant_id, "taskState": t.task_state,
    }
