"""One secured server per database and module, a real OpenID provider, and a small world.

The world: two workflows of the same shape (a user task, an external task and a message catch
in parallel), ``payroll`` granted to the people below and ``secret`` granted to nobody, each
with one running instance, plus an ended ``payroll`` instance for history.

Callers (what they hold, and how):

``anna``    administrator by realm role ``camunda-admin`` (password grant)
``gregor``  administrator by token group ``/camunda-admin`` (password grant)
``admin``   administrator by permission set, engine records (HTTP Basic; the first-start user)
``robot``   administrator service account (client credentials, realm role)
``dora``    realm role ``payroll-clerk``, which is granted ``payroll`` (password grant)
``basil``   engine user holding ``payroll-clerk`` directly (HTTP Basic)
``nina``    token group ``/finance/controllers``, which includes ``finance``, which includes
            ``payroll-clerk``: the grant through two nested sets (password grant)
``otto``    nothing at all (password grant)
``worker``  service account ``payroll-worker``, realm role ``payroll-workers``, granted
            ``payroll`` through Camunda's own ``POST /authorization/create`` (client credentials)
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bpmnflow.config import SecurityConfig
from bpmnflow.security import ensure_admin, load_grants
from tests.conftest import PG_URL, Server, _drop_schema, postgres_available
from tests.security.oidc_provider import (
    ADMIN_GROUP,
    AUDIENCE,
    OidcProvider,
    RsaKey,
    provider_unavailable,
)
from tests.support.contract import Contract

ADMIN_PASSWORD = "first-admin-Pa55word"
BASIL_PASSWORD = "basil-Pa55word!"

GRANTS = """
[[permission-set]]
id = "payroll-clerk"
name = "Payroll clerks"
workflows = ["payroll"]

[[permission-set]]
id = "finance"
includes = ["payroll-clerk"]

[[permission-set]]
id = "finance.controllers"
includes = ["finance"]
"""


def workflow(key: str, topic: str, message: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://bpmnflow.test">
  <message id="m_own" name="{message}"/>
  <message id="m_shared" name="shared-ping"/>
  <process id="{key}" isExecutable="true" camunda:historyTimeToLive="30">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="review"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="calc"/>
    <sequenceFlow id="f4" sourceRef="fork" targetRef="wait"/>
    <sequenceFlow id="f5" sourceRef="fork" targetRef="shared"/>
    <userTask id="review" name="Review {key}"/>
    <serviceTask id="calc" camunda:type="external" camunda:topic="{topic}"/>
    <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="m_own"/>
    </intermediateCatchEvent>
    <intermediateCatchEvent id="shared"><messageEventDefinition messageRef="m_shared"/>
    </intermediateCatchEvent>
    <sequenceFlow id="f6" sourceRef="review" targetRef="join"/>
    <sequenceFlow id="f7" sourceRef="calc" targetRef="join"/>
    <sequenceFlow id="f8" sourceRef="wait" targetRef="join"/>
    <sequenceFlow id="f9" sourceRef="shared" targetRef="join"/>
    <parallelGateway id="join"/>
    <sequenceFlow id="f10" sourceRef="join" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
""".encode()


