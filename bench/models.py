"""The two processes the benchmark runs, written as a modeler would save them (minus the diagram).

``straight`` never waits: every instance starts and ends inside one command, so its cost is the
engine's whole hot path (parse nothing, evaluate two expressions, write history, delete nothing
because the runtime rows are never flushed).  ``usertask`` stops at one user task, so a round trip
is three requests and three commands: start, query the task, complete.
"""

from __future__ import annotations

STRAIGHT_KEY = "benchStraight"
USER_TASK_KEY = "benchUserTask"

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="bench"
  targetNamespace="http://bpmnflow.bench">
"""

STRAIGHT = (
    _HEADER
    + f"""
  <bpmn:process id="{STRAIGHT_KEY}" name="Straight through" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toCalc" sourceRef="start" targetRef="calc"/>
    <bpmn:serviceTask id="calc" name="Add one" camunda:expression="${{x + 1}}"
      camunda:resultVariable="y"/>
    <bpmn:sequenceFlow id="toGateway" sourceRef="calc" targetRef="route"/>
    <bpmn:exclusiveGateway id="route" name="Big?"/>
    <bpmn:sequenceFlow id="toBig" sourceRef="route" targetRef="endBig">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{y &gt; 5}}<!--
      --></bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toSmall" sourceRef="route" targetRef="endSmall">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{y &lt;= 5}}<!--
      --></bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="endBig"/>
    <bpmn:endEvent id="endSmall"/>
  </bpmn:process>
</bpmn:definitions>
"""
).encode()

USER_TASK = (
    _HEADER
    + f"""
  <bpmn:process id="{USER_TASK_KEY}" name="One user task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toWork" sourceRef="start" targetRef="work"/>
    <bpmn:userTask id="work" name="Work" camunda:assignee="demo"/>
    <bpmn:sequenceFlow id="toEnd" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
).encode()

RESOURCES = {"bench-straight.bpmn": STRAIGHT, "bench-usertask.bpmn": USER_TASK}


def start_body(i: int) -> dict[str, object]:
    """The REST start request of instance ``i``; x alternates so both gateway branches run."""
    return {"variables": {"x": {"value": i % 10, "type": "Integer"}}}


# Completing the task sets one variable, as a form or a worker usually does.
COMPLETE_BODY = {"variables": {"approved": {"value": True, "type": "Boolean"}}}
