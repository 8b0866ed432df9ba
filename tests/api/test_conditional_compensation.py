"""Conditional events (catch, boundary, event subprocess, start) and compensation."""

from __future__ import annotations

import pytest

from bpmnflow import delegates
from tests.conftest import bpmn, deploy, model


def _subscriptions(client, pid):
    return client.get("/event-subscription", params={"processInstanceId": pid}).json()


def test_intermediate_conditional_event_waits_for_its_variable(client):
    deploy(client, ("c.bpmn20.xml", model(
        "events/IntermediateConditionalEventTest.testVariableValue.bpmn20.xml")))
    pid = client.post("/process-definition/key/conditionalEventProcess/start", json={
        "variables": {"variable": {"value": 0, "type": "Integer"}}}).json()["id"]
    subs = _subscriptions(client, pid)
    assert [s["eventType"] for s in subs] == ["conditional"]
    client.put(f"/process-instance/{pid}/variables/other", json={"value": 1})
    assert client.get(f"/process-instance/{pid}").status_code == 200
    client.put(f"/process-instance/{pid}/variables/variable", json={"value": 1})
    assert client.get(f"/process-instance/{pid}").status_code == 404
    assert client.get("/event-subscription/count").json() == {"count": 0}


BOUNDARY = bpmn("condBoundary", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <userTask id="task"/>
    <boundaryEvent id="cond" attachedToRef="task" cancelActivity="{cancel}">
      <conditionalEventDefinition camunda:variableName="level">
        <condition>${{level &gt; 3}}</condition>
      </conditionalEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="cond" targetRef="escalated"/>
    <userTask id="escalated"/>
    <sequenceFlow id="f3" sourceRef="task" targetRef="end"/>
    <endEvent id="end"/>
""")


@pytest.mark.parametrize("cancel", ["true", "false"])
def test_conditional_boundary_event(client, cancel):
    deploy(client, ("b.bpmn", BOUNDARY.replace(b"{cancel}", cancel.encode())
                    .replace(b"${{", b"${").replace(b"}}<", b"}<")))
    pid = client.post("/process-definition/key/condBoundary/start", json={
        "variables": {"level": {"value": 1}}}).json()["id"]
    task = client.get("/task", params={"processInstanceId": pid}).json()[0]
    client.put(f"/task/{task['id']}/localVariables/level", json={"value": 9})
    names = {t["taskDefinitionKey"] for t in client.get(
        "/task", params={"processInstanceId": pid}).json()}
    assert names == {"task"}  # a task-local variable is not seen by the boundary event
    client.put(f"/process-instance/{pid}/variables/level", json={"value": 5})
    names = sorted(t["taskDefinitionKey"] for t in client.get(
        "/task", params={"processInstanceId": pid}).json())
    assert names == (["escalated"] if cancel == "true" else ["escalated", "task"])


START = bpmn("condStart", """
    <startEvent id="start">
      <conditionalEventDefinition><condition>${temperature &gt; 30}</condition>
      </conditionalEventDefinition>
    </startEvent>
    <sequenceFlow id="f1" sourceRef="start" targetRef="cool"/>
    <userTask id="cool"/>
""")


def test_condition_endpoint_starts_matching_definitions(client):
    assert client.post("/condition", json={}).status_code == 500
    deploy(client, ("s.bpmn", START))
    none = client.post("/condition", json={"variables": {"temperature": {"value": 20}}})
    assert none.status_code == 200 and none.json() == []
    hot = client.post("/condition", json={"variables": {"temperature": {"value": 35}},
                                          "businessKey": "hot"})
    assert hot.status_code == 200, hot.text
    [started] = hot.json()
    assert started["businessKey"] == "hot" and started["definitionKey"] == "condStart"


@pytest.fixture
def undo_service():
    def undo(execution, fields):
        name = fields["counterName"]
        execution.setVariable(name, (execution.getVariable(name) or 0) + 1)
    delegates.register("org.camunda.bpm.engine.test.bpmn.event.compensate.helper.UndoService",
                       undo)
    yield
    delegates.unregister("org.camunda.bpm.engine.test.bpmn.event.compensate.helper.UndoService")


def test_compensating_a_completed_subprocess(client, undo_service):
    deploy(client, ("comp.bpmn20.xml", model(
        "events/CompensateEventTest.testCompensateSubprocess.bpmn20.xml")))
    pid = client.post("/process-definition/key/compensateProcess/start", json={}).json()["id"]
    assert client.get(f"/process-instance/{pid}/variables/undoBookHotel").json()["value"] == 5
    tree = client.get(f"/process-instance/{pid}/activity-instances").json()
    assert [c["activityId"] for c in tree["childActivityInstances"]] == ["beforeEnd"]
    execution = tree["childActivityInstances"][0]["executionIds"][0]
    assert client.post(f"/execution/{execution}/signal", json={}).status_code == 204
    assert client.get(f"/process-instance/{pid}").status_code == 404


COMPENSATE_END = bpmn("compEnd", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="book"/>
    <serviceTask id="book" camunda:expression="${execution.setVariable('booked', true)}"/>
    <boundaryEvent id="undoBoundary" attachedToRef="book"><compensateEventDefinition/>
    </boundaryEvent>
    <serviceTask id="cancelBooking" isForCompensation="true"
        camunda:expression="${execution.setVariable('booked', false)}"/>
    <association id="a1" sourceRef="undoBoundary" targetRef="cancelBooking"/>
    <sequenceFlow id="f2" sourceRef="book" targetRef="review"/>
    <userTask id="review"/>
    <sequenceFlow id="f3" sourceRef="review" targetRef="undo"/>
    <endEvent id="undo"><compensateEventDefinition/></endEvent>
""")


def test_compensation_end_event_runs_handlers_then_ends(client):
    deploy(client, ("e.bpmn", COMPENSATE_END))
    pid = client.post("/process-definition/key/compEnd/start", json={}).json()["id"]
    assert client.get(f"/process-instance/{pid}/variables/booked").json()["value"] is True
    task = client.get("/task", params={"processInstanceId": pid}).json()[0]
    assert client.post(f"/task/{task['id']}/complete", json={}).status_code == 204
    assert client.get(f"/process-instance/{pid}").status_code == 404
    booked = client.get("/history/variable-instance", params={
        "processInstanceId": pid, "variableName": "booked"}).json()
    assert booked[0]["value"] is False
    handler = client.get("/history/activity-instance", params={
        "processInstanceId": pid, "activityId": "cancelBooking"}).json()
    assert len(handler) == 1


def test_compensation_boundary_without_handler_is_refused(client):
    broken = COMPENSATE_END.replace(b'<association id="a1" sourceRef="undoBoundary" '
                                    b'targetRef="cancelBooking"/>', b"")
    response = client.post("/deployment/create", files=[("data", ("x.bpmn", broken))])
    assert response.status_code == 400
    assert "undoBoundary" in response.text
