"""``/history/activity-instance``: query and get."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import convert
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.errors import InvalidRequestError
from bpmnflow.services import history
from bpmnflow.store.entities import HistoricActivityInstance
from bpmnflow.store.query import Query


def historic_activity_instance(hi: HistoricActivityInstance, _: bool = True) -> dict[str, Any]:
    """Camunda's HistoricActivityInstanceDto (flags are 0/1 on SQLite, hence ``bool``)."""
    return {
        "id": hi.id, "parentActivityInstanceId": hi.parent_act_inst_id, "activityId": hi.act_id,
        "activityName": hi.act_name, "activityType": hi.act_type,
        "processDefinitionKey": hi.proc_def_key, "processDefinitionId": hi.proc_def_id,
        "processInstanceId": hi.proc_inst_id, "executionId": hi.execution_id,
        "taskId": hi.task_id, "assignee": hi.assignee,
        "calledProcessInstanceId": hi.called_proc_inst_id, "calledCaseInstanceId": None,
        "startTime": date(hi.start_time), "endTime": date(hi.end_time),
        "durationInMillis": hi.duration, "canceled": bool(hi.canceled),
        "completeScope": bool(hi.complete_scope), "tenantId": hi.tenant_id,
        "removalTime": date(hi.removal_time), "rootProcessInstanceId": hi.root_proc_inst_id,
    }


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return history.build_stable(history.ACTIVITY_INSTANCES, params, convert)


async def get_activity_instance(request: Request) -> Response:
    aid = request.path_params["id"]
    found = await query(request, history.activity_instance, aid)
    if found is None:
        raise InvalidRequestError(404, f"Historic activity instance with id '{aid}' does not "
                                       "exist")
    return json(historic_activity_instance(found))


routes = [
    *query_routes("/history/activity-instance", _build, historic_activity_instance),
    Route("/history/activity-instance/{id}", get_activity_instance, methods=["GET"]),
]
