"""Call activities through REST, as Camunda 7 runs them: the called instance and its
``superProcessInstance``/``subProcessInstance`` filters, ``camunda:in``/``camunda:out``
mappings in both directions (source/target, sourceExpression, ``variables="all"``, ``local``),
business key passing, ``calledElementBinding``, deleting the called instance, and errors and
escalations crossing the call boundary."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import activity_tree, complete, only_task, start, task_keys, tasks, typed
from tests.api.test_bpmn_events import definitions, ended, variables
from tests.conftest import bpmn, deploy, model

CALLER = "subprocess/CallActivity.testCallSimpleSubProcess.bpmn20.xml"
CALLED = "subprocess/SubProcessTest.testSimpleSubProcess.bpmn20.xml"


def _instances(client, **params: Any) -> list[str]:
    response = client.get("/process-instance", params=params)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()]


def _child_of(client, pid: str) -> str:
    [child] = _instances(client, superProcessInstance=pid)
    return child


def test_call_activity_starts_and_waits_for_the_called_instance(client):
    deploy(client, ("caller.bpmn20.xml", model(CALLER)), ("called.bpmn20.xml", model(CALLED)))
    pid = start(client, "callSimpleSubProcess")["id"]
    complete(client, only_task(client, pid)["id"])
    child = _child_of(client, pid)
    assert _instances(client, subProcessInstance=child) == [pid]
    assert _instances(client, superProcessInstance=child) == []
    assert sorted(_instances(client, rootProcessInstances="true")) == [pid]
    [call] = activity_tree(client, pid)["childActivityInstances"]
    assert (call["activityId"], call["activityType"]) == ("callSubProcess", "callActivity")
    task = only_task(client, child)
    assert task["name"] == "Task in subprocess"
    hist = client.get(f"/history/process-instance/{child}").json()
    assert hist["superProcessInstanceId"] == pid and hist["rootProcessInstanceId"] == pid

    complete(client, task["id"])
    assert ended(client, child)
    assert only_task(client, pid)["name"] == "Task after subprocess"
    complete(client, only_task(client, pid)["id"])
    assert ended(client, pid)


def test_deleting_the_called_instance_deletes_the_caller(client):
    """CallActivityTest.testDeleteProcessInstanceInCallActivity: no instance is left."""
    deploy(client, ("caller.bpmn20.xml", model(CALLER)), ("called.bpmn20.xml", model(CALLED)))
    pid = start(client, "callSimpleSubProcess")["id"]
    complete(client, only_task(client, pid)["id"])
    child = _child_of(client, pid)
    assert client.delete(f"/process-instance/{child}").status_code == 204
    assert _instances(client) == []


def test_deleting_the_caller_deletes_the_called_instance(client):
    deploy(client, ("caller.bpmn20.xml", model(CALLER)), ("called.bpmn20.xml", model(CALLED)))
    pid = start(client, "callSimpleSubProcess")["id"]
    complete(client, only_task(client, pid)["id"])
    child = _child_of(client, pid)
    assert client.delete(f"/process-instance/{pid}").status_code == 204
    assert _instances(client) == [] and ended(client, child)


CHILD = bpmn("child", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")

MAPPINGS = bpmn("mappings", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="picked"/>
    <callActivity id="picked" calledElement="child">
      <extensionElements>
        <camunda:in source="a" target="childA"/>
        <camunda:in sourceExpression="${a + 1}" target="childB"/>
        <camunda:in businessKey="#{execution.processBusinessKey}"/>
        <camunda:out source="result" target="parentResult"/>
        <camunda:out sourceExpression="${result * 2}" target="doubled"/>
      </extensionElements>
    </callActivity>
    <sequenceFlow id="f2" sourceRef="picked" targetRef="everything"/>
    <callActivity id="everything" calledElement="child">
      <extensionElements>
        <camunda:in variables="all"/>
        <camunda:out variables="all"/>
      </extensionElements>
    </callActivity>
    <sequenceFlow id="f3" sourceRef="everything" targetRef="localOnly"/>
    <callActivity id="localOnly" calledElement="child">
      <extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="mine">only mine</camunda:inputParameter>
          <camunda:outputParameter name="kept">${tmp}</camunda:outputParameter>
        </camunda:inputOutput>
        <camunda:in variables="all" local="true"/>
        <camunda:out source="result" target="tmp" local="true"/>
      </extensionElements>
    </callActivity>
    <sequenceFlow id="f4" sourceRef="localOnly" targetRef="after"/>
    <userTask id="after"/>
""")


def _child_task(client, pid: str) -> tuple[str, dict[str, Any]]:
    child = _child_of(client, pid)
    return child, only_task(client, child)


