"""``/task``: the work on a user task (claim … complete), identity links, variables, and the
task query with its filters, sorting and paging, in GET and POST form."""

from __future__ import annotations

import pytest

from tests.api.helpers import (
    DATE,
    assert_error,
    complete,
    count,
    only_task,
    start,
    tasks,
    typed,
)
from tests.conftest import bpmn, deploy, model

DAY = 86_400_000


def _start_approval(client, group="sales", due=DATE, priority=50, approver="kermit", **body):
    return start(client, "approval", {
        "group": typed(group), "due": typed(due, "Date"), "priority": typed(priority, "Integer"),
        "approver": typed(approver)}, **body)


@pytest.fixture
def approval(client):
    deploy(client, ("approval.bpmn", model("approval.bpmn")))


def test_task_fields(client, approval):
    pid = _start_approval(client, priority=70)["id"]
    task = only_task(client, pid)
    assert task["name"] == "Review request" and task["description"] == "Look at the request"
    assert task["taskDefinitionKey"] == "review" and task["processInstanceId"] == pid
    assert task["due"] == DATE and task["priority"] == 70 and task["followUp"] is None
    assert task["formKey"] == "embedded:app:review.html" and task["camundaFormRef"] is None
    assert task["assignee"] is None and task["owner"] is None
    assert task["delegationState"] is None and task["suspended"] is False
    assert task["taskState"] == "Created" and task["lastUpdated"] is None
    assert task["processDefinitionId"].startswith("approval:1:")
    assert client.get(f"/task/{task['id']}").json() == task
    form = client.get(f"/task/{task['id']}/form").json()
    assert form == {"key": "embedded:app:review.html", "contextPath": None,
                    "camundaFormRef": None}


def test_claim_unclaim_assignee_delegate_resolve_complete(client, approval, server):
    pid = _start_approval(client)["id"]
    tid = only_task(client, pid)["id"]
    url = f"/task/{tid}"
    claimed = client.post(f"{url}/claim", json={"userId": "fozzie"})
    assert claimed.status_code == 204 and claimed.content == b""
    assert client.post(f"{url}/claim", json={"userId": "fozzie"}).status_code == 204
    assert_error(client.post(f"{url}/claim", json={"userId": "gonzo"}), 500,
                 "TaskAlreadyClaimedException",
                 f"Task '{tid}' is already claimed by someone else.")
    task = client.get(url).json()
    assert task["assignee"] == "fozzie" and task["lastUpdated"] is not None
    assert client.post(f"{url}/unclaim").status_code == 204
    assert client.get(url).json()["assignee"] is None
    assert client.post(f"{url}/assignee", json={"userId": "gonzo"}).status_code == 204
    assert client.post(f"{url}/assignee", json={"userId": "piggy"}).status_code == 204
    assert client.get(url).json()["assignee"] == "piggy"
    assert client.post(f"{url}/delegate", json={"userId": "animal"}).status_code == 204
    task = client.get(url).json()
    assert (task["owner"], task["assignee"], task["delegationState"]) == \
        ("piggy", "animal", "PENDING")
    server.restart()
    resolved = client.post(f"{url}/resolve",
                           json={"variables": {"checked": typed(True, "Boolean")}})
    assert resolved.status_code == 204, resolved.text
    task = client.get(url).json()
    assert (task["owner"], task["assignee"], task["delegationState"]) == \
        ("piggy", "piggy", "RESOLVED")
    assert client.get(f"/process-instance/{pid}/variables/checked").json()["value"] is True
    done = client.post(f"{url}/complete", json={"variables": {"approved": typed(True)},
                                                "withVariablesInReturn": True})
    assert done.status_code == 200, done.text
    returned = done.json()
    assert returned["approved"] == {"type": "Boolean", "value": True, "valueInfo": {}}
    assert returned["checked"]["value"] is True and returned["approver"]["value"] == "kermit"
    assert_error(client.get(url), 404, "InvalidRequestException", f"No matching task with id {tid}")
    nxt = only_task(client, pid)
    assert nxt["taskDefinitionKey"] == "approve" and nxt["assignee"] == "kermit"
    last = client.post(f"/task/{nxt['id']}/complete",
                       json={"variables": {"final": typed("yes")}, "withVariablesInReturn": True})
    assert last.status_code == 200, last.text
    assert last.json()["final"] == {"type": "String", "value": "yes", "valueInfo": {}}
    assert last.json()["approved"]["value"] is True
    assert client.get(f"/process-instance/{pid}").status_code == 404


