"""Deleting process instances, process definitions and deployments through REST.

Instances are deleted while they wait in every way at once; afterwards nothing of them is left
at runtime, and history tells how they ended.  Deleting the newest version of a definition hands
its message, signal and timer start events back to the version before.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bpmnflow.api.dto import date
from tests.api.helpers import (
    activity_tree,
    assert_error,
    complete,
    count,
    only_task,
    start,
    task_keys,
    tree_shape,
)
from tests.api.test_bpmn_events import definitions
from tests.api.test_suspension import ONE_TASK, VARIED, VARIED_TREE, get, shape
from tests.conftest import bpmn, deploy

HOUR = 3_600_000

LISTENING = bpmn("listening", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work">
      <extensionElements>
        <camunda:executionListener event="end"
            expression="${execution.setVariable('endListenerRan', true)}"/>
        <camunda:inputOutput>
          <camunda:outputParameter name="outputMappingRan">${true}</camunda:outputParameter>
        </camunda:inputOutput>
      </extensionElements>
    </userTask>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
CHILD = bpmn("child", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="childWork"/>
    <userTask id="childWork"/>
    <sequenceFlow id="f2" sourceRef="childWork" targetRef="end"/>
    <endEvent id="end"/>
""")
CALLER = bpmn("caller", """
    <startEvent id="start"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f1" sourceRef="fork" targetRef="call"/>
    <callActivity id="call" calledElement="child"/>
    <sequenceFlow id="f2" sourceRef="call" targetRef="end1"/>
    <endEvent id="end1"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="other"/>
    <userTask id="other"/>
    <sequenceFlow id="f4" sourceRef="other" targetRef="end2"/>
    <endEvent id="end2"/>
""")
LONE_CALLER = bpmn("loneCaller", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <callActivity id="call" calledElement="child"/>
    <sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
    <endEvent id="end"/>
""")


def starters(label: str) -> bytes:
    """A definition started by a message, a signal or an hourly timer; ``label`` marks the
    version."""
    return definitions("starters", f"""
    <startEvent id="byMessage"><messageEventDefinition messageRef="go"/></startEvent>
    <sequenceFlow id="f1" sourceRef="byMessage" targetRef="work"/>
    <startEvent id="bySignal"><signalEventDefinition signalRef="flare"/></startEvent>
    <sequenceFlow id="f2" sourceRef="bySignal" targetRef="work"/>
    <startEvent id="byTimer">
      <timerEventDefinition><timeCycle>R/PT1H</timeCycle></timerEventDefinition>
    </startEvent>
    <sequenceFlow id="f3" sourceRef="byTimer" targetRef="work"/>
    <userTask id="work" name="{label}"/>
""", top='<message id="go" name="go"/><signal id="flare" name="flare"/>')


def only_id(deployment: dict[str, Any]) -> str:
    (definition_id,) = deployment["deployedProcessDefinitions"]
    return str(definition_id)


def delete(client: httpx.Client, path: str, **params: Any) -> httpx.Response:
    return client.delete(path, params={k: str(v).lower() for k, v in params.items()})


def instances_of(client: httpx.Client, definition_id: str) -> int:
    return count(client, "/process-instance", processDefinitionId=definition_id)


def fire_starts(client: httpx.Client) -> None:
    assert client.post("/message", json={"messageName": "go"}).status_code == 204
    assert client.post("/signal", json={"name": "flare"}).status_code == 204


def timer_jobs(client: httpx.Client, definition_id: str) -> list[dict[str, Any]]:
    return list(get(client, "/job", processDefinitionId=definition_id, timers="true"))


def test_deleting_instances_wherever_they_wait(client, server):
    deploy(client, ("varied.bpmn", VARIED))
    a = start(client, "varied")["id"]
    b = start(client, "varied")["id"]
    assert client.put(f"/process-instance/{b}/suspended", json={"suspended": True}) \
        .status_code == 204
    server.clock.advance(1_000)

    deleted = delete(client, f"/process-instance/{a}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(f"/process-instance/{a}").status_code == 404
    assert client.get(f"/process-instance/{a}/activity-instances").status_code == 404
    for path in ("/task", "/execution", "/job", "/external-task", "/event-subscription"):
        assert count(client, path, processInstanceId=a) == 0, path
    hi = get(client, f"/history/process-instance/{a}")
    assert (hi["state"], hi["deleteReason"], hi["durationInMillis"]) == (
        "EXTERNALLY_TERMINATED", None, 1_000)
    activities = get(client, "/history/activity-instance", processInstanceId=a)
    assert all(x["endTime"] is not None for x in activities)
    assert {x["activityId"] for x in activities if x["canceled"]} == {
        "review", "sub", "inner", "wait", "ext", "catch"}
    assert {t["deleteReason"] for t in get(client, "/history/task", processInstanceId=a)} == {
        "deleted"}
    assert shape(client, b) == VARIED_TREE  # the other instance is untouched

    assert delete(client, f"/process-instance/{b}").status_code == 204  # suspended: no matter
    assert get(client, f"/history/process-instance/{b}")["state"] == "EXTERNALLY_TERMINATED"
    assert_error(delete(client, f"/process-instance/{b}"), 404, "InvalidRequestException",
                 f"Process instance with id {b} does not exist")
    assert delete(client, f"/process-instance/{b}", failIfNotExists=False).status_code == 204
    (logged,) = get(client, "/history/user-operation", processInstanceId=a,
                    operationType="Delete")
    assert logged["entityType"] == "ProcessInstance"


def test_custom_listeners_run_on_deletion_unless_skipped(client, server):
    deploy(client, ("listening.bpmn", LISTENING))
    ran = start(client, "listening")["id"]
    skipped = start(client, "listening")["id"]
    assert delete(client, f"/process-instance/{ran}").status_code == 204
    assert delete(client, f"/process-instance/{skipped}", skipCustomListeners=True,
                  skipIoMappings=True).status_code == 204

    def variables(pid: str) -> list[str]:
        rows = get(client, "/history/variable-instance", processInstanceId=pid)
        return sorted(row["name"] for row in rows)

    assert "endListenerRan" in variables(ran)
    assert variables(skipped) == []


TASK_LISTENING = bpmn("taskListening", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work">
      <extensionElements>
        <camunda:taskListener event="delete"
            expression="${execution.setVariable('deleteListenerRan', true)}"/>
      </extensionElements>
    </userTask>
""")


