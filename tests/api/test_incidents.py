"""Incidents and their history through REST: failed jobs and failed external tasks, custom
incidents resolved by ``DELETE``, annotations, and the historic job and external task logs."""

from __future__ import annotations

from typing import Any

import httpx

from bpmnflow.api.dto import date
from bpmnflow.services.context import CommandContext
from tests.api.helpers import activity_tree, assert_error, count, only_task, start
from tests.api.test_async import UNKNOWN, failing
from tests.conftest import Server, bpmn, deploy

EXTERNAL = bpmn("external", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <serviceTask id="work" camunda:type="external" camunda:topic="crunch"
                 camunda:taskPriority="7"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
WAITING = bpmn("waiting", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <userTask id="task"/>
""")


def incidents(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/incident", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def failed_job_incident(client: httpx.Client, key: str = "broken") -> dict[str, Any]:
    """An instance whose async service task failed for good (one retry)."""
    deploy(client, (f"{key}.bpmn", failing(key, "R1/PT1M")))
    pid = start(client, key)["id"]
    (job,) = client.get("/job", params={"processInstanceId": pid}).json()
    assert client.post(f"/job/{job['id']}/execute").status_code == 404
    (incident,) = incidents(client, processInstanceId=pid)
    return incident


def fetch(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/external-task/fetchAndLock", json={
        "workerId": "w1", "maxTasks": 1, "topics": [{"topicName": "crunch",
                                                     "lockDuration": 60_000}]})
    assert response.status_code == 200, response.text
    (task,) = response.json()
    return task  # type: ignore[no-any-return]


def custom_incident(server: Server, execution_id: str, pid: str) -> str:
    """A custom incident on an execution (what ``createIncident`` does in Camunda)."""
    def create(ctx: CommandContext) -> str:
        inst = ctx.runtime.find_instance(pid)
        assert inst is not None
        ex = inst.by_id[execution_id]
        return ctx.runtime.create_incident("custom", "something is off", ex, ex.activity_id,
                                           "my-config").id

    assert server.engine is not None
    return server.engine.execute(create)


def test_failed_job_incident_queries(client: httpx.Client, server: Server) -> None:
    incident = failed_job_incident(client)
    pid = incident["processInstanceId"]
    assert incident["incidentMessage"] == UNKNOWN and incident["annotation"] is None
    assert incident["causeIncidentId"] == incident["rootCauseIncidentId"] == incident["id"]
    assert incident["executionId"] is not None and incident["tenantId"] is None
    for params in ({"incidentType": "failedJob"}, {"activityId": "svc"},
                   {"failedActivityId": "svc"}, {"incidentMessageLike": "Unknown property%"},
                   {"processDefinitionKeyIn": "other,broken"},
                   {"processDefinitionId": incident["processDefinitionId"]},
                   {"jobDefinitionIdIn": incident["jobDefinitionId"]},
                   {"configuration": incident["configuration"]},
                   {"executionId": incident["executionId"]},
                   {"incidentTimestampBefore": date(server.clock.now_ms() + 1000)}):
        assert [i["id"] for i in incidents(client, **params)] == [incident["id"]], params
    assert incidents(client, incidentType="failedExternalTask") == []
    assert incidents(client, incidentTimestampAfter=date(server.clock.now_ms() + 1000)) == []
    assert count(client, "/incident", processInstanceId=pid) == 1
    assert_error(client.get("/incident/nope"), 404, "InvalidRequestException",
                 "No matching incident with id nope")
    assert_error(client.get("/incident", params={"sortBy": "incidentType"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")

    (historic,) = client.get("/history/incident", params={"processInstanceId": pid}).json()
    assert historic["open"] is True and historic["resolved"] is False
    assert historic["deleted"] is False and historic["endTime"] is None
    assert historic["processDefinitionKey"] == "broken"
    assert historic["createTime"] == incident["incidentTimestamp"]
    assert historic["jobDefinitionId"] == incident["jobDefinitionId"]


def test_annotations(client: httpx.Client) -> None:
    incident = failed_job_incident(client)
    path = f"/incident/{incident['id']}/annotation"
    assert client.put(path, json={"annotation": "looking into it"}).status_code == 204
    assert client.get(f"/incident/{incident['id']}").json()["annotation"] == "looking into it"
    (historic,) = client.get("/history/incident", params={"incidentId": incident["id"]}).json()
    assert historic["annotation"] == "looking into it"
    assert client.delete(path).status_code == 204
    assert client.get(f"/incident/{incident['id']}").json()["annotation"] is None
    assert_error(client.put("/incident/nope/annotation", json={"annotation": "x"}), 400,
                 "BadUserRequestException", "incident is null", 0)
    assert_error(client.delete("/incident/nope/annotation"), 400, "BadUserRequestException")


def test_resolving_a_custom_incident(client: httpx.Client, server: Server) -> None:
    deploy(client, ("waiting.bpmn", WAITING))
    pid = start(client, "waiting")["id"]
    task = only_task(client, pid)
    incident_id = custom_incident(server, task["executionId"], pid)
    (incident,) = incidents(client, incidentType="custom")
    assert incident["id"] == incident_id and incident["configuration"] == "my-config"

    assert client.delete(f"/incident/{incident_id}").status_code == 204
    assert incidents(client) == []
    (historic,) = client.get("/history/incident", params={"resolved": "true"}).json()
    assert historic["id"] == incident_id and historic["endTime"] is not None
    assert count(client, "/history/incident", open="true") == 0
    assert_error(client.delete(f"/incident/{incident_id}"), 404, "InvalidRequestException",
                 f"Cannot find an incident with id '{incident_id}': incident is null")


def test_activity_instance_tree_shows_incidents(client: httpx.Client) -> None:
    incident = failed_job_incident(client)
    tree = activity_tree(client, incident["processInstanceId"])
    (transition,) = tree["childTransitionInstances"]
    assert transition["incidentIds"] == [incident["id"]]
    assert transition["incidents"] == [{"id": incident["id"], "activityId": "svc"}]


def test_failed_external_task_incident_and_log(client: httpx.Client) -> None:
    deploy(client, ("external.bpmn", EXTERNAL))
    pid = start(client, "external")["id"]
    task = fetch(client)
    response = client.post(f"/external-task/{task['id']}/failure", json={
        "workerId": "w1", "errorMessage": "no luck", "errorDetails": "deep trace",
        "retries": 0, "retryTimeout": 0})
    assert response.status_code == 204, response.text
    (incident,) = incidents(client, processInstanceId=pid)
    assert incident["incidentType"] == "failedExternalTask"
    assert incident["configuration"] == task["id"]
    assert_error(client.delete(f"/incident/{incident['id']}"), 400, "InvalidRequestException",
                 "Cannot resolve an incident of type failedExternalTask")

    logs = client.get("/history/external-task-log", params={"processInstanceId": pid}).json()
    assert [(e["creationLog"], e["failureLog"]) for e in logs] == [(True, False), (False, True)]
    created, failed = logs
    assert created["topicName"] == "crunch" and created["priority"] == 7
    assert failed["workerId"] == "w1" and failed["errorMessage"] == "no luck"
    assert failed["retries"] == 0 and failed["activityId"] == "work"
    assert client.get(f"/history/external-task-log/{failed['id']}").json() == failed
    details = client.get(f"/history/external-task-log/{failed['id']}/error-details")
    assert details.status_code == 200 and details.text == "deep trace"
    assert count(client, "/history/external-task-log", failureLog="true",
                 externalTaskId=task["id"]) == 1
    posted = client.post("/history/external-task-log/count",
                         json={"topicName": "crunch", "creationLog": True})
    assert posted.json() == {"count": 1}
    by_priority = client.post("/history/external-task-log", params={"maxResults": 1}, json={
        "sorting": [{"sortBy": "timestamp", "sortOrder": "desc"}]}).json()
    assert len(by_priority) == 1
    assert_error(client.get("/history/external-task-log/nope"), 404, "InvalidRequestException",
                 "Historic external task log with id nope does not exist")
    assert_error(client.get("/history/external-task-log/nope/error-details"), 404,
                 "InvalidRequestException",
                 "No historic external task log found with id nope: historicExternalTaskLog is "
                 "null")

    retried = client.put(f"/external-task/{task['id']}/retries", json={"retries": 1})
    assert retried.status_code == 204
    assert incidents(client) == []
    assert count(client, "/history/incident", resolved="true") == 1


def test_historic_job_log(client: httpx.Client) -> None:
    incident = failed_job_incident(client, "logged")
    pid = incident["processInstanceId"]
    logs = client.get("/history/job-log", params={"processInstanceId": pid}).json()
    assert [(e["creationLog"], e["failureLog"]) for e in logs] == [(True, False), (False, True)]
    created, failed = logs
    assert created["jobRetries"] == 1 and failed["jobRetries"] == 0
    assert failed["jobExceptionMessage"] == UNKNOWN and failed["failedActivityId"] == "svc"
    assert failed["jobDefinitionType"] == "async-continuation"
    assert failed["processDefinitionKey"] == "logged" and failed["hostname"]
    assert client.get(f"/history/job-log/{failed['id']}").json() == failed
    for params in ({"jobExceptionMessage": UNKNOWN}, {"failedActivityIdIn": "svc"},
                   {"jobDefinitionId": failed["jobDefinitionId"], "failureLog": "true"},
                   {"executionIdIn": failed["executionId"], "failureLog": "true"}):
        assert [e["id"] for e in client.get("/history/job-log", params=params).json()] == \
            [failed["id"]], params
    newest = client.get("/history/job-log", params={"sortBy": "occurrence",
                                                    "sortOrder": "desc", "maxResults": 1})
    assert [e["id"] for e in newest.json()] == [failed["id"]]
    posted = client.post("/history/job-log/count", json={"jobId": failed["jobId"]})
    assert posted.json() == {"count": 2}
    assert_error(client.get("/history/job-log/nope"), 404, "InvalidRequestException",
                 "Historic job log with id nope does not exist")
    assert_error(client.get("/history/job-log/nope/stacktrace"), 404,
                 "InvalidRequestException",
                 "No historic job log found with id nope: historicJobLog is null")