def test_task_name_expression(client):
    deploy(client, ("named.bpmn", bpmn("named", """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
        <userTask id="work" name="Review ${subject}"/>
    """)))
    pid = start(client, "named", {"subject": typed("invoice 7")})["id"]
    assert only_task(client, pid)["name"] == "Review invoice 7"


def test_complete_a_pending_delegated_task(client, approval):
    """Camunda 7 completes a task whose delegation is still PENDING (no check on complete)."""
    pid = _start_approval(client)["id"]
    tid = only_task(client, pid)["id"]
    client.post(f"/task/{tid}/delegate", json={"userId": "animal"})
    complete(client, tid, {"approved": typed(False)})
    assert only_task(client, pid)["taskDefinitionKey"] == "rework"


def test_submit_form(client, approval):
    pid = _start_approval(client)["id"]
    tid = only_task(client, pid)["id"]
    variables = client.get(f"/task/{tid}/form-variables", params={"variableNames": "group"})
    assert variables.json() == {"group": {"type": "String", "value": "sales", "valueInfo": {}}}
    client.post(f"/task/{tid}/assignee", json={"userId": "piggy"})
    client.post(f"/task/{tid}/delegate", json={"userId": "animal"})
    # a task still delegated is resolved by its form, back to its owner
    resolved = client.post(f"/task/{tid}/submit-form", json={"variables": {"seen": typed(1)}})
    assert resolved.status_code == 204, resolved.text
    task = only_task(client, pid)
    assert (task["id"], task["assignee"], task["delegationState"]) == (tid, "piggy", "RESOLVED")
    submitted = client.post(f"/task/{tid}/submit-form",
                            json={"variables": {"approved": typed(False)},
                                  "withVariablesInReturn": True})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["seen"]["value"] == 1
    assert only_task(client, pid)["taskDefinitionKey"] == "rework"


def test_identity_links(client):
    deploy(client, ("one.bpmn20.xml", model("tasks/UserTaskTest.testTaskPropertiesNotNull"
                                              ".bpmn20.xml")))
    pid = start(client, "oneTaskProcess")["id"]
    tid = only_task(client, pid)["id"]
    url = f"/task/{tid}/identity-links"

    def links(**params):
        found = client.get(url, params=params).json()
        return sorted(((x["type"], x["userId"], x["groupId"]) for x in found),
                      key=lambda link: tuple(part or "" for part in link))

    assert links() == [("assignee", "kermit", None), ("candidate", None, "management"),
                       ("candidate", "fozzie", None), ("candidate", "gonzo", None)]
    assert links(type="assignee") == [("assignee", "kermit", None)]
    added = client.post(url, json={"groupId": "accounting", "type": "candidate"})
    assert added.status_code == 204, added.text
    assert client.post(url, json={"userId": "piggy", "type": "owner"}).status_code == 204
    assert ("candidate", None, "accounting") in links()
    assert links(type="owner") == [("owner", "piggy", None)]
    assert client.get(f"/task/{tid}").json()["owner"] == "piggy"
    removed = client.post(f"{url}/delete", json={"userId": "fozzie", "type": "candidate"})
    assert removed.status_code == 204
    assert links(type="candidate") == [("candidate", None, "accounting"),
                                       ("candidate", None, "management"),
                                       ("candidate", "gonzo", None)]
    assert_error(client.post(url, json={"userId": "a", "groupId": "b", "type": "candidate"}),
                 400, "InvalidRequestException")


