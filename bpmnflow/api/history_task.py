"""``/history/task``: query historic task instances."""

from __future__ import annotations

from typing import Any

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import convert
from bpmnflow.services import history
from bpmnflow.store.entities import HistoricTaskInstance
from bpmnflow.store.query import Query


def historic_task(hi: HistoricTaskInstance, _: bool = True) -> dict[str, Any]:
    """Camunda's HistoricTaskInstanceDto (note ``duration``, not ``durationInMillis``)."""
    return {
        "id": hi.id, "processDefinitionKey": hi.proc_def_key,
        "processDefinitionId": hi.proc_def_id, "processInstanceId": hi.proc_inst_id,
        "executionId": hi.execution_id, "caseDefinitionKey": None, "caseDefinitionId": None,
        "caseInstanceId": None, "caseExecutionId": None, "activityInstanceId": hi.act_inst_id,
        "name": hi.name, "description": hi.description, "deleteReason": hi.delete_reason,
        "owner": hi.owner, "assignee": hi.assignee, "startTime": date(hi.start_time),
        "endTime": date(hi.end_time), "duration": hi.duration,
        "taskDefinitionKey": hi.task_def_key, "priority": hi.priority, "due": date(hi.due_date),
        "parentTaskId": hi.parent_task_id, "followUp": date(hi.follow_up_date),
        "tenantId": hi.tenant_id, "removalTime": date(hi.removal_time),
        "rootProcessInstanceId": hi.root_proc_inst_id, "taskState": hi.task_state,
    }


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return history.build_stable(history.TASKS, params, convert)


routes = query_routes("/history/task", _build, historic_task)
