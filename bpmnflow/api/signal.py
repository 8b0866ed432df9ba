"""``POST /signal``: deliver a signal to every subscriber (or to one execution)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.params import body
from bpmnflow.api.responses import no_content
from bpmnflow.api.runner import command
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import InvalidRequestError
from bpmnflow.services.messages import throw_signal


async def signal(request: Request) -> Response:
    data = await body(request)
    name = data.get("name")
    if not name:
        raise InvalidRequestError(400, "No signal name given")
    if data.get("tenantId") is not None and data.get("withoutTenantId"):
        raise InvalidRequestError(400, "Parameter 'tenantId' cannot be used together with "
                                       "parameter 'withoutTenantId'.")
    variables = parse_variables(data.get("variables"), f"Cannot deliver signal '{name}'")
    await command(request, throw_signal, str(name), variables, data.get("executionId"),
                  data.get("tenantId"), bool(data.get("withoutTenantId")))
    return no_content()


routes = [Route("/signal", signal, methods=["POST"])]
