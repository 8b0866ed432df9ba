"""Small HTTP helpers shared by the REST scenario tests: start, find tasks, complete, inspect.

They keep each scenario readable as the sequence of calls a Camunda client makes; every
request still goes through the contract-checking ``client`` fixture.
"""

from __future__ import annotations

from typing import Any

import httpx

JSON = "application/json"
DATE = "2026-01-31T12:00:00.000+0000"


def typed(value: Any, type_name: str | None = None, **info: Any) -> dict[str, Any]:
    """One variable in Camunda's REST form."""
    out: dict[str, Any] = {"value": value}
    if type_name is not None:
        out["type"] = type_name
    if info:
        out["valueInfo"] = info
    return out


def start(client: httpx.Client, key: str, variables: dict[str, Any] | None = None,
          **body: Any) -> dict[str, Any]:
    """Start the latest version of ``key``; fails the test unless Camunda's 200 comes back."""
    payload = {"variables": variables or {}, **body}
    response = client.post(f"/process-definition/key/{key}/start", json=payload)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def tasks(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/task", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def only_task(client: httpx.Client, pid: str) -> dict[str, Any]:
    found = tasks(client, processInstanceId=pid)
    assert len(found) == 1, found
    return found[0]


def task_keys(client: httpx.Client, pid: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in tasks(client, processInstanceId=pid))


def complete(client: httpx.Client, task_id: str, variables: dict[str, Any] | None = None
             ) -> None:
    response = client.post(f"/task/{task_id}/complete", json={"variables": variables or {}})
    assert response.status_code == 204, response.text


def count(client: httpx.Client, path: str, **params: Any) -> int:
    response = client.get(f"{path}/count", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


def assert_error(response: httpx.Response, status: int, camunda_type: str,
                 message: str | None = None, code: Any = ...) -> dict[str, Any]:
    """Camunda's error body, exactly: status, content type, ``type`` and (when given) message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert body["type"] == camunda_type, body
    if message is not None:
        assert body["message"] == message, body
    if code is not ...:
        assert body["code"] == code, body
    return body  # type: ignore[no-any-return]


def tree_shape(node: dict[str, Any]) -> Any:
    """An activity-instance tree reduced to activity ids, children sorted: easy to compare."""
    children = sorted((tree_shape(c) for c in node["childActivityInstances"]), key=repr)
    return (node["activityId"], children) if children else node["activityId"]


def activity_tree(client: httpx.Client, pid: str) -> dict[str, Any]:
    response = client.get(f"/process-instance/{pid}/activity-instances")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
