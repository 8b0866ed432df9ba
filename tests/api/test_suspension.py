"""Suspending and activating process instances and definitions through REST.

One model waits in every way at once (user task, task inside a sub-process, timer, external
task, message catch), so each test sees that a suspended instance stands still everywhere --
tasks, jobs, external tasks, messages -- and that activation brings all of it back.
"""

from __future__ import annotations

from typing import Any

import httpx

from bpmnflow.api.dto import date
from bpmnflow.services import jobs as job_service
from tests.api.helpers import (
    activity_tree,
    assert_error,
    complete,
    count,
    start,
    task_keys,
    tasks,
    tree_shape,
)
from tests.api.test_bpmn_events import definitions
from tests.conftest import Server, bpmn, deploy

HOUR = 3_600_000

VARIED = definitions("varied", """
    <startEvent id="start"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f1" sourceRef="fork" targetRef="review"/>
    <userTask id="review"/>
    <sequenceFlow id="f1b" sourceRef="review" targetRef="end1"/>
    <endEvent id="end1"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="sub"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="inner"/>
      <userTask id="inner"/>
      <sequenceFlow id="s2" sourceRef="inner" targetRef="subEnd"/>
      <endEvent id="subEnd"/>
    </subProcess>
    <sequenceFlow id="f2b" sourceRef="sub" targetRef="end2"/>
    <endEvent id="end2"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="wait"/>
    <intermediateCatchEvent id="wait">
      <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="f3b" sourceRef="wait" targetRef="afterWait"/>
    <userTask id="afterWait"/>
    <sequenceFlow id="f3c" sourceRef="afterWait" targetRef="end3"/>
    <endEvent id="end3"/>
    <sequenceFlow id="f4" sourceRef="fork" targetRef="ext"/>
    <serviceTask id="ext" camunda:type="external" camunda:topic="work"/>
    <sequenceFlow id="f4b" sourceRef="ext" targetRef="end4"/>
    <endEvent id="end4"/>
    <sequenceFlow id="f5" sourceRef="fork" targetRef="catch"/>
    <intermediateCatchEvent id="catch"><messageEventDefinition messageRef="ping"/>
    </intermediateCatchEvent>
    <sequenceFlow id="f5b" sourceRef="catch" targetRef="afterPing"/>
    <userTask id="afterPing"/>
    <sequenceFlow id="f5c" sourceRef="afterPing" targetRef="end5"/>
    <endEvent id="end5"/>
""", top='<message id="ping" name="ping"/>')
VARIED_TREE = ("varied", ["catch", "ext", "review", "wait", ("sub", ["inner"])])

ONE_TASK = bpmn("oneTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")


def shape(client: httpx.Client, pid: str) -> Any:
    tree = tree_shape(activity_tree(client, pid))
    return (tree[0].split(":")[0], tree[1])


