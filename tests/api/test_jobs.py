"""The ``/job`` resource: queries and their filters, the operator's controls, and Camunda's
errors for each operation (which differ in status from one operation to the next)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bpmnflow.api.dto import date
from bpmnflow.services import jobs as job_service
from tests.api.helpers import assert_error, count, start, typed
from tests.conftest import Server, bpmn, deploy

MINUTE = 60_000

MIXED = bpmn("mixed", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="async"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="wait"/>
    <serviceTask id="async" camunda:asyncBefore="true" camunda:expression="${1}"
                 camunda:jobPriority="${prio}"/>
    <sequenceFlow id="f4" sourceRef="async" targetRef="asyncEnd"/>
    <endEvent id="asyncEnd"/>
    <intermediateCatchEvent id="wait">
      <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="f5" sourceRef="wait" targetRef="waitEnd"/>
    <endEvent id="waitEnd"/>
""")


def jobs(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/job", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def ids(found: list[dict[str, Any]]) -> list[str]:
    return [j["id"] for j in found]


@pytest.fixture
def mixed(client: httpx.Client) -> dict[str, Any]:
    """Two instances of MIXED (priorities 5 and 10): each has a message job and a timer."""
    deploy(client, ("mixed.bpmn", MIXED))
    low = start(client, "mixed", {"prio": typed(5, "Integer")})["id"]
    high = start(client, "mixed", {"prio": typed(10, "Integer")})["id"]
    return {"low": low, "high": high}


def test_query_filters(client: httpx.Client, server: Server, mixed: dict[str, Any]) -> None:
    assert count(client, "/job") == 4
    assert count(client, "/job", timers="true") == 2
    assert count(client, "/job", messages="true") == 2
    assert count(client, "/job", processInstanceId=mixed["low"]) == 2
    assert count(client, "/job", processInstanceIds=f"{mixed['low']},{mixed['high']}") == 4
    assert count(client, "/job", activityId="wait") == 2
    assert count(client, "/job", executable="true") == 2
    assert count(client, "/job", withRetriesLeft="true") == 4
    assert count(client, "/job", noRetriesLeft="true") == 0
    assert count(client, "/job", priorityHigherThanOrEquals=10) == 1
    assert count(client, "/job", priorityLowerThanOrEquals=5) == 3
    assert count(client, "/job", withException="true") == 0
    assert count(client, "/job", acquired="true") == 0
    assert count(client, "/job", withoutTenantId="true") == 4
    assert count(client, "/job", tenantIdIn="t1") == 0
    assert count(client, "/job", tenantIdIn="t1", includeJobsWithoutTenantId="true") == 4
    soon = date(server.clock.now_ms() + 30 * MINUTE)
    assert count(client, "/job", dueDates=f"gt_{soon}") == 2
    assert count(client, "/job", dueDates=f"lt_{soon}") == 0
    past = date(server.clock.now_ms() - MINUTE)
    assert count(client, "/job", createTimes=f"gt_{past}") == 4
    posted = client.post("/job/count", json={"dueDates": [{"operator": "gt", "value": soon}],
                                             "processInstanceId": mixed["high"]})
    assert posted.json() == {"count": 1}
    (one,) = jobs(client, processInstanceId=mixed["high"], messages="true")
    assert ids(jobs(client, jobIds=one["id"])) == [one["id"]]
    assert ids(jobs(client, jobId=one["id"])) == [one["id"]]
    assert count(client, "/job", jobDefinitionId=one["jobDefinitionId"]) == 2


def test_sorting_and_paging(client: httpx.Client, mixed: dict[str, Any]) -> None:
    by_priority = jobs(client, sortBy="jobPriority", sortOrder="desc")
    assert [j["priority"] for j in by_priority] == [10, 5, 0, 0]
    posted = client.post("/job", params={"firstResult": 1, "maxResults": 2},
                         json={"sorting": [{"sortBy": "jobPriority", "sortOrder": "desc"}]})
    assert ids(posted.json()) == ids(by_priority)[1:3]
    assert_error(client.get("/job", params={"sortBy": "nonsense", "sortOrder": "asc"}), 400,
                 "InvalidRequestException", "Cannot set query parameter 'sortBy' to value "
                                            "'nonsense'")


def test_query_errors(client: httpx.Client) -> None:
    assert_error(client.get("/job", params={"timers": "true", "messages": "true"}), 400,
                 "InvalidRequestException",
                 "Parameter timers cannot be used together with parameter messages.")
    assert_error(client.get("/job", params={"dueDates": "eq_2026-01-01T00:00:00.000+0000"}),
                 400, "InvalidRequestException", "Invalid due date comparator specified: eq")
    assert_error(client.get("/job/count", params={"createTimes": "gt_yesterday"}), 400,
                 "InvalidRequestException",
                 "Invalid create time format: Cannot convert value yesterday to java type "
                 "java.util.Date")
    assert_error(client.get("/job", params={"executable": "maybe"}), 400,
                 "InvalidRequestException")


def test_get_job_and_its_dto(client: httpx.Client, mixed: dict[str, Any]) -> None:
    (timer,) = jobs(client, processInstanceId=mixed["low"], timers="true")
    found = client.get(f"/job/{timer['id']}").json()
    assert found == timer
    assert found["processDefinitionKey"] == "mixed" and found["batchId"] is None
    assert found["executionId"] not in (None, mixed["low"])
    assert_error(client.get("/job/missing"), 404, "InvalidRequestException",
                 "Job with id missing does not exist", None)


def test_priority(client: httpx.Client, mixed: dict[str, Any]) -> None:
    (timer,) = jobs(client, processInstanceId=mixed["low"], timers="true")
    assert client.put(f"/job/{timer['id']}/priority", json={"priority": 42}).status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["priority"] == 42
    assert_error(client.put(f"/job/{timer['id']}/priority", json={}), 400, "RestException",
                 f"Priority for job '{timer['id']}' cannot be null.")
    assert_error(client.put("/job/missing/priority", json={"priority": 1}), 404,
                 "InvalidRequestException", "No job found with id 'missing': job is null")


def test_suspend_one_job_and_jobs_by_selector(client: httpx.Client,
                                              mixed: dict[str, Any]) -> None:
    (timer,) = jobs(client, processInstanceId=mixed["low"], timers="true")
    assert client.put(f"/job/{timer['id']}/suspended",
                      json={"suspended": True}).status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["suspended"] is True
    assert count(client, "/job", suspended="true") == 1
    assert count(client, "/job", active="true") == 3
    assert client.put("/job/missing/suspended", json={"suspended": True}).status_code == 204

    def suspend(**selector: Any) -> None:
        response = client.put("/job/suspended", json=selector)
        assert response.status_code == 204, response.text

    suspend(processInstanceId=mixed["high"], suspended=True)
    assert count(client, "/job", suspended="true") == 3
    suspend(processDefinitionKey="mixed", suspended=False)
    assert count(client, "/job", suspended="true") == 0
    definition_id = timer["processDefinitionId"]
    suspend(processDefinitionId=definition_id, suspended=True)
    assert count(client, "/job", suspended="true") == 4
    suspend(jobDefinitionId=timer["jobDefinitionId"], suspended=False)
    assert count(client, "/job", suspended="true") == 2
    suspend(processDefinitionKey="mixed", processDefinitionWithoutTenantId=True,
            suspended=False)
    assert count(client, "/job", suspended="true") == 0


def test_suspension_selector_errors(client: httpx.Client) -> None:
    assert_error(client.put("/job/suspended", json={"suspended": True}), 400,
                 "InvalidRequestException",
                 "Either jobId, jobDefinitionId, processInstanceId, processDefinitionId or "
                 "processDefinitionKey should be set to update the suspension state.")
    assert_error(client.put("/job/suspended", json={"processInstanceId": "a",
                                                    "processDefinitionId": "b"}), 400,
                 "InvalidRequestException",
                 "Only one of jobId, jobDefinitionId, processInstanceId, processDefinitionId or "
                 "processDefinitionKey should be set to update the suspension state.")
    assert_error(client.put("/job/suspended", json={"jobId": "a"}), 400,
                 "InvalidRequestException",
                 "Either jobDefinitionId, processInstanceId, processDefinitionId or "
                 "processDefinitionKey can be set to update the suspension state.")


def test_set_retries_with_and_without_a_due_date(client: httpx.Client,
                                                mixed: dict[str, Any]) -> None:
    (timer,) = jobs(client, processInstanceId=mixed["low"], timers="true")
    path = f"/job/{timer['id']}/retries"
    assert client.put(path, json={"retries": 5}).status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["dueDate"] == timer["dueDate"]
    due = date(1_900_000_000_000)
    assert client.put(path, json={"retries": 4, "dueDate": due}).status_code == 204
    job = client.get(f"/job/{timer['id']}").json()
    assert (job["retries"], job["dueDate"]) == (4, due)
    assert client.put(path, json={"retries": 4, "dueDate": None}).status_code == 204
    assert client.get(f"/job/{timer['id']}").json()["dueDate"] is None
    assert_error(client.put(path, json={"retries": "many"}), 400, "MismatchedInputException")


def test_set_retries_of_many_jobs(client: httpx.Client, mixed: dict[str, Any]) -> None:
    timers = jobs(client, timers="true")
    response = client.post("/job/retries", json={
        "retries": 7, "jobIds": [timers[0]["id"]],
        "jobQuery": {"processInstanceId": mixed["high"]}})
    assert response.status_code == 200, response.text
    batch = response.json()
    assert batch["type"] == "set-job-retries" and batch["totalJobs"] == 3
    assert sorted(j["retries"] for j in jobs(client)) == [3, 7, 7, 7]
    due = date(1_800_000_000_000)
    response = client.post("/job/retries", json={"retries": 1, "dueDate": due,
                                                 "jobQuery": {"timers": True}})
    assert response.status_code == 200
    assert {(j["retries"], j["dueDate"]) for j in jobs(client, timers="true")} == {(1, due)}

    assert_error(client.post("/job/retries", json={"jobIds": ["x"]}), 400,
                 "InvalidRequestException", "retries is null")
    assert_error(client.post("/job/retries", json={"retries": 1, "jobIds": []}), 400,
                 "InvalidRequestException", "jobIds is empty")
    assert_error(client.post("/job/retries", json={"retries": 1}), 500,
                 "ProcessEngineException",
                 "ENGINE-13050 You must specify at least one of jobIds or jobQuery.")
    assert_error(client.post("/job/retries", json={"retries": -1, "jobIds": ["x"]}), 500,
                 "ProcessEngineException", "Retries count is not greater than or equal to 0")


def test_single_job_errors(client: httpx.Client, server: Server,
                           mixed: dict[str, Any]) -> None:
    assert_error(client.post("/job/nope/execute"), 404, "InvalidRequestException",
                 "ENGINE-14026 No job found with id 'nope'", None)
    assert_error(client.put("/job/nope/retries", json={"retries": 1}), 500,
                 "InvalidRequestException", "ENGINE-13053 No job found with id 'nope'.'")
    (timer,) = jobs(client, processInstanceId=mixed["low"], timers="true")
    assert_error(client.put(f"/job/{timer['id']}/retries", json={"retries": -1}), 500,
                 "InvalidRequestException",
                 "ENGINE-13054 The number of job retries must be a non-negative Integer, but "
                 "'-1' has been provided.")
    assert_error(client.get("/job/nope/stacktrace"), 404, "InvalidRequestException",
                 "No job found with id nope: job is null")
    assert_error(client.delete("/job/nope"), 404, "InvalidRequestException",
                 "No job found with id 'nope': job is null")
    # a job without an exception has no stacktrace: Camunda answers 204 (outside the spec)
    with httpx.Client(base_url=server.url) as raw:
        assert raw.get(f"/job/{timer['id']}/stacktrace").status_code == 204


def test_delete_job(client: httpx.Client, server: Server, mixed: dict[str, Any]) -> None:
    (timer,) = jobs(client, processInstanceId=mixed["low"], timers="true")
    assert client.delete(f"/job/{timer['id']}").status_code == 204
    assert count(client, "/job", processInstanceId=mixed["low"]) == 1
    assert count(client, "/history/job-log", jobId=timer["id"], deletionLog="true") == 1

    assert server.engine is not None
    server.engine.execute(job_service.acquire, "someone", 5 * MINUTE, 10)
    (locked,) = jobs(client, acquired="true", processInstanceId=mixed["high"])
    assert_error(client.delete(f"/job/{locked['id']}"), 500, "RestException",
                 "Cannot delete job when the job is being executed. Try again later.")