def straight(key: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://bpmnflow.test">
  <process id="{key}" isExecutable="true" camunda:historyTimeToLive="30">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
""".encode()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class World:
    """A secured server with ids of what it holds and an Authorization header per caller."""

    server: Server
    provider: OidcProvider
    realm_key: RsaKey
    headers: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    contract: Contract | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, who: str | None, alias: bool = False,
               checked: bool = True) -> httpx.Client:
        """A client sending ``who``'s credentials; its answers checked against the contract."""
        headers = {"Authorization": self.headers[who]} if who else {}
        base = self.url + ("/engine/default" if alias else "")
        hooks = {"response": [_checked(self.contract if checked else None)]}
        return httpx.Client(base_url=base, headers=headers, timeout=30, event_hooks=hooks)

    def refresh_tokens(self) -> None:
        p = self.provider
        self.headers.update({
            "anna": "Bearer " + p.password_token("anna.admin"),
            "gregor": "Bearer " + p.password_token("gregor.group"),
            "robot": "Bearer " + p.client_token("ops-robot"),
            "dora": "Bearer " + p.password_token("dora.direct"),
            "nina": "Bearer " + p.password_token("nina.nested"),
            "otto": "Bearer " + p.password_token("otto.nobody"),
            "worker": "Bearer " + p.client_token("payroll-worker"),
        })


def _checked(contract: Contract | None) -> Any:
    def check(response: httpx.Response) -> None:
        response.read()
        if contract is None:
            return
        path = response.request.url.path
        path = path.split("/engine-rest", 1)[1]
        if path.startswith("/engine/default/"):
            path = path[len("/engine/default"):]
        problems = contract.check(response.request.method, path, response.status_code,
                                  response.headers.get("content-type"), response.content)
        # bpmnflow's own routes (permission set nesting) and probes of unknown paths are not
        # Camunda operations: only their status and body shape are checked by the tests
        problems = [p for p in problems if "no such operation" not in p]
        assert not problems, "\n".join(problems)
    return check


@pytest.fixture(scope="session")
def realm_key() -> RsaKey:
    return RsaKey("realm-key-1")


@pytest.fixture(scope="session")
def provider(realm_key: RsaKey) -> Iterator[OidcProvider]:
    reason = provider_unavailable()
    if reason:
        pytest.skip(reason)
    started = OidcProvider(realm_key).start()
    yield started
    started.stop()


def security_config(issuer: str) -> SecurityConfig:
    return SecurityConfig(oidc_issuer=issuer, oidc_audience=AUDIENCE, admin_group=ADMIN_GROUP,
                          oidc_leeway=5)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def secured_url(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('secured') / 'engine.db'}"
        return
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    schema = f"bf_sec_{uuid.uuid4().hex[:12]}"
    yield f"{PG_URL}?schema={schema}"
    _drop_schema(schema)


def _populate(world: World, tmp: Path) -> None:
    engine = world.server.engine
    assert engine is not None
    created = ensure_admin(engine, {"BPMNFLOW_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert created == ("admin", None)
    world.headers["admin"] = basic("admin", ADMIN_PASSWORD)
    grants = tmp / "grants.toml"
    grants.write_text(GRANTS)
    load_grants(engine, grants)
    world.refresh_tokens()
    with world.client("admin") as admin:
        files = [("data", ("payroll.bpmn", workflow("payroll", "payroll-calc", "payroll-ping"),
                           "application/octet-stream")),
                 ("data", ("secret.bpmn", workflow("secret", "secret-calc", "secret-ping"),
                           "application/octet-stream")),
                 ("data", ("quick.bpmn", straight("quick"), "application/octet-stream"))]
        r = admin.post("/deployment/create", files=files, data={"deployment-name": "world"})
        assert r.status_code == 200, r.text
        world.ids["deployment"] = r.json()["id"]
        for d in r.json()["deployedProcessDefinitions"].values():
            world.ids[f"def:{d['key']}"] = d["id"]
        for key, code in (("payroll", "p4yroll-value"), ("secret", "s3cr3t-value")):
            r = admin.post(f"/process-definition/key/{key}/start", json={
                "businessKey": f"bk-{key}-1",
                "variables": {"code": {"value": code, "type": "String"}}})
            assert r.status_code == 200, r.text
            world.ids[f"inst:{key}"] = r.json()["id"]
            inst = world.ids[f"inst:{key}"]
            world.ids[f"task:{key}"] = admin.get(
                "/task", params={"processInstanceId": inst}).json()[0]["id"]
            world.ids[f"ext:{key}"] = admin.get(
                "/external-task", params={"processInstanceId": inst}).json()[0]["id"]
            world.ids[f"var:{key}"] = admin.get(
                "/variable-instance", params={"processInstanceIdIn": inst}).json()[0]["id"]
            world.ids[f"exec:{key}"] = admin.get(
                "/execution", params={"processInstanceId": inst,
                                      "activityId": "review"}).json()[0]["id"]
            world.ids[f"hvar:{key}"] = admin.get(
                "/history/variable-instance",
                params={"processInstanceId": inst}).json()[0]["id"]
            world.ids[f"hact:{key}"] = admin.get(
                "/history/activity-instance",
                params={"processInstanceId": inst}).json()[0]["id"]
            world.ids[f"hdetail:{key}"] = admin.get(
                "/history/detail", params={"processInstanceId": inst}).json()[0]["id"]
        r = admin.post("/user/create", json={"profile": {"id": "basil", "firstName": "Basil"},
                                             "credentials": {"password": BASIL_PASSWORD}})
        assert r.status_code == 204, r.text
        assert admin.put("/group/payroll-clerk/members/basil").status_code == 204
        r = admin.post("/authorization/create", json={
            "type": 1, "groupId": "payroll-workers", "resourceType": 6,
            "resourceId": "payroll", "permissions": ["READ", "READ_INSTANCE", "UPDATE_INSTANCE",
                                                     "CREATE_INSTANCE"]})
        assert r.status_code == 200, r.text
        world.ids["worker-grant"] = r.json()["id"]
    world.headers["basil"] = basic("basil", BASIL_PASSWORD)


@pytest.fixture(scope="module")
def world(secured_url: str, provider: OidcProvider, realm_key: RsaKey,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    server = Server(secured_url, security=security_config(provider.issuer)).start()
    built = World(server, provider, realm_key, contract=Contract.load())
    try:
        _populate(built, tmp_path_factory.mktemp("grants"))
        yield built
    finally:
        server.stop()


ADMINS = ("anna", "gregor", "admin", "robot")
GRANTED = ("dora", "basil", "nina")
NOBODY = ("otto",)
WORKER = ("worker",)


def assert_hidden(c: httpx.Client, method: str, template: str, real_id: str,
                  **kwargs: Any) -> httpx.Response:
    """The row answers exactly as a row that does not exist (status and body, id aside)."""
    fake = f"no-such-{uuid.uuid4().hex[:8]}"
    hidden = c.request(method, template.format(id=real_id), **kwargs)
    missing = c.request(method, template.format(id=fake), **kwargs)
    assert hidden.status_code == missing.status_code, (template, hidden.text, missing.text)
    assert hidden.status_code in (400, 404, 500), (template, hidden.text)
    assert hidden.text.replace(real_id, "ID") == missing.text.replace(fake, "ID"), template
    return hidden
