"""Asynchronous continuations and failing jobs through REST: jobs in the activity-instance tree,
retries counting down to a ``failedJob`` incident, and its resolution by new retries.

The test servers run no job executor: each test executes jobs with ``POST /job/{id}/execute``
and moves the injected clock instead of waiting.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import activity_tree, assert_error, count, only_task, start, typed
from tests.conftest import Server, bpmn, deploy

ASYNC = bpmn("asyncFlow", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="before"/>
    <serviceTask id="before" name="Before" camunda:asyncBefore="true"
                 camunda:expression="${amount + 1}" camunda:resultVariable="plusOne"/>
    <sequenceFlow id="f2" sourceRef="before" targetRef="after"/>
    <serviceTask id="after" camunda:asyncAfter="true"
                 camunda:expression="${plusOne * 2}" camunda:resultVariable="doubled"/>
    <sequenceFlow id="f3" sourceRef="after" targetRef="wait"/>
    <userTask id="wait"/>
    <sequenceFlow id="f4" sourceRef="wait" targetRef="end"/>
    <endEvent id="end"/>
""")


def failing(key: str, cycle: str | None = None) -> bytes:
    """An async service task that fails until ``undefinedVar`` is set."""
    retry = (f"<extensionElements><camunda:failedJobRetryTimeCycle>{cycle}"
             "</camunda:failedJobRetryTimeCycle></extensionElements>") if cycle else ""
    return bpmn(key, f"""
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="svc"/>
    <serviceTask id="svc" camunda:asyncBefore="true" camunda:expression="${{undefinedVar}}"
                 camunda:resultVariable="out">{retry}</serviceTask>
    <sequenceFlow id="f2" sourceRef="svc" targetRef="done"/>
    <userTask id="done"/>
    <sequenceFlow id="f3" sourceRef="done" targetRef="end"/>
    <endEvent id="end"/>
""")


UNKNOWN = ("Unknown property used in expression: ${undefinedVar}. Cause: Cannot resolve "
           "identifier 'undefinedVar'")


def jobs_of(client: httpx.Client, pid: str) -> list[dict[str, Any]]:
    response = client.get("/job", params={"processInstanceId": pid})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def only_job(client: httpx.Client, pid: str) -> dict[str, Any]:
    found = jobs_of(client, pid)
    assert len(found) == 1, found
    return found[0]


def execute(client: httpx.Client, job_id: str) -> httpx.Response:
    return client.post(f"/job/{job_id}/execute")


def transitions(tree: dict[str, Any]) -> list[str]:
    return [t["activityId"] for t in tree["childTransitionInstances"]]


def test_async_before_and_after_are_jobs_and_transition_instances(client: httpx.Client) -> None:
    deploy(client, ("async.bpmn", ASYNC))
    pid = start(client, "asyncFlow", {"amount": typed(20, "Integer")})["id"]

    job = only_job(client, pid)
    assert job["dueDate"] is None and job["retries"] == 3 and job["suspended"] is False
    assert job["exceptionMessage"] is None and job["jobDefinitionId"] is not None
    tree = activity_tree(client, pid)
    assert tree["childActivityInstances"] == [] and transitions(tree) == ["before"]
    transition = tree["childTransitionInstances"][0]
    assert transition["activityName"] == "Before" and transition["activityType"] == "serviceTask"
    assert transition["incidentIds"] == [] and transition["parentActivityInstanceId"] == pid

    assert execute(client, job["id"]).status_code == 204
    after = only_job(client, pid)
    assert after["id"] != job["id"]
    assert transitions(activity_tree(client, pid)) == ["after"]
    definitions = client.get("/job-definition", params={"processDefinitionKey": "asyncFlow"})
    assert {d["activityId"] for d in definitions.json()} == {"before", "after"}

    assert execute(client, after["id"]).status_code == 204
    assert jobs_of(client, pid) == []
    tree = activity_tree(client, pid)
    assert transitions(tree) == [] and [c["activityId"] for c in tree[
        "childActivityInstances"]] == ["wait"]
    doubled = client.get(f"/process-instance/{pid}/variables/doubled").json()
    assert doubled["value"] == 42
    log = client.get("/history/job-log", params={"processInstanceId": pid}).json()
    assert [(e["creationLog"], e["successLog"]) for e in log] == [
        (True, False), (True, False), (False, True), (False, True)]


