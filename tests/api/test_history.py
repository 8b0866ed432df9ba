"""``/history/...``: process, activity and task instances, variable instances and details.

Scenarios run instances to different ends (completed, deleted, still running) on a clock that
only moves when told, then read the history back with filters, sort keys, paging and counts.
"""

from __future__ import annotations

import base64

import pytest

from bpmnflow.api.dto import date
from tests.api.helpers import assert_error, complete, count, only_task, start, typed
from tests.conftest import bpmn, deploy

REVIEW = bpmn("review", """
    <startEvent id="start" name="Start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <userTask id="review" name="Review" camunda:assignee="${owner}"/>
    <sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <endEvent id="end" name="End"/>
""", 'name="Review process" camunda:historyTimeToLive="P30D"')
OTHER = bpmn("other", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <userTask id="wait"/>
""")
SECOND = 1000
DAY = 86_400_000


def _ids(response):
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json())


def _list(client, path, **params):
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def runs(client, server):
    """Three review instances a second apart: a completed, b deleted, c still running."""
    deploy(client, ("review.bpmn", REVIEW), ("other.bpmn", OTHER))
    clock = server.clock
    out = {"t0": clock.now_ms()}
    for key, amount in (("a", 10), ("b", 20), ("c", 30)):
        out[key] = start(client, "review", {"owner": typed("demo"),
                                            "amount": typed(amount, "Integer")},
                         businessKey=f"order-{key}")["id"]
        clock.advance(SECOND)
    complete(client, only_task(client, out["a"])["id"])  # at t0 + 3s
    clock.advance(SECOND)
    deleted = client.delete(f"/process-instance/{out['b']}",
                            params={"deleteReason": "customer left"})
    assert deleted.status_code == 204, deleted.text  # at t0 + 4s
    out["other"] = start(client, "other")["id"]
    return out


def test_historic_process_instances(client, runs):
    t0 = runs["t0"]
    a = client.get(f"/history/process-instance/{runs['a']}").json()
    assert a == {
        "id": runs["a"], "businessKey": "order-a",
        "processDefinitionId": a["processDefinitionId"], "processDefinitionKey": "review",
        "processDefinitionName": "Review process", "processDefinitionVersion": 1,
        "startTime": date(t0), "endTime": date(t0 + 3 * SECOND),
        "removalTime": date(t0 + 3 * SECOND + 30 * DAY), "durationInMillis": 3 * SECOND,
        "startUserId": None, "startActivityId": "start", "deleteReason": None,
        "rootProcessInstanceId": runs["a"], "superProcessInstanceId": None,
        "superCaseInstanceId": None, "caseInstanceId": None, "tenantId": None,
        "state": "COMPLETED", "restartedProcessInstanceId": None,
    }
    b = client.get(f"/history/process-instance/{runs['b']}").json()
    assert (b["state"], b["deleteReason"], b["durationInMillis"]) == (
        "EXTERNALLY_TERMINATED", "customer left", 3 * SECOND)
    c = client.get(f"/history/process-instance/{runs['c']}").json()
    assert (c["state"], c["endTime"], c["durationInMillis"], c["removalTime"]) == (
        "ACTIVE", None, None, None)
    assert_error(client.get("/history/process-instance/nope"), 404, "InvalidRequestException",
                 "Historic process instance with id nope does not exist")


def test_historic_process_instance_filters(client, runs):
    t0 = runs["t0"]
    ids = {k: runs[k] for k in ("a", "b", "c", "other")}

    def query(**params):
        return _ids(client.get("/history/process-instance", params=params))

    def expect(*names):
        return sorted(ids[n] for n in names)

    assert query() == expect("a", "b", "c", "other")
    assert query(processDefinitionKey="review") == expect("a", "b", "c")
    assert query(processDefinitionKeyNotIn="review") == expect("other")
    assert query(processDefinitionKeyIn="review,other") == expect("a", "b", "c", "other")
    assert query(processDefinitionName="Review process") == expect("a", "b", "c")
    assert query(processDefinitionNameLike="Review%") == expect("a", "b", "c")
    assert query(processInstanceId=ids["a"]) == expect("a")
    assert query(processInstanceIds=f"{ids['a']},{ids['c']}") == expect("a", "c")
    assert query(processInstanceIdNotIn=ids["a"]) == expect("b", "c", "other")
    assert query(processInstanceBusinessKey="order-b") == expect("b")
    assert query(processInstanceBusinessKeyLike="order-%") == expect("a", "b", "c")
    assert query(processInstanceBusinessKeyIn="order-a,order-c") == expect("a", "c")
    assert query(finished="true") == expect("a", "b")
    assert query(unfinished="true") == expect("c", "other")
    assert query(finished="false") == expect("a", "b", "c", "other")
    assert query(completed="true") == expect("a")
    assert query(externallyTerminated="true") == expect("b")
    assert query(active="true") == expect("c", "other")
    assert query(suspended="true") == []
    assert query(startedAfter=date(t0 + SECOND)) == expect("b", "c", "other")
    assert query(startedBefore=date(t0 + SECOND)) == expect("a", "b")
    assert query(finishedAfter=date(t0 + 4 * SECOND)) == expect("b")
    assert query(finishedBefore=date(t0 + 3 * SECOND)) == expect("a")
    assert query(executedActivityIdIn="review") == expect("a", "b")
    assert query(activeActivityIdIn="review") == expect("c")
    assert query(activityIdIn="review,wait") == expect("c", "other")
    assert query(executedActivityAfter=date(t0 + 3 * SECOND)) == expect("a", "b", "other")
    assert query(rootProcessInstances="true") == expect("a", "b", "c", "other")
    assert query(rootProcessInstanceId=ids["c"]) == expect("c")
    assert query(withIncidents="true") == []
    assert query(incidentType="failedJob") == []
    assert query(withoutTenantId="true") == expect("a", "b", "c", "other")
    assert query(tenantIdIn="t1") == []
    # history keeps the last value of every variable, also of ended instances
    assert query(variables="amount_gteq_20") == expect("b", "c")
    assert query(variables="amount_eq_10,owner_eq_demo") == expect("a")
    posted = client.post("/history/process-instance", json={
        "variables": [{"name": "amount", "operator": "lt", "value": 25}],
        "processDefinitionKey": "review"})
    assert _ids(posted) == expect("a", "b")
    assert_error(client.get("/history/process-instance", params={"finished": "maybe"}), 400,
                 "InvalidRequestException", "Cannot set query parameter 'finished' to value "
                 "'maybe': Cannot convert value maybe to java type java.lang.Boolean")
    assert_error(client.get("/history/process-instance", params={"startedAfter": "soon"}),
                 400, "InvalidRequestException")
    assert count(client, "/history/process-instance", finished="true") == 2
    counted = client.post("/history/process-instance/count", json={"unfinished": True})
    assert counted.json() == {"count": 2}


def test_historic_process_instance_sorting_and_paging(client, runs):
    def keys(response):
        assert response.status_code == 200, response.text
        return [p["businessKey"] for p in response.json()]

    path = "/history/process-instance"
    review = {"processDefinitionKey": "review"}
    assert keys(client.get(path, params={**review, "sortBy": "businessKey",
                                         "sortOrder": "desc"})) == ["order-c", "order-b",
                                                                    "order-a"]
    assert keys(client.get(path, params={**review, "sortBy": "startTime", "sortOrder": "asc",
                                         "firstResult": 1, "maxResults": 1})) == ["order-b"]
    posted = client.post(path, params={"maxResults": 2}, json={
        **review, "sorting": [{"sortBy": "definitionKey", "sortOrder": "asc"},
                              {"sortBy": "startTime", "sortOrder": "desc"}]})
    assert keys(posted) == ["order-c", "order-b"]
    finished = {"finished": "true", "sortOrder": "asc"}
    for key in ("duration", "endTime"):
        assert keys(client.get(path, params={**finished, "sortBy": key})) == ["order-a",
                                                                             "order-b"]
    for key in ("instanceId", "definitionId", "definitionName", "definitionVersion",
                "tenantId"):
        assert client.get(path, params={"sortBy": key, "sortOrder": "asc"}).status_code == 200
    assert_error(client.get(path, params={"sortBy": "nope", "sortOrder": "asc"}), 400,
                 "InvalidRequestException", "Cannot set query parameter 'sortBy' to value 'nope'")
    assert_error(client.get(f"{path}/count", params={"sortBy": "startTime"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")
    assert_error(client.post(path, json={"sorting": [{"sortBy": "nope", "sortOrder": "asc"}]}),
                 400, "InvalidRequestException")


def test_delete_historic_process_instance(client, runs):
    a, c = runs["a"], runs["c"]
    assert count(client, "/history/activity-instance", processInstanceId=a) == 3
    assert_error(client.delete(f"/history/process-instance/{c}"), 404,
                 "InvalidRequestException", f"Historic process instance with id {c} does not "
                 "exist", code=0)
    assert client.delete(f"/history/process-instance/{a}").status_code == 204
    assert client.get(f"/history/process-instance/{a}").status_code == 404
    for path in ("/history/activity-instance", "/history/task", "/history/detail",
                 "/history/variable-instance"):
        assert count(client, path, processInstanceId=a) == 0, path
    assert count(client, "/history/activity-instance", processInstanceId=c) == 2
    assert_error(client.delete(f"/history/process-instance/{a}"), 404,
                 "InvalidRequestException",
                 f"Historic process instance with id {a} does not exist")
    gone = client.delete(f"/history/process-instance/{a}", params={"failIfNotExists": "false"})
    assert gone.status_code == 204


def test_delete_historic_variables_of_an_instance(client, runs):
    c = runs["c"]
    assert count(client, "/history/variable-instance", processInstanceId=c) == 2
    assert client.delete(f"/history/process-instance/{c}/variable-instances").status_code == 204
    assert count(client, "/history/variable-instance", processInstanceId=c) == 0
    assert count(client, "/history/detail", processInstanceId=c) == 0
    assert count(client, "/history/variable-instance", processInstanceId=runs["a"]) == 2
    # the running instance keeps its runtime variables and writes history again
    put = client.put(f"/process-instance/{c}/variables/amount", json=typed(31, "Integer"))
    assert put.status_code == 204, put.text
    assert count(client, "/history/detail", processInstanceId=c) == 1
    assert_error(client.delete("/history/process-instance/nope/variable-instances"), 404,
                 "InvalidRequestException",
                 "No historic process instance found with id: nope: instance is null")


def test_historic_activity_instances(client, server, runs):
    a, b, c = runs["a"], runs["b"], runs["c"]
    rows = _list(client, "/history/activity-instance", processInstanceId=a,
                 sortBy="occurrence", sortOrder="asc")
    assert [(r["activityId"], r["activityType"], r["activityName"]) for r in rows] == [
        ("start", "startEvent", "Start"), ("review", "userTask", "Review"),
        ("end", "noneEndEvent", "End")]
    review = rows[1]
    task = client.get("/history/task", params={"processInstanceId": a}).json()[0]
    assert review["taskId"] == task["id"] and review["assignee"] == "demo"
    assert review["parentActivityInstanceId"] == a and review["processInstanceId"] == a
    assert review["executionId"] == review["id"]
    assert review["durationInMillis"] == 3 * SECOND
    assert (review["startTime"], review["endTime"]) == (date(runs["t0"]),
                                                        date(runs["t0"] + 3 * SECOND))
    assert (review["canceled"], review["completeScope"]) == (False, False)
    assert review["calledCaseInstanceId"] is None
    assert review["removalTime"] is None and review["rootProcessInstanceId"] == a
    assert client.get(f"/history/activity-instance/{review['id']}").json() == review
    assert_error(client.get("/history/activity-instance/nope"), 404, "InvalidRequestException",
                 "Historic activity instance with id 'nope' does not exist")

    def query(**params):
        return sorted((r["processInstanceId"], r["activityId"])
                      for r in _list(client, "/history/activity-instance",
                                     processDefinitionId=review["processDefinitionId"],
                                     **params))

    assert query(activityId="review", canceled="true") == [(b, "review")]
    assert query(activityType="noneEndEvent") == [(a, "end")]
    assert query(unfinished="true") == [(c, "review")]
    assert query(finished="true", activityId="review") == sorted([(a, "review"), (b, "review")])
    assert query(taskAssignee="demo", unfinished="true") == [(c, "review")]
    assert query(activityInstanceId=review["id"]) == [(a, "review")]
    assert query(executionId=review["id"]) == [(a, "review")]
    assert query(activityName="Start", startedAfter=date(runs["t0"] + 2 * SECOND)) == [
        (c, "start")]
    assert query(finishedBefore=date(runs["t0"]), activityType="startEvent") == [(a, "start")]
    assert len(query()) == 7
    ordered = _list(client, "/history/activity-instance", processInstanceId=a,
                    sortBy="activityId", sortOrder="desc")
    assert [r["activityId"] for r in ordered] == ["start", "review", "end"]
    paged = client.post("/history/activity-instance", params={"firstResult": 1},
                        json={"processInstanceId": a,
                              "sorting": [{"sortBy": "occurrence", "sortOrder": "desc"}]})
    assert [r["activityId"] for r in paged.json()] == ["review", "start"]
    assert client.post("/history/activity-instance/count",
                       json={"activityType": "userTask"}).json() == {"count": 4}
    assert_error(client.get("/history/activity-instance",
                            params={"sortBy": "name", "sortOrder": "asc"}),
                 400, "InvalidRequestException", "Cannot set query parameter 'sortBy' to value "
                 "'name'")


def test_historic_task_instances(client, runs):
    a, b, c = runs["a"], runs["b"], runs["c"]
    rows = _list(client, "/history/task", processDefinitionKey="review",
                 sortBy="startTime", sortOrder="asc")
    assert [r["processInstanceId"] for r in rows] == [a, b, c]
    done, deleted, open_ = rows
    assert (done["deleteReason"], done["endTime"], done["duration"]) == (
        "completed", date(runs["t0"] + 3 * SECOND), 3 * SECOND)
    # The instance's deletion reason reaches its tasks, as in Camunda.
    assert deleted["deleteReason"] == "customer left" and open_["endTime"] is None
    assert (done["name"], done["assignee"], done["taskDefinitionKey"], done["priority"]) == (
        "Review", "demo", "review", 50)
    assert done["activityInstanceId"] == done["executionId"]
    assert done["caseInstanceId"] is None and done["due"] is None

    def query(**params):
        return sorted(r["processInstanceId"]
                      for r in _list(client, "/history/task", processDefinitionKey="review",
                                     **params))

    assert query(finished="true") == sorted([a, b])
    assert query(unfinished="true") == [c]
    assert query(processFinished="true") == sorted([a, b])
    assert query(processUnfinished="true") == [c]
    assert query(taskName="REVIEW") == sorted([a, b, c])
    assert query(taskNameLike="rev%") == sorted([a, b, c])
    assert query(taskDeleteReason="completed") == [a]
    assert query(taskDeleteReasonLike="customer%") == [b]
    assert query(taskAssignee="demo", taskPriority=50) == sorted([a, b, c])
    assert query(taskAssigneeLike="nobody%") == []
    assert query(unassigned="true") == []
    assert query(processInstanceBusinessKey="order-c") == [c]
    assert query(processInstanceBusinessKeyLike="order-%", finished="true") == sorted([a, b])
    assert query(taskDefinitionKeyIn="review,wait") == sorted([a, b, c])
    assert query(processVariables="amount_lt_15") == [a]
    assert query(taskVariables="amount_lt_15") == []
    assert query(taskInvolvedUser="demo", unfinished="true") == [c]
    assert query(startedAfter=date(runs["t0"] + SECOND)) == sorted([b, c])
    assert query(withoutTaskDueDate="true", finishedAfter=date(runs["t0"] + 4 * SECOND)) == [b]
    assert query(caseInstanceId="x") == []
    assert count(client, "/history/task", taskDefinitionKey="wait") == 1
    assert client.post("/history/task/count", json={"finished": True}).json() == {"count": 2}
    posted = client.post("/history/task", params={"maxResults": 1}, json={
        "processDefinitionKey": "review",
        "sorting": [{"sortBy": "processInstanceId", "sortOrder": "desc"}]})
    assert [r["processInstanceId"] for r in posted.json()] == [max(a, b, c)]
    assert_error(client.get("/history/task", params={"sortBy": "created", "sortOrder": "asc"}),
                 400, "InvalidRequestException",
                 "Cannot set query parameter 'sortBy' to value 'created'")


OBJECT = typed('{"x": 1}', "Object", objectTypeName="java.util.HashMap",
               serializationDataFormat="application/json")
FILE = typed(base64.b64encode(b"hello").decode(), "File", filename="hello.txt",
             mimeType="text/plain")


def test_historic_variable_instances(client, server):
    deploy(client, ("review.bpmn", REVIEW))
    pid = start(client, "review", {
        "owner": typed("demo"), "amount": typed(10, "Integer"), "order": OBJECT,
        "blob": typed(base64.b64encode(b"\x00\x01").decode(), "Bytes"), "doc": FILE})["id"]
    task = only_task(client, pid)
    server.clock.advance(SECOND)
    assert client.put(f"/process-instance/{pid}/variables/amount",
                      json=typed(11, "Integer")).status_code == 204
    assert client.put(f"/task/{task['id']}/localVariables/note",
                      json=typed("looks fine")).status_code == 204
    assert client.delete(f"/process-instance/{pid}/variables/owner").status_code == 204

    def names(**params):
        return sorted(v["name"] for v in _list(client, "/history/variable-instance",
                                              processInstanceId=pid, **params))

    assert names() == ["amount", "blob", "doc", "note", "order"]
    assert names(includeDeleted="true") == ["amount", "blob", "doc", "note", "order", "owner"]
    assert names(variableName="amount", variableValue="11") == ["amount"]
    assert names(variableName="amount", variableValue="10") == []
    assert names(variableNameLike="o%", includeDeleted="true") == ["order", "owner"]
    assert names(variableNameIn="amount,note") == ["amount", "note"]
    assert names(variableTypeIn="integer,BYTES") == ["amount", "blob"]
    assert names(taskIdIn=task["id"]) == ["note"]
    assert names(activityInstanceIdIn=pid) == ["amount", "blob", "doc", "order"]
    assert names(executionIdIn=task["executionId"]) == ["note"]
    assert names(processDefinitionKey="review", variableName="nope") == []
    assert_error(client.get("/history/variable-instance", params={"variableValue": "11"}), 400,
                 "InvalidRequestException", "Only a single variable value parameter specified: "
                 "variable name and value are required to be able to query after a specific "
                 "variable value.")
    posted = client.post("/history/variable-instance", json={
        "variableName": "amount", "variableValue": 11, "processInstanceIdIn": [pid]})
    [amount] = posted.json()
    assert amount == {
        "id": amount["id"], "name": "amount", "type": "Integer", "value": 11, "valueInfo": {},
        "processDefinitionKey": "review", "processDefinitionId": task["processDefinitionId"],
        "processInstanceId": pid, "executionId": pid, "activityInstanceId": pid,
        "caseDefinitionKey": None, "caseDefinitionId": None, "caseInstanceId": None,
        "caseExecutionId": None, "taskId": None, "tenantId": None, "errorMessage": None,
        "state": "CREATED", "createTime": amount["createTime"], "removalTime": None,
        "rootProcessInstanceId": pid,
    }
    by_name = {v["name"]: v for v in _list(client, "/history/variable-instance",
                                           processInstanceId=pid, includeDeleted="true")}
    assert by_name["owner"]["state"] == "DELETED"
    assert by_name["order"]["value"] == {"x": 1}
    assert by_name["blob"]["value"] is None and by_name["blob"]["type"] == "Bytes"
    assert by_name["doc"]["valueInfo"] == {"filename": "hello.txt", "mimeType": "text/plain"}
    raw = client.get(f"/history/variable-instance/{by_name['order']['id']}",
                     params={"deserializeValues": "false"}).json()
    assert raw["value"] == '{"x": 1}'
    listed = _list(client, "/history/variable-instance", variableName="order",
                   deserializeValues="false")
    assert [v["value"] for v in listed] == ['{"x": 1}']
    blob = client.get(f"/history/variable-instance/{by_name['blob']['id']}/data")
    assert blob.content == b"\x00\x01"
    assert blob.headers["content-type"] == "application/octet-stream"
    doc = client.get(f"/history/variable-instance/{by_name['doc']['id']}/data")
    assert doc.content == b"hello" and doc.headers["content-type"].startswith("text/plain")
    assert "hello.txt" in doc.headers["content-disposition"]
    assert_error(client.get(f"/history/variable-instance/{amount['id']}/data"), 400,
                 "InvalidRequestException",
                 f"Value of variable with id {amount['id']} is not a binary value.")
    assert_error(client.get("/history/variable-instance/nope"), 404, "InvalidRequestException",
                 "Historic variable instance with Id 'nope' does not exist.")
    assert_error(client.get("/history/variable-instance/nope/data"), 404,
                 "InvalidRequestException",
                 "Historic variable instance with Id 'nope' does not exist.")
    ordered = _list(client, "/history/variable-instance", processInstanceId=pid,
                    sortBy="variableName", sortOrder="desc", maxResults=2)
    assert [v["name"] for v in ordered] == ["order", "note"]
    assert_error(client.get("/history/variable-instance",
                            params={"sortBy": "variableType", "sortOrder": "asc"}),
                 400, "InvalidRequestException")
    assert count(client, "/history/variable-instance", processInstanceId=pid) == 5
    assert client.post("/history/variable-instance/count",
                       json={"includeDeleted": True}).json() == {"count": 6}
    assert client.delete(f"/history/variable-instance/{amount['id']}").status_code == 204
    assert count(client, "/history/detail", variableInstanceId=amount["id"]) == 0
    assert_error(client.delete(f"/history/variable-instance/{amount['id']}"), 404,
                 "InvalidRequestException", f"No historic variable instance found with id: "
                 f"{amount['id']}: variable is null")


def test_historic_details(client, server):
    deploy(client, ("review.bpmn", REVIEW))
    t0 = server.clock.now_ms()
    pid = start(client, "review", {"owner": typed("demo"), "amount": typed(10, "Integer"),
                                   "blob": typed(base64.b64encode(b"\x07").decode(), "Bytes")}
                )["id"]
    task = only_task(client, pid)
    server.clock.advance(SECOND)
    assert client.put(f"/process-instance/{pid}/variables/amount",
                      json=typed(11, "Integer")).status_code == 204
    server.clock.advance(SECOND)
    assert client.put(f"/task/{task['id']}/localVariables/note",
                      json=typed("ok")).status_code == 204

    details = _list(client, "/history/detail", processInstanceId=pid, variableUpdates="true",
                    sortBy="time", sortOrder="asc")
    assert len(details) == 5
    amounts = [d for d in details if d["variableName"] == "amount"]
    assert [(d["value"], d["initial"], d["time"]) for d in amounts] == [
        (10, True, date(t0)), (11, False, date(t0 + SECOND))]
    first = amounts[0]
    assert first == {
        "type": "variableUpdate", "id": first["id"], "processDefinitionKey": "review",
        "processDefinitionId": task["processDefinitionId"], "processInstanceId": pid,
        "activityInstanceId": pid, "executionId": pid, "caseDefinitionKey": None,
        "caseDefinitionId": None, "caseInstanceId": None, "caseExecutionId": None,
        "taskId": None, "tenantId": None, "userOperationId": None, "time": date(t0),
        "removalTime": None, "rootProcessInstanceId": pid, "variableName": "amount",
        "variableInstanceId": first["variableInstanceId"], "variableType": "Integer",
        "value": 10, "valueInfo": {}, "initial": True, "revision": 0, "errorMessage": None,
    }
    assert client.get(f"/history/detail/{first['id']}").json() == first
    assert_error(client.get("/history/detail/nope"), 404, "InvalidRequestException",
                 "Historic detail with Id 'nope' does not exist.")

    def names(**params):
        return sorted(d["variableName"] for d in _list(client, "/history/detail",
                                                      processInstanceId=pid, **params))

    assert names(variableInstanceId=first["variableInstanceId"]) == ["amount", "amount"]
    assert names(initial="true") == ["amount", "blob", "owner"]
    assert names(taskId=task["id"]) == ["note"]
    assert names(excludeTaskDetails="true") == ["amount", "amount", "blob", "owner"]
    assert names(occurredAfter=date(t0 + SECOND)) == ["amount", "note"]
    assert names(occurredBefore=date(t0)) == ["amount", "blob", "owner"]
    assert names(variableTypeIn="string") == ["note", "owner"]
    assert names(variableNameLike="a%") == ["amount", "amount"]
    assert names(formFields="true") == []
    assert names(activityInstanceId=task["executionId"]) == ["note"]
    assert names(processInstanceIdIn=f"{pid},x", executionId=pid,
                 excludeTaskDetails="true") == ["amount", "amount", "blob", "owner"]
    ordered = _list(client, "/history/detail", processInstanceId=pid,
                    sortBy="variableName", sortOrder="desc", maxResults=2)
    assert [d["variableName"] for d in ordered] == ["owner", "note"]
    revisions = _list(client, "/history/detail", variableInstanceId=first["variableInstanceId"],
                      sortBy="variableRevision", sortOrder="desc")
    assert [d["value"] for d in revisions] == [11, 10]
    posted = client.post("/history/detail", params={"firstResult": 3}, json={
        "processInstanceId": pid, "sorting": [{"sortBy": "occurrence", "sortOrder": "asc"}]})
    assert [d["variableName"] for d in posted.json()] == ["amount", "note"]
    assert count(client, "/history/detail", processInstanceId=pid) == 5
    assert_error(client.get("/history/detail", params={"sortBy": "name", "sortOrder": "asc"}),
                 400, "InvalidRequestException",
                 "Cannot set query parameter 'sortBy' to value 'name'")
    blob = next(d for d in details if d["variableName"] == "blob")
    assert blob["value"] is None
    assert client.get(f"/history/detail/{blob['id']}/data").content == b"\x07"
    assert_error(client.get(f"/history/detail/{first['id']}/data"), 400,
                 "InvalidRequestException",
                 f"Value of variable with id {first['id']} is not a binary value.")
    assert_error(client.get("/history/detail/nope/data"), 404, "InvalidRequestException",
                 "Historic detail with Id 'nope' does not exist.")
