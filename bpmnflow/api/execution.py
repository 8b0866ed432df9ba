"""``/execution``: query, get, and the local variables of one execution."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import convert
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.api.variables import VariableScope, variable_routes
from bpmnflow.errors import InvalidRequestError
from bpmnflow.services import executions, queries, runtime_service
from bpmnflow.store.entities import Execution
from bpmnflow.store.query import Query


def _execution(row: Execution, _: bool = True) -> dict[str, Any]:
    return dto.execution(row)


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return queries.build(executions.SPEC, params, convert)


async def get_execution(request: Request) -> Response:
    eid = request.path_params["id"]
    found = await query(request, executions.get, eid)
    if found is None:
        raise InvalidRequestError(404, f"Execution with id {eid} does not exist")
    return json(dto.execution(found))


LOCAL = VariableScope(
    "execution",
    get_all=lambda ctx, eid: runtime_service.get_variables(ctx, eid, local=True),
    set_many=lambda ctx, eid, values, deletions: runtime_service.set_variables(
        ctx, eid, values, local=True, deletions=deletions),
    remove=lambda ctx, eid, name: runtime_service.remove_variable(ctx, eid, name, local=True),
)

routes = [
    *query_routes("/execution", _build, _execution),
    Route("/execution/{id}", get_execution, methods=["GET"]),
    *variable_routes("/execution/{id}/localVariables", LOCAL),
]
