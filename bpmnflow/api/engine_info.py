"""``GET /engine`` and ``GET /version``: what clients ask first to find the engine."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.responses import json

CAMUNDA_VERSION = "7.24.0"


async def engines(request: Request) -> Response:
    return json([{"name": "default"}])


async def version(request: Request) -> Response:
    return json({"version": CAMUNDA_VERSION})


routes = [Route("/engine", engines, methods=["GET"]),
          Route("/version", version, methods=["GET"])]
