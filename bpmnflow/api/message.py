"""``POST /message``: correlate a message to waiting executions or message start events."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import InvalidRequestError, RestError
from bpmnflow.services.messages import (
    Correlation,
    CorrelationResult,
    MismatchingMessageCorrelationError,
    correlate,
)


def _result(result: CorrelationResult, with_variables: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"resultType": result.result_type, "processInstance": None,
                           "execution": None}
    if result.result_type == "Execution" and result.execution is not None:
        out["execution"] = dto.execution(result.execution)
    elif result.instance is not None:
        out["processInstance"] = dto.process_instance(result.instance.root,
                                                      result.instance.ended)
    if with_variables:
        out["variables"] = dto.variables(result.variables or {})
    return out


async def correlate_message(request: Request) -> Response:
    data = await body(request)
    name = data.get("messageName")
    if not name:
        raise InvalidRequestError(400, "No message name supplied")
    if data.get("tenantId") is not None and data.get("withoutTenantId"):
        raise InvalidRequestError(400, "Parameter 'tenantId' cannot be used together with "
                                       "parameter 'withoutTenantId'.")
    prefix = f"Cannot correlate message '{name}'"
    correlation = Correlation(
        message_name=name, business_key=data.get("businessKey"),
        correlation_keys=parse_variables(data.get("correlationKeys"), prefix),
        local_correlation_keys=parse_variables(data.get("localCorrelationKeys"), prefix),
        process_instance_id=data.get("processInstanceId"), tenant_id=data.get("tenantId"),
        without_tenant_id=bool(data.get("withoutTenantId")),
        variables=parse_variables(data.get("processVariables"), prefix),
        variables_local=parse_variables(data.get("processVariablesLocal"), prefix),
        all=bool(data.get("all")))
    with_vars = bool(data.get("variablesInResultEnabled"))
    try:
        results = await command(request, _correlate, correlation, with_vars)
    except RestError:
        raise
    except Exception as exc:
        from bpmnflow.errors import EngineError

        if isinstance(exc, MismatchingMessageCorrelationError):
            # Camunda's REST layer wraps the engine exception: its message is the toString.
            raise RestError(400, f"org.camunda.bpm.engine.MismatchingMessageCorrelationException"
                                 f": {exc.message}", code=exc.code) from None
        if isinstance(exc, EngineError):
            raise RestError(400 if exc.status == 400 else 500, exc.message,
                            code=exc.code) from None
        raise
    if not data.get("resultEnabled") and not with_vars:
        return no_content()
    return json([_result(r, with_vars) for r in results])


def _correlate(ctx: Any, correlation: Correlation, with_vars: bool) -> list[CorrelationResult]:
    results = correlate(ctx, correlation)
    if with_vars:
        for result in results:
            inst = result.instance
            if inst is not None and not inst.ended:
                result.variables = ctx.runtime.visible_variables(
                    result.execution if result.execution is not None and
                    result.execution.id in inst.by_id else inst.root)
            elif inst is not None:
                result.variables = dict(inst.final_variables)  # as they were when it ended
            else:
                result.variables = {}
    return results


routes = [Route("/message", correlate_message, methods=["POST"])]