def test_in_and_out_mappings_in_both_directions(client):
    deploy(client, ("child.bpmn", CHILD), ("mappings.bpmn", MAPPINGS))
    pid = start(client, "mappings", {"a": typed(1, "Integer"), "b": typed("x")},
                businessKey="order-42")["id"]

    child, task = _child_task(client, pid)
    assert variables(client, child) == {"childA": 1, "childB": 2}
    [row] = client.get("/process-instance", params={"processInstanceIds": child}).json()
    assert row["businessKey"] == "order-42"
    complete(client, task["id"], {"result": typed(21, "Integer"), "noise": typed("n")})
    assert variables(client, pid) == {"a": 1, "b": "x", "parentResult": 21, "doubled": 42}

    child, task = _child_task(client, pid)
    assert variables(client, child) == {"a": 1, "b": "x", "parentResult": 21, "doubled": 42}
    [row] = client.get("/process-instance", params={"processInstanceIds": child}).json()
    assert row["businessKey"] is None  # no camunda:in businessKey here
    complete(client, task["id"], {"b": typed("y"), "fromChild": typed(True)})
    assert variables(client, pid) == {"a": 1, "b": "y", "parentResult": 21, "doubled": 42,
                                      "fromChild": True}

    # local="true": only the call activity's own variables go in, and come back out locally
    child, task = _child_task(client, pid)
    assert variables(client, child) == {"mine": "only mine"}
    complete(client, task["id"], {"result": typed(7, "Integer")})
    assert task_keys(client, pid) == ["after"]
    final = variables(client, pid)
    assert final["kept"] == 7 and "tmp" not in final and "mine" not in final


PINNED = bpmn("pinned", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="byDeployment"/>
    <callActivity id="byDeployment" calledElement="child"
        camunda:calledElementBinding="deployment"/>
    <sequenceFlow id="f2" sourceRef="byDeployment" targetRef="byLatest"/>
    <callActivity id="byLatest" calledElement="child"/>
    <sequenceFlow id="f3" sourceRef="byLatest" targetRef="byVersion"/>
    <callActivity id="byVersion" calledElement="child" camunda:calledElementBinding="version"
        camunda:calledElementVersion="${1}"/>
""")


def test_called_element_binding(client):
    first = deploy(client, ("child.bpmn", CHILD), ("pinned.bpmn", PINNED))
    child_v1 = next(d for d in first["deployedProcessDefinitions"].values()
                    if d["key"] == "child")["id"]
    changed = CHILD.replace(b'<userTask id="work"/>', b'<userTask id="work" name="v2"/>')
    second = deploy(client, ("child.bpmn", changed))
    [child_v2] = second["deployedProcessDefinitions"]
    pid = start(client, "pinned")["id"]
    seen = []
    for _ in range(3):
        child, task = _child_task(client, pid)
        seen.append(task["processDefinitionId"])
        complete(client, task["id"])
    assert seen == [child_v1, child_v2, child_v1]
    assert ended(client, pid)


CROSSING = definitions("crossing", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <callActivity id="call" calledElement="thrower">
      <extensionElements><camunda:in variables="all"/></extensionElements>
    </callActivity>
    <boundaryEvent id="onFailure" attachedToRef="call">
      <errorEventDefinition errorRef="failure" camunda:errorCodeVariable="code"/>
    </boundaryEvent>
    <boundaryEvent id="onWarning" attachedToRef="call" cancelActivity="false">
      <escalationEventDefinition escalationRef="warning"/>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="onFailure" targetRef="handleFailure"/>
    <userTask id="handleFailure"/>
    <sequenceFlow id="f3" sourceRef="onWarning" targetRef="handleWarning"/>
    <userTask id="handleWarning"/>
    <sequenceFlow id="f4" sourceRef="call" targetRef="done"/>
    <userTask id="done"/>
""", top="""<error id="failure" errorCode="FAILURE"/>
  <escalation id="warning" escalationCode="WARNING"/>""", extra_processes="""
  <process id="thrower" isExecutable="true">
    <startEvent id="tStart"/>
    <sequenceFlow id="t1" sourceRef="tStart" targetRef="decide"/>
    <exclusiveGateway id="decide" default="toWarn"/>
    <sequenceFlow id="toFail" sourceRef="decide" targetRef="fail">
      <conditionExpression xsi:type="tFormalExpression">${mode == 'fail'}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="toWarn" sourceRef="decide" targetRef="warn"/>
    <endEvent id="fail"><errorEventDefinition errorRef="failure"/></endEvent>
    <intermediateThrowEvent id="warn"><escalationEventDefinition escalationRef="warning"/>
    </intermediateThrowEvent>
    <sequenceFlow id="t2" sourceRef="warn" targetRef="keepWorking"/>
    <userTask id="keepWorking"/>
  </process>""")


def test_an_error_crosses_the_call_boundary(client):
    deploy(client, ("crossing.bpmn", CROSSING))
    pid = start(client, "crossing", {"mode": typed("fail")})["id"]
    assert task_keys(client, pid) == ["handleFailure"]
    assert variables(client, pid)["code"] == "FAILURE"
    assert _instances(client, superProcessInstance=pid) == []
    assert [p["id"] for p in client.get("/process-instance").json()] == [pid]


def test_an_escalation_crosses_the_call_boundary_without_interrupting(client):
    deploy(client, ("crossing.bpmn", CROSSING))
    pid = start(client, "crossing", {"mode": typed("warn")})["id"]
    assert task_keys(client, pid) == ["handleWarning"]
    child = _child_of(client, pid)
    assert task_keys(client, child) == ["keepWorking"]
    complete(client, only_task(client, child)["id"])
    assert sorted(t["taskDefinitionKey"] for t in tasks(client)) == ["done", "handleWarning"]