def test_task_variables_and_local_variables(client, approval):
    pid = _start_approval(client)["id"]
    tid = only_task(client, pid)["id"]
    assert client.put(f"/task/{tid}/localVariables/note", json=typed("local")).status_code == 204
    assert client.put(f"/task/{tid}/variables/shared", json=typed(7)).status_code == 204
    assert client.get(f"/task/{tid}/localVariables").json() == {
        "note": {"type": "String", "value": "local", "valueInfo": {}}}
    assert client.get(f"/task/{tid}/variables/note").json()["value"] == "local"
    process_vars = client.get(f"/process-instance/{pid}/variables").json()
    assert "shared" in process_vars and "note" not in process_vars
    modified = client.post(f"/task/{tid}/localVariables",
                           json={"modifications": {"n2": typed(2)}, "deletions": ["note"]})
    assert modified.status_code == 204
    assert sorted(client.get(f"/task/{tid}/localVariables").json()) == ["n2"]
    assert client.delete(f"/task/{tid}/variables/shared").status_code == 204
    assert "shared" not in client.get(f"/process-instance/{pid}/variables").json()
    assert_error(client.get(f"/task/{tid}/variables/nothing"), 404, "InvalidRequestException",
                 "task variable with name nothing does not exist")
    complete(client, tid, {"approved": typed(False)})
    # local variables die with their task
    rework = only_task(client, pid)
    assert "n2" not in client.get(f"/task/{rework['id']}/variables").json()


def test_query_filters(client, approval, server):
    deploy(client, ("groups.bpmn20.xml", model(
        "tasks/TaskAssignmentExtensionsTest.testCandidateGroupsExtension.bpmn20.xml")))
    first = _start_approval(client, group="sales", due="2026-01-10T00:00:00.000+0000",
                            priority=10, businessKey="a-1")["id"]
    server.clock.advance(DAY)
    second = _start_approval(client, group="hr", due="2026-01-20T00:00:00.000+0000",
                             priority=90, businessKey="a-2")["id"]
    server.clock.advance(DAY)
    groups = start(client, "candidateGroupsExtension")["id"]
    t1, t2, t3 = (only_task(client, p) for p in (first, second, groups))
    client.post(f"/task/{t2['id']}/claim", json={"userId": "fozzie"})

    def ids(**params):
        response = client.get("/task", params=params)
        assert response.status_code == 200, response.text
        return sorted(t["id"] for t in response.json())

    def expect(*found):
        return sorted(t["id"] for t in found)

    assert ids() == expect(t1, t2, t3)
    assert ids(processInstanceId=first) == expect(t1)
    assert ids(processDefinitionKey="approval") == expect(t1, t2)
    assert ids(processInstanceBusinessKey="a-2") == expect(t2)
    assert ids(assignee="fozzie") == expect(t2)
    assert ids(unassigned="true") == expect(t1, t3)
    assert ids(assigned="true") == expect(t2)
    assert ids(candidateUser="fozzie") == expect(t1)  # assigned tasks are not candidates' work
    assert ids(candidateUser="nobody") == []
    assert ids(candidateGroup="management") == expect(t1, t3)
    assert ids(candidateGroup="sales") == expect(t1)
    assert ids(candidateGroups="accountancy,sales") == expect(t1, t3)
    assert _ids_raw(client, "/task?candidateGroups=accountancy&candidateGroups=sales") == \
        expect(t1, t3)
    assert ids(taskDefinitionKey="theTask") == expect(t3)
    assert ids(taskDefinitionKeyIn="review,theTask") == expect(t1, t2, t3)
    assert ids(name="make profit") == expect(t3)
    assert ids(nameLike="Review%") == expect(t1, t2)
    assert ids(nameLike="%view%") == expect(t1, t2)
    assert ids(dueAfter="2026-01-15T00:00:00.000+0000") == expect(t2)
    assert ids(dueBefore="2026-01-15T00:00:00.000+00:00") == expect(t1)
    assert ids(dueAfter="2026-01-01T00:00:00.000Z", dueBefore="2026-02-01T00:00:00.000Z") == \
        expect(t1, t2)
    assert ids(createdAfter=t1["created"]) == expect(t2, t3)
    assert ids(createdBefore=t2["created"]) == expect(t1)
    assert ids(createdOn=t2["created"]) == expect(t2)
    assert ids(minPriority="50") == expect(t2, t3)
    assert ids(processVariables="group_eq_hr") == expect(t2)
    assert ids(processVariables="priority_gteq_10,group_neq_hr") == expect(t1)
    assert ids(processVariables="group_like_s%") == expect(t1)
    client.put(f"/task/{t3['id']}/localVariables/flag", json=typed("on"))
    assert ids(taskVariables="flag_eq_on") == expect(t3)
    assert ids(processVariables="flag_eq_on") == []
    assert count(client, "/task", processDefinitionKey="approval", unassigned="true") == 1
    assert ids(processVariables="due_lt_2026-01-15T00:00:00.000+0000") == expect(t1)
    assert_error(client.get("/task", params={"processVariables": "group_is_hr"}), 400,
                 "InvalidRequestException", "Invalid process variable comparator specified: is")
    assert_error(client.get("/task", params={"taskVariables": "flag_is_on"}), 400,
                 "InvalidRequestException", "Invalid task variable comparator specified: is")
    assert_error(client.get("/task", params={"dueAfter": "yesterday"}), 400,
                 "InvalidRequestException")
    assert_error(client.get("/task", params={"unassigned": "perhaps"}), 400,
                 "InvalidRequestException")


