"""``camunda:inputOutput`` and listeners through REST, as Camunda 7 runs them: input parameters
(text, expression, list, map, nested) become local variables of the activity instance; output
parameters are written to the enclosing scope when it ends; execution listeners (start, end,
take) and task listeners (create, assignment, complete) run their expressions."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import complete, only_task, start, task_keys, typed
from tests.api.test_bpmn_events import ended, execution_at, variables
from tests.conftest import bpmn, deploy, model


def _values(client, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return {name: v["value"] for name, v in response.json().items()}


def test_input_list_of_expressions_is_local_to_the_activity(client):
    deploy(client, ("list.bpmn", model("tasks/InputOutputTest.testInputListElValues.bpmn")))
    pid = start(client, "testProcess")["id"]
    [var] = client.get("/variable-instance", params={"variableName": "var1"}).json()
    assert var["value"] == [2, 3, 4]
    assert var["processInstanceId"] == pid
    wait = execution_at(client, pid, "wait")
    assert var["executionId"] == wait and var["activityInstanceId"] == wait
    assert variables(client, pid) == {}
    assert client.post(f"/execution/{wait}/signal", json={}).status_code == 204
    assert ended(client, pid)
    assert client.get("/variable-instance", params={"variableName": "var1"}).json() == []


def test_subprocess_input_and_output_parameters(client):
    deploy(client, ("io.bpmn20.xml", model(
        "subprocess/InputOutputTest.testSubprocessIoSupport.bpmn20.xml")))
    pid = start(client, "testProcess", {"processVar": typed("value")})["id"]
    sub = execution_at(client, pid, "SubProcess_1")
    assert _values(client, f"/execution/{sub}/localVariables") == {"innerVar": "value"}
    assert variables(client, pid) == {"processVar": "value"}
    complete(client, only_task(client, pid)["id"])
    assert variables(client, pid) == {"processVar": "value", "outerVar": "value"}


SHAPES = bpmn("shapes", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fill"/>
    <userTask id="fill">
      <extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="plain">just text</camunda:inputParameter>
          <camunda:inputParameter name="computed">${amount * 2}</camunda:inputParameter>
          <camunda:inputParameter name="greeting">Hello ${name}</camunda:inputParameter>
          <camunda:inputParameter name="nothing"/>
          <camunda:inputParameter name="items">
            <camunda:list>
              <camunda:value>a</camunda:value>
              <camunda:value>${name}</camunda:value>
            </camunda:list>
          </camunda:inputParameter>
          <camunda:inputParameter name="shape">
            <camunda:map>
              <camunda:entry key="kind">square</camunda:entry>
              <camunda:entry key="side">${amount}</camunda:entry>
              <camunda:entry key="tags">
                <camunda:list><camunda:value>x</camunda:value></camunda:list>
              </camunda:entry>
            </camunda:map>
          </camunda:inputParameter>
          <camunda:outputParameter name="summary">${greeting}: ${computed}</camunda:outputParameter>
          <camunda:outputParameter name="confirmed">${answer}</camunda:outputParameter>
        </camunda:inputOutput>
      </extensionElements>
    </userTask>
    <sequenceFlow id="f2" sourceRef="fill" targetRef="after"/>
    <userTask id="after"/>
""")


def test_input_parameters_of_every_shape_and_outputs_to_the_parent_scope(client):
    deploy(client, ("shapes.bpmn", SHAPES))
    pid = start(client, "shapes", {"amount": typed(21, "Integer"), "name": typed("Ann")})["id"]
    task = only_task(client, pid)
    local = _values(client, f"/execution/{task['executionId']}/localVariables")
    assert local == {
        "plain": "just text", "computed": 42, "greeting": "Hello Ann", "nothing": None,
        "items": ["a", "Ann"], "shape": {"kind": "square", "side": 21, "tags": ["x"]}}
    # the task sees them (they are in its scope chain); the process instance does not
    assert _values(client, f"/task/{task['id']}/variables")["greeting"] == "Hello Ann"
    assert variables(client, pid) == {"amount": 21, "name": "Ann"}

    complete(client, task["id"], {"answer": typed(True)})
    assert task_keys(client, pid) == ["after"]
    # outputs are evaluated in the activity's scope and land on the process instance;
    # the completion variable went to the process instance as well (no local 'answer')
    assert variables(client, pid) == {"amount": 21, "name": "Ann", "answer": True,
                                      "summary": "Hello Ann: 42", "confirmed": True}


LISTENERS = bpmn("listeners", """
    <extensionElements>
      <camunda:executionListener event="start"
          expression="${execution.setVariable('processStarted', true)}"/>
    </extensionElements>
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work">
      <extensionElements>
        <camunda:executionListener event="take"
            expression="${execution.setVariable('taken', execution.eventName)}"/>
      </extensionElements>
    </sequenceFlow>
    <userTask id="work">
      <extensionElements>
        <camunda:executionListener event="start"
            expression="${execution.setVariable('started', execution.currentActivityId)}"/>
        <camunda:executionListener event="end"
            expression="${execution.setVariable('endEvent', execution.eventName)}"/>
        <camunda:taskListener event="create"
            expression="${task.setVariable('created', task.eventName)}"/>
        <camunda:taskListener event="assignment"
            expression="${task.setVariable('assignedTo', task.assignee)}"/>
        <camunda:taskListener event="complete"
            expression="${task.setVariable('completedBy', task.assignee)}"/>
      </extensionElements>
    </userTask>
    <sequenceFlow id="f2" sourceRef="work" targetRef="after"/>
    <userTask id="after" camunda:assignee="boss">
      <extensionElements>
        <camunda:taskListener event="assignment"
            expression="${task.setVariable('afterAssignee', task.assignee)}"/>
      </extensionElements>
    </userTask>
""")


def test_execution_and_task_listeners(client):
    deploy(client, ("listeners.bpmn", LISTENERS))
    pid = start(client, "listeners")["id"]
    seen = variables(client, pid)
    assert {k: seen.get(k) for k in ("taken", "started", "created")} == {
        "taken": "take", "started": "work", "created": "create"}
    assert "assignedTo" not in seen and "endEvent" not in seen

    complete(client, only_task(client, pid)["id"])
    assert variables(client, pid)["endEvent"] == "end"
    # a task created with an assignee fires its assignment listener
    assert variables(client, pid)["afterAssignee"] == "boss"


def test_assignment_listener_fires_when_a_task_is_claimed(client):
    deploy(client, ("listeners.bpmn", LISTENERS))
    pid = start(client, "listeners")["id"]
    task = only_task(client, pid)
    response = client.post(f"/task/{task['id']}/claim", json={"userId": "demo"})
    assert response.status_code == 204, response.text
    assert variables(client, pid)["assignedTo"] == "demo"


def test_complete_listener_fires(client):
    deploy(client, ("listeners.bpmn", LISTENERS))
    pid = start(client, "listeners")["id"]
    task = only_task(client, pid)
    client.post(f"/task/{task['id']}/assignee", json={"userId": "demo"})
    complete(client, task["id"])
    assert variables(client, pid)["completedBy"] == "demo"


def test_process_level_execution_listener(client):
    deploy(client, ("listeners.bpmn", LISTENERS))
    pid = start(client, "listeners")["id"]
    assert variables(client, pid).get("processStarted") is True
