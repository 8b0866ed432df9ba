"""``/task``: query, get, update, claim, assign, delegate, resolve, complete, forms,
variables and identity links."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, to_date
from bpmnflow.api.querying import query_routes, spec_builder
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.api.variables import VariableScope, parse_variables, variable_routes
from bpmnflow.errors import EngineError, InvalidRequestError, RestError
from bpmnflow.services import task_service, tasks


async def get_task(request: Request) -> Response:
    task_id = request.path_params["id"]
    found = await query(request, tasks.get, task_id)
    if found is None:
        raise InvalidRequestError(404, f"No matching task with id {task_id}")
    return json(dto.task(found))


_UPDATABLE = {"name": "name", "description": "description", "priority": "priority",
              "assignee": "assignee", "owner": "owner", "delegationState": "delegation_state",
              "parentTaskId": "parent_task_id", "tenantId": "tenant_id"}


async def update_task(request: Request) -> Response:
    task_id = request.path_params["id"]
    data = await body(request)
    fields: dict[str, Any] = {}
    for key, column in _UPDATABLE.items():
        if key in data:
            fields[column] = data[key]
    for key, column in (("due", "due_date"), ("followUp", "follow_up_date")):
        if key in data:
            fields[column] = to_date(key, data[key]) if data[key] is not None else None
    if "priority" in fields and not isinstance(fields["priority"], int):
        raise InvalidRequestError(400, "priority must be an integer")
    if await query(request, tasks.get, task_id) is None:
        raise InvalidRequestError(404, f"No matching task with id {task_id}")
    await command(request, tasks.update, task_id, fields)
    return no_content()


async def claim(request: Request) -> Response:
    data = await body(request)
    await command(request, task_service.claim, request.path_params["id"], data.get("userId"))
    return no_content()


async def unclaim(request: Request) -> Response:
    await command(request, task_service.claim, request.path_params["id"], None)
    return no_content()


async def assignee(request: Request) -> Response:
    data = await body(request)
    await command(request, task_service.set_assignee, request.path_params["id"],
                  data.get("userId"))
    return no_content()


async def delegate(request: Request) -> Response:
    data = await body(request)
    await command(request, task_service.delegate, request.path_params["id"], data.get("userId"))
    return no_content()


async def resolve(request: Request) -> Response:
    task_id = request.path_params["id"]
    data = await body(request)
    variables = parse_variables(data.get("variables"), f"Cannot resolve task {task_id}")
    await command(request, task_service.resolve, task_id, variables)
    return no_content()


async def _complete(request: Request, verb: str, action: Any = task_service.complete
                    ) -> Response:
    task_id = request.path_params["id"]
    data = await body(request)
    prefix = f"Cannot {verb} {task_id}"
    variables = parse_variables(data.get("variables"), prefix)
    with_vars = bool(data.get("withVariablesInReturn"))
    try:
        result = await command(request, action, task_id, variables, with_vars)
    except EngineError as exc:
        if isinstance(exc, RestError):
            raise
        raise RestError.wrap(prefix, exc, 400 if exc.status == 400 else 500) from None
    if with_vars:
        return json(dto.variables(result or {}, True))
    return no_content()


async def complete(request: Request) -> Response:
    return await _complete(request, "complete task")


async def submit_form(request: Request) -> Response:
    return await _complete(request, "submit task form", task_service.submit_form)


async def form(request: Request) -> Response:
    task_id = request.path_params["id"]
    found = await query(request, tasks.get, task_id)
    if found is None:
        raise InvalidRequestError(400, f"Cannot get form for task {task_id}")
    return json({"key": found.form_key, "contextPath": None, "camundaFormRef": None})


async def form_variables(request: Request) -> Response:
    task_id = request.path_params["id"]
    values = await query(request, task_service.get_variables, task_id)
    names = request.query_params.get("variableNames")
    if names:
        wanted = set(names.split(","))
        values = {k: v for k, v in values.items() if k in wanted}
    return json(dto.variables(values))


async def identity_links(request: Request) -> Response:
    links = await query(request, task_service.identity_links, request.path_params["id"],
                        request.query_params.get("type"))
    return json(links)


async def _link_body(request: Request) -> tuple[str | None, str | None, str]:
    data = await body(request)
    user, group, kind = data.get("userId"), data.get("groupId"), data.get("type")
    if (user is None) == (group is None):
        raise InvalidRequestError(400, "Identity link requires a userId or a groupId, "
                                       "but not both.")
    if not isinstance(kind, str) or not kind:
        raise InvalidRequestError(400, "Identity link requires a type.")
    return user, group, kind


async def add_identity_link(request: Request) -> Response:
    user, group, kind = await _link_body(request)
    await command(request, task_service.add_identity_link, request.path_params["id"], user,
                  group, kind)
    return no_content()


async def delete_identity_link(request: Request) -> Response:
    user, group, kind = await _link_body(request)
    await command(request, task_service.delete_identity_link, request.path_params["id"], user,
                  group, kind)
    return no_content()


def _scope(local: bool) -> VariableScope:
    return VariableScope(
        "task",
        get_all=lambda ctx, tid: task_service.get_variables(ctx, tid, local=local),
        set_many=lambda ctx, tid, values, deletions: task_service.set_variables(
            ctx, tid, values, local=local, deletions=deletions),
        remove=lambda ctx, tid, name: task_service.remove_variable(ctx, tid, name, local),
    )


routes = [
    *query_routes("/task", spec_builder(tasks.SPEC), lambda row, _: dto.task(row)),
    Route("/task/{id}", get_task, methods=["GET"]),
    Route("/task/{id}", update_task, methods=["PUT"]),
    Route("/task/{id}/claim", claim, methods=["POST"]),
    Route("/task/{id}/unclaim", unclaim, methods=["POST"]),
    Route("/task/{id}/assignee", assignee, methods=["POST"]),
    Route("/task/{id}/delegate", delegate, methods=["POST"]),
    Route("/task/{id}/resolve", resolve, methods=["POST"]),
    Route("/task/{id}/complete", complete, methods=["POST"]),
    Route("/task/{id}/submit-form", submit_form, methods=["POST"]),
    Route("/task/{id}/form", form, methods=["GET"]),
    Route("/task/{id}/form-variables", form_variables, methods=["GET"]),
    Route("/task/{id}/identity-links", identity_links, methods=["GET"]),
    Route("/task/{id}/identity-links", add_identity_link, methods=["POST"]),
    Route("/task/{id}/identity-links/delete", delete_identity_link, methods=["POST"]),
    *variable_routes("/task/{id}/variables", _scope(False)),
    *variable_routes("/task/{id}/localVariables", _scope(True)),
]
