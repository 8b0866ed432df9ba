"""Scopes through REST: embedded subprocesses and their activity-instance tree, errors thrown in
a subprocess and caught on its boundary or by an error event subprocess, interrupting and
non-interrupting event subprocesses (message, signal, timer, error, escalation), and the
terminate end event in a subprocess and at process level — as Camunda 7 runs them."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import activity_tree, complete, only_task, start, task_keys, tasks, typed
from tests.api.test_bpmn_events import (
    HOUR,
    definitions,
    delivered,
    ended,
    fire_due_jobs,
    history_activity_ids,
    jobs,
    leaves,
    signal,
    subscriptions,
    variables,
)
from tests.conftest import bpmn, deploy, model

SIMPLE_SUB = "subprocess/SubProcessTest.testSimpleSubProcess.bpmn20.xml"
SUB_WITH_TIMER = "subprocess/SubProcessTest.testSimpleSubProcessWithTimer.bpmn20.xml"


def _complete_key(client, pid: str, key: str) -> None:
    [task] = [t for t in tasks(client, processInstanceId=pid) if t["taskDefinitionKey"] == key]
    complete(client, task["id"])


def _canceled(client, pid: str, activity_id: str) -> list[bool]:
    found = client.get("/history/activity-instance", params={
        "processInstanceId": pid, "activityId": activity_id}).json()
    return [a["canceled"] for a in found]


def test_embedded_subprocess_and_its_activity_instance_tree(client):
    created = deploy(client, ("sub.bpmn20.xml", model(SIMPLE_SUB)))
    [def_id] = created["deployedProcessDefinitions"]
    pid = start(client, "simpleSubProcess")["id"]
    task = only_task(client, pid)
    assert task["name"] == "Task in subprocess"

    tree = activity_tree(client, pid)
    assert (tree["id"], tree["activityId"], tree["activityType"]) == (
        pid, def_id, "processDefinition")
    assert tree["parentActivityInstanceId"] is None and tree["childTransitionInstances"] == []
    [sub] = tree["childActivityInstances"]
    assert (sub["activityId"], sub["activityType"]) == ("subProcess", "subProcess")
    assert sub["parentActivityInstanceId"] == pid
    [inner] = sub["childActivityInstances"]
    assert (inner["activityId"], inner["activityType"], inner["activityName"]) == (
        "subProcessTask", "userTask", "Task in subprocess")
    assert inner["parentActivityInstanceId"] == sub["id"]
    assert inner["processInstanceId"] == pid and inner["processDefinitionId"] == def_id
    assert task["executionId"] in inner["executionIds"]

    complete(client, task["id"])
    assert ended(client, pid)
    assert history_activity_ids(client, pid) == [
        "subProcess", "subProcessEnd", "subProcessStart", "subProcessTask", "theEnd", "theStart"]


def test_timer_boundary_on_a_subprocess_cancels_it(client, server):
    deploy(client, ("timer.bpmn20.xml", model(SUB_WITH_TIMER)))
    pid = start(client, "simpleSubProcess")["id"]
    [job] = jobs(server, pid)
    assert job.due_date == server.clock.now_ms() + 2 * HOUR
    assert fire_due_jobs(server, HOUR) == []
    assert fire_due_jobs(server, HOUR) == ["escalationTimer"]
    assert only_task(client, pid)["name"] == "Fix escalated problem"
    assert leaves(client, pid) == ["escalationTask"]
    assert _canceled(client, pid, "subProcessTask") == [True]
    assert _canceled(client, pid, "subProcess") == [True]


# -- errors ----------------------------------------------------------------------------------------
ERROR_ON_BOUNDARY = definitions("errorBoundary", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="fork"/>
      <parallelGateway id="fork"/>
      <sequenceFlow id="s2" sourceRef="fork" targetRef="check"/>
      <sequenceFlow id="s3" sourceRef="fork" targetRef="other"/>
      <userTask id="check"/>
      <sequenceFlow id="s4" sourceRef="check" targetRef="decide"/>
      <exclusiveGateway id="decide" default="ok"/>
      <sequenceFlow id="bad" sourceRef="decide" targetRef="raise">
        <conditionExpression xsi:type="tFormalExpression">${!valid}</conditionExpression>
      </sequenceFlow>
      <sequenceFlow id="ok" sourceRef="decide" targetRef="subEnd"/>
      <endEvent id="raise"><errorEventDefinition errorRef="invalid"/></endEvent>
      <endEvent id="subEnd"/>
      <userTask id="other"/>
      <sequenceFlow id="s5" sourceRef="other" targetRef="otherEnd"/>
      <endEvent id="otherEnd"/>
    </subProcess>
    <boundaryEvent id="onInvalid" attachedToRef="sub">
      <errorEventDefinition errorRef="invalid"/>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="onInvalid" targetRef="repair"/>
    <userTask id="repair"/>
    <sequenceFlow id="f3" sourceRef="sub" targetRef="approved"/>
    <userTask id="approved"/>
""", top='<error id="invalid" errorCode="INVALID"/>')


