"""The exclusion list: for callers who are not administrators every such route, on both paths,
is 403 ``AuthorizationException`` even on workflows granted to them, and nothing changes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bpmnflow.api.app import engine_routes
from bpmnflow.security import policy
from tests.security.conftest import World

SERVED = {(m, policy.normalize(r.path)) for r in engine_routes()
          for m in (getattr(r, "methods", None) or set())}
EXCLUDED = sorted((method, path) for (method, path), rule in policy.RULES.items()
                  if rule.kind == policy.EXCLUDED)


def _fill(world: World, path: str) -> str:
    """Put ids of the *granted* workflow's rows into a normalized path."""
    ids = world.ids
    values = {
        "/process-definition/key/": "payroll", "/tenant-id/": "tenant-1",
        "/process-definition/": ids["def:payroll"], "/process-instance/": ids["inst:payroll"],
        "/history/process-instance/": ids["inst:payroll"],
        "/history/variable-instance/": ids["hvar:payroll"],
        "/deployment/": ids["deployment"],
    }
    out = ""
    rest = path
    while "{}" in rest:
        before, rest = rest.split("{}", 1)
        out += before
        for prefix, value in values.items():
            if out.endswith(prefix):
                out += value
                break
        else:
            out += "no-such-row"
    return out + rest


def _body(world: World, path: str) -> dict[str, Any]:
    """What an administrator would send: so that the call, if it ran, would change data."""
    inst = world.ids["inst:payroll"]
    if path.endswith("suspended") or path.endswith("suspended-async"):
        return {"suspended": True, "includeProcessInstances": True, "processDefinitionKey":
                "payroll", "processInstanceIds": [inst]}
    if path.endswith("history-time-to-live"):
        return {"historyTimeToLive": 1}
    if "restart" in path:
        return {"processInstanceIds": [inst], "instructions": [
            {"type": "startBeforeActivity", "activityId": "review"}]}
    if "modification" in path:
        return {"processDefinitionId": world.ids["def:payroll"], "processInstanceIds": [inst],
                "instructions": [{"type": "cancel", "activityId": "review"}]}
    if "migration" in path:
        return {"migrationPlan": {"sourceProcessDefinitionId": world.ids["def:payroll"],
                                  "targetProcessDefinitionId": world.ids["def:payroll"],
                                  "instructions": []}, "processInstanceIds": [inst]}
    return {"processInstanceIds": [inst], "deleteReason": "attack",
            "historicProcessInstanceIds": [inst]}


def snapshot(world: World) -> dict[str, Any]:
    with world.client("admin") as admin:
        def get(path: str, **params: Any) -> Any:
            r = admin.get(path, params=params)
            assert r.status_code == 200, r.text
            return r.json()
        return {
            "definitions": sorted((d["id"], d["suspended"], d["historyTimeToLive"])
                                  for d in get("/process-definition")),
            "instances": sorted((i["id"], i["suspended"]) for i in get("/process-instance")),
            "tasks": sorted((t["id"], t["suspended"]) for t in get("/task")),
            "deployments": get("/deployment/count"),
            "history": get("/history/process-instance/count"),
            "historic variables": get("/history/variable-instance/count"),
            "variables": get("/variable-instance/count"),
            "activities": get(f"/process-instance/{world.ids['inst:payroll']}"
                              "/activity-instances"),
        }


@pytest.mark.parametrize("who", ["dora", "nina", "worker", "otto"])
def test_every_excluded_route_is_403_and_changes_nothing(world: World, who: str) -> None:
    before = snapshot(world)
    for alias in (False, True):
        with world.client(who, alias=alias) as c:
            for method, path in EXCLUDED:
                url = _fill(world, path)
                r = c.request(method, url, json=_body(world, path))
                if (method, path) in SERVED:
                    assert r.status_code == 403, (who, method, url, r.text)
                    body = r.json()
                    assert body["type"] == "AuthorizationException"
                    assert body["userId"] and body["missingAuthorizations"]
                else:  # not built yet: the router refuses it, still nothing runs
                    assert r.status_code in (403, 404, 405), (method, url, r.text)
    assert snapshot(world) == before


def test_administrators_are_not_excluded(world: World) -> None:
    """An administrator reaches the same handlers (here: a change that is undone at once)."""
    def_id = world.ids["def:payroll"]
    with world.client("anna") as c:
        r = c.put(f"/process-definition/{def_id}/history-time-to-live",
                  json={"historyTimeToLive": 7})
        assert r.status_code == 204, r.text
        assert c.get(f"/process-definition/{def_id}").json()["historyTimeToLive"] == 7
        assert c.put(f"/process-definition/{def_id}/history-time-to-live",
                     json={"historyTimeToLive": 30}).status_code == 204
        entries = c.get("/history/user-operation", params={"userId": "anna.admin"}).json()
        assert entries, "an administrative change is logged with the user id"


def test_served_routes_match_the_issue_list() -> None:
    """Every route of the issue's exclusion list that the server serves is excluded."""
    from tests.security.test_policy import EXCLUSION_LIST

    for line in EXCLUSION_LIST:
        method, path = line.split()
        key = (method, policy.normalize(path))
        if key in SERVED:
            assert key in EXCLUDED, line


def test_paths_with_odd_spelling_reach_the_same_rule(world: World) -> None:
    inst = world.ids["inst:payroll"]
    with world.client("dora", checked=False) as c:
        for url in (f"/process-instance/{inst}/", f"//process-instance/{inst}",
                    f"/process-instance/{inst}?_method=GET", f"/PROCESS-INSTANCE/{inst}"):
            r = c.delete(url, follow_redirects=False)
            assert r.status_code in (307, 403, 404), (url, r.text)
            if r.status_code == 307:  # the router's trailing-slash redirect: follow it
                r = c.delete(re.sub(r"^.*?/engine-rest", "", r.headers["location"]))
                assert r.status_code == 403
    with world.client("admin") as admin:
        assert admin.get(f"/process-instance/{inst}").status_code == 200
