"""``/variable-instance``: runtime variables of every scope (instance, execution, task)."""

from __future__ import annotations

import base64

import pytest

from tests.api.helpers import assert_error, count, only_task, start, typed
from tests.conftest import bpmn, deploy

ONE_TASK = bpmn("oneTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
OBJECT = typed('{"x": 1}', "Object", objectTypeName="java.util.HashMap",
               serializationDataFormat="application/json")


@pytest.fixture
def scoped(client):
    """Two instances; the first has a task-local and an execution-local variable too."""
    deploy(client, ("one.bpmn", ONE_TASK))
    a = start(client, "oneTask", {"amount": typed(10, "Integer"), "who": typed("ann"),
                                  "order": OBJECT,
                                  "blob": typed(base64.b64encode(b"\x01\x02").decode(),
                                                "Bytes")})
    b = start(client, "oneTask", {"amount": typed(200, "Long"), "who": typed("bob")})
    task = only_task(client, a["id"])
    assert client.put(f"/task/{task['id']}/localVariables/note",
                      json=typed("check")).status_code == 204
    assert client.put(f"/execution/{task['executionId']}/localVariables/step",
                      json=typed(1, "Integer")).status_code == 204
    return {"a": a["id"], "b": b["id"], "task": task}


def _names(response):
    assert response.status_code == 200, response.text
    return sorted(v["name"] for v in response.json())


def test_variable_instance_filters(client, scoped):
    a, b, task = scoped["a"], scoped["b"], scoped["task"]

    def names(**params):
        return _names(client.get("/variable-instance", params=params))

    assert names(processInstanceIdIn=a) == ["amount", "blob", "note", "order", "step", "who"]
    assert names(processInstanceIdIn=f"{a},{b}", variableName="who") == ["who", "who"]
    assert names(variableNameLike="%o%", processInstanceIdIn=b) == ["amount", "who"]
    assert names(taskIdIn=task["id"]) == ["note"]
    # task variables belong to the task's execution too, as in Camunda
    assert names(executionIdIn=task["executionId"]) == ["note", "step"]
    assert names(activityInstanceIdIn=task["executionId"]) == ["note", "step"]
    assert names(variableScopeIdIn=task["executionId"]) == ["step"]
    assert names(variableScopeIdIn=f"{task['id']},{b}") == ["amount", "note", "who"]
    assert names(variableValues="amount_gt_100") == ["amount"]
    assert names(variableValues="who_eq_ann") == ["who"]
    assert names(variableValues="who_like_%o%") == ["who"]
    assert names(variableValues="amount_gteq_10,amount_lteq_200") == ["amount", "amount"]
    assert names(tenantIdIn="t1") == []
    assert names(caseInstanceIdIn="x") == []
    posted = client.post("/variable-instance", json={
        "variableValues": [{"name": "amount", "operator": "lt", "value": 100}]})
    assert [v["processInstanceId"] for v in posted.json()] == [a]
    assert_error(client.get("/variable-instance", params={"variableValues": "amount_big_1"}),
                 400, "InvalidRequestException")
    assert_error(client.post("/variable-instance", json={
        "variableValues": [{"name": "amount", "operator": "big", "value": 1}]}), 400,
        "InvalidRequestException", "Invalid variable comparator specified: big")
    assert count(client, "/variable-instance", processInstanceIdIn=b) == 2
    assert client.post("/variable-instance/count",
                       json={"variableName": "amount"}).json() == {"count": 2}


def test_variable_instance_shape_sorting_and_paging(client, scoped):
    a, task = scoped["a"], scoped["task"]
    listed = client.get("/variable-instance", params={"processInstanceIdIn": a,
                                                      "sortBy": "variableName",
                                                      "sortOrder": "asc"}).json()
    assert [v["name"] for v in listed] == ["amount", "blob", "note", "order", "step", "who"]
    by_name = {v["name"]: v for v in listed}
    note = by_name["note"]
    assert note == {
        "id": note["id"], "name": "note", "type": "String", "value": "check", "valueInfo": {},
        "processDefinitionId": task["processDefinitionId"], "processInstanceId": a,
        "executionId": task["executionId"], "taskId": task["id"], "batchId": None,
        "activityInstanceId": task["executionId"], "caseExecutionId": None,
        "caseInstanceId": None, "tenantId": None, "errorMessage": None,
    }
    assert by_name["amount"]["executionId"] == a and by_name["amount"]["taskId"] is None
    assert by_name["order"]["value"] == {"x": 1}
    assert by_name["blob"]["value"] is None and by_name["blob"]["type"] == "Bytes"
    assert client.get(f"/variable-instance/{note['id']}").json() == note
    raw = client.get(f"/variable-instance/{by_name['order']['id']}",
                     params={"deserializeValue": "false"}).json()
    assert raw["value"] == '{"x": 1}'
    serialized = client.get("/variable-instance", params={"variableName": "order",
                                                          "deserializeValues": "false"})
    assert [v["value"] for v in serialized.json()] == ['{"x": 1}']
    data = client.get(f"/variable-instance/{by_name['blob']['id']}/data")
    assert data.status_code == 200 and data.content == b"\x01\x02"
    assert_error(client.get(f"/variable-instance/{note['id']}/data"), 400,
                 "InvalidRequestException",
                 f"Value of variable with id {note['id']} is not a binary value.")
    assert_error(client.get("/variable-instance/nope"), 404, "InvalidRequestException",
                 "Variable instance with Id 'nope' does not exist.")
    assert_error(client.get("/variable-instance/nope/data"), 404, "InvalidRequestException",
                 "Variable instance with Id 'nope' does not exist.")

    desc = client.get("/variable-instance", params={
        "processInstanceIdIn": a, "sortBy": "variableName", "sortOrder": "desc",
        "firstResult": 1, "maxResults": 2})
    assert [v["name"] for v in desc.json()] == ["step", "order"]
    typed_sort = client.post("/variable-instance", json={
        "processInstanceIdIn": [a],
        "sorting": [{"sortBy": "variableType", "sortOrder": "asc"},
                    {"sortBy": "variableName", "sortOrder": "asc"}]})
    assert [v["type"] for v in typed_sort.json()] == [
        "Bytes", "Integer", "Integer", "Object", "String", "String"]
    for key in ("activityInstanceId", "tenantId"):
        response = client.get("/variable-instance", params={"sortBy": key, "sortOrder": "asc"})
        assert response.status_code == 200, key
    assert_error(client.get("/variable-instance", params={"sortBy": "name",
                                                          "sortOrder": "asc"}),
                 400, "InvalidRequestException",
                 "Cannot set query parameter 'sortBy' to value 'name'")
    assert_error(client.get("/variable-instance", params={"maxResults": "-1"}), 400,
                 "InvalidRequestException")


def test_variables_go_when_their_scope_ends(client, scoped):
    a, task = scoped["a"], scoped["task"]
    done = client.post(f"/task/{task['id']}/complete", json={})
    assert done.status_code == 204, done.text
    assert count(client, "/variable-instance", processInstanceIdIn=a) == 0
    assert count(client, "/variable-instance", processInstanceIdIn=scoped["b"]) == 2
    # ... while history still has them
    assert count(client, "/history/variable-instance", processInstanceId=a) == 6
