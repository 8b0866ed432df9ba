"""``/history/cleanup``: the cleanup jobs remove the history of finished instances whose time
has come, in bounded chunks, split over parallel jobs, within the batch window -- and never
anything of an instance that still runs.  Jobs run through ``POST /job/{id}/execute``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import httpx

from bpmnflow.api.dto import date
from bpmnflow.config import HistoryCleanupConfig
from bpmnflow.services import history_cleanup
from tests.api.helpers import assert_error, complete, count, only_task, start, typed
from tests.api.test_suspension import get
from tests.conftest import Server, bpmn, deploy

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NOON = int(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC).timestamp() * 1000)


def one_task(key: str, ttl: int | None) -> bytes:
    attrs = f'camunda:historyTimeToLive="{ttl}"' if ttl is not None else ""
    return bpmn(key, """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""", attrs)


HOLDER = bpmn("holder", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <callActivity id="call" calledElement="expiring"/>
    <sequenceFlow id="f2" sourceRef="call" targetRef="hold"/>
    <userTask id="hold"/>
""")


def configure(server: Server, **settings: Any) -> None:
    assert server.engine is not None
    config = server.engine.config
    server.engine.config = dataclasses.replace(
        config, history_cleanup=HistoryCleanupConfig(**settings))


def finished(client: httpx.Client, key: str) -> str:
    pid = str(start(client, key, {"amount": typed(1, "Integer")})["id"])
    complete(client, only_task(client, pid)["id"])
    return pid


def execute(client: httpx.Client, job_id: str) -> None:
    response = client.post(f"/job/{job_id}/execute")
    assert response.status_code == 204, response.text


