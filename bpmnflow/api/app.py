"""The ASGI application: every router under ``/engine-rest`` and its ``/engine/{name}`` alias."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bpmnflow.api import (
    deployment,
    engine_info,
    execution,
    external_task,
    history,
    message,
    process_definition,
    process_instance,
    signal,
    task,
    variable_instance,
)
from bpmnflow.api.errors import HANDLERS
from bpmnflow.api.responses import error
from bpmnflow.services.engine import Engine

BASE = "/engine-rest"

ROUTERS = (engine_info, deployment, process_definition, process_instance, execution, task,
           variable_instance, history, message, signal, external_task)


def engine_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for router in ROUTERS:
        routes.extend(router.routes)
    return routes


class NamedEngine:
    """``/engine-rest/engine/{name}/…``: the same routes, for the one engine named 'default'."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope.get("path_params", {}).get("engine_name")
        if scope["type"] == "http" and name != Engine.name:
            response = error(404, "RestException", f"No process engine available with name "
                                                   f"{name}")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(engine: Engine) -> Starlette:
    routes = engine_routes()
    inner = Starlette(routes=routes, exception_handlers=HANDLERS)  # type: ignore[arg-type]
    app = Starlette(
        routes=[
            Route(f"{BASE}/engine", engine_info.engines, methods=["GET"]),
            Mount(f"{BASE}/engine/{{engine_name}}", app=NamedEngine(inner)),
            Mount(BASE, app=inner),
        ],
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
    )
    app.state.engine = engine
    inner.state.engine = engine
    return app