def test_task_delete_listeners_are_skipped_too(client, server):
    deploy(client, ("listening.bpmn", TASK_LISTENING))
    ran = start(client, "taskListening")["id"]
    skipped = start(client, "taskListening")["id"]
    assert delete(client, f"/process-instance/{ran}").status_code == 204
    assert delete(client, f"/process-instance/{skipped}", skipCustomListeners=True) \
        .status_code == 204
    assert count(client, "/history/variable-instance", processInstanceId=ran) == 1
    assert count(client, "/history/variable-instance", processInstanceId=skipped) == 0


@pytest.mark.xfail(strict=True, reason=(
    "ENGINE runtime/runtime.Runtime.end_activity(canceled=True): output mappings of cancelled "
    "activities never run; Camunda runs them on deletion unless skipIoMappings "
    "(RuntimeServiceTest.testDeleteProcessInstanceWithoutSkipIoMappings)"))
def test_output_mappings_run_on_deletion_unless_skipped(client, server):
    deploy(client, ("listening.bpmn", LISTENING))
    pid = start(client, "listening")["id"]
    assert delete(client, f"/process-instance/{pid}").status_code == 204
    names = {row["name"] for row in get(client, "/history/variable-instance",
                                        processInstanceId=pid)}
    assert "outputMappingRan" in names


