"""Camunda's identity and authorization endpoints, the nesting resource, the operation log,
and what a fresh server sets up (first administrator, grants file)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bpmnflow import config as config_module
from bpmnflow.security import ensure_admin, load_grants, passwords
from bpmnflow.services import identity
from tests.conftest import make_engine
from tests.security.conftest import World, basic


def test_users_groups_and_memberships(world: World) -> None:
    with world.client("anna") as c:
        r = c.post("/user/create", json={
            "profile": {"id": "uma", "firstName": "Uma", "lastName": "User",
                        "email": "uma@example.test"},
            "credentials": {"password": "uma-Pa55word"}})
        assert r.status_code == 204, r.text
        assert c.post("/user/create", json={"profile": {"id": "uma"}}).status_code == 500
        assert c.get("/user", params={"firstNameLike": "U%"}).json() == [
            {"id": "uma", "firstName": "Uma", "lastName": "User", "email": "uma@example.test"}]
        assert c.get("/user/count", params={"id": "uma"}).json() == {"count": 1}
        assert c.put("/user/uma/profile", json={"id": "uma", "firstName": "Ulla"}
                     ).status_code == 204
        assert c.get("/user/uma/profile").json()["firstName"] == "Ulla"
        assert c.post("/group/create", json={"id": "auditors", "name": "Auditors",
                                             "type": "WORKFLOW"}).status_code == 204
        assert c.put("/group/auditors/members/uma").status_code == 204
        assert [g["id"] for g in c.get("/group", params={"member": "uma"}).json()] == \
            ["auditors"]
        assert c.post("/group", json={"nameLike": "Aud%"}).json()[0]["id"] == "auditors"
        assert c.post("/group/count", json={"id": "auditors"}).json() == {"count": 1}
        assert [u["id"] for u in c.get("/user", params={"memberOfGroup": "auditors"}
                                        ).json()] == ["uma"]
        assert c.put("/group/auditors", json={"id": "auditors", "name": "Audit"}
                     ).status_code == 204
        assert c.get("/group/auditors").json() == {"id": "auditors", "name": "Audit",
                                                   "type": None}
        assert c.get("/group/nobody").status_code == 404
        assert c.get("/user/nobody/profile").status_code == 404
        r = c.post("/identity/verify", json={"username": "uma", "password": "uma-Pa55word"})
        assert r.json() == {"authenticatedUser": "uma", "authenticated": True,
                            "tenants": None, "groups": None}
        r = c.post("/identity/verify", json={"username": "uma", "password": "nope"})
        assert r.json()["authenticated"] is False
        assert c.get("/identity/password-policy").status_code == 404
    with world.client(None) as uma:
        uma.headers["Authorization"] = basic("uma", "uma-Pa55word")
        r = uma.put("/user/uma/credentials", json={
            "password": "uma-N3w-password", "authenticatedUserPassword": "uma-Pa55word"})
        assert r.status_code == 204, r.text
        assert uma.get("/user/uma/profile").status_code == 401  # the old password is gone
        uma.headers["Authorization"] = basic("uma", "uma-N3w-password")
        assert uma.get("/user/uma/profile").status_code == 200
        assert uma.delete("/user/uma").status_code == 403
    with world.client("anna") as c:
        assert c.delete("/group/auditors/members/uma").status_code == 204
        assert c.post("/user/uma/unlock").status_code == 204
        assert c.delete("/user/uma").status_code == 204
        assert c.delete("/user/uma").status_code == 404
        assert c.delete("/group/auditors").status_code == 204


def test_nesting_resource_and_cycles(world: World) -> None:
    with world.client("gregor", checked=False) as c:
        for group in ("ring-a", "ring-b", "ring-c"):
            assert c.post("/group/create", json={"id": group}).status_code == 204
        assert c.put("/permission-set/ring-a/includes/ring-b").status_code == 204
        assert c.put("/permission-set/ring-b/includes/ring-c").status_code == 204
        assert c.put("/permission-set/ring-b/includes/ring-c").status_code == 204  # idempotent
        r = c.put("/permission-set/ring-c/includes/ring-a")
        assert r.status_code == 400 and "cycle" in r.json()["message"]
        assert c.put("/permission-set/ring-a/includes/ring-a").status_code == 400
        assert c.put("/permission-set/ring-a/includes/nobody").status_code == 404
        assert [g["id"] for g in c.get("/permission-set/ring-a/includes").json()] == ["ring-b"]
        rels = {link["rel"] for link in c.options("/permission-set/ring-a/includes").json()[
            "links"]}
        assert rels == {"list", "create", "delete"}
        assert c.delete("/permission-set/ring-b/includes/ring-c").status_code == 204
        assert c.get("/permission-set/ring-b/includes").json() == []
    with world.client("dora", checked=False) as c:
        assert c.put("/permission-set/ring-a/includes/payroll-clerk").status_code == 403
        assert c.options("/permission-set/ring-a/includes").json() == {"links": []}


def test_reading_tolerates_a_cycle_made_behind_the_api(world: World) -> None:
    engine = world.server.engine
    assert engine is not None

    def cycle(ctx) -> None:  # noqa: ANN001 - a command, as a migration might leave the data
        for a, b in (("loop-1", "loop-2"), ("loop-2", "loop-1")):
            identity.ensure_group(ctx, a)
            ctx.session.execute("INSERT INTO bf_group_nesting (id, group_id, member_id) "
                                "VALUES (?, ?, ?)", (f"{a}>{b}", b, a))
    engine.execute(cycle)
    assert engine.query(identity.closure, ["loop-1"]) == {"loop-1", "loop-2"}


def test_camunda_authorization_endpoints(world: World) -> None:
    with world.client("robot") as c:
        r = c.post("/authorization/create", json={
            "type": 1, "groupId": "auditors-2", "resourceType": 6, "resourceId": "quick",
            "permissions": ["READ", "READ_HISTORY"]})
        assert r.status_code == 200, r.text
        created = r.json()
        assert created["permissions"] == ["READ", "READ_HISTORY"]
        auth_id = created["id"]
        assert c.get(f"/authorization/{auth_id}").json() == created
        listed = c.get("/authorization", params={"groupIdIn": "auditors-2"}).json()
        assert [a["id"] for a in listed] == [auth_id]
        assert c.get("/authorization/count", params={"resourceType": 6}).json()["count"] >= 3
        r = c.put(f"/authorization/{auth_id}", json={
            "groupId": "auditors-2", "resourceType": 6, "resourceId": "quick",
            "permissions": ["ALL"]})
        assert r.status_code == 204
        assert c.get(f"/authorization/{auth_id}").json()["permissions"] == ["ALL"]
        for bad in ({"type": 1, "resourceType": 6, "resourceId": "x", "permissions": ["READ"]},
                    {"type": 1, "groupId": "g", "userId": "u", "resourceType": 6,
                     "resourceId": "x", "permissions": ["READ"]},
                    {"type": 1, "groupId": "g", "resourceType": 6, "resourceId": "x",
                     "permissions": ["FLY"]},
                    {"type": 0, "groupId": "g", "resourceType": 6, "resourceId": "x",
                     "permissions": ["READ"]},
                    {"type": 1, "groupId": "g", "resourceType": 99, "resourceId": "x",
                     "permissions": ["READ"]},
                    {"type": 1, "groupId": "g", "resourceType": 6, "resourceId": "x",
                     "permissions": "READ"}):
            assert c.post("/authorization/create", json=bad).status_code == 400, bad
        check = c.get("/authorization/check", params={
            "permissionName": "DELETE", "resourceName": "ProcessDefinition",
            "resourceType": 6, "resourceId": "secret", "userId": "basil"}).json()
        assert check == {"permissionName": "DELETE", "resourceName": "ProcessDefinition",
                         "resourceId": "secret", "authorized": False}
        assert c.get("/authorization/check", params={
            "permissionName": "READ", "resourceName": "ProcessDefinition", "resourceType": 6,
            "resourceId": "payroll", "userId": "basil"}).json()["authorized"] is True
        assert c.get("/authorization/check").status_code == 400
        assert {link["rel"] for link in c.options(f"/authorization/{auth_id}").json()[
            "links"]} == {"self", "delete", "update"}
        assert c.delete(f"/authorization/{auth_id}").status_code == 204
        assert c.get(f"/authorization/{auth_id}").status_code == 404
    with world.client("basil") as c:
        r = c.get("/authorization/check", params={
            "permissionName": "READ", "resourceName": "ProcessDefinition", "resourceType": 6,
            "resourceId": "payroll", "userId": "admin"})
        assert r.status_code == 403


def test_a_grant_and_a_revoke_through_authorizations(world: World) -> None:
    with world.client("admin") as admin:
        assert admin.post("/user/create", json={
            "profile": {"id": "walt"}, "credentials": {"password": "walt-Pa55word"}}
        ).status_code == 204
        every = admin.post("/authorization/create", json={
            "type": 1, "userId": "walt", "resourceType": 6, "resourceId": "*",
            "permissions": ["ALL"]}).json()
        revoke = admin.post("/authorization/create", json={
            "type": 2, "userId": "walt", "resourceType": 6, "resourceId": "secret",
            "permissions": ["ALL"]}).json()
    with world.client(None) as walt:
        walt.headers["Authorization"] = basic("walt", "walt-Pa55word")
        keys = {d["key"] for d in walt.get("/process-definition").json()}
        assert keys == {"payroll", "quick"}
        assert walt.get(f"/process-instance/{world.ids['inst:secret']}").status_code == 404
    with world.client("admin") as admin:
        assert admin.delete(f"/authorization/{revoke['id']}").status_code == 204
    with world.client(None) as walt:
        walt.headers["Authorization"] = basic("walt", "walt-Pa55word")
        assert {d["key"] for d in walt.get("/process-definition").json()} == \
            {"payroll", "quick", "secret"}
        assert walt.delete(f"/process-instance/{world.ids['inst:secret']}").status_code == 403
    with world.client("admin") as admin:
        assert admin.delete(f"/authorization/{every['id']}").status_code == 204


def test_tenants(world: World) -> None:
    with world.client("anna") as c:
        assert c.post("/tenant/create", json={"id": "t1", "name": "One"}).status_code == 204
        assert c.put("/tenant/t1/user-members/basil").status_code == 204
        assert c.put("/tenant/t1/group-members/payroll-clerk").status_code == 204
        assert c.get("/tenant/t1").json() == {"id": "t1", "name": "One"}
        assert [t["id"] for t in c.get("/tenant", params={"userMember": "basil"}).json()] == \
            ["t1"]
        assert c.get("/tenant/count", params={"groupMember": "payroll-clerk"}).json() == \
            {"count": 1}
        assert [u["id"] for u in c.get("/user", params={"memberOfTenant": "t1"}).json()] == \
            ["basil"]
        assert c.put("/tenant/t1", json={"id": "t1", "name": "Uno"}).status_code == 204
        assert c.delete("/tenant/t1/user-members/basil").status_code == 204
        assert c.delete("/tenant/t1/group-members/payroll-clerk").status_code == 204
        assert c.delete("/tenant/t1").status_code == 204
        assert c.get("/tenant/t1").status_code == 404


def test_operation_log_and_annotations(world: World) -> None:
    with world.client("anna") as c:
        assert c.post("/group/create", json={"id": "logged"}).status_code == 204
        entries = c.get("/history/user-operation", params={
            "entityType": "Group", "operationType": "Create", "userId": "anna.admin"}).json()
        assert entries and entries[0]["category"] == "Admin"
        op = entries[0]["operationId"]
        assert c.put(f"/history/user-operation/{op}/set-annotation",
                     json={"annotation": "ticket 42"}).status_code == 204
        annotated = c.get("/history/user-operation", params={"operationId": op}).json()
        assert {e["annotation"] for e in annotated} == {"ticket 42"}
        assert c.put(f"/history/user-operation/{op}/clear-annotation").status_code == 204
        assert c.put("/history/user-operation/nothing/clear-annotation").status_code == 400
        count = c.get("/history/user-operation/count", params={"operationId": op}).json()
        assert count["count"] == len(annotated)
        r = c.post("/deployment/create", files=[("data", ("q.bpmn", b"<x/>",
                                                          "application/octet-stream"))])
        assert r.status_code == 400  # refused by the handler: not an administrative change


def test_first_start_creates_one_administrator(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        created = ensure_admin(engine, {})
        assert created is not None and created[0] == "admin" and created[1]
        stored = engine.query(identity.user, "admin")
        assert stored is not None and stored.password_hash != created[1]
        assert passwords.verify(stored.password_hash, created[1])
        assert engine.query(identity.effective_groups, "admin") == {"camunda-admin"}
        assert ensure_admin(engine, {}) is None  # only on the first start
        grants = tmp_path / "grants.toml"
        grants.write_text('[[permission-set]]\nid = "a"\nincludes = ["b"]\n'
                          '[[permission-set]]\nid = "b"\nincludes = ["a"]\n')
        with pytest.raises(Exception, match="cycle"):
            load_grants(engine, grants)
    finally:
        engine.close()


def test_cli_prints_a_generated_password_once(tmp_path: Path) -> None:
    code = ("import sys; from bpmnflow.cli import main; "
            "from bpmnflow.services.engine import Engine; "
            "from bpmnflow import config; "
            "cfg = config.load(env={'BPMNFLOW_DATA_DIR': sys.argv[1]}); "
            "engine = Engine(cfg); main._secure(engine); main._secure(engine); engine.close()")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stdout.splitlines() if "password" in ln]
    assert len(lines) == 1 and lines[0].startswith("bpmnflow: created administrator 'admin'")


def test_configuration_from_environment() -> None:
    cfg = config_module.load(env={
        "BPMNFLOW_OIDC_ISSUER": "https://kc.example/realms/erp",
        "BPMNFLOW_OIDC_AUDIENCE": "camunda-rest-api",
        "BPMNFLOW_OIDC_JWKS_URL": "https://kc.example/realms/erp/protocol/openid-connect/certs",
        "BPMNFLOW_ADMIN_USERS": "root, ops",
        "BPMNFLOW_PERMISSION_SET_CLAIMS": "groups,client_roles"})
    assert cfg.security.oidc_issuer == "https://kc.example/realms/erp"
    assert cfg.security.admin_users == ("root", "ops")
    assert cfg.security.permission_set_claims == ("groups", "client_roles")
    assert cfg.security.authentication is True
    with pytest.raises(ValueError):
        config_module.load(env={"BPMNFLOW_PERMISSION_SET_CLAIMS": "everything"})
    with pytest.raises(ValueError):
        config_module.load(env={"BPMNFLOW_OIDC_ISSUER": "x"},
                           overrides={("security", "oidc_algorithms"): ("HS256",)})
