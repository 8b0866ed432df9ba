"""``/tenant``: tenants and their user and group members, as Camunda's Tenant resource."""

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
from bpmnflow.api.params import body, to_bool
from bpmnflow.api.responses import json, no_content
from bpmnflow.services import identity
from bpmnflow.store.identity_entities import Tenant
from bpmnflow.store.query import Query


def tenant_dto(t: Tenant) -> dict[str, Any]:
    return {"id": t.id, "name": t.name}


def _user_member(q: Query[Any], params: dict[str, Any]) -> None:
    user_id = params.get("userMember")
    if user_id:
        including = to_bool("includingGroupsOfUser", params.get("includingGroupsOfUser",
                                                                 "false"))
        identity.tenant_user_filter(q, str(user_id), including)


async def _tenant_body(request: Request) -> dict[str, Any]:
    data = await body(request, required=True)
    for name in ("id", "name"):
        string_field(data, name)
    return data


async def create(request: Request) -> Response:
    await run(request, identity.create_tenant, await _tenant_body(request))
    return no_content()


async def get_tenant(request: Request) -> Response:
    found = await run(request, identity.tenant_or_fail, request.path_params["id"],
                      write=False)
    return json(tenant_dto(found))


async def update(request: Request) -> Response:
    await run(request, identity.update_tenant, request.path_params["id"],
              await _tenant_body(request))
    return no_content()


async def delete(request: Request) -> Response:
    await run(request, identity.delete_tenant, request.path_params["id"])
    return no_content()


def _member(add: bool, kind: str) -> Any:
    async def endpoint(request: Request) -> Response:
        fn = identity.add_tenant_member if add else identity.remove_tenant_member
        member = request.path_params[kind]
        await run(request, fn, request.path_params["id"],
                  member if kind == "userId" else None, member if kind == "groupId" else None)
        return no_content()
    return endpoint


def _member_options(kind: str) -> Any:
    return options([("PUT", f"/tenant/{{id}}/{kind}", "create"),
                    ("DELETE", f"/tenant/{{id}}/{kind}", "delete")])


routes = [
    Route("/tenant", list_handler(identity.TENANTS, tenant_dto, extra=_user_member),
          methods=["GET"]),
    Route("/tenant", options([("GET", "/tenant", "list"), ("GET", "/tenant/count", "count"),
                              ("POST", "/tenant/create", "create")]), methods=["OPTIONS"]),
    Route("/tenant/count", count_handler(identity.TENANTS, extra=_user_member),
          methods=["GET"]),
    Route("/tenant/create", create, methods=["POST"]),
    Route("/tenant/{id}", get_tenant, methods=["GET"]),
    Route("/tenant/{id}", update, methods=["PUT"]),
    Route("/tenant/{id}", delete, methods=["DELETE"]),
    Route("/tenant/{id}", options([("GET", "/tenant/{id}", "self"),
                                   ("DELETE", "/tenant/{id}", "delete"),
                                   ("PUT", "/tenant/{id}", "update")]), methods=["OPTIONS"]),
    Route("/tenant/{id}/user-members", _member_options("user-members"), methods=["OPTIONS"]),
    Route("/tenant/{id}/user-members/{userId}", _member(True, "userId"), methods=["PUT"]),
    Route("/tenant/{id}/user-members/{userId}", _member(False, "userId"), methods=["DELETE"]),
    Route("/tenant/{id}/group-members", _member_options("group-members"), methods=["OPTIONS"]),
    Route("/tenant/{id}/group-members/{groupId}", _member(True, "groupId"), methods=["PUT"]),
    Route("/tenant/{id}/group-members/{groupId}", _member(False, "groupId"),
          methods=["DELETE"]),
]
