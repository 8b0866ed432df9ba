"""The ASGI application: every router under ``/engine-rest`` and its ``/engine/{name}`` alias."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, Router, get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

from bpmnflow.api import (
    authorization,
    batch,
    batch_operations,
    condition,
    deployment,
    engine_info,
    event_subscription,
    execution,
    external_task,
    group,
    history,
    history_cleanup,
    identity,
    incident,
    job,
    job_definition,
    message,
    migration,
    modification,
    permission_set,
    process_definition,
    process_instance,
    signal,
    task,
    tenant,
    user,
    user_operation_log,
    variable_instance,
)
from bpmnflow.api.errors import HANDLERS
from bpmnflow.api.responses import error
from bpmnflow.security.middleware import SecurityMiddleware
from bpmnflow.services.engine import Engine

BASE = "/engine-rest"

ROUTERS = (engine_info, deployment, process_definition, process_instance, execution, task,
           variable_instance, history, message, signal, external_task, event_subscription,
           condition, modification, migration, job, job_definition, incident,
           batch, batch_operations, history_cleanup,
           user, group, identity, tenant, authorization, permission_set, user_operation_log)


def engine_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for router in ROUTERS:
        routes.extend(router.routes)
    return routes


class SegmentRouter:
    """Dispatch on the first path segment, then let a small router match within it.

    A flat router tries up to a hundred patterns per request; grouping by resource keeps the
    scan to that resource's few routes.
    """

    def __init__(self, routes: list[BaseRoute]) -> None:
        groups: dict[str, list[BaseRoute]] = {}
        for route in routes:
            path = getattr(route, "path", "")
            groups.setdefault(path.split("/")[1] if path.count("/") else "", []).append(route)
        self._routers = {segment: Router(routes=group) for segment, group in groups.items()}
        self._fallback = Router(routes=[])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = get_route_path(scope)
            router = self._routers.get(path.split("/", 2)[1] if "/" in path else "")
            if router is not None:
                await router(scope, receive, send)
                return
        await self._fallback(scope, receive, send)


class NamedEngine:
    """``/engine-rest/engine/{name}/…``: the same routes, for the one engine named 'default'."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope.get("path_params", {}).get("engine_name")
        if scope["type"] == "http" and name != Engine.name:
            response = error(400, "InvalidRequestException", "No process engine available")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(engine: Engine) -> Starlette:
    inner = SegmentRouter(engine_routes())
    app = Starlette(
        routes=[
            Route(f"{BASE}/engine", engine_info.engines, methods=["GET"]),
            Mount(f"{BASE}/engine/{{engine_name}}", app=NamedEngine(inner)),
            Mount(BASE, app=inner),
        ],
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        middleware=[Middleware(SecurityMiddleware, engine=engine, routes=engine_routes())],
    )
    app.state.engine = engine
    return app
