"""``/authorization``: Camunda's authorizations, where bpmnflow keeps its workflow grants.

``POST /authorization/create`` with ``type`` 1, a ``groupId`` (the permission set),
``resourceType`` 6 and ``resourceId`` = a process definition key grants that workflow, exactly
like the product's own grant.  ``GET /authorization/check`` answers for the caller (or, for
administrators, for any user); ``OPTIONS`` lists what the caller may do here.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.identity_support import (
    count_handler,
    list_handler,
    options,
    run,
    string_field,
)
from bpmnflow.api.params import body, to_int
from bpmnflow.api.responses import json, no_content
from bpmnflow.errors import InvalidRequestError
from bpmnflow.security.checks import require_self_or_admin
from bpmnflow.security.principal import Principal
from bpmnflow.services import authorizations as auth
from bpmnflow.services import identity
from bpmnflow.services.context import CommandContext
from bpmnflow.store.identity_entities import GRANT, Authorization


def authorization_dto(a: Authorization) -> dict[str, Any]:
    return {"id": a.id, "type": a.type, "permissions": auth.to_names(a.resource_type,
                                                                      a.permissions),
            "userId": a.user_id, "groupId": a.group_id, "resourceType": a.resource_type,
            "resourceId": a.resource_id, "removalTime": None,
            "rootProcessInstanceId": a.root_proc_inst_id}


def _fields(data: dict[str, Any]) -> tuple[list[Any], str | None, str | None, Any, Any]:
    permissions = data.get("permissions")
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise InvalidRequestError(400, "'permissions' must be a list of permission names")
    resource_type = data.get("resourceType")
    if resource_type is not None and (isinstance(resource_type, bool)
                                      or not isinstance(resource_type, int)):
        raise InvalidRequestError(400, "'resourceType' must be an integer")
    return (permissions, string_field(data, "userId"), string_field(data, "groupId"),
            resource_type, string_field(data, "resourceId"))


async def create(request: Request) -> Response:
    data = await body(request, required=True)
    kind = data.get("type", GRANT)
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise InvalidRequestError(400, "'type' must be 0 (global), 1 (grant) or 2 (revoke)")
    row = await run(request, auth.create, kind, *_fields(data))
    return json(authorization_dto(row))


async def get_one(request: Request) -> Response:
    row = await run(request, auth.get_or_fail, request.path_params["id"], write=False)
    return json(authorization_dto(row))


async def update(request: Request) -> Response:
    data = await body(request, required=True)
    await run(request, auth.update, request.path_params["id"], *_fields(data))
    return no_content()


async def delete(request: Request) -> Response:
    await run(request, auth.delete, request.path_params["id"])
    return no_content()


def _is_authorized(ctx: CommandContext, principal: Principal, user_id: str, permission: str,
                   resource_type: int, resource_id: str | None) -> bool:
    config = ctx.engine.config.security
    if user_id == principal.user_id:
        sets, admin = principal.permission_sets, principal.admin
    else:
        sets = identity.effective_groups(ctx, user_id)
        admin = config.admin_group in sets or user_id in config.admin_users
    bit = auth.to_mask(resource_type, [permission])
    if admin:
        return True
    return auth.mask_for(ctx, user_id, sets, resource_type, resource_id) & bit == bit


async def check(request: Request) -> Response:
    params = request.query_params
    permission, resource_name = params.get("permissionName"), params.get("resourceName")
    raw_type = params.get("resourceType")
    if not permission or not resource_name or raw_type is None:
        raise InvalidRequestError(400, "Query parameters 'permissionName', 'resourceName' and "
                                       "'resourceType' are mandatory.")
    resource_type = to_int("resourceType", raw_type)
    if resource_type not in auth.RESOURCES:
        raise InvalidRequestError(400, f"Unknown resource type {resource_type}")
    user_id = params.get("userId") or None
    from bpmnflow.security.principal import current

    caller = current()
    target = user_id or caller.user_id
    principal = await require_self_or_admin(request, target, "READ", "Authorization") \
        if user_id and user_id != caller.user_id else caller
    resource_id = params.get("resourceId") or None
    if target is None:  # authentication switched off: the nameless administrator
        authorized = principal.admin
    else:
        authorized = await run(request, _is_authorized, principal, target, permission,
                               resource_type, resource_id, write=False)
    return json({"permissionName": permission, "resourceName": resource_name,
                 "resourceId": resource_id, "authorized": authorized})


routes = [
    Route("/authorization", list_handler(auth.SPEC, authorization_dto), methods=["GET"]),
    Route("/authorization", options([("GET", "/authorization", "list"),
                                     ("GET", "/authorization/count", "count"),
                                     ("POST", "/authorization/create", "create")]),
          methods=["OPTIONS"]),
    Route("/authorization/check", check, methods=["GET"]),
    Route("/authorization/count", count_handler(auth.SPEC), methods=["GET"]),
    Route("/authorization/create", create, methods=["POST"]),
    Route("/authorization/{id}", get_one, methods=["GET"]),
    Route("/authorization/{id}", update, methods=["PUT"]),
    Route("/authorization/{id}", delete, methods=["DELETE"]),
    Route("/authorization/{id}", options([("GET", "/authorization/{id}", "self"),
                                          ("DELETE", "/authorization/{id}", "delete"),
                                          ("PUT", "/authorization/{id}", "update")]),
          methods=["OPTIONS"]),
]