def test_error_end_event_in_a_subprocess_is_caught_on_its_boundary(client):
    deploy(client, ("error.bpmn", ERROR_ON_BOUNDARY))
    pid = start(client, "errorBoundary", {"valid": typed(False)})["id"]
    assert task_keys(client, pid) == ["check", "other"]
    _complete_key(client, pid, "check")
    # the boundary interrupts the whole subprocess, its concurrent token included
    assert task_keys(client, pid) == ["repair"]
    assert leaves(client, pid) == ["repair"]
    assert _canceled(client, pid, "other") == [True]
    assert _canceled(client, pid, "sub") == [True]
    assert "onInvalid" in history_activity_ids(client, pid)

    happy = start(client, "errorBoundary", {"valid": typed(True)})["id"]
    _complete_key(client, happy, "check")
    _complete_key(client, happy, "other")
    assert task_keys(client, happy) == ["approved"]


ERROR_EVENT_SUB = definitions("errorEventSub", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="check"/>
      <userTask id="check"/>
      <sequenceFlow id="s2" sourceRef="check" targetRef="raise"/>
      <endEvent id="raise"><errorEventDefinition errorRef="broken"/></endEvent>
    </subProcess>
    <sequenceFlow id="f2" sourceRef="sub" targetRef="end"/>
    <endEvent id="end"/>
    <userTask id="parallelWork"/>
    <sequenceFlow id="f3" sourceRef="start" targetRef="parallelWork"/>
    <subProcess id="onBroken" triggeredByEvent="true">
      <startEvent id="brokenStart">
        <errorEventDefinition errorRef="broken" camunda:errorCodeVariable="code"/>
      </startEvent>
      <sequenceFlow id="e1" sourceRef="brokenStart" targetRef="fixIt"/>
      <userTask id="fixIt"/>
      <sequenceFlow id="e2" sourceRef="fixIt" targetRef="fixed"/>
      <endEvent id="fixed"/>
    </subProcess>
""", top='<error id="broken" errorCode="BROKEN"/>')


def test_error_event_subprocess_catches_an_error_from_a_nested_scope(client):
    deploy(client, ("errorsub.bpmn", ERROR_EVENT_SUB))
    pid = start(client, "errorEventSub")["id"]
    assert task_keys(client, pid) == ["check", "parallelWork"]
    _complete_key(client, pid, "check")
    # an error event subprocess always interrupts its scope: here the process instance
    assert task_keys(client, pid) == ["fixIt"]
    tree = activity_tree(client, pid)
    [handler] = tree["childActivityInstances"]
    assert (handler["activityId"], handler["activityType"]) == ("onBroken", "subProcess")
    assert [c["activityId"] for c in handler["childActivityInstances"]] == ["fixIt"]
    assert variables(client, pid) == {"code": "BROKEN"}
    assert _canceled(client, pid, "parallelWork") == [True]
    _complete_key(client, pid, "fixIt")
    assert ended(client, pid)
    state = client.get(f"/history/process-instance/{pid}").json()["state"]
    assert state == "COMPLETED"


# -- message, signal and timer event subprocesses --------------------------------------------------
def _event_subprocesses(process_id: str, interrupting: bool) -> bytes:
    flag = "" if interrupting else ' isInterrupting="false"'

    def sub(sub_id: str, definition: str, task: str) -> str:
        return f"""
    <subProcess id="{sub_id}" triggeredByEvent="true">
      <startEvent id="{sub_id}Start"{flag}>{definition}</startEvent>
      <sequenceFlow id="{sub_id}F1" sourceRef="{sub_id}Start" targetRef="{task}"/>
      <userTask id="{task}"/>
      <sequenceFlow id="{sub_id}F2" sourceRef="{task}" targetRef="{sub_id}End"/>
      <endEvent id="{sub_id}End"/>
    </subProcess>"""

    return definitions(process_id, f"""
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
    {sub("onMessage", '<messageEventDefinition messageRef="msg"/>', "messageTask")}
    {sub("onSignal", '<signalEventDefinition signalRef="sig"/>', "signalTask")}
    {sub("onTimer", '<timerEventDefinition><timeDuration>PT1H</timeDuration>'
         '</timerEventDefinition>', "timerTask")}
""", top=f"""<message id="msg" name="{process_id}-note"/>
  <signal id="sig" name="{process_id}-alarm"/>""")


def _sub_shapes(client, pid: str) -> list[Any]:
    out = []
    for child in activity_tree(client, pid)["childActivityInstances"]:
        inner = sorted(c["activityId"] for c in child["childActivityInstances"])
        out.append((child["activityId"], inner) if inner else child["activityId"])
    return sorted(out, key=repr)


def test_non_interrupting_event_subprocesses_run_beside_the_main_flow(client, server):
    deploy(client, ("soft.bpmn", _event_subprocesses("soft", interrupting=False)))
    pid = start(client, "soft", businessKey="soft-1")["id"]
    subs = subscriptions(client, processInstanceId=pid)
    # the scope (here the process instance) holds the subscriptions of its event subprocesses
    assert sorted((s["eventType"], s["activityId"], s["executionId"]) for s in subs) == [
        ("message", "onMessageStart", pid), ("signal", "onSignalStart", pid)]
    assert [j.activity_id for j in jobs(server, pid)] == ["onTimerStart"]

    delivered(client, "soft-note", businessKey="soft-1")
    delivered(client, "soft-note", businessKey="soft-1")  # it may fire again and again
    signal(client, "soft-alarm")
    assert fire_due_jobs(server, HOUR) == ["onTimerStart"]
    assert task_keys(client, pid) == ["messageTask", "messageTask", "signalTask", "timerTask",
                                      "work"]
    assert _sub_shapes(client, pid) == sorted([
        ("onMessage", ["messageTask"]), ("onMessage", ["messageTask"]),
        ("onSignal", ["signalTask"]), ("onTimer", ["timerTask"]), "work"], key=repr)
    assert len(subscriptions(client, processInstanceId=pid)) == 2
    assert jobs(server, pid) == []  # a duration timer fires once

    for task in tasks(client, processInstanceId=pid):
        complete(client, task["id"])
    assert ended(client, pid)
    assert subscriptions(client) == []


def test_interrupting_event_subprocesses_cancel_the_main_flow(client, server):
    deploy(client, ("hard.bpmn", _event_subprocesses("hard", interrupting=True)))
    by_message = start(client, "hard", businessKey="m")["id"]
    by_signal = start(client, "hard", businessKey="s")["id"]

    delivered(client, "hard-note", businessKey="m")
    assert _sub_shapes(client, by_message) == [("onMessage", ["messageTask"])]
    assert subscriptions(client, processInstanceId=by_message) == []
    assert jobs(server, by_message) == []
    assert _canceled(client, by_message, "work") == [True]

    signal(client, "hard-alarm")  # only the instance still subscribed hears it
    assert _sub_shapes(client, by_signal) == [("onSignal", ["signalTask"])]
    assert task_keys(client, by_message) == ["messageTask"]

    by_timer = start(client, "hard", businessKey="t")["id"]
    assert fire_due_jobs(server, HOUR) == ["onTimerStart"]
    assert _sub_shapes(client, by_timer) == [("onTimer", ["timerTask"])]
    assert subscriptions(client, processInstanceId=by_timer) == []
    _complete_key(client, by_timer, "timerTask")
    assert ended(client, by_timer)


ESCALATION_SUBS = definitions("escalationSubs", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="raiseSoft"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="waitHard"/>
    <intermediateThrowEvent id="raiseSoft">
      <escalationEventDefinition escalationRef="soft"/>
    </intermediateThrowEvent>
    <sequenceFlow id="f4" sourceRef="raiseSoft" targetRef="afterSoft"/>
    <userTask id="afterSoft"/>
    <userTask id="waitHard"/>
    <sequenceFlow id="f5" sourceRef="waitHard" targetRef="raiseHard"/>
    <endEvent id="raiseHard"><escalationEventDefinition escalationRef="hard"/></endEvent>
    <subProcess id="onSoft" triggeredByEvent="true">
      <startEvent id="softStart" isInterrupting="false">
        <escalationEventDefinition escalationRef="soft"/>
      </startEvent>
      <sequenceFlow id="s1" sourceRef="softStart" targetRef="softTask"/>
      <userTask id="softTask"/>
    </subProcess>
    <subProcess id="onHard" triggeredByEvent="true">
      <startEvent id="hardStart"><escalationEventDefinition escalationRef="hard"/></startEvent>
      <sequenceFlow id="h1" sourceRef="hardStart" targetRef="hardTask"/>
      <userTask id="hardTask"/>
    </subProcess>
""", top="""<escalation id="soft" escalationCode="SOFT"/>
  <escalation id="hard" escalationCode="HARD"/>""")


