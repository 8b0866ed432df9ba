"""``PUT …/history-time-to-live`` on process definitions: by id, by key, by key and tenant."""

from __future__ import annotations

import dataclasses

from bpmnflow.api.dto import date
from tests.api.helpers import assert_error, complete, only_task, start
from tests.api.test_deletion import only_id
from tests.api.test_suspension import ONE_TASK, get
from tests.conftest import deploy

DAY = 86_400_000


def test_setting_the_history_time_to_live(client, server):
    v1 = only_id(deploy(client, ("one.bpmn", ONE_TASK)))
    v2 = only_id(deploy(client, ("one.bpmn", ONE_TASK)))
    tenant = only_id(deploy(client, ("one.bpmn", ONE_TASK), tenant_id="t1"))
    pid = start(client, "oneTask")["id"]  # runs on v2, whose definition is cached now

    def ttl(definition_id: str) -> int | None:
        return get(client, f"/process-definition/{definition_id}")["historyTimeToLive"]

    def put(path: str, body: object) -> int:
        return client.put(f"/process-definition/{path}/history-time-to-live", json=body) \
            .status_code

    assert put(v1, {"historyTimeToLive": 5}) == 204
    assert put("key/oneTask", {"historyTimeToLive": 7}) == 204  # the newest version only
    assert put("key/oneTask/tenant-id/t1", {"historyTimeToLive": 3}) == 204
    assert (ttl(v1), ttl(v2), ttl(tenant)) == (5, 7, 3)
    assert put(v1, {"historyTimeToLive": None}) == 204 and ttl(v1) is None
    assert put(tenant, {}) == 204 and ttl(tenant) is None
    assert put(v1, {"historyTimeToLive": 0}) == 204 and ttl(v1) == 0

    # an instance that ends from now on gets its removal time from the new value
    server.clock.advance(1_000)
    complete(client, only_task(client, pid)["id"])
    ended = get(client, f"/history/process-instance/{pid}")
    assert ended["removalTime"] == date(server.clock.now_ms() + 7 * DAY)

    assert_error(client.put(f"/process-definition/{v1}/history-time-to-live",
                            json={"historyTimeToLive": -1}), 400, "BadUserRequestException",
                 "historyTimeToLive is not greater than or equal to 0", code=0)
    assert_error(client.put(f"/process-definition/{v1}/history-time-to-live",
                            json={"historyTimeToLive": "ten"}), 400, "MismatchedInputException")
    assert_error(client.put("/process-definition/nope/history-time-to-live",
                            json={"historyTimeToLive": 1}), 404, "InvalidRequestException",
                 "No matching definition with id nope")
    assert_error(client.put("/process-definition/key/nope/history-time-to-live",
                            json={"historyTimeToLive": 1}), 404, "RestException",
                 "No matching process definition with key: nope and no tenant-id")
    assert ttl(v1) == 0  # refused changes change nothing

    assert server.engine is not None
    config = server.engine.config
    server.engine.config = dataclasses.replace(config, engine=dataclasses.replace(
        config.engine, enforce_history_time_to_live=True))
    assert_error(client.put(f"/process-definition/{v1}/history-time-to-live",
                            json={"historyTimeToLive": None}), 500, "ProcessEngineException",
                 "ENGINE-12018 History Time To Live (TTL) cannot be null. TTL is necessary for "
                 "the History Cleanup to work.")
    server.engine.config = config

    logged = get(client, "/history/user-operation", processDefinitionId=v1,
                 operationType="UpdateHistoryTimeToLive")
    assert [(e["property"], e["orgValue"], e["newValue"]) for e in logged] == [
        ("historyTimeToLive", None, "5"), ("historyTimeToLive", "5", None),
        ("historyTimeToLive", None, "0")]
    assert {e["entityType"] for e in logged} == {"ProcessDefinition"}