def test_retries_count_down_to_an_incident_and_new_retries_resolve_it(
        client: httpx.Client, server: Server) -> None:
    deploy(client, ("failing.bpmn", failing("failing", "R2/PT1M")))
    pid = start(client, "failing")["id"]
    job = only_job(client, pid)
    assert job["retries"] == 2  # the retry cycle's count, from the start

    assert_error(execute(client, job["id"]), 404, "InvalidRequestException", UNKNOWN, None)
    job = only_job(client, pid)
    assert job["retries"] == 1 and job["exceptionMessage"] == UNKNOWN
    assert job["failedActivityId"] == "svc"
    assert job["dueDate"] == _date(server.clock.now_ms() + 60_000)
    trace = client.get(f"/job/{job['id']}/stacktrace")
    assert trace.status_code == 200 and trace.headers["content-type"].startswith("text/plain")
    assert "undefinedVar" in trace.text
    assert count(client, "/incident") == 0

    server.clock.advance(60_000)
    assert execute(client, job["id"]).status_code == 404
    job = only_job(client, pid)
    assert job["retries"] == 0
    incidents = client.get("/incident", params={"processInstanceId": pid}).json()
    assert len(incidents) == 1
    incident = incidents[0]
    assert incident["incidentType"] == "failedJob" and incident["configuration"] == job["id"]
    assert incident["incidentMessage"] == UNKNOWN and incident["activityId"] == "svc"
    assert incident["jobDefinitionId"] == job["jobDefinitionId"]
    assert incident["failedActivityId"] == "svc"
    assert client.get(f"/incident/{incident['id']}").json() == incident
    historic = client.get("/history/incident", params={"open": "true"}).json()
    assert [h["id"] for h in historic] == [incident["id"]]
    failure_logs = client.get("/history/job-log", params={"jobId": job["id"],
                                                          "failureLog": "true"}).json()
    assert len(failure_logs) == 2 and historic[0]["historyConfiguration"] == failure_logs[-1]["id"]
    stack = client.get(f"/history/job-log/{failure_logs[0]['id']}/stacktrace")
    assert stack.status_code == 200 and "undefinedVar" in stack.text

    # an incident of a failed job is resolved by new retries, not by DELETE
    assert_error(client.delete(f"/incident/{incident['id']}"), 400, "InvalidRequestException",
                 "Cannot resolve an incident of type failedJob")
    response = client.put(f"/process-instance/{pid}/variables/undefinedVar",
                          json=typed("fixed", "String"))
    assert response.status_code == 204
    assert client.put(f"/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert count(client, "/incident") == 0
    resolved = client.get("/history/incident", params={"resolved": "true"}).json()
    assert [r["id"] for r in resolved] == [incident["id"]]
    assert resolved[0]["open"] is False and resolved[0]["endTime"] is not None
    assert execute(client, job["id"]).status_code == 204
    assert only_task(client, pid)["taskDefinitionKey"] == "done"
    assert client.get(f"/process-instance/{pid}/variables/out").json()["value"] == "fixed"


def test_default_retries_are_three(client: httpx.Client) -> None:
    deploy(client, ("failing.bpmn", failing("plain")))
    pid = start(client, "plain")["id"]
    job_id = only_job(client, pid)["id"]
    for left in (2, 1, 0):
        assert execute(client, job_id).status_code == 404
        job = only_job(client, pid)
        assert job["retries"] == left and job["dueDate"] is None
    assert count(client, "/incident", incidentType="failedJob") == 1
    assert count(client, "/job", noRetriesLeft="true") == 1
    assert count(client, "/job", executable="true") == 0
    # executing it again by hand fails again, but opens no second incident
    assert execute(client, job_id).status_code == 404
    assert count(client, "/incident") == 1


def test_setting_retries_to_zero_opens_an_incident(client: httpx.Client) -> None:
    deploy(client, ("failing.bpmn", failing("zero")))
    pid = start(client, "zero")["id"]
    job_id = only_job(client, pid)["id"]
    assert client.put(f"/job/{job_id}/retries", json={"retries": 0}).status_code == 204
    assert count(client, "/incident", processInstanceId=pid) == 1
    assert client.put(f"/job/{job_id}/retries", json={"retries": 2}).status_code == 204
    assert count(client, "/incident", processInstanceId=pid) == 0


def test_deleting_a_failed_job_deletes_its_incident(client: httpx.Client) -> None:
    deploy(client, ("failing.bpmn", failing("gone", "R1/PT1M")))
    pid = start(client, "gone")["id"]
    job_id = only_job(client, pid)["id"]
    execute(client, job_id)
    assert count(client, "/incident") == 1
    assert client.delete(f"/job/{job_id}").status_code == 204
    assert count(client, "/incident") == 0
    assert count(client, "/history/incident", deleted="true") == 1
    assert count(client, "/history/job-log", jobId=job_id, deletionLog="true") == 1


def _date(ms: int) -> str:
    from bpmnflow.api.dto import date

    return str(date(ms))
