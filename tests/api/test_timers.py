"""Timers through REST with a moving clock: boundary (interrupting and cycling), start events
with a repetition limit and cron cycles, intermediate dates, durations and expressions, and
the operator's due-date controls.

Nothing sleeps: the clock moves, and due jobs run through ``POST /job/{id}/execute``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from bpmnflow.api.dto import date
from tests.api.helpers import assert_error, count, start, task_keys, tasks, typed
from tests.conftest import Server, bpmn, deploy

MINUTE = 60_000

INTERRUPTING = bpmn("escalation", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <boundaryEvent id="late" attachedToRef="work">
      <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="late" targetRef="escalated"/>
    <userTask id="escalated"/>
    <sequenceFlow id="f3" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
REMINDERS = bpmn("reminders", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <boundaryEvent id="remind" attachedToRef="work" cancelActivity="false">
      <timerEventDefinition><timeCycle>R3/PT10M</timeCycle></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="remind" targetRef="reminder"/>
    <userTask id="reminder"/>
    <sequenceFlow id="f3" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
REPEATED_START = bpmn("repeatedStart", """
    <startEvent id="tick">
      <timerEventDefinition><timeCycle>R3/PT10M</timeCycle></timerEventDefinition>
    </startEvent>
    <sequenceFlow id="f1" sourceRef="tick" targetRef="work"/>
    <userTask id="work"/>
""")
CRON_START = bpmn("cronStart", """
    <startEvent id="tick">
      <timerEventDefinition><timeCycle>0 0/5 * * * ?</timeCycle></timerEventDefinition>
    </startEvent>
    <sequenceFlow id="f1" sourceRef="tick" targetRef="work"/>
    <userTask id="work"/>
""")


def intermediate(key: str, definition: str) -> bytes:
    return bpmn(key, f"""
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="pause"/>
    <intermediateCatchEvent id="pause">
      <timerEventDefinition>{definition}</timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="f2" sourceRef="pause" targetRef="after"/>
    <userTask id="after"/>