def test_escalation_event_subprocesses_interrupting_and_not(client):
    deploy(client, ("escalation.bpmn", ESCALATION_SUBS))
    pid = start(client, "escalationSubs")["id"]
    # non-interrupting: the throwing token goes on beside the handler
    assert task_keys(client, pid) == ["afterSoft", "softTask", "waitHard"]
    _complete_key(client, pid, "waitHard")
    assert task_keys(client, pid) == ["hardTask"]
    assert _sub_shapes(client, pid) == [("onHard", ["hardTask"])]
    assert _canceled(client, pid, "softTask") == [True]


# -- terminate end events --------------------------------------------------------------------------
TERMINATE = "events/TerminateEndEventTest.testProcessTerminate.bpmn"


def test_terminate_end_event_at_process_level(client):
    deploy(client, ("terminate.bpmn", model(TERMINATE)))
    pid = start(client, "terminateEndEventExample")["id"]
    assert task_keys(client, pid) == ["preNormalTerminateTask", "preTerminateTask"]
    _complete_key(client, pid, "preTerminateTask")
    assert ended(client, pid)
    assert tasks(client) == []
    assert _canceled(client, pid, "preNormalTerminateTask") == [True]
    assert client.get(f"/history/process-instance/{pid}").json()["state"] == "COMPLETED"


