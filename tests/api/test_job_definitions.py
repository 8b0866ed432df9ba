"""The ``/job-definition`` resource: queries, suspension (now, with its jobs, or at a date),
retries of failed jobs and overriding priorities.  A suspended job definition keeps its jobs
from being acquired even while the jobs themselves stay active."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bpmnflow.api.dto import date
from bpmnflow.services import jobs as job_service
from tests.api.helpers import assert_error, count, start
from tests.api.test_async import failing
from tests.conftest import Server, bpmn, deploy

MINUTE = 60_000

TWO_ASYNC = bpmn("twoAsync", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <serviceTask id="first" camunda:asyncBefore="true" camunda:expression="${1}"/>
    <sequenceFlow id="f2" sourceRef="first" targetRef="pause"/>
    <intermediateCatchEvent id="pause">
      <timerEventDefinition><timeDuration>PT10M</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="f3" sourceRef="pause" targetRef="end"/>
    <endEvent id="end"/>
""")


def definitions(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/job-definition", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def by_activity(client: httpx.Client, activity: str) -> dict[str, Any]:
    (found,) = definitions(client, activityIdIn=activity)
    return found


def acquire(server: Server, owner: str = "node") -> list[str]:
    assert server.engine is not None
    return server.engine.execute(job_service.acquire, owner, 5 * MINUTE, 10)


@pytest.fixture
def deployed(client: httpx.Client) -> None:
    deploy(client, ("twoAsync.bpmn", TWO_ASYNC))


def test_query_and_get(client: httpx.Client, deployed: None) -> None:
    found = definitions(client, processDefinitionKey="twoAsync",
                        sortBy="activityId", sortOrder="asc")
    assert [d["activityId"] for d in found] == ["first", "pause"]
    first = found[0]
    assert first["jobType"] == "async-continuation" and first["suspended"] is False
    assert first["overridingJobPriority"] is None and first["deploymentId"] is not None
    assert client.get(f"/job-definition/{first['id']}").json() == first
    assert count(client, "/job-definition", jobType="timer-transition") == 1
    assert count(client, "/job-definition", activityIdIn="first,pause") == 2
    assert count(client, "/job-definition", withOverridingJobPriority="true") == 0
    assert count(client, "/job-definition", suspended="true") == 0
    posted = client.post("/job-definition/count", json={"activityIdIn": ["pause"]})
    assert posted.json() == {"count": 1}
    paged = client.post("/job-definition", params={"maxResults": 1},
                        json={"sorting": [{"sortBy": "activityId", "sortOrder": "desc"}]})
    assert [d["activityId"] for d in paged.json()] == ["pause"]
    assert_error(client.get("/job-definition/nope"), 404, "InvalidRequestException",
                 "Job Definition with id nope does not exist")


def test_a_suspended_definition_keeps_its_jobs_from_being_acquired(
        client: httpx.Client, server: Server, deployed: None) -> None:
    start(client, "twoAsync")
    first = by_activity(client, "first")
    response = client.put(f"/job-definition/{first['id']}/suspended", json={"suspended": True})
    assert response.status_code == 204
    assert by_activity(client, "first")["suspended"] is True
    assert count(client, "/job", suspended="true") == 0  # the jobs themselves stay active
    assert acquire(server) == []

    response = client.put(f"/job-definition/{first['id']}/suspended", json={"suspended": False})
    assert response.status_code == 204
    assert len(acquire(server)) == 1


def test_suspension_including_jobs(client: httpx.Client, deployed: None) -> None:
    start(client, "twoAsync")
    response = client.put("/job-definition/suspended", json={
        "processDefinitionKey": "twoAsync", "suspended": True, "includeJobs": True})
    assert response.status_code == 204
    assert count(client, "/job-definition", suspended="true") == 2
    assert count(client, "/job", suspended="true") == 1
    (definition,) = client.get("/process-definition",
                               params={"key": "twoAsync"}).json()
    response = client.put("/job-definition/suspended", json={
        "processDefinitionId": definition["id"], "suspended": False, "includeJobs": True})
    assert response.status_code == 204
    assert count(client, "/job-definition", active="true") == 2
    assert count(client, "/job", active="true") == 1


def test_suspension_at_a_later_date(client: httpx.Client, server: Server,
                                    deployed: None) -> None:
    first = by_activity(client, "first")
    when = date(server.clock.now_ms() + 60 * MINUTE)
    response = client.put(f"/job-definition/{first['id']}/suspended",
                          json={"suspended": True, "executionDate": when})
    assert response.status_code == 204
    assert by_activity(client, "first")["suspended"] is False
    (planned,) = client.get("/job", params={"timers": "true"}).json()
    assert planned["dueDate"] == when and planned["processInstanceId"] is None
    server.clock.advance(60 * MINUTE)
    assert client.post(f"/job/{planned['id']}/execute").status_code == 204
    assert by_activity(client, "first")["suspended"] is True
    assert_error(client.put(f"/job-definition/{first['id']}/suspended",
                            json={"suspended": True, "executionDate": "tomorrow"}), 400,
                 "InvalidRequestException")


def test_suspension_selector_errors(client: httpx.Client) -> None:
    assert_error(client.put("/job-definition/suspended", json={"suspended": True}), 400,
                 "InvalidRequestException",
                 "Either jobDefinitionId, processDefinitionId or processDefinitionKey should "
                 "be set to update the suspension state.")
    assert_error(client.put("/job-definition/suspended", json={"jobDefinitionId": "x"}), 400,
                 "InvalidRequestException",
                 "Either processDefinitionId or processDefinitionKey can be set to update the "
                 "suspension state.")
    assert_error(client.put("/job-definition/suspended", json={
        "processDefinitionId": "a", "processDefinitionKey": "b"}), 400,
        "InvalidRequestException",
        "Only one of jobDefinitionId, processDefinitionId or processDefinitionKey should be "
        "set to update the suspension state.")


def test_retries_of_failed_jobs(client: httpx.Client, deployed: None) -> None:
    deploy(client, ("failing.bpmn", failing("failsTwice", "R1/PT1M")))
    failed = start(client, "failsTwice")["id"]
    healthy = start(client, "failsTwice")["id"]
    (job,) = client.get("/job", params={"processInstanceId": failed}).json()
    assert client.post(f"/job/{job['id']}/execute").status_code == 404
    assert count(client, "/incident") == 1
    definition = job["jobDefinitionId"]
    response = client.put(f"/job-definition/{definition}/retries", json={"retries": 4})
    assert response.status_code == 204
    retries = {j["processInstanceId"]: j["retries"] for j in client.get(
        "/job", params={"jobDefinitionId": definition}).json()}
    assert retries == {failed: 4, healthy: 1}  # only the failed job gets new retries
    assert count(client, "/incident") == 0
    assert_error(client.put(f"/job-definition/{definition}/retries", json={"retries": -2}),
                 500, "InvalidRequestException",
                 "ENGINE-13054 The number of job retries must be a non-negative Integer, but "
                 "'-2' has been provided.")


def test_overriding_priority(client: httpx.Client, deployed: None) -> None:
    pid = start(client, "twoAsync")["id"]
    first = by_activity(client, "first")
    response = client.put(f"/job-definition/{first['id']}/jobPriority",
                          json={"priority": 20, "includeJobs": True})
    assert response.status_code == 204
    assert by_activity(client, "first")["overridingJobPriority"] == 20
    (job,) = client.get("/job", params={"processInstanceId": pid}).json()
    assert job["priority"] == 20
    assert count(client, "/job-definition", withOverridingJobPriority="true") == 1

    assert client.put(f"/job-definition/{first['id']}/jobPriority",
                      json={"priority": None}).status_code == 204
    assert by_activity(client, "first")["overridingJobPriority"] is None
    assert_error(client.put(f"/job-definition/{first['id']}/jobPriority",
                            json={"includeJobs": True}), 400, "InvalidRequestException",
                 f"Cannot reset priority for job definition {first['id']} with "
                 "includeJobs=true")
    assert_error(client.put("/job-definition/nope/jobPriority", json={"priority": 1}), 404,
                 "InvalidRequestException",
                 "Job definition with id 'nope' does not exist: jobDefinition is null")


@pytest.mark.xfail(strict=True, reason="runtime/waiting.new_job ignores the job definition: "
                   "a job created for a definition with an overriding priority should get that "
                   "priority (Camunda's JobPriorityProvider), and one created for a suspended "
                   "definition should be created suspended (JobDeclaration.createJobInstance)")
def test_new_jobs_follow_their_definition(client: httpx.Client, deployed: None) -> None:
    first = by_activity(client, "first")
    client.put(f"/job-definition/{first['id']}/jobPriority", json={"priority": 30})
    client.put(f"/job-definition/{first['id']}/suspended", json={"suspended": True})
    pid = start(client, "twoAsync")["id"]
    (job,) = client.get("/job", params={"processInstanceId": pid}).json()
    assert (job["priority"], job["suspended"]) == (30, True)


def test_async_before_and_after_have_a_definition_each(client: httpx.Client) -> None:
    deploy(client, ("both.bpmn", bpmn("both", """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
        <serviceTask id="work" camunda:asyncBefore="true" camunda:asyncAfter="true"
                     camunda:expression="${1}"/>
        <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
        <endEvent id="end"/>
    """)))
    found = definitions(client, processDefinitionKey="both")
    assert sorted(d["jobConfiguration"] for d in found) == ["async-after", "async-before"]
