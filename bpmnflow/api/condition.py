"""``POST /condition``: evaluate the conditions of conditional start events with the given
variables and start an instance for each that holds."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body
from bpmnflow.api.responses import json
from bpmnflow.api.runner import command
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import InvalidRequestError
from bpmnflow.services import conditions


async def evaluate_condition(request: Request) -> Response:
    data = await body(request)
    if data.get("tenantId") is not None and data.get("withoutTenantId"):
        raise InvalidRequestError(400, "Parameter 'tenantId' cannot be used together with "
                                       "parameter 'withoutTenantId'.")
    variables = parse_variables(data.get("variables"), "Cannot evaluate conditions")
    started = await command(request, conditions.evaluate, variables, data.get("businessKey"),
                            data.get("processDefinitionId"), data.get("tenantId"),
                            bool(data.get("withoutTenantId")))
    return json([dto.process_instance(inst.root, inst.ended) for inst in started])


routes = [Route("/condition", evaluate_condition, methods=["POST"])]
