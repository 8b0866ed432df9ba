"""``/history/detail``: query, get and binary content of historic variable updates."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import binary_response, not_found, query_routes, typed_fields
from bpmnflow.api.params import convert, flag
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.services import history_variables
from bpmnflow.store.entities import HistoricDetail
from bpmnflow.store.query import Query

RESOURCE = "Historic detail"


def historic_detail(d: HistoricDetail, deserialize: bool = True) -> dict[str, Any]:
    """A ``variableUpdate`` or a ``formField``: common fields plus the subtype's own."""
    out: dict[str, Any] = {
        "type": d.type, "id": d.id, "processDefinitionKey": d.proc_def_key,
        "processDefinitionId": d.proc_def_id, "processInstanceId": d.proc_inst_id,
        "activityInstanceId": d.act_inst_id, "executionId": d.execution_id,
        "caseDefinitionKey": None, "caseDefinitionId": None, "caseInstanceId": None,
        "caseExecutionId": None, "taskId": d.task_id, "tenantId": d.tenant_id,
        "userOperationId": d.user_op_id, "time": date(d.time),
        "removalTime": date(d.removal_time), "rootProcessInstanceId": d.root_proc_inst_id,
    }
    if d.type == "formField":
        out.update(fieldId=d.field_id, fieldValue=d.text_value)
        return out
    typed = typed_fields(d, deserialize)
    out.update(variableName=d.var_name, variableInstanceId=d.var_inst_id,
               variableType=typed["type"], value=typed["value"], valueInfo=typed["valueInfo"],
               initial=bool(d.initial), revision=d.revision,
               errorMessage=typed["errorMessage"])
    return out


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return history_variables.detail_query(params, convert)


async def _found(request: Request) -> HistoricDetail:
    detail_id = request.path_params["id"]
    found = await query(request, history_variables.detail, detail_id)
    if found is None:
        raise not_found(RESOURCE, detail_id)
    return found


async def get_detail(request: Request) -> Response:
    deserialize = flag(request, "deserializeValue", flag(request, "deserializeValues", True))
    return json(historic_detail(await _found(request), deserialize))


async def get_data(request: Request) -> Response:
    return binary_response(await _found(request), request.path_params["id"])


routes = [
    # Camunda has no POST /history/detail/count
    *query_routes("/history/detail", _build, historic_detail, post_count=False,
                  values=True),
    Route("/history/detail/{id}", get_detail, methods=["GET"]),
    Route("/history/detail/{id}/data", get_data, methods=["GET"]),
]