def get(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def put(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    return client.put(path, json=body)


def suspended(client: httpx.Client, pid: str) -> bool:
    return bool(get(client, f"/process-instance/{pid}")["suspended"])


def history_state(client: httpx.Client, pid: str) -> str:
    return str(get(client, f"/history/process-instance/{pid}")["state"])


def fetch(client: httpx.Client) -> list[str]:
    response = client.post("/external-task/fetchAndLock", json={
        "workerId": "worker", "maxTasks": 10,
        "topics": [{"topicName": "work", "lockDuration": 60_000}]})
    assert response.status_code == 200, response.text
    return sorted(t["processInstanceId"] for t in response.json())


def acquire(server: Server) -> set[str]:
    """Instances whose jobs the job executor would pick now (locks for one second)."""
    assert server.engine is not None
    ids = server.engine.execute(job_service.acquire, "test-node", 1_000, 20)
    rows = [get_job(server, i) for i in ids]
    return {row.proc_inst_id for row in rows if row is not None}


def get_job(server: Server, job_id: str) -> Any:
    assert server.engine is not None
    return server.engine.query(job_service.get, job_id)


def test_a_suspended_instance_stands_still_and_activation_resumes_it(client, server):
    deploy(client, ("varied.bpmn", VARIED))
    a = start(client, "varied", businessKey="a")["id"]
    b = start(client, "varied", businessKey="b")["id"]
    assert shape(client, a) == VARIED_TREE

    assert put(client, f"/process-instance/{a}/suspended", {"suspended": True}).status_code == 204
    assert (suspended(client, a), suspended(client, b)) == (True, False)
    assert (history_state(client, a), history_state(client, b)) == ("SUSPENDED", "ACTIVE")
    assert shape(client, a) == VARIED_TREE  # the state is kept whole
    assert {t["suspended"] for t in tasks(client, processInstanceId=a)} == {True}
    assert {t["suspended"] for t in tasks(client, processInstanceId=b)} == {False}
    assert count(client, "/process-instance", suspended="true") == 1
    assert count(client, "/execution", processInstanceId=a, suspended="true") == \
        count(client, "/execution", processInstanceId=a)

    review = next(t for t in tasks(client, processInstanceId=a)
                  if t["taskDefinitionKey"] == "review")
    assert_error(client.post(f"/task/{review['id']}/complete", json={}), 500, "RestException",
                 f"Cannot complete task {review['id']}: ENGINE-03043 task with id "
                 f"'{review['id']}' is suspended.")
    assert fetch(client) == [b]  # a's external task is not handed out
    assert [t["suspended"] for t in get(client, "/external-task", processInstanceId=a)] == [True]
    assert_error(client.post("/message", json={"messageName": "ping", "processInstanceId": a}),
                 400, "RestException",
                 "org.camunda.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate "
                 "message 'ping': No process definition or execution matches the parameters")
    server.clock.advance(HOUR)
    assert acquire(server) == {b}  # a's timer is due, but not acquired
    assert [j["suspended"] for j in get(client, "/job", processInstanceId=a)] == [True]

    assert put(client, f"/process-instance/{a}/suspended", {"suspended": False}).status_code == 204
    assert history_state(client, a) == "ACTIVE" and suspended(client, a) is False
    assert {t["suspended"] for t in tasks(client, processInstanceId=a)} == {False}
    server.clock.advance(2_000)  # past the test lock on b's job
    assert acquire(server) == {a, b}
    complete(client, review["id"])
    assert client.post("/message", json={"messageName": "ping",
                                         "processInstanceId": a}).status_code == 204
    assert fetch(client) == sorted([a, b])  # b's lock from the first fetch ran out meanwhile
    (job,) = get(client, "/job", processInstanceId=a)
    server.clock.advance(2_000)
    assert client.post(f"/job/{job['id']}/execute").status_code == 204
    assert task_keys(client, a) == ["afterPing", "afterWait", "inner"]


def test_suspending_instances_in_groups(client, server):
    v1 = deploy(client, ("one.bpmn", ONE_TASK))["deployedProcessDefinitions"]
    (v1_id,) = v1
    a = start(client, "oneTask", businessKey="a")["id"]
    b = start(client, "oneTask", businessKey="b")["id"]
    deploy(client, ("one.bpmn", ONE_TASK.replace(b'<userTask id="work"/>',
                                                 b'<userTask id="work" name="v2"/>')))
    c = start(client, "oneTask", businessKey="c")["id"]
    t = deploy(client, ("one.bpmn", ONE_TASK), tenant_id="t1")
    d = client.post(f"/process-definition/{next(iter(t['deployedProcessDefinitions']))}/start",
                    json={}).json()["id"]

    def states() -> dict[str, bool]:
        return {pid: suspended(client, pid) for pid in (a, b, c, d)}

    group = "/process-instance/suspended"
    assert put(client, group, {"processDefinitionId": v1_id, "suspended": True}).status_code \
        == 204
    assert states() == {a: True, b: True, c: False, d: False}
    assert put(client, group, {"processDefinitionKey": "oneTask", "suspended": False,
                               "processDefinitionWithoutTenantId": True}).status_code == 204
    assert states() == {a: False, b: False, c: False, d: False}
    assert put(client, group, {"processDefinitionKey": "oneTask", "suspended": True,
                               "processDefinitionTenantId": "t1"}).status_code == 204
    assert states() == {a: False, b: False, c: False, d: True}
    assert put(client, group, {"processDefinitionKey": "oneTask", "suspended": True}) \
        .status_code == 204
    assert set(states().values()) == {True}
    body = {"processInstanceIds": [a], "processInstanceQuery": {"businessKey": "b"},
            "historicProcessInstanceQuery": {"processInstanceBusinessKey": "c"},
            "suspended": False}
    assert put(client, group, body).status_code == 204
    assert states() == {a: False, b: False, c: False, d: True}
    assert {h["state"] for h in get(client, "/history/process-instance",
                                    processInstanceIds=f"{a},{b},{c}")} == {"ACTIVE"}

    assert_error(put(client, group, {"suspended": True}), 400, "InvalidRequestException",
                 "Either processInstanceId, processDefinitionId or processDefinitionKey should "
                 "be set to update the suspension state.")
    assert_error(put(client, group, {"processInstanceId": a}), 400, "InvalidRequestException",
                 "Either processDefinitionId or processDefinitionKey can be set to update the "
                 "suspension state.")
    assert_error(put(client, group, {"processDefinitionId": v1_id,
                                     "processDefinitionKey": "oneTask"}), 400,
                 "InvalidRequestException", "Only one of processInstanceId, processDefinitionId "
                 "or processDefinitionKey should be set to update the suspension state.")
    assert_error(put(client, group, {"processDefinitionKey": "oneTask",
                                     "processInstanceIds": [a]}), 400,
                 "InvalidRequestException", "Choose either a single processInstance with "
                 "processInstanceId, processDefinitionId or processDefinitionKey or a group of "
                 "processInstances with processInstanceIds, procesInstanceQuery or "
                 "historicProcessInstanceQuery.")
    assert_error(put(client, group, {"processInstanceIds": [], "suspended": True}), 400,
                 "BadUserRequestException",
                 "No process instance ids given: Process Instance ids is empty", code=0)
    assert_error(put(client, group, {"processInstanceQuery": {"businessKey": "none"}}), 400,
                 "BadUserRequestException")
    assert_error(put(client, group, {"processInstanceIds": "a"}), 400, "MismatchedInputException")
    operations = get(client, "/history/user-operation", entityType="ProcessInstance")
    assert {(o["operationType"], o["property"]) for o in operations} >= {
        ("Suspend", "suspensionState"), ("Activate", "suspensionState"),
        ("ActivateJob", "nrOfInstances")}


def test_suspending_definitions(client, server):
    first = deploy(client, ("one.bpmn", ONE_TASK))
    (v1,) = first["deployedProcessDefinitions"]
    old = start(client, "oneTask")["id"]
    second = deploy(client, ("one.bpmn", ONE_TASK.replace(b'<userTask id="work"/>',
                                                          b'<userTask id="work" name="2"/>')))
    (v2,) = second["deployedProcessDefinitions"]
    new = start(client, "oneTask")["id"]

    def definition_states() -> tuple[bool, bool]:
        return (get(client, f"/process-definition/{v1}")["suspended"],
                get(client, f"/process-definition/{v2}")["suspended"])

    # by key: the newest version only, its instances untouched unless asked
    assert put(client, "/process-definition/key/oneTask/suspended",
               {"suspended": True}).status_code == 204
    assert definition_states() == (False, True)
    assert (suspended(client, old), suspended(client, new)) == (False, False)
    assert_error(client.post("/process-definition/key/oneTask/start", json={}), 500,
                 "RestException", f"Cannot instantiate process definition {v2}: ENGINE-03043 "
                                  f"Process Definition with id '{v2}' is suspended.")
    assert get(client, "/process-definition", suspended="true")[0]["id"] == v2

    # bulk by key: every version, and with includeProcessInstances their instances
    assert put(client, "/process-definition/suspended",
               {"processDefinitionKey": "oneTask", "suspended": True,
                "includeProcessInstances": True}).status_code == 204
    assert definition_states() == (True, True)
    assert (suspended(client, old), suspended(client, new)) == (True, True)
    assert put(client, f"/process-definition/{v1}/suspended",
               {"suspended": False, "includeProcessInstances": True}).status_code == 204
    assert definition_states() == (False, True)
    assert (suspended(client, old), suspended(client, new)) == (False, True)
    assert client.post(f"/process-definition/{v1}/start", json={}).status_code == 200
    assert put(client, "/process-definition/suspended",
               {"processDefinitionKey": "oneTask", "suspended": False,
                "includeProcessInstances": True}).status_code == 204
    assert definition_states() == (False, False) and suspended(client, new) is False
    assert put(client, "/process-definition/unknown/suspended",
               {"suspended": True}).status_code == 204  # matches nothing, as in Camunda

    assert_error(put(client, "/process-definition/suspended", {"processDefinitionId": v1}),
                 400, "InvalidRequestException",
                 "Only processDefinitionKey can be set to update the suspension state.")
    assert_error(put(client, "/process-definition/suspended", {"suspended": True}), 400,
                 "InvalidRequestException", "Either processDefinitionId or processDefinitionKey "
                                            "should be set to update the suspension state.")
    assert_error(put(client, f"/process-definition/{v1}/suspended",
                     {"processDefinitionKey": "oneTask"}), 400, "InvalidRequestException",
                 "Only one of processDefinitionId or processDefinitionKey should be set to "
                 "update the suspension state.")
    assert_error(put(client, "/process-definition/key/nope/suspended", {"suspended": True}),
                 404, "RestException", "No matching process definition with key: nope and no "
                                       "tenant-id")
    assert_error(put(client, f"/process-definition/{v1}/suspended",
                     {"suspended": True, "executionDate": "tomorrow"}), 400,
                 "InvalidRequestException", f"The suspension state of Process Definition with id "
                                            f"{v1} could not be updated due to: Invalid format: "
                                            f'"tomorrow"')
    assert_error(put(client, "/process-definition/suspended",
                     {"processDefinitionKey": "oneTask", "executionDate": "x"}), 400,
                 "InvalidRequestException", "Could not update the suspension state of Process "
                                            'Definitions due to: Invalid format: "x"')
    assert_error(put(client, f"/process-definition/{v1}/suspended", {"suspended": "yes"}), 400,
                 "MismatchedInputException")
    logged = get(client, "/history/user-operation", processDefinitionId=v1,
                 operationType="ActivateProcessDefinition")
    assert {(o["property"], o["newValue"]) for o in logged} == {
        ("suspensionState", "active"), ("includeProcessInstances", "true")}


def test_a_suspension_planned_for_later_runs_as_a_job(client, server):
    tenant = deploy(client, ("one.bpmn", ONE_TASK), tenant_id="t1")
    (tenant_def,) = tenant["deployedProcessDefinitions"]
    (v1,) = deploy(client, ("one.bpmn", ONE_TASK))["deployedProcessDefinitions"]
    pid = start(client, "oneTask")["id"]
    later = server.clock.now_ms() + HOUR
    assert put(client, "/process-definition/key/oneTask/tenant-id/t1/suspended",
               {"suspended": True, "executionDate": date(later)}).status_code == 204
    assert put(client, "/process-definition/suspended",
               {"processDefinitionKey": "oneTask", "suspended": True,
                "includeProcessInstances": True, "executionDate": date(later)}
               ).status_code == 204
    assert get(client, f"/process-definition/{v1}")["suspended"] is False  # not yet
    planned = [j for j in get(client, "/job") if j["processInstanceId"] is None
               and j["dueDate"] == date(later)]
    assert len(planned) == 2 and {j["suspended"] for j in planned} == {False}

    server.restart()  # the plan lives in the database, not in memory
    server.clock.advance(HOUR)
    for job in planned:
        response = client.post(f"/job/{job['id']}/execute")
        assert response.status_code == 204, response.text
    assert get(client, f"/process-definition/{v1}")["suspended"] is True
    assert get(client, f"/process-definition/{tenant_def}")["suspended"] is True
    assert suspended(client, pid) is True
    assert history_state(client, pid) == "SUSPENDED"
    assert [j for j in get(client, "/job") if j["processInstanceId"] is None] == []

    later = server.clock.now_ms() + HOUR
    assert put(client, f"/process-definition/{v1}/suspended",
               {"suspended": False, "includeProcessInstances": True,
                "executionDate": date(later)}).status_code == 204
    (activation,) = [j for j in get(client, "/job") if j["dueDate"] == date(later)]
    server.clock.advance(HOUR)
    assert client.post(f"/job/{activation['id']}/execute").status_code == 204
    assert get(client, f"/process-definition/{v1}")["suspended"] is False
    assert suspended(client, pid) is False
    assert task_keys(client, pid) == ["work"]
