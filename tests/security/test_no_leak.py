"""No leak: for callers who are not administrators, nothing of the ungranted workflow shows in
any list, count, statistics or history answer, and its rows answer like rows that do not
exist; hostile ids and filters are 400/404, never a 500 and never a wider answer."""

from __future__ import annotations

from typing import Any

import pytest

from bpmnflow.api.app import engine_routes
from bpmnflow.security import policy
from tests.security.conftest import World, assert_hidden

NON_ADMINS = ["dora", "nina", "basil", "otto", "worker"]
READ_LISTS = sorted(
    (m, r.path) for r in engine_routes() for m in (getattr(r, "methods", None) or set())
    if m in ("GET", "POST") and "{" not in r.path
    and (rule := policy.rule_for(m, r.path)) is not None and rule.kind == policy.READ)
ROW_ROUTES = sorted(
    (m, r.path, rule.resource) for r in engine_routes()
    for m in (getattr(r, "methods", None) or set()) if m != "HEAD"
    and (rule := policy.rule_for(m, r.path)) is not None
    and rule.kind in (policy.READ, policy.WORK) and rule.resource)

# resource of a rule -> the world's id of the secret workflow's row of that kind
SECRET_ROW = {"definition": "def:secret", "instance": "inst:secret", "task": "task:secret",
              "execution": "exec:secret", "variable": "var:secret",
              "external_task": "ext:secret", "historic_instance": "inst:secret",
              "historic_activity": "hact:secret", "historic_variable": "hvar:secret",
              "historic_detail": "hdetail:secret"}


@pytest.fixture(scope="module", autouse=True)
def incidents(world: World) -> None:
    """An incident in each workflow, so that incident lists have something to hide."""
    with world.client("admin") as admin:
        for key in ("payroll", "secret"):
            r = admin.post(f"/execution/{world.ids['exec:' + key]}/create-incident",
                           json={"incidentType": "custom", "message": f"{key} incident"})
            assert r.status_code in (200, 204), r.text


def markers(world: World) -> list[str]:
    ids = [v for k, v in world.ids.items() if k.endswith(":secret")]
    return [*ids, '"secret"', "secret:", "secret-calc", "s3cr3t-value", "bk-secret-1",
            "Review secret", "secret incident"]


def _params(path: str) -> dict[str, Any]:
    # a few endpoints require a parameter; give them one that matches everything they allow
    return {"userId": "x"} if path.startswith("/identity") else {}


@pytest.mark.parametrize("who", NON_ADMINS)
def test_no_list_or_count_shows_the_ungranted_workflow(world: World, who: str) -> None:
    secret = markers(world)
    with world.client(who) as c:
        for method, path in READ_LISTS:
            r = (c.get(path, params=_params(path)) if method == "GET"
                 else c.post(path, json={}))
            assert r.status_code < 500, (method, path, r.text)
            leaked = [m for m in secret if m in r.text]
            assert not leaked, f"{who}: {method} {path} shows {leaked}: {r.text[:300]}"
            if path.endswith("/count") and r.status_code == 200:
                listed = c.request(method, path.removesuffix("/count"),
                                   params=_params(path) if method == "GET" else None,
                                   json={} if method == "POST" else None)
                if listed.status_code == 200 and isinstance(listed.json(), list):
                    assert r.json()["count"] == len(listed.json()), (who, path)


def test_filtering_by_the_ungranted_key_finds_nothing(world: World) -> None:
    with world.client("dora") as c:
        for path, params in (("/process-instance", {"processDefinitionKey": "secret"}),
                             ("/process-definition", {"keysIn": "secret,payroll"}),
                             ("/task", {"processDefinitionKey": "secret"}),
                             ("/history/process-instance", {"processDefinitionKey": "secret"}),
                             ("/external-task", {"topicName": "secret-calc"}),
                             ("/variable-instance", {"variableValues": "code_eq_s3cr3t-value"}),
                             ("/history/variable-instance", {"variableName": "code"})):
            r = c.get(path, params=params)
            assert r.status_code == 200, (path, r.text)
            assert not [m for m in markers(world) if m in r.text], path
            r = c.get(path + "/count", params=params)
            assert r.status_code == 200 and all(
                m not in r.text for m in markers(world)), path
        stats = c.get("/process-definition/statistics").json()
        assert {s["definition"]["key"] for s in stats} == {"payroll"}


def _row_template(path: str) -> str:
    """``…{id}…`` for the row's id in the first parameter, a plausible value in the others."""
    first, rest = path.split("{", 1)
    rest = rest.split("}", 1)[1]
    while "{" in rest:
        before, after = rest.split("{", 1)
        rest = before + "code" + after.split("}", 1)[1]
    return first + "{id}" + rest


@pytest.mark.parametrize("who", ["dora", "otto"])
def test_rows_of_the_ungranted_workflow_answer_as_missing(world: World, who: str) -> None:
    with world.client(who) as c:
        for method, path, resource in ROW_ROUTES:
            key = SECRET_ROW.get(resource) if resource != "key" else None
            if resource == "key":
                assert_hidden(c, method, _row_template(path), "secret", json={})
            elif key is not None:
                assert_hidden(c, method, _row_template(path), world.ids[key], json={})
    with world.client("admin") as admin:  # and nothing happened to the secret rows
        task = admin.get(f"/task/{world.ids['task:secret']}").json()
        assert task["assignee"] is None
        assert admin.get(f"/process-instance/{world.ids['inst:secret']}/variables").json()[
            "code"]["value"] == "s3cr3t-value"


HOSTILE = ["' OR '1'='1", "1; DROP TABLE bf_task; --", "../../deployment", "..%2F..%2Fuser",
           "%00", "secret' --", "\\", "*", "a" * 300, "💥", "${7*7}"]


def test_hostile_ids_and_filters_are_400_or_404_never_500(world: World) -> None:
    with world.client("dora", checked=False) as c:
        for bad in HOSTILE:
            for path in ("/process-instance/{}", "/task/{}", "/process-definition/{}",
                         "/process-definition/key/{}", "/history/process-instance/{}",
                         "/variable-instance/{}", "/external-task/{}", "/execution/{}",
                         "/user/{}/profile", "/group/{}"):
                r = c.get(path.format(bad))
                assert r.status_code in (400, 403, 404), (path, bad, r.status_code, r.text)
            for path, name in (("/process-instance", "processInstanceIds"),
                               ("/task", "processInstanceId"), ("/process-definition", "key"),
                               ("/history/process-instance", "processDefinitionKey"),
                               ("/process-instance", "sortBy")):
                params = {name: bad}
                if name == "sortBy":
                    params["sortOrder"] = "asc"
                r = c.get(path, params=params)
                assert r.status_code in (200, 400), (path, bad, r.text)
                assert r.status_code == 400 or not [m for m in markers(world) if m in r.text]
    with world.client("admin", checked=False) as admin:
        assert admin.get("/process-instance/count").json()["count"] >= 2
        for bad in HOSTILE:
            r = admin.post("/user/create", json={"profile": {"id": bad},
                                                 "credentials": {"password": "x"}})
            assert r.status_code == 400, (bad, r.text)
            r = admin.post("/group/create", json={"id": bad})
            assert r.status_code == 400, (bad, r.text)
