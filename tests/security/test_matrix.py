"""The caller matrix: administrators (by realm role, token group, permission set, service
account), a direct grant, a grant through two nested sets, nobody, a worker — against every
route class: allowed, filtered, 403, 401; on ``/engine-rest`` and its named-engine alias."""

from __future__ import annotations

import pytest

from tests.security.conftest import (
    ADMINS,
    GRANTED,
    NOBODY,
    WORKER,
    World,
    assert_hidden,
    basic,
)

EVERYONE = ADMINS + GRANTED + NOBODY + WORKER


def keys(rows: list[dict]) -> set[str]:
    return {r["definitionId"].split(":")[0] for r in rows}


@pytest.mark.parametrize("alias", [False, True], ids=["base", "alias"])
def test_lists_are_filtered_and_counts_agree(world: World, alias: bool) -> None:
    for who in EVERYONE:
        with world.client(who, alias=alias) as c:
            rows = c.get("/process-instance").json()
            count = c.get("/process-instance/count").json()["count"]
            tasks = c.get("/task").json()
            expected = ({"payroll", "secret"} if who in ADMINS else
                        set() if who in NOBODY else {"payroll"})
            assert keys(rows) == expected, who
            assert count == len(rows), who
            assert {t["processDefinitionId"].split(":")[0] for t in tasks} == expected, who
            defs = {d["key"] for d in c.get("/process-definition").json()}
            assert defs == (expected | {"quick"} if who in ADMINS else expected), who


@pytest.mark.parametrize("who", EVERYONE)
def test_get_by_id_is_allowed_or_hidden(world: World, who: str) -> None:
    with world.client(who) as c:
        own = c.get(f"/process-instance/{world.ids['inst:payroll']}")
        other = c.get(f"/process-instance/{world.ids['inst:secret']}")
        assert own.status_code == (404 if who in NOBODY else 200), own.text
        assert other.status_code == (200 if who in ADMINS else 404), other.text


@pytest.mark.parametrize("who", EVERYONE)
def test_administrative_routes_are_403_for_everyone_else(world: World, who: str) -> None:
    with world.client(who) as c:
        for method, path in (("GET", "/deployment"), ("GET", "/user"), ("GET", "/group"),
                             ("GET", "/authorization"), ("GET", "/batch"),
                             ("POST", "/group/create"), ("POST", "/user/create")):
            r = c.request(method, path, json={} if method == "POST" else None)
            if who in ADMINS:
                assert r.status_code not in (401, 403), (method, path, r.text)
            else:
                assert r.status_code == 403, (method, path, r.text)
                body = r.json()
                assert body["type"] == "AuthorizationException"
                assert body["missingAuthorizations"] and body["userId"]


@pytest.mark.parametrize("alias", [False, True], ids=["base", "alias"])
def test_no_credentials_is_401_everywhere_but_engine_and_version(world: World,
                                                                  alias: bool) -> None:
    with world.client(None, alias=alias) as c:
        for method, path in (("GET", "/process-instance"), ("GET", "/deployment"),
                             ("DELETE", f"/process-instance/{world.ids['inst:payroll']}"),
                             ("GET", "/no-such-route"), ("POST", "/message")):
            r = c.request(method, path)
            assert r.status_code == 401, (method, path, r.text)
            assert r.headers.get_list("www-authenticate")
        assert c.get("/version").status_code == 200
    with world.client(None) as c:
        assert c.get("/engine").json() == [{"name": "default"}]
        r = c.get("/process-instance", headers={"Authorization": basic("basil", "wrong")})
        assert r.status_code == 401


def test_work_on_granted_tasks(world: World) -> None:
    task, secret = world.ids["task:payroll"], world.ids["task:secret"]
    for who in GRANTED:
        with world.client(who) as c:
            r = c.post(f"/task/{task}/claim", json={"userId": who})
            assert r.status_code == 204, (who, r.text)
            assert c.post(f"/task/{task}/unclaim").status_code == 204
            r = c.put(f"/task/{task}/variables/note", json={"value": who, "type": "String"})
            assert r.status_code == 204, r.text
            assert c.get(f"/task/{task}/variables/note").json()["value"] == who
            assert_hidden(c, "POST", "/task/{id}/claim", secret, json={"userId": who})
    with world.client("otto") as c:
        assert_hidden(c, "POST", "/task/{id}/claim", task, json={"userId": "otto"})
    with world.client("admin") as c:
        assert c.get(f"/task/{secret}").json()["assignee"] is None


def test_a_read_only_grant_sees_but_cannot_work(world: World) -> None:
    with world.client("admin") as admin:
        assert admin.post("/user/create", json={
            "profile": {"id": "rita"}, "credentials": {"password": "rita-Pa55word"}}
        ).status_code == 204
        assert admin.post("/group/create", json={"id": "payroll-readers"}).status_code == 204
        assert admin.put("/group/payroll-readers/members/rita").status_code == 204
        r = admin.post("/authorization/create", json={
            "type": 1, "groupId": "payroll-readers", "resourceType": 6, "resourceId": "payroll",
            "permissions": ["READ", "READ_INSTANCE", "READ_HISTORY"]})
        assert r.status_code == 200, r.text
    with world.client(None) as rita:
        rita.headers["Authorization"] = basic("rita", "rita-Pa55word")
        assert rita.get(f"/task/{world.ids['task:payroll']}").status_code == 200
        r = rita.post(f"/task/{world.ids['task:payroll']}/claim", json={"userId": "rita"})
        assert r.status_code == 403, r.text
        r = rita.post("/process-definition/key/payroll/start", json={})
        assert r.status_code == 403, r.text
        assert rita.post("/process-definition/key/secret/start", json={}).status_code == 404


