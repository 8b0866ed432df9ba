"""``/process-instance``: query, get, delete, suspend/activate, variables and the
activity-instance tree."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, convert, flag, mapping_error
from bpmnflow.api.process_definition import suspended_flag
from bpmnflow.api.querying import query_routes, spec_builder
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.api.variables import VariableScope, variable_routes
from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.services import deletion, history, process_instances, queries, runtime_service
from bpmnflow.services import suspension as susp
from bpmnflow.services.context import CommandContext
from bpmnflow.variables import TypedValue


async def get_instance(request: Request) -> Response:
    pid = request.path_params["id"]
    row = await query(request, process_instances.get, pid)
    if row is None:
        raise InvalidRequestError(404, f"Process instance with id {pid} does not exist")
    return json(dto.process_instance(row))


async def delete_instance(request: Request) -> Response:
    pid = request.path_params["id"]
    try:
        await command(request, deletion.delete_process_instance, pid,
                      request.query_params.get("deleteReason"),
                      skip_custom_listeners=flag(request, "skipCustomListeners"),
                      skip_io_mappings=flag(request, "skipIoMappings"),
                      skip_subprocesses=flag(request, "skipSubprocesses"),
                      fail_if_not_exists=flag(request, "failIfNotExists", True))
    except NotFoundError as exc:
        raise InvalidRequestError(404, f"Process instance with id {pid} does not exist",
                                  code=exc.code) from None
    return no_content()


async def suspend_instance(request: Request) -> Response:
    # Only ``suspended`` counts here; an unknown id is no error (the update matches nothing).
    data = await body(request)
    await command(request, susp.set_instance_state,
                  susp.InstanceSelection(instance_id=request.path_params["id"]),
                  suspended_flag(data))
    return no_content()


_GROUP = ("processInstanceIds", "processInstanceQuery", "historicProcessInstanceQuery")


async def suspend_group(request: Request) -> Response:
    """``PUT /process-instance/suspended``: by definition id or key (with tenant), or by ids
    and queries -- one way or the other, as Camunda's DTO insists."""
    data = await body(request)
    if data.get("processInstanceId") is not None:
        raise InvalidRequestError(400, "Either processDefinitionId or processDefinitionKey can "
                                       "be set to update the suspension state.")
    single = [n for n in ("processDefinitionId", "processDefinitionKey")
              if data.get(n) is not None]
    group = [n for n in _GROUP if data.get(n) is not None]
    if single and group:
        raise InvalidRequestError(
            400, "Choose either a single processInstance with processInstanceId, "
                 "processDefinitionId or processDefinitionKey or a group of processInstances "
                 "with processInstanceIds, procesInstanceQuery or historicProcessInstanceQuery.")
    if len(single) > 1:
        raise InvalidRequestError(400, "Only one of processInstanceId, processDefinitionId or "
                                       "processDefinitionKey should be set to update the "
                                       "suspension state.")
    if not single and not group:
        raise InvalidRequestError(400, "Either processInstanceId, processDefinitionId or "
                                       "processDefinitionKey should be set to update the "
                                       "suspension state.")
    suspended = suspended_flag(data)
    if group:
        ids, built = _group_selection(data)
        await command(request, susp.set_group_state, ids, built, suspended)
    else:
        await command(request, susp.set_instance_state, _by_definition(data), suspended)
    return no_content()


def _by_definition(data: dict[str, Any]) -> susp.InstanceSelection:
    if data.get("processDefinitionId") is not None:
        return susp.InstanceSelection(definition=susp.DefinitionSelection(
            definition_id=str(data["processDefinitionId"])))
    tenant = data.get("processDefinitionTenantId")
    without = suspended_flag(data, "processDefinitionWithoutTenantId")
    return susp.InstanceSelection(definition=susp.DefinitionSelection(
        key=str(data["processDefinitionKey"]), tenant_id=tenant,
        tenant_set=tenant is not None or without))


def _group_selection(data: dict[str, Any]) -> tuple[list[str], list[Any]]:
    ids = data.get("processInstanceIds")
    if ids is not None and not isinstance(ids, list):
        raise mapping_error("Cannot deserialize value of type `java.util.ArrayList` from "
                            f"{ids!r}")
    built = []
    for name, spec, build in (
            ("processInstanceQuery", process_instances.SPEC, queries.build),
            ("historicProcessInstanceQuery", history.PROCESS_INSTANCES, history.build_stable)):
        params = data.get(name)
        if params is None:
            continue
        if not isinstance(params, dict):
            raise mapping_error(f"Cannot deserialize value of type `{name}` from {params!r}")
        built.append(build(spec, params, convert))
    return list(ids or []), built


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
    *query_routes("/process-instance", spec_builder(process_instances.SPEC),
                  lambda row, _: dto.process_instance(row)),
    Route("/process-instance/{id}", get_instance, methods=["GET"]),
    Route("/process-instance/{id}", delete_instance, methods=["DELETE"]),
    Route("/process-instance/suspended", suspend_group, methods=["PUT"]),
    Route("/process-instance/{id}/suspended", suspend_instance, methods=["PUT"]),
    Route("/process-instance/{id}/activity-instances", activity_instances, methods=["GET"]),
    *variable_routes("/process-instance/{id}/variables", SCOPE),
]
