"""Shared fixtures: a real engine on a real SQLite file or PostgreSQL schema, served over HTTP.

Every REST scenario runs on both databases.  PostgreSQL tests use their own schema, dropped
afterwards, so runs never collide; where no PostgreSQL answers they skip and say why.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bpmnflow.clock import MovableClock
from bpmnflow.config import Config, EngineConfig, SecurityConfig
from bpmnflow.services.engine import Engine
from tests.support.contract import SPEC_MISSING, Contract

PG_URL = os.environ.get("BPMNFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
HERE_MODELS = Path(__file__).resolve().parent / "models"

_pg_state: dict[str, Any] = {}


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(PG_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_state["reason"] = None
        except Exception as exc:  # any failure means: skip, and say why
            _pg_state["reason"] = f"PostgreSQL not reachable at {PG_URL}: {exc}"
    return _pg_state["reason"]


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'engine.db'}"
        return
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    schema = f"bf_test_{uuid.uuid4().hex[:12]}"
    yield f"{PG_URL}?schema={schema}"
    _drop_schema(schema)


# The REST tests call the API without credentials: authentication is switched off for them;
# tests/security starts its servers with it on.
NO_AUTHENTICATION = SecurityConfig(authentication=False)


def make_engine(database_url: str, clock: MovableClock | None = None,
                history_level: str = "full", security: SecurityConfig | None = None) -> Engine:
    config = Config(database_url=database_url,
                    engine=EngineConfig(history_level=history_level, job_executor=False),
                    security=security or NO_AUTHENTICATION)
    return Engine(config, clock=clock)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """bpmnflow served by uvicorn on 127.0.0.1 in a background thread; restartable."""

    def __init__(self, database_url: str, clock: MovableClock | None = None,
                 security: SecurityConfig | None = None) -> None:
        self.database_url = database_url
        self.security = security
        self.clock = clock or MovableClock()
        self.port = _free_port()
        self.engine: Engine | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/engine-rest"

    def start(self) -> Server:
        import uvicorn

        from bpmnflow.api.app import create_app

        self.engine = make_engine(self.database_url, self.clock, security=self.security)
        config = uvicorn.Config(create_app(self.engine), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.time() + 10
        while not self._server.started:
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(timeout=10)
            self._server = None
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    def restart(self) -> None:
        """Stop and start again on the same database: nothing may live only in memory."""
        self.stop()
        self.start()


class ContractError(AssertionError):
    pass


def _contract_hook(contract: Contract | None) -> Any:
    def check(response: httpx.Response) -> None:
        response.read()
        if contract is None:
            return
        path = response.request.url.path
        path = path.split("/engine-rest", 1)[1] if "/engine-rest" in path else path
        problems = contract.check(response.request.method, path, response.status_code,
                                  response.headers.get("content-type"), response.content)
        if problems:
            raise ContractError("\n".join(problems))
    return check


@pytest.fixture(scope="session")
def contract() -> Contract | None:
    return Contract.load()


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    srv = Server(database_url).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: Server, contract: Contract | None) -> Iterator[httpx.Client]:
    """An HTTP client whose every response is checked against Camunda's OpenAPI contract."""
    if contract is None:
        print(SPEC_MISSING)
    with httpx.Client(base_url=server.url, timeout=30,
                      event_hooks={"response": [_contract_hook(contract)]}) as http:
        yield http


def model(name: str) -> bytes:
    """A model from the shared public samples or from tests/models."""
    for folder in (HERE_MODELS, MODELS):
        path = folder / name
        if path.exists():
            return path.read_bytes()
    pytest.skip(f"model {name} not found (shared/models absent?)")
    raise AssertionError


def deploy(client: httpx.Client, *resources: tuple[str, bytes], **fields: str) -> dict[str, Any]:
    files = [("data", (name, content, "application/octet-stream")) for name, content in resources]
    response = client.post("/deployment/create", files=files,
                           data={k.replace("_", "-"): v for k, v in fields.items()})
    assert response.status_code == 200, response.text
    return response.json()


def bpmn(process_id: str, body: str, extra_attrs: str = "") -> bytes:
    """A minimal executable BPMN file around ``body`` (flow elements of one process)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  targetNamespace="http://bpmnflow.test">
  <process id="{process_id}" isExecutable="true" {extra_attrs}>
{body}
  </process>
</definitions>
""".encode()
