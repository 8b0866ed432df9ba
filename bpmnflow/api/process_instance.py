"""``/process-instance``: query, get, delete, variables and the activity-instance tree."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, convert, flag, paging, query_params
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.api.variables import VariableScope, variable_routes
from bpmnflow.errors import EngineError, InvalidRequestError
from bpmnflow.services import process_instances, queries, runtime_service
from bpmnflow.services.context import CommandContext
from bpmnflow.variables import TypedValue


async def _list(request: Request, params: dict) -> Response:
    q = queries.build(process_instances.SPEC, params, convert)
    first, limit = paging(request)
    rows = await query(request, queries.run_list, q, first, limit)
    return json([dto.process_instance(r) for r in rows])


async def _count(request: Request, params: dict) -> Response:
    q = queries.build(process_instances.SPEC, params, convert)
    return json({"count": await query(request, queries.run_count, q)})


async def list_get(request: Request) -> Response:
    return await _list(request, query_params(request))


async def list_post(request: Request) -> Response:
    return await _list(request, await body(request))


async def count_get(request: Request) -> Response:
    return await _count(request, query_params(request))


async def count_post(request: Request) -> Response:
    return await _count(request, await body(request))


async def get_instance(request: Request) -> Response:
    pid = request.path_params["id"]
    row = await query(request, process_instances.get, pid)
    if row is None:
        raise InvalidRequestError(404, f"Process instance with id {pid} does not exist")
    return json(dto.process_instance(row))


async def delete_instance(request: Request) -> Response:
    pid = request.path_params["id"]
    fail = flag(request, "failIfNotExists", True)
    try:
        await command(request, runtime_service.delete_process_instance, pid,
                      request.query_params.get("deleteReason"))
    except EngineError:
        if fail:
            raise InvalidRequestError(404, f"Process instance with id {pid} does not exist"
                                      ) from None
    return no_content()


async def activity_instances(request: Request) -> Response:
    pid = request.path_params["id"]
    tree = await query(request, runtime_service.activity_instance_tree, pid)
    if tree is None:
        raise InvalidRequestError(404, f"Process instance with id {pid} does not exist")
    return json(tree)


def _root_variables(ctx: CommandContext, pid: str) -> dict[str, TypedValue]:
    return runtime_service.get_variables(ctx, pid)


SCOPE = VariableScope(
    "process instance",
    get_all=_root_variables,
    set_many=lambda ctx, pid, values, deletions: runtime_service.set_variables(
        ctx, pid, values, deletions=deletions),
    remove=lambda ctx, pid, name: runtime_service.remove_variable(ctx, pid, name),
)

routes = [
    Route("/process-instance", list_get, methods=["GET"]),
    Route("/process-instance", list_post, methods=["POST"]),
    Route("/process-instance/count", count_get, methods=["GET"]),
    Route("/process-instance/count", count_post, methods=["POST"]),
    Route("/process-instance/{id}", get_instance, methods=["GET"]),
    Route("/process-instance/{id}", delete_instance, methods=["DELETE"]),
    Route("/process-instance/{id}/activity-instances", activity_instances, methods=["GET"]),
    *variable_routes("/process-instance/{id}/variables", SCOPE),
]
