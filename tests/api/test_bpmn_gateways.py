"""Gateways through REST: nested inclusive fork/join (a join waits only for the tokens that can
still reach it) and the event-based gateway (the first event wins; the other subscriptions and
timer jobs go with the gateway), as Camunda 7 runs them."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    activity_tree,
    assert_error,
    complete,
    start,
    task_keys,
    tasks,
    tree_shape,
    typed,
)
from tests.api.test_bpmn_events import (
    definitions,
    delivered,
    ended,
    execution_at,
    fire_due_jobs,
    history_activity_ids,
    jobs,
    leaves,
    signal,
    subscriptions,
)
from tests.conftest import bpmn, deploy, model


def _when(expr: str) -> str:
    return f'<conditionExpression xsi:type="tFormalExpression">{expr}</conditionExpression>'


NESTED_INCLUSIVE = bpmn("nestedInclusive", f"""
    <startEvent id="start"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="outerFork"/>
    <inclusiveGateway id="outerFork" default="toC"/>
    <sequenceFlow id="toA" sourceRef="outerFork" targetRef="taskA">{_when("${a}")}</sequenceFlow>
    <sequenceFlow id="toB" sourceRef="outerFork" targetRef="innerFork">{_when("${b}")}
    </sequenceFlow>
    <sequenceFlow id="toC" sourceRef="outerFork" targetRef="taskC"/>
    <userTask id="taskA"/>
    <userTask id="taskC"/>
    <inclusiveGateway id="innerFork"/>
    <sequenceFlow id="toB1" sourceRef="innerFork" targetRef="taskB1">{_when("${b1}")}
    </sequenceFlow>
    <sequenceFlow id="toB2" sourceRef="innerFork" targetRef="taskB2">{_when("${b2}")}
    </sequenceFlow>
    <userTask id="taskB1"/>
    <userTask id="taskB2"/>
    <sequenceFlow id="b1Join" sourceRef="taskB1" targetRef="innerJoin"/>
    <sequenceFlow id="b2Join" sourceRef="taskB2" targetRef="innerJoin"/>
    <inclusiveGateway id="innerJoin"/>
    <sequenceFlow id="bJoin" sourceRef="innerJoin" targetRef="outerJoin"/>
    <sequenceFlow id="aJoin" sourceRef="taskA" targetRef="outerJoin"/>
    <sequenceFlow id="cJoin" sourceRef="taskC" targetRef="outerJoin"/>
    <inclusiveGateway id="outerJoin"/>
    <sequenceFlow id="f9" sourceRef="outerJoin" targetRef="after"/>
    <userTask id="after"/>
    <sequenceFlow id="f10" sourceRef="after" targetRef="end"/>
    <endEvent id="end"/>