""")


def jobs(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/job", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def run_due(client: httpx.Client, **params: Any) -> int:
    """Execute every job that is due now (what the job executor would do)."""
    due = jobs(client, executable="true", **params)
    for job in due:
        response = client.post(f"/job/{job['id']}/execute")
        assert response.status_code == 204, response.text
    return len(due)


def iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_interrupting_boundary_timer(client: httpx.Client, server: Server) -> None:
    deploy(client, ("escalation.bpmn", INTERRUPTING))
    pid = start(client, "escalation")["id"]
    (timer,) = jobs(client, processInstanceId=pid, timers="true")
    assert timer["dueDate"] == date(server.clock.now_ms() + 60 * MINUTE)
    assert run_due(client) == 0  # not due yet

    server.clock.advance(60 * MINUTE)
    assert run_due(client) == 1
    assert task_keys(client, pid) == ["escalated"]
    assert jobs(client, processInstanceId=pid) == []
    logs = client.get("/history/job-log", params={"jobId": timer["id"]}).json()
    assert [(e["creationLog"], e["successLog"], e["deletionLog"]) for e in logs] == [
        (True, False, False), (False, True, False)]


def test_non_interrupting_cycle_fires_three_times(client: httpx.Client, server: Server) -> None:
    deploy(client, ("reminders.bpmn", REMINDERS))
    pid = start(client, "reminders")["id"]
    for fired in (1, 2, 3):
        (timer,) = jobs(client, processInstanceId=pid)
        assert timer["dueDate"] == date(server.clock.now_ms() + 10 * MINUTE)
        server.clock.advance(10 * MINUTE)
        assert run_due(client) == 1
        assert task_keys(client, pid) == ["reminder"] * fired + ["work"]
    assert jobs(client, processInstanceId=pid) == []  # the cycle is spent
    server.clock.advance(60 * MINUTE)
    assert run_due(client) == 0


def test_completing_the_task_removes_its_cycle(client: httpx.Client, server: Server) -> None:
    deploy(client, ("reminders.bpmn", REMINDERS))
    pid = start(client, "reminders")["id"]
    (task,) = tasks(client, processInstanceId=pid)
    assert client.post(f"/task/{task['id']}/complete", json={}).status_code == 204
    assert jobs(client, processInstanceId=pid) == []
    assert count(client, "/history/job-log", processInstanceId=pid, deletionLog="true") == 1


def test_timer_start_event_with_a_repetition_limit(client: httpx.Client, server: Server) -> None:
    deploy(client, ("repeated.bpmn", REPEATED_START))
    for started in (1, 2, 3):
        (timer,) = jobs(client, processDefinitionKey="repeatedStart")
        assert timer["processInstanceId"] is None and timer["executionId"] is None
        assert timer["dueDate"] == date(server.clock.now_ms() + 10 * MINUTE)
        server.clock.advance(10 * MINUTE)
        assert run_due(client) == 1
        assert count(client, "/process-instance", processDefinitionKey="repeatedStart") == \
            started
    assert jobs(client, processDefinitionKey="repeatedStart") == []


def test_cron_cycle(client: httpx.Client, server: Server) -> None:
    deploy(client, ("cron.bpmn", CRON_START))
    (timer,) = jobs(client, processDefinitionKey="cronStart")
    now = server.clock.now_ms()
    due = _ms(timer["dueDate"])
    assert now < due <= now + 5 * MINUTE and due % (5 * MINUTE) == 0
    server.clock.advance(due - now)
    assert run_due(client) == 1
    (following,) = jobs(client, processDefinitionKey="cronStart")
    assert _ms(following["dueDate"]) == due + 5 * MINUTE
    assert count(client, "/process-instance", processDefinitionKey="cronStart") == 1


def test_intermediate_timer_date_duration_and_expression(client: httpx.Client,
                                                         server: Server) -> None:
    when = (server.clock.now_ms() // 1000 + 7200) * 1000
    deploy(client, ("date.bpmn", intermediate("byDate", f"<timeDate>{iso(when)}</timeDate>")),
           ("duration.bpmn", intermediate("byDuration", "<timeDuration>PT5M</timeDuration>")),
           ("expr.bpmn", intermediate("byExpression", "<timeDate>${dueDate}</timeDate>")),
           ("exprDuration.bpmn", intermediate("byExpressionDuration",
                                              "<timeDuration>${wait}</timeDuration>")))
    now = server.clock.now_ms()
    by_date = start(client, "byDate")["id"]
    by_duration = start(client, "byDuration")["id"]
    later = date(when + 3 * 3600_000)
    by_expression = start(client, "byExpression", {"dueDate": typed(later, "Date")})["id"]
    by_wait = start(client, "byExpressionDuration", {"wait": typed("PT30M", "String")})["id"]
    expected = {by_date: date(when), by_duration: date(now + 5 * MINUTE),
                by_expression: later, by_wait: date(now + 30 * MINUTE)}
    for pid, due in expected.items():
        (timer,) = jobs(client, processInstanceId=pid)
        assert timer["dueDate"] == due, pid

    server.clock.advance(5 * MINUTE)
    assert run_due(client) == 1 and task_keys(client, by_duration) == ["after"]
    server.clock.advance(7200_000)
    assert run_due(client) == 2
    assert task_keys(client, by_date) == ["after"] and task_keys(client, by_wait) == ["after"]
    server.clock.advance(3 * 3600_000)
    assert run_due(client) == 1 and task_keys(client, by_expression) == ["after"]


def test_a_not_yet_due_job_executes_on_request(client: httpx.Client) -> None:
    deploy(client, ("duration.bpmn", intermediate("early", "<timeDuration>P1D</timeDuration>")))
    pid = start(client, "early")["id"]
    (timer,) = jobs(client, processInstanceId=pid)
    assert client.post(f"/job/{timer['id']}/execute").status_code == 204
    assert task_keys(client, pid) == ["after"]


def test_due_date_set_and_recalculated(client: httpx.Client, server: Server) -> None:
    deploy(client, ("duration.bpmn", intermediate("moved", "<timeDuration>PT1H</timeDuration>")))
    created = server.clock.now_ms()
    pid = start(client, "moved")["id"]
    (timer,) = jobs(client, processInstanceId=pid)
    new_due = date(created + 5 * MINUTE)
    response = client.put(f"/job/{timer['id']}/duedate", json={"duedate": new_due})
    assert response.status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["dueDate"] == new_due

    server.clock.advance(2 * MINUTE)
    recalc = client.post(f"/job/{timer['id']}/duedate/recalculate")
    assert recalc.status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["dueDate"] == date(created + 60 * MINUTE)
    recalc = client.post(f"/job/{timer['id']}/duedate/recalculate",
                         params={"creationDateBased": "false"})
    assert recalc.status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["dueDate"] == date(created + 62 * MINUTE)

    assert client.put(f"/job/{timer['id']}/duedate", json={"duedate": None}).status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["dueDate"] is None
    assert run_due(client) == 1


def test_due_date_of_a_cycle_with_and_without_cascade(client: httpx.Client,
                                                      server: Server) -> None:
    deploy(client, ("reminders.bpmn", REMINDERS))
    first = start(client, "reminders")["id"]
    second = start(client, "reminders")["id"]
    now = server.clock.now_ms()
    for pid, cascade in ((first, False), (second, True)):
        (timer,) = jobs(client, processInstanceId=pid)
        moved = client.put(f"/job/{timer['id']}/duedate",
                           json={"duedate": date(now + 15 * MINUTE), "cascade": cascade})
        assert moved.status_code == 204
    server.clock.advance(15 * MINUTE)
    assert run_due(client) == 2
    # without cascade the next reminder keeps the old 10-minute grid, with it it moves along
    assert jobs(client, processInstanceId=first)[0]["dueDate"] == date(now + 20 * MINUTE)
    assert jobs(client, processInstanceId=second)[0]["dueDate"] == date(now + 25 * MINUTE)


def test_recalculating_a_message_job_is_refused(client: httpx.Client) -> None:
    deploy(client, ("async.bpmn", bpmn("asyncOnly", """
        <startEvent id="start" camunda:asyncBefore="true"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
        <endEvent id="end"/>
    """)))
    start(client, "asyncOnly")
    (job,) = jobs(client, processDefinitionKey="asyncOnly")
    assert_error(client.post(f"/job/{job['id']}/duedate/recalculate"), 500,
                 "InvalidRequestException",
                 f"Only timer jobs can be recalculated, but the job with id '{job['id']}' is of "
                 "type 'async-continuation'.")
    assert_error(client.post("/job/nope/duedate/recalculate"), 404, "InvalidRequestException",
                 "No job found with id 'nope': job is null")
    assert_error(client.put("/job/nope/duedate", json={"duedate": None}), 500,
                 "InvalidRequestException", "No job found with id 'nope'.")


def _ms(text: str) -> int:
    return int(dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)
