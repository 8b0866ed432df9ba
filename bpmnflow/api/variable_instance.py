"""``/variable-instance``: query runtime variables of every scope, get one, read its content."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.history_common import binary_response, not_found, query_routes, typed_fields
from bpmnflow.api.params import convert, flag
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.services import queries, variable_instances
from bpmnflow.store.entities import Variable
from bpmnflow.store.query import Query

RESOURCE = "Variable instance"


def variable_instance(var: Variable, deserialize: bool = True) -> dict[str, Any]:
    """Camunda's VariableInstanceDto; no batches or case executions hold variables here."""
    typed = typed_fields(var, deserialize)
    return {
        "id": var.id, "name": var.name, "type": typed["type"], "value": typed["value"],
        "valueInfo": typed["valueInfo"], "processDefinitionId": var.proc_def_id,
        "processInstanceId": var.proc_inst_id, "executionId": var.execution_id,
        "taskId": var.task_id, "batchId": None,
        # an activity instance is an execution row here: its id is the execution id
        "activityInstanceId": var.execution_id, "caseExecutionId": None,
        "caseInstanceId": None, "tenantId": var.tenant_id,
        "errorMessage": typed["errorMessage"],
    }


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return queries.build(variable_instances.SPEC, params, convert)


async def _found(request: Request) -> Variable:
    vid = request.path_params["id"]
    found = await query(request, variable_instances.get, vid)
    if found is None:
        raise not_found(RESOURCE, vid)
    return found


async def get_variable(request: Request) -> Response:
    return json(variable_instance(await _found(request),
                                  flag(request, "deserializeValue", True)))


async def get_data(request: Request) -> Response:
    return binary_response(await _found(request), request.path_params["id"])


routes = [
    *query_routes("/variable-instance", _build, variable_instance, values=True),
    Route("/variable-instance/{id}", get_variable, methods=["GET"]),
    Route("/variable-instance/{id}/data", get_data, methods=["GET"]),
]
