"""``/history/variable-instance``: query, get, binary content, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import binary_response, not_found, query_routes, typed_fields
from bpmnflow.api.params import convert, flag
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.services import history_variables
from bpmnflow.store.entities import HistoricVariableInstance
from bpmnflow.store.query import Query

RESOURCE = "Historic variable instance"


def historic_variable(hi: HistoricVariableInstance, deserialize: bool = True) -> dict[str, Any]:
    """Camunda's HistoricVariableInstanceDto: the last value, and whether it was deleted."""
    typed = typed_fields(hi, deserialize)
    return {
        "id": hi.id, "name": hi.name, "type": typed["type"], "value": typed["value"],
        "valueInfo": typed["valueInfo"], "processDefinitionKey": hi.proc_def_key,
        "processDefinitionId": hi.proc_def_id, "processInstanceId": hi.proc_inst_id,
        "executionId": hi.execution_id, "activityInstanceId": hi.act_inst_id,
        "caseDefinitionKey": None, "caseDefinitionId": None, "caseInstanceId": None,
        "caseExecutionId": None, "taskId": hi.task_id, "tenantId": hi.tenant_id,
        "errorMessage": typed["errorMessage"], "state": hi.state,
        "createTime": date(hi.create_time), "removalTime": date(hi.removal_time),
        "rootProcessInstanceId": hi.root_proc_inst_id,
    }


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return history_variables.variable_instance_query(params, convert, from_url)


async def _found(request: Request) -> HistoricVariableInstance:
    vid = request.path_params["id"]
    found = await query(request, history_variables.variable_instance, vid)
    if found is None:
        raise not_found(RESOURCE, vid)
    return found


async def get_variable(request: Request) -> Response:
    # Camunda's resource reads deserializeValue; the spec documents deserializeValues
    deserialize = flag(request, "deserializeValue", flag(request, "deserializeValues", True))
    return json(historic_variable(await _found(request), deserialize))


async def get_data(request: Request) -> Response:
    return binary_response(await _found(request), request.path_params["id"])


async def delete_variable(request: Request) -> Response:
    try:
        await command(request, history_variables.delete_variable_instance,
                      request.path_params["id"])
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


routes = [
    *query_routes("/history/variable-instance", _build, historic_variable, values=True),
    Route("/history/variable-instance/{id}", get_variable, methods=["GET"]),
    Route("/history/variable-instance/{id}", delete_variable, methods=["DELETE"]),
    Route("/history/variable-instance/{id}/data", get_data, methods=["GET"]),
]
