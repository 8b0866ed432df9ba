"""``/execution``: every row of the execution tree, queried, fetched, and its local variables.

The fork/join sample runs two tokens in parallel; completing one leaves a token waiting at the
join, which is an execution but not one "in" the gateway activity.
"""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_error, complete, count, start, tasks, typed
from tests.conftest import bpmn, deploy, model

FORK_JOIN = "gateways/ParallelGatewayTest.testForkJoin.bpmn20.xml"
ONE_TASK = bpmn("oneTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
""")


@pytest.fixture
def forked(client):
    """A fork/join instance (both branches waiting) and a one-task instance beside it."""
    deploy(client, ("fork.bpmn20.xml", model(FORK_JOIN)), ("one.bpmn", ONE_TASK))
    pid = start(client, "forkJoin", {"amount": typed(5, "Integer")}, businessKey="order-1")["id"]
    other = start(client, "oneTask", {"amount": typed(7, "Integer")})["id"]
    by_key = {t["taskDefinitionKey"]: t for t in tasks(client, processInstanceId=pid)}
    return {"pid": pid, "other": other, "tasks": by_key}


def _ids(response):
    assert response.status_code == 200, response.text
    return sorted(e["id"] for e in response.json())


def test_executions_of_a_forked_instance(client, forked):
    pid, other = forked["pid"], forked["other"]
    payment, shipping = forked["tasks"]["receivePayment"], forked["tasks"]["shipOrder"]

    def query(**params):
        return _ids(client.get("/execution", params=params))

    assert query(processInstanceId=pid) == sorted(
        [pid, payment["executionId"], shipping["executionId"]])
    assert query(activityId="shipOrder") == [shipping["executionId"]]
    root = client.get(f"/execution/{pid}").json()
    assert root == {"id": pid, "processInstanceId": pid, "ended": False, "tenantId": None}
    assert client.get(f"/execution/{shipping['executionId']}").json()["processInstanceId"] == pid

    complete(client, payment["id"])
    waiting = query(processInstanceId=pid)
    assert len(waiting) == 3 and payment["executionId"] not in waiting
    # the token waiting at the join is an execution in the gateway, as in Camunda
    [joined] = query(activityId="join")
    assert joined in waiting and joined not in (pid, shipping["executionId"])
    assert query(activityId="receivePayment") == []
    assert query(businessKey="order-1") == waiting
    assert query(processDefinitionKey="forkJoin", active="true") == waiting
    assert query(processDefinitionKey="forkJoin", suspended="true") == []
    assert query(processDefinitionId=shipping["processDefinitionId"]) == waiting
    assert query(processVariables="amount_eq_5") == waiting
    assert query(processVariables="amount_gt_6") == query(processInstanceId=other)
    assert query(variables="amount_eq_5") == [pid]  # only the execution holding it
    assert query(signalEventSubscriptionName="alert") == []
    assert query(messageEventSubscriptionName="newInvoice") == []
    assert query(incidentType="failedJob") == []
    assert query(tenantIdIn="t1") == []
    assert len(query(withoutTenantId="true")) == 5
    assert count(client, "/execution", processInstanceId=pid) == 3
    posted = client.post("/execution/count", json={
        "processVariables": [{"name": "amount", "operator": "lt", "value": 6}]})
    assert posted.json() == {"count": 3}

    complete(client, shipping["id"])
    assert query(activityId="archiveOrder") == [tasks(client, processInstanceId=pid)[0][
        "executionId"]]
    assert count(client, "/execution", processInstanceId=pid) == 2


def test_execution_sorting_paging_and_errors(client, forked):
    pid, other = forked["pid"], forked["other"]

    def keys(response):
        assert response.status_code == 200, response.text
        return [e["processInstanceId"] for e in response.json()]

    by_key = client.get("/execution", params={"sortBy": "definitionKey", "sortOrder": "asc"})
    assert keys(by_key) == [pid, pid, pid, other, other]
    desc = client.post("/execution", params={"firstResult": 1, "maxResults": 2}, json={
        "sorting": [{"sortBy": "definitionKey", "sortOrder": "desc"}]})
    assert keys(desc) == [other, pid]
    for key in ("instanceId", "definitionId", "tenantId"):
        response = client.get("/execution", params={"sortBy": key, "sortOrder": "desc"})
        assert response.status_code == 200, key
    assert_error(client.get("/execution", params={"sortBy": "activityId", "sortOrder": "asc"}),
                 400, "InvalidRequestException",
                 "Cannot set query parameter 'sortBy' to value 'activityId'")
    assert_error(client.get("/execution/count", params={"sortOrder": "asc"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")
    assert_error(client.get("/execution", params={"active": "yes"}), 400,
                 "InvalidRequestException", "Cannot set query parameter 'active' to value "
                 "'yes': Cannot convert value yes to java type java.lang.Boolean")
    assert_error(client.get("/execution", params={"variables": "amount_is_5"}), 400,
                 "InvalidRequestException")
    assert_error(client.get("/execution/nope"), 404, "InvalidRequestException",
                 "Execution with id nope does not exist")


def test_local_variables_of_an_execution(client, forked):
    pid = forked["pid"]
    shipping = forked["tasks"]["shipOrder"]["executionId"]
    base = f"/execution/{shipping}/localVariables"
    assert client.get(base).json() == {}
    assert client.put(f"{base}/weight", json=typed(12, "Integer")).status_code == 204
    modified = client.post(base, json={"modifications": {"carrier": typed("dhl")}})
    assert modified.status_code == 204, modified.text
    assert client.get(base).json() == {
        "weight": {"type": "Integer", "value": 12, "valueInfo": {}},
        "carrier": {"type": "String", "value": "dhl", "valueInfo": {}}}
    assert client.get(f"{base}/weight").json() == {"type": "Integer", "value": 12,
                                                   "valueInfo": {}}
    # local: the process variable is not seen here, and the new ones stay off the instance
    assert_error(client.get(f"{base}/amount"), 404, "InvalidRequestException",
                 "execution variable with name amount does not exist")
    assert "weight" not in client.get(f"/process-instance/{pid}/variables").json()
    assert client.get(f"/execution/{pid}/localVariables").json() == {
        "amount": {"type": "Integer", "value": 5, "valueInfo": {}}}
    assert _ids(client.get("/execution", params={"variables": "weight_gteq_12"})) == [shipping]
    # Camunda's scopes: processVariables is any non-task variable of the instance, and a
    # task's local variable counts as a variable of the task's execution
    everyone = _ids(client.get("/execution", params={"processInstanceId": pid}))
    assert _ids(client.get("/execution", params={"processVariables": "weight_eq_12"})) == \
        everyone
    task_id = forked["tasks"]["shipOrder"]["id"]
    assert client.put(f"/task/{task_id}/localVariables/urgent",
                      json=typed(True)).status_code == 204
    assert _ids(client.get("/execution", params={"variables": "urgent_eq_true"})) == [shipping]
    assert _ids(client.get("/execution", params={"processVariables": "urgent_eq_true"})) == []
    assert client.delete(f"{base}/weight").status_code == 204
    assert list(client.get(base).json()) == ["carrier"]
    removed = client.post(base, json={"deletions": ["carrier"]})
    assert removed.status_code == 204 and client.get(base).json() == {}
    assert_error(client.get("/execution/nope/localVariables"), 500, "NullValueException",
                 "execution nope doesn't exist: execution is null")
    assert_error(client.put("/execution/nope/localVariables/x", json=typed(1)), 500,
                 "RestException", "Cannot put execution variable x: execution nope doesn't "
                 "exist: execution is null")
