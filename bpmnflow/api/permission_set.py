"""``/permission-set/{id}/includes``: nesting of permission sets, which Camunda's groups lack.

``PUT /permission-set/{id}/includes/{includedId}`` grants set ``includedId`` to set ``id``:
whoever holds ``id`` (directly or through further nesting) holds ``includedId`` too.  A grant
that would close a cycle is refused with 400.  ``GET`` lists the sets ``id`` includes
directly, as Camunda group objects (``id``, ``name``, ``type``); ``DELETE`` removes a grant;
``OPTIONS`` lists what the caller may do.  A set is a Camunda group: ``/group`` creates it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.group import group_dto
from bpmnflow.api.identity_support import options, run
from bpmnflow.api.responses import json, no_content
from bpmnflow.services import identity


async def list_includes(request: Request) -> Response:
    found = await run(request, identity.includes, request.path_params["id"], write=False)
    return json([group_dto(g) for g in found])


async def include(request: Request) -> Response:
    await run(request, identity.include, request.path_params["id"],
              request.path_params["includedId"])
    return no_content()


async def exclude(request: Request) -> Response:
    await run(request, identity.exclude, request.path_params["id"],
              request.path_params["includedId"])
    return no_content()


routes = [
    Route("/permission-set/{id}/includes", list_includes, methods=["GET"]),
    Route("/permission-set/{id}/includes",
          options([("GET", "/permission-set/{id}/includes", "list"),
                   ("PUT", "/permission-set/{id}/includes", "create"),
                   ("DELETE", "/permission-set/{id}/includes", "delete")]),
          methods=["OPTIONS"]),
    Route("/permission-set/{id}/includes/{includedId}", include, methods=["PUT"]),
    Route("/permission-set/{id}/includes/{includedId}", exclude, methods=["DELETE"]),
]
