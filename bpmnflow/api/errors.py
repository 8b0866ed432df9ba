"""One place that turns every failure into Camunda's error body: never a stack trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bpmnflow.api.responses import error, json
from bpmnflow.errors import EngineError

log = logging.getLogger("bpmnflow.api")

_HTTP_TYPES = {404: "NotFoundException", 405: "NotAllowedException",
               415: "NotSupportedException", 406: "NotAcceptableException"}


async def engine_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EngineError)
    return json(exc.body(), exc.status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "HTTP 404 Not Found", 405: "HTTP 405 Method Not Allowed"}.get(
        exc.status_code, str(exc.detail))
    return error(exc.status_code, _HTTP_TYPES.get(exc.status_code, "RestException"), message)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error(500, "ProcessEngineException",
                 f"Unexpected error: {type(exc).__name__}: {exc}", None)


HANDLERS = {EngineError: engine_error, HTTPException: http_error, Exception: unexpected_error}
