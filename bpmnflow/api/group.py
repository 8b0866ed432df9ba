"""``/group``: permission sets, shown as Camunda groups (with their direct members)."""

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
from bpmnflow.api.params import body
from bpmnflow.api.responses import json, no_content
from bpmnflow.services import identity
from bpmnflow.store.identity_entities import Group


def group_dto(g: Group) -> dict[str, Any]:
    return {"id": g.id, "name": g.name, "type": g.type}


async def _group_body(request: Request) -> dict[str, Any]:
    data = await body(request, required=True)
    for name in ("id", "name", "type"):
        string_field(data, name)
    return data


async def create(request: Request) -> Response:
    await run(request, identity.create_group, await _group_body(request))
    return no_content()


async def get_group(request: Request) -> Response:
    found = await run(request, identity.group_or_fail, request.path_params["id"], write=False)
    return json(group_dto(found))


async def update(request: Request) -> Response:
    await run(request, identity.update_group, request.path_params["id"],
              await _group_body(request))
    return no_content()


async def delete(request: Request) -> Response:
    await run(request, identity.delete_group, request.path_params["id"])
    return no_content()


async def add_member(request: Request) -> Response:
    await run(request, identity.add_member, request.path_params["id"],
              request.path_params["userId"])
    return no_content()


async def remove_member(request: Request) -> Response:
    await run(request, identity.remove_member, request.path_params["id"],
              request.path_params["userId"])
    return no_content()


routes = [
    Route("/group", list_handler(identity.GROUPS, group_dto), methods=["GET"]),
    Route("/group", list_handler(identity.GROUPS, group_dto, from_body=True), methods=["POST"]),
    Route("/group", options([("GET", "/group", "list"), ("GET", "/group/count", "count"),
                             ("POST", "/group/create", "create")]), methods=["OPTIONS"]),
    Route("/group/count", count_handler(identity.GROUPS), methods=["GET"]),
    Route("/group/count", count_handler(identity.GROUPS, from_body=True), methods=["POST"]),
    Route("/group/create", create, methods=["POST"]),
    Route("/group/{id}", get_group, methods=["GET"]),
    Route("/group/{id}", update, methods=["PUT"]),
    Route("/group/{id}", delete, methods=["DELETE"]),
    Route("/group/{id}", options([("GET", "/group/{id}", "self"),
                                  ("DELETE", "/group/{id}", "delete"),
                                  ("PUT", "/group/{id}", "update")]), methods=["OPTIONS"]),
    Route("/group/{id}/members", options([("PUT", "/group/{id}/members", "create"),
                                          ("DELETE", "/group/{id}/members", "delete")]),
          methods=["OPTIONS"]),
    Route("/group/{id}/members/{userId}", add_member, methods=["PUT"]),
    Route("/group/{id}/members/{userId}", remove_member, methods=["DELETE"]),
]