TERMINATE_IN_SUB = bpmn("terminateInSub", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="outerFork"/>
    <parallelGateway id="outerFork"/>
    <sequenceFlow id="f2" sourceRef="outerFork" targetRef="sub"/>
    <sequenceFlow id="f3" sourceRef="outerFork" targetRef="outside"/>
    <userTask id="outside"/>
    <sequenceFlow id="f4" sourceRef="outside" targetRef="outsideEnd"/>
    <endEvent id="outsideEnd"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="fork"/>
      <parallelGateway id="fork"/>
      <sequenceFlow id="s2" sourceRef="fork" targetRef="finishFast"/>
      <sequenceFlow id="s3" sourceRef="fork" targetRef="slow"/>
      <userTask id="finishFast"/>
      <sequenceFlow id="s4" sourceRef="finishFast" targetRef="terminate"/>
      <endEvent id="terminate"><terminateEventDefinition/></endEvent>
      <userTask id="slow"/>
      <sequenceFlow id="s5" sourceRef="slow" targetRef="subEnd"/>
      <endEvent id="subEnd"/>
    </subProcess>
    <sequenceFlow id="f5" sourceRef="sub" targetRef="afterSub"/>
    <userTask id="afterSub"/>
""")


def test_terminate_end_event_in_a_subprocess_ends_only_that_scope(client):
    deploy(client, ("terminate-sub.bpmn", TERMINATE_IN_SUB))
    pid = start(client, "terminateInSub")["id"]
    assert task_keys(client, pid) == ["finishFast", "outside", "slow"]
    _complete_key(client, pid, "finishFast")
    # the subprocess ends (normally: its outgoing flow is taken), the outer token is untouched
    assert task_keys(client, pid) == ["afterSub", "outside"]
    assert leaves(client, pid) == ["afterSub", "outside"]
    assert _canceled(client, pid, "slow") == [True]
    assert _canceled(client, pid, "sub") == [False]


NESTED_EVENT_SUB = definitions("nestedEventSub", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="fork"/>
      <parallelGateway id="fork"/>
      <sequenceFlow id="s2" sourceRef="fork" targetRef="inner"/>
      <sequenceFlow id="s3" sourceRef="fork" targetRef="innerTimer"/>
      <userTask id="inner"/>
      <sequenceFlow id="s4" sourceRef="inner" targetRef="innerEnd"/>
      <endEvent id="innerEnd"/>
      <intermediateCatchEvent id="innerTimer">
        <timerEventDefinition><timeDuration>PT5H</timeDuration></timerEventDefinition>
      </intermediateCatchEvent>
      <sequenceFlow id="s5" sourceRef="innerTimer" targetRef="timerEnd"/>
      <endEvent id="timerEnd"/>
      <subProcess id="onCancel" triggeredByEvent="true">
        <startEvent id="cancelStart"><messageEventDefinition messageRef="cancel"/></startEvent>
        <sequenceFlow id="c1" sourceRef="cancelStart" targetRef="cleanUp"/>
        <userTask id="cleanUp"/>
        <sequenceFlow id="c2" sourceRef="cleanUp" targetRef="cancelEnd"/>
        <endEvent id="cancelEnd"/>
      </subProcess>
    </subProcess>
    <boundaryEvent id="kill" attachedToRef="sub">
      <messageEventDefinition messageRef="kill"/>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="kill" targetRef="killed"/>
    <userTask id="killed"/>
    <sequenceFlow id="f3" sourceRef="sub" targetRef="after"/>
    <userTask id="after"/>
""", top="""<message id="cancel" name="cancel"/>
  <message id="kill" name="kill"/>""")