def test_starting_granted_workflows(world: World) -> None:
    for who in ("dora", "nina"):
        with world.client(who) as c:
            r = c.post("/process-definition/key/payroll/start", json={"businessKey": who})
            assert r.status_code == 200, r.text
            own = c.get("/process-instance", params={"businessKey": who}).json()
            assert [i["id"] for i in own] == [r.json()["id"]]
            r = c.post(f"/process-definition/{world.ids['def:secret']}/start", json={})
            assert r.status_code == 500 and "no deployed process definition" in r.text
            r = c.post("/process-definition/key/secret/start", json={})
            assert r.status_code == 404, r.text
            assert "secret" in r.json()["message"]  # the key asked for, as for any unknown key
    with world.client("admin") as admin:
        assert admin.get("/process-instance/count",
                         params={"processDefinitionKey": "secret"}).json()["count"] == 1


def test_worker_fetches_and_completes_only_granted_external_tasks(world: World) -> None:
    body = {"workerId": "w1", "maxTasks": 10, "topics": [
        {"topicName": "payroll-calc", "lockDuration": 10000},
        {"topicName": "secret-calc", "lockDuration": 10000,
         "processDefinitionKeyIn": ["secret"]}]}
    with world.client("worker") as c:
        locked = c.post("/external-task/fetchAndLock", json=body).json()
        assert {t["topicName"] for t in locked} == {"payroll-calc"}
        assert c.get("/external-task/topic-names").json() == ["payroll-calc"]
        for t in locked:
            r = c.post(f"/external-task/{t['id']}/complete", json={"workerId": "w1"})
            assert r.status_code == 204, r.text
        assert_hidden(c, "POST", "/external-task/{id}/complete", world.ids["ext:secret"],
                      json={"workerId": "w1"})
    with world.client("admin") as admin:
        secret = admin.get(f"/external-task/{world.ids['ext:secret']}").json()
        assert secret["workerId"] is None and secret["lockExpirationTime"] is None
        assert "secret-calc" in admin.get("/external-task/topic-names").json()


def test_messages_reach_only_granted_instances(world: World) -> None:
    with world.client("dora") as c:
        unknown = c.post("/message", json={"messageName": "nobody-waits"})
        hidden = c.post("/message", json={"messageName": "secret-ping"})
        assert hidden.status_code == unknown.status_code == 400
        assert hidden.json()["message"] == unknown.json()["message"].replace(
            "nobody-waits", "secret-ping")
        mixed = c.post("/message", json={"messageName": "shared-ping", "all": True})
        assert mixed.status_code == 403, mixed.text
        r = c.post("/message", json={"messageName": "payroll-ping",
                                     "processInstanceId": world.ids["inst:payroll"]})
        assert r.status_code in (200, 204), r.text
        assert c.post("/signal", json={"name": "nobody-listens"}).status_code == 204
    with world.client("admin") as admin:
        waiting = admin.get("/event-subscription", params={
            "processInstanceId": world.ids["inst:secret"]}).json()
        assert {s["eventName"] for s in waiting} >= {"secret-ping", "shared-ping"}
        assert admin.get("/event-subscription/count", params={
            "processInstanceId": world.ids["inst:payroll"],
            "eventName": "shared-ping"}).json()["count"] == 1


def test_own_profile_and_password_only(world: World) -> None:
    with world.client("basil") as c:
        assert c.get("/user/basil/profile").json()["firstName"] == "Basil"
        assert c.get("/user/admin/profile").status_code == 403
        r = c.put("/user/basil/credentials", json={"password": "x-new-Pa55word",
                                                    "authenticatedUserPassword": "wrong"})
        assert r.status_code == 400
        groups = c.get("/identity/groups", params={"userId": "basil"}).json()
        assert [g["id"] for g in groups["groups"]] == ["payroll-clerk"]
        assert c.get("/identity/groups", params={"userId": "admin"}).status_code == 403
        check = c.get("/authorization/check", params={
            "permissionName": "READ", "resourceName": "ProcessDefinition", "resourceType": 6,
            "resourceId": "payroll"}).json()
        assert check["authorized"] is True
        check = c.get("/authorization/check", params={
            "permissionName": "READ", "resourceName": "ProcessDefinition", "resourceType": 6,
            "resourceId": "secret"}).json()
        assert check["authorized"] is False
        assert c.options("/user").json() == {"links": []}
        assert {link["rel"] for link in c.options("/user/basil").json()["links"]} == \
            {"self", "update"}
    with world.client("nina") as c:
        held = {g["id"] for g in c.get("/identity/groups",
                                       params={"userId": "nina.nested"}).json()["groups"]}
        assert held == {"finance.controllers", "finance", "payroll-clerk",
                        "offline_access", "uma_authorization"}
    with world.client("anna") as c:
        assert {link["rel"] for link in c.options("/user").json()["links"]} == \
            {"list", "count", "create"}


def test_denied_attempts_are_in_the_operation_log(world: World) -> None:
    with world.client("otto") as c:
        assert c.get("/deployment").status_code == 403
        assert c.get(f"/task/{world.ids['task:secret']}").status_code == 404
        assert c.get("/history/user-operation").json() == []  # not theirs to read
    with world.client("admin") as admin:
        entries = admin.get("/history/user-operation", params={
            "userId": "otto.nobody", "operationType": "AccessDenied"}).json()
        requests = {e["newValue"] for e in entries}
        assert {"GET /deployment", "GET /task/{id}"} <= requests
        assert any(e["processDefinitionKey"] == "secret" for e in entries)