""")


def _flags(**values: bool) -> dict[str, Any]:
    return {name: typed(value) for name, value in values.items()}


def _complete_key(client, pid: str, key: str) -> None:
    [task] = [t for t in tasks(client, processInstanceId=pid) if t["taskDefinitionKey"] == key]
    complete(client, task["id"])


def test_nested_inclusive_join_waits_only_for_reachable_tokens(client):
    deploy(client, ("inclusive.bpmn", NESTED_INCLUSIVE))
    pid = start(client, "nestedInclusive", _flags(a=True, b=True, b1=True, b2=False))["id"]
    assert task_keys(client, pid) == ["taskA", "taskB1"]
    tree = activity_tree(client, pid)
    assert tree_shape(tree) == (tree["activityId"], ["taskA", "taskB1"])

    # the inner join has nothing else to wait for; the outer one still waits for taskA
    _complete_key(client, pid, "taskB1")
    assert task_keys(client, pid) == ["taskA"]
    assert leaves(client, pid) == ["taskA"]  # a token resting at a join is no activity instance
    _complete_key(client, pid, "taskA")
    assert task_keys(client, pid) == ["after"]
    assert leaves(client, pid) == ["after"]
    _complete_key(client, pid, "after")
    assert ended(client, pid)


def test_inclusive_join_waits_for_both_inner_branches(client):
    deploy(client, ("inclusive.bpmn", NESTED_INCLUSIVE))
    pid = start(client, "nestedInclusive", _flags(a=False, b=True, b1=True, b2=True))["id"]
    assert task_keys(client, pid) == ["taskB1", "taskB2"]
    _complete_key(client, pid, "taskB2")
    assert task_keys(client, pid) == ["taskB1"]
    _complete_key(client, pid, "taskB1")
    assert task_keys(client, pid) == ["after"]
    # one historic activity instance per token arriving at a join, as Camunda records them
    assert history_activity_ids(client, pid, activityType="inclusiveGateway") == [
        "innerFork", "innerJoin", "innerJoin", "outerFork", "outerJoin"]


def test_inclusive_fork_takes_the_default_flow_when_no_condition_holds(client):
    deploy(client, ("inclusive.bpmn", NESTED_INCLUSIVE))
    pid = start(client, "nestedInclusive", _flags(a=False, b=False, b1=False, b2=False))["id"]
    assert task_keys(client, pid) == ["taskC"]
    _complete_key(client, pid, "taskC")
    assert task_keys(client, pid) == ["after"]


# -- the event-based gateway -----------------------------------------------------------------------
RACE = "gateways/EventBasedGatewayTest.testCatchSignalAndMessageAndTimer.bpmn20.xml"


def _waiting_at_gateway(client, server) -> str:
    deploy(client, ("race.bpmn20.xml", model(RACE)))
    pid = start(client, "catchSignal")["id"]
    assert leaves(client, pid) == ["gw1"]
    assert activity_tree(client, pid)["childActivityInstances"][0]["activityType"] == (
        "eventBasedGateway")
    subs = subscriptions(client, processInstanceId=pid)
    assert sorted((s["eventType"], s["eventName"], s["activityId"]) for s in subs) == [
        ("message", "newInvoice", "messageEvent"), ("signal", "alert", "signalEvent")]
    # every subscription of the gateway hangs off the execution waiting in it
    assert {s["executionId"] for s in subs} == {execution_at(client, pid, "gw1")}
    [timer] = jobs(server, pid)
    assert timer.activity_id == "timerEvent"
    return pid


def _after_race(client, server, pid: str, task_name: str) -> None:
    [task] = tasks(client, processInstanceId=pid)
    assert task["name"] == task_name
    assert subscriptions(client, processInstanceId=pid) == []
    assert jobs(server, pid) == []


def test_event_based_gateway_message_wins(client, server):
    pid = _waiting_at_gateway(client, server)
    [result] = delivered(client, "newInvoice", resultEnabled=True)
    assert result["resultType"] == "Execution"
    assert result["execution"]["processInstanceId"] == pid
    _after_race(client, server, pid, "afterMessage")
    assert "messageEvent" in history_activity_ids(client, pid)
    assert "signalEvent" not in history_activity_ids(client, pid)


def test_event_based_gateway_signal_wins(client, server):
    pid = _waiting_at_gateway(client, server)
    signal(client, "alert")
    _after_race(client, server, pid, "afterSignal")


def test_event_based_gateway_timer_wins(client, server):
    pid = _waiting_at_gateway(client, server)
    assert fire_due_jobs(server) == ["timerEvent"]  # PT0S: due at once
    _after_race(client, server, pid, "afterTimer")
    # the message that lost the race finds nobody any more
    assert client.post("/message", json={"messageName": "newInvoice"}).status_code == 400


def test_event_based_gateway_triggered_through_its_execution(client, server):
    pid = _waiting_at_gateway(client, server)
    gateway = execution_at(client, pid, "gw1")
    found = client.get(f"/execution/{gateway}/messageSubscriptions/newInvoice")
    assert found.status_code == 200, found.text
    assert found.json()["activityId"] == "messageEvent"
    response = client.post(f"/execution/{gateway}/messageSubscriptions/newInvoice/trigger",
                           json={"variables": {"invoiceId": typed("INV-9")}})
    assert response.status_code == 204, response.text
    _after_race(client, server, pid, "afterMessage")
    assert client.get(f"/process-instance/{pid}/variables/invoiceId").json()["value"] == "INV-9"


GATEWAY_TO_RECEIVE_TASK = definitions("gatewayToReceiveTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <eventBasedGateway id="gw"/>
    <sequenceFlow id="f2" sourceRef="gw" targetRef="receipt"/>
    <sequenceFlow id="f3" sourceRef="gw" targetRef="timeout"/>
    <receiveTask id="receipt" messageRef="receipt"/>
    <intermediateCatchEvent id="timeout">
      <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="f4" sourceRef="receipt" targetRef="received"/>
    <userTask id="received"/>
    <sequenceFlow id="f5" sourceRef="timeout" targetRef="late"/>
    <userTask id="late"/>
""", top='<message id="receipt" name="receipt"/>')


def test_event_based_gateway_to_a_receive_task_is_refused(client):
    files = [("data", ("receive.bpmn", GATEWAY_TO_RECEIVE_TASK, "application/octet-stream"))]
    response = client.post("/deployment/create", files=files)
    body = assert_error(response, 400, "ParseException")
    assert "Event based gateway can only be connected to elements of type " \
           "intermediateCatchEvent" in body["message"]


def test_inclusive_fork_without_any_flow_is_camundas_error(client):
    no_default = NESTED_INCLUSIVE.replace(b' default="toC"', b"").replace(
        b'<sequenceFlow id="toC" sourceRef="outerFork" targetRef="taskC"/>',
        b'<sequenceFlow id="toC" sourceRef="outerFork" targetRef="taskC">'
        b'<conditionExpression xsi:type="tFormalExpression">${false}</conditionExpression>'
        b'</sequenceFlow>')
    created = deploy(client, ("strict.bpmn", no_default))
    [def_id] = created["deployedProcessDefinitions"]
    response = client.post("/process-definition/key/nestedInclusive/start", json={
        "variables": _flags(a=False, b=False, b1=False, b2=False)})
    assert_error(response, 500, "RestException",
                 f"Cannot instantiate process definition {def_id}: ENGINE-02004 No outgoing "
                 "sequence flow for the element with id 'outerFork' could be selected for "
                 "continuing the process.")