def test_event_subprocess_inside_an_embedded_subprocess(client, server):
    deploy(client, ("nested.bpmn", NESTED_EVENT_SUB))
    pid = start(client, "nestedEventSub", businessKey="n1")["id"]
    sub_row = client.get("/execution", params={"processInstanceId": pid,
                                               "activityId": "sub"}).json()[0]["id"]
    [cancel] = subscriptions(client, eventName="cancel")
    assert cancel["executionId"] == sub_row  # its scope is the subprocess, not the instance
    assert [j.activity_id for j in jobs(server, pid)] == ["innerTimer"]

    delivered(client, "cancel", businessKey="n1")
    # interrupting inside the subprocess only: the inner token and timer go, the sub stays
    assert task_keys(client, pid) == ["cleanUp"]
    assert _sub_shapes(client, pid) == [("sub", ["onCancel"])]
    assert jobs(server, pid) == []
    # the scope's event subprocess subscriptions go (InterruptingEventSubProcessTest)
    assert "cancel" not in [s["eventName"] for s in subscriptions(client, processInstanceId=pid)]
    _complete_key(client, pid, "cleanUp")
    # the event subprocess completed, and with it the subprocess, which leaves normally
    assert task_keys(client, pid) == ["after"]
    assert subscriptions(client, processInstanceId=pid) == []


def test_interrupting_boundary_on_a_subprocess_clears_everything_inside(client, server):
    deploy(client, ("nested.bpmn", NESTED_EVENT_SUB))
    pid = start(client, "nestedEventSub", businessKey="n2")["id"]
    delivered(client, "kill", businessKey="n2")
    assert task_keys(client, pid) == ["killed"]
    assert jobs(server, pid) == []
    assert subscriptions(client, processInstanceId=pid) == []
    assert leaves(client, pid) == ["killed"]