def test_called_instances_and_their_callers(client, server):
    deploy(client, ("child.bpmn", CHILD), ("caller.bpmn", CALLER), ("lone.bpmn", LONE_CALLER))

    def child_of(pid: str) -> str:
        (child,) = get(client, "/process-instance", superProcessInstance=pid)
        return str(child["id"])

    caller = start(client, "caller")["id"]
    called = child_of(caller)
    assert delete(client, f"/process-instance/{caller}").status_code == 204
    assert client.get(f"/process-instance/{called}").status_code == 404
    assert get(client, f"/history/process-instance/{called}")["endTime"] is not None

    caller = start(client, "caller")["id"]
    called = child_of(caller)
    assert delete(client, f"/process-instance/{caller}", skipSubprocesses=True).status_code \
        == 204
    assert task_keys(client, called) == ["childWork"]  # it runs on, on its own
    complete(client, only_task(client, called)["id"])
    assert get(client, f"/history/process-instance/{called}")["state"] == "COMPLETED"

    caller = start(client, "caller")["id"]
    called = child_of(caller)
    assert delete(client, f"/process-instance/{called}").status_code == 204
    assert tree_shape(activity_tree(client, caller))[1] == ["other"]
    (call,) = get(client, "/history/activity-instance", processInstanceId=caller,
                  activityId="call")
    assert call["canceled"] is True and call["endTime"] is not None
    complete(client, only_task(client, caller)["id"])
    assert get(client, f"/history/process-instance/{caller}")["state"] == "COMPLETED"

    lone = start(client, "loneCaller")["id"]
    assert delete(client, f"/process-instance/{child_of(lone)}").status_code == 204
    assert client.get(f"/process-instance/{lone}").status_code == 404
    assert get(client, f"/history/process-instance/{lone}")["state"] == "INTERNALLY_TERMINATED"


def test_deleting_a_definition_needs_cascade_for_its_instances(client, server):
    v1 = only_id(deploy(client, ("one.bpmn", ONE_TASK)))
    done = start(client, "oneTask")["id"]
    complete(client, only_task(client, done)["id"])
    running = start(client, "oneTask")["id"]
    assert_error(delete(client, f"/process-definition/{v1}"), 500, "ProcessEngineException",
                 f"ENGINE-03076 Deletion of process definition without cascading failed. "
                 f"Process definition with id: {v1} can't be deleted, since there exists 1 "
                 f"dependening process instances.", code=0)
    assert delete(client, f"/process-definition/{v1}", cascade=True).status_code == 204
    assert client.get(f"/process-instance/{running}").status_code == 404
    assert client.get(f"/process-definition/{v1}").status_code == 404
    assert count(client, "/history/process-instance", processDefinitionId=v1) == 0
    assert count(client, "/history/activity-instance", processInstanceId=done) == 0
    assert count(client, "/history/task", processInstanceId=running) == 0
    assert count(client, "/deployment") == 1  # the deployment stays
    (logged,) = get(client, "/history/user-operation", processDefinitionId=v1,
                    operationType="Delete")
    assert (logged["property"], logged["orgValue"], logged["newValue"]) == (
        "cascade", "false", "true")

    v2 = only_id(deploy(client, ("one.bpmn", ONE_TASK)))
    done = start(client, "oneTask")["id"]
    complete(client, only_task(client, done)["id"])
    assert delete(client, f"/process-definition/{v2}").status_code == 204
    assert get(client, f"/history/process-instance/{done}")["state"] == "COMPLETED"
    assert_error(delete(client, "/process-definition/nope"), 404, "InvalidRequestException",
                 "No process definition found with id 'nope': processDefinition is null",
                 code=0)


