"""``POST /condition``: evaluate the conditions of conditional start events.

Conditional events are refused at deploy, so no deployed definition declares a conditional
start event and no condition can ever start an instance.  The endpoint still answers exactly as
Camunda does when nothing declares one, so that a client sees Camunda's errors, not a 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.params import body
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import EngineError, InvalidRequestError, NullValueError
from bpmnflow.services import repository
from bpmnflow.services.context import CommandContext


def _evaluate(ctx: CommandContext, definition_id: str | None) -> list[dict[str, Any]]:
    """The instances the conditions started: with no conditional start event anywhere this is
    always Camunda's error instead (none found at all, or none in the named definition)."""
    if definition_id is None:
        raise EngineError("ENGINE-13043 No subscriptions were found during evaluation of the "
                          "conditional start events.")
    if repository.definition_by_id(ctx, definition_id) is None:
        raise NullValueError(f"no deployed process definition found with id '{definition_id}': "
                             "processDefinition is null")
    raise EngineError(f"ENGINE-13042 Process definition with id '{definition_id}' does not "
                      "declare conditional start event.")


async def evaluate_condition(request: Request) -> Response:
    data = await body(request)
    if data.get("tenantId") is not None and data.get("withoutTenantId"):
        raise InvalidRequestError(400, "Parameter 'tenantId' cannot be used together with "
                                       "parameter 'withoutTenantId'.")
    parse_variables(data.get("variables"))
    return json(await query(request, _evaluate, data.get("processDefinitionId")))


routes = [Route("/condition", evaluate_condition, methods=["POST"])]