def _ids_raw(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    return sorted(t["id"] for t in response.json())


def test_query_sorting_paging_and_post(client, approval, server):
    pids = []
    for priority in (30, 10, 20):
        pids.append(_start_approval(client, priority=priority)["id"])
        server.clock.advance(1000)
    by_priority = tasks(client, sortBy="priority", sortOrder="asc")
    assert [t["priority"] for t in by_priority] == [10, 20, 30]
    assert [t["priority"] for t in tasks(client, sortBy="created", sortOrder="desc")] == \
        [20, 10, 30]
    page = tasks(client, sortBy="priority", sortOrder="desc", firstResult=1, maxResults=1)
    assert [t["priority"] for t in page] == [20]
    assert_error(client.get("/task", params={"sortBy": "priority"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")
    assert_error(client.get("/task/count", params={"sortOrder": "asc"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")
    assert_error(client.get("/task", params={"sortBy": "colour", "sortOrder": "asc"}), 400,
                 "InvalidRequestException",
                 "Cannot set query parameter 'sortBy' to value 'colour'")
    posted = client.post("/task", params={"firstResult": 0, "maxResults": 2},
                         json={"processDefinitionKey": "approval",
                               "sorting": [{"sortBy": "priority", "sortOrder": "desc"}]})
    assert [t["priority"] for t in posted.json()] == [30, 20]
    by_vars = client.post("/task", json={"processVariables": [
        {"name": "priority", "operator": "lt", "value": 25}]}).json()
    assert sorted(t["priority"] for t in by_vars) == [10, 20]
    in_list = client.post("/task", json={"processInstanceIdIn": pids[:2]}).json()
    assert len(in_list) == 2
    assert client.post("/task/count", json={"unassigned": True}).json() == {"count": 3}
    assert client.post("/task/count", json={"candidateGroups": ["sales", "nobody"]}).json() == \
        {"count": 3}


def test_unknown_task(client):
    assert_error(client.get("/task/nope"), 404, "InvalidRequestException",
                 "No matching task with id nope")
    assert_error(client.post("/task/nope/complete", json={}), 500, "RestException",
                 "Cannot complete task nope: Cannot find task with id nope: task is null")
    assert_error(client.post("/task/nope/submit-form", json={}), 500, "RestException",
                 "Cannot submit task form nope: Cannot find task with id nope: task is null")
    for action in ("claim", "unclaim", "assignee", "delegate", "resolve"):
        assert_error(client.post(f"/task/nope/{action}", json={"userId": "x"}), 500,
                     "NullValueException", "Cannot find task with id nope: task is null")
    assert_error(client.get("/task/nope/variables"), 500, "NullValueException",
                 "task nope doesn't exist: task is null")
    assert_error(client.get("/task/nope/form"), 400, "InvalidRequestException",
                 "Cannot get form for task nope")
