"""Served under a root path (a proxy prefix, ``uvicorn --root-path``), the rules still apply:
the middleware looks at the path the router routes, not at the raw one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bpmnflow.api.app import create_app
from bpmnflow.config import Config, EngineConfig, SecurityConfig
from bpmnflow.services.engine import Engine


def test_a_root_path_does_not_bypass_authentication(tmp_path: Path) -> None:
    engine = Engine(Config(database_url=f"sqlite:///{tmp_path / 'e.db'}",
                           engine=EngineConfig(job_executor=False),
                           security=SecurityConfig(authentication=True)))
    app = create_app(engine)

    async def probe() -> list[int]:
        transport = httpx.ASGITransport(app=app, root_path="/bpm")
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [(await client.get(path)).status_code for path in (
                "/bpm/engine-rest/user", "/bpm/engine-rest/authorization",
                "/bpm/engine-rest/engine/default/process-instance")]

    try:
        assert asyncio.run(probe()) == [401, 401, 401]
    finally:
        engine.close()