def cleanup_jobs(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get("/history/cleanup/jobs")
    return response.json() if response.status_code == 200 else []  # type: ignore[no-any-return]


def has_history(client: httpx.Client, pid: str) -> bool:
    rows = sum(count(client, path, processInstanceId=pid) for path in (
        "/history/activity-instance", "/history/variable-instance", "/history/task",
        "/history/detail"))
    exists = client.get(f"/history/process-instance/{pid}").status_code == 200
    assert exists == (rows > 0), (pid, rows)
    return exists


def test_cleanup_removes_what_has_expired_and_nothing_that_runs(client, server):
    server.clock.set(NOON)
    deploy(client, ("expiring.bpmn", one_task("expiring", 1)), ("keeping.bpmn", one_task(
        "keeping", None)), ("late.bpmn", one_task("late", None)), ("holder.bpmn", HOLDER))
    done = finished(client, "expiring")
    deleted = start(client, "expiring")["id"]
    assert client.delete(f"/process-instance/{deleted}").status_code == 204
    running = start(client, "expiring")["id"]
    kept = finished(client, "keeping")
    late = finished(client, "late")
    holder = start(client, "holder")["id"]
    (called,) = get(client, "/process-instance", superProcessInstance=holder)
    complete(client, only_task(client, called["id"])["id"])  # ended, but its root runs on
    late_definition = get(client, "/process-definition/key/late")["id"]
    assert client.put(f"/process-definition/{late_definition}/history-time-to-live",
                      json={"historyTimeToLive": 1}).status_code == 204

    assert get(client, "/history/cleanup/configuration") == {
        "batchWindowStartTime": None, "batchWindowEndTime": None, "enabled": True}
    assert_error(client.get("/history/cleanup/job"), 404, "RestException",
                 "History cleanup job does not exist")
    assert_error(client.get("/history/cleanup/jobs"), 404, "RestException",
                 "History cleanup jobs are empty")

    assert count(client, "/history/user-operation", processInstanceId=deleted) == 1
    server.clock.advance(DAY + HOUR)
    created = client.post("/history/cleanup")
    assert created.status_code == 200, created.text
    job = created.json()
    assert (job["dueDate"], job["suspended"], job["retries"], job["priority"]) == (
        date(server.clock.now_ms()), False, 3, 0)
    assert job["processInstanceId"] is None and job["processDefinitionId"] is None
    assert get(client, "/history/cleanup/job")["id"] == job["id"]
    assert [j["id"] for j in cleanup_jobs(client)] == [job["id"]]

    execute(client, job["id"])
    assert {pid: has_history(client, pid) for pid in (
        done, deleted, running, kept, late, holder, called["id"])} == {
        done: False, deleted: False, running: True, kept: True, late: False, holder: True,
        called["id"]: True}
    assert only_task(client, running)["taskDefinitionKey"] == "work"  # still at work
    assert count(client, "/history/user-operation", processInstanceId=deleted) == 0
    successor = get(client, "/history/cleanup/job")  # parked: no batch window to wait for
    assert successor["id"] != job["id"]
    assert (successor["suspended"], successor["dueDate"]) == (True, None)
    (logged,) = get(client, "/history/user-operation", operationType="CreateHistoryCleanupJobs")
    assert (logged["entityType"], logged["property"], logged["newValue"]) == (
        "Job", "immediatelyDue", "true")

    again = client.post("/history/cleanup").json()  # wakes the parked job up again
    assert again["id"] == successor["id"] and again["suspended"] is False


def test_cleanup_works_in_chunks_split_over_parallel_jobs(client, server):
    server.clock.set(NOON)
    configure(server, batch_size=2, degree_of_parallelism=3)
    deploy(client, ("expiring.bpmn", one_task("expiring", 1)))
    ended = []
    for _ in range(5):  # ending at minutes 0, 20, 40, 0, 20 of the hour
        ended.append(finished(client, "expiring"))
        server.clock.advance(20 * MINUTE)
    server.clock.advance(2 * DAY)
    assert client.post("/history/cleanup").status_code == 200
    first_round = cleanup_jobs(client)
    assert len(first_round) == 3

    for job in first_round:
        execute(client, job["id"])
    assert not any(has_history(client, pid) for pid in ended)
    # the two slices that filled a chunk go on at once; the other is done for now
    assert sorted((j["suspended"], j["dueDate"] is None) for j in cleanup_jobs(client)) == [
        (False, False), (False, False), (True, True)]
    for job in cleanup_jobs(client):
        if not job["suspended"]:
            execute(client, job["id"])
    assert {j["suspended"] for j in cleanup_jobs(client)} == {True}

    kept = {j["id"] for j in cleanup_jobs(client)}
    configure(server, batch_size=2, degree_of_parallelism=2)
    reconfigured = client.post("/history/cleanup").json()
    assert len(cleanup_jobs(client)) == 2 and reconfigured["id"] in kept
    assert {j["suspended"] for j in cleanup_jobs(client)} == {False}


def test_cleanup_keeps_to_the_batch_window(client, server):
    server.clock.set(NOON)
    assert server.engine is not None
    assert server.engine.execute(history_cleanup.schedule_at_start) is None  # no window
    configure(server, batch_window_start="22:00", batch_window_end="06:00")
    deploy(client, ("expiring.bpmn", one_task("expiring", 1)))
    pid = finished(client, "expiring")
    server.clock.set(NOON + 2 * DAY)  # 12:00, two days later
    today_22 = NOON + 2 * DAY + 10 * HOUR
    assert get(client, "/history/cleanup/configuration") == {
        "batchWindowStartTime": date(today_22), "batchWindowEndTime": date(today_22 + 8 * HOUR),
        "enabled": True}

    started = server.engine.execute(history_cleanup.schedule_at_start)  # as a node starts
    assert started is not None and server.engine.execute(history_cleanup.schedule_at_start) \
        is None
    job = client.post("/history/cleanup", params={"immediatelyDue": "false"}).json()
    assert job["dueDate"] == date(today_22) and job["id"] == started.id
    execute(client, job["id"])  # run by hand outside the window: it removes nothing
    assert has_history(client, pid)
    waiting = get(client, "/history/cleanup/job")
    assert (waiting["dueDate"], waiting["suspended"]) == (date(today_22), False)

    server.clock.set(today_22 + HOUR)
    execute(client, waiting["id"])
    assert not has_history(client, pid)
    # nothing more to do: it looks again 10 s later, then 20 s, while the window lasts
    retry = get(client, "/history/cleanup/job")
    assert retry["dueDate"] == date(today_22 + HOUR + 10_000)
    server.clock.advance(10_000)
    execute(client, retry["id"])
    assert get(client, "/history/cleanup/job")["dueDate"] == date(today_22 + HOUR + 30_000)

    server.clock.set(today_22 + 7 * HOUR + 59 * MINUTE + 50_000)  # 05:59:50: window closing
    execute(client, get(client, "/history/cleanup/job")["id"])
    assert get(client, "/history/cleanup/job")["dueDate"] == date(today_22 + DAY)
    assert get(client, "/history/cleanup/configuration")["batchWindowStartTime"] == date(
        today_22)  # 05:59:50 still lies in the window that began at 22:00


def test_cleanup_refused_or_impossible(client, server):
    assert_error(client.post("/history/cleanup", params={"immediatelyDue": "false"}), 500,
                 "NullPointerException")  # no job, no window: Camunda's own answer
    configure(server, enabled=False)
    assert get(client, "/history/cleanup/configuration")["enabled"] is False
    assert_error(client.post("/history/cleanup"), 400, "BadUserRequestException",
                 "History cleanup is disabled for this engine", code=0)
    assert_error(client.post("/history/cleanup", params={"immediatelyDue": "maybe"}), 400,
                 "InvalidRequestException")
    assert cleanup_jobs(client) == []
