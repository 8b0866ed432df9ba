"""Responses exactly as Camunda writes them: ``application/json`` without charset, 204 empty."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"


class JSONResponse(Response):
    media_type = JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json(content: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(content, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def error(status: int, camunda_type: str, message: str, code: int | None = None) -> JSONResponse:
    return JSONResponse({"type": camunda_type, "message": message, "code": code},
                        status_code=status)