def test_deleting_the_newest_version_rearms_the_one_before(client, server):
    v1 = only_id(deploy(client, ("starters.bpmn", starters("one"))))
    v2 = only_id(deploy(client, ("starters.bpmn", starters("two"))))
    assert (len(timer_jobs(client, v1)), len(timer_jobs(client, v2))) == (0, 1)
    fire_starts(client)
    assert (instances_of(client, v1), instances_of(client, v2)) == (0, 2)

    assert_error(delete(client, "/process-definition/key/starters"), 500,
                 "ProcessEngineException")
    assert delete(client, "/process-definition/key/starters", cascade=True).status_code == 204
    assert client.get(f"/process-definition/{v2}").status_code == 404
    assert get(client, "/process-definition/key/starters")["id"] == v1
    fire_starts(client)
    assert instances_of(client, v1) == 2
    (timer,) = timer_jobs(client, v1)
    assert timer["dueDate"] == date(server.clock.now_ms() + HOUR)
    server.clock.advance(HOUR)
    assert client.post(f"/job/{timer['id']}/execute").status_code == 204
    assert instances_of(client, v1) == 3

    v3 = only_id(deploy(client, ("starters.bpmn", starters("three"))))
    assert delete(client, f"/process-definition/{v1}", cascade=True).status_code == 204
    fire_starts(client)  # deleting an older version leaves the newest listening
    assert instances_of(client, v3) == 2 and len(timer_jobs(client, v3)) == 1
    assert count(client, "/event-subscription", eventType="message") == 1


def test_deleting_every_version_of_a_key(client, server):
    for tenant in (None, None, "t1", "t1"):
        fields = {"tenant_id": tenant} if tenant else {}
        deploy(client, ("one.bpmn", ONE_TASK), **fields)

    def versions(**params: Any) -> list[int]:
        rows = get(client, "/process-definition", key="oneTask", **params)
        return sorted(row["version"] for row in rows)

    assert delete(client, "/process-definition/key/oneTask/tenant-id/t1").status_code == 204
    assert versions(tenantIdIn="t1") == [1] and versions(withoutTenantId="true") == [1, 2]
    assert delete(client, "/process-definition/key/oneTask/tenant-id/t1/delete").status_code \
        == 204
    assert versions(tenantIdIn="t1") == [] and versions(withoutTenantId="true") == [1, 2]
    pid = start(client, "oneTask")["id"]
    assert_error(delete(client, "/process-definition/key/oneTask/delete"), 500,
                 "ProcessEngineException")
    assert versions() == [1, 2]  # the command failed whole
    assert delete(client, "/process-definition/key/oneTask/delete", cascade=True,
                  skipCustomListeners=True).status_code == 204
    assert versions() == [] and client.get(f"/process-instance/{pid}").status_code == 404
    assert_error(delete(client, "/process-definition/key/oneTask/delete"), 404,
                 "InvalidRequestException",
                 "No process definition found with key 'oneTask': processDefinitions is empty",
                 code=None)
    assert_error(delete(client, "/process-definition/key/oneTask"), 404, "RestException",
                 "No matching process definition with key: oneTask and no tenant-id")
    assert_error(delete(client, "/process-definition/key/oneTask/tenant-id/t1"), 404,
                 "RestException", "No matching process definition with key: oneTask and "
                                  "tenant-id: t1")


def test_deleting_a_deployment(client, server):
    first = deploy(client, ("starters.bpmn", starters("one")))
    second = deploy(client, ("starters.bpmn", starters("two")), ("varied.bpmn", VARIED))
    v1 = only_id(first)
    fire_starts(client)
    start(client, "varied")
    assert_error(delete(client, f"/deployment/{second['id']}"), 500, "ProcessEngineException")
    assert delete(client, f"/deployment/{second['id']}", cascade=True,
                  skipCustomListeners=True, skipIoMappings=True).status_code == 204
    assert count(client, "/process-instance") == 0
    assert count(client, "/history/process-instance") == 0
    assert count(client, "/process-definition") == 1
    fire_starts(client)
    assert instances_of(client, v1) == 2 and len(timer_jobs(client, v1)) == 1
    (logged,) = get(client, "/history/user-operation", entityType="Deployment")
    assert (logged["operationType"], logged["deploymentId"], logged["newValue"]) == (
        "Delete", second["id"], "true")
