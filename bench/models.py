"""The processes the benchmark runs, written as a modeler would save them (minus the diagram).

``straight`` never waits: every instance starts and ends inside one command, so its cost is the
engine's whole hot path (parse nothing, evaluate two expressions, write history, delete nothing
because the runtime rows are never flushed).  ``usertask`` stops at one user task, so a round trip
is three requests and three commands: start, query the task, complete.

The asynchronous scenarios of issue 4 use three more: ``external`` waits at one external task
of topic ``benchTopic``; ``async`` is a chain of ``ASYNC_CHAIN`` service tasks, each
``asyncBefore``, so an instance costs the job executor that many jobs; ``timer`` waits at an
intermediate timer whose ``timeDuration`` comes from the start variable ``wait``, so each
instance can be given its own duration.
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

EXTERNAL_KEY = "benchExternal"
ASYNC_KEY = "benchAsync"
TIMER_KEY = "benchTimer"
TOPIC = "benchTopic"
TIMER_ACTIVITY = "timer"
ASYNC_CHAIN = 5  # asynchronous service tasks per instance of ``async``: jobs per instance

EXTERNAL = (
    _HEADER
    + f"""
  <bpmn:process id="{EXTERNAL_KEY}" name="One external task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toWork" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work" name="Work" camunda:type="external" camunda:topic="{TOPIC}"/>
    <bpmn:sequenceFlow id="toEnd" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
).encode()


def _async_chain(length: int) -> str:
    """start → step1 … stepN → end, every step a service task behind an async continuation."""
    steps, flows, previous = [], [], "start"
    for n in range(1, length + 1):
        steps.append(
            f'    <bpmn:serviceTask id="step{n}" camunda:asyncBefore="true" '
            f'camunda:expression="${{true}}"/>'
        )
        flows.append(
            f'    <bpmn:sequenceFlow id="to{n}" sourceRef="{previous}" targetRef="step{n}"/>'
        )
        previous = f"step{n}"
    flows.append(f'    <bpmn:sequenceFlow id="toEnd" sourceRef="{previous}" targetRef="end"/>')
    return "\n".join(steps + flows)


ASYNC = (
    _HEADER
    + f"""
  <bpmn:process id="{ASYNC_KEY}" name="Chain of async continuations" isExecutable="true">
    <bpmn:startEvent id="start"/>
{_async_chain(ASYNC_CHAIN)}
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
).encode()

TIMER = (
    _HEADER
    + f"""
  <bpmn:process id="{TIMER_KEY}" name="Wait a while" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toTimer" sourceRef="start" targetRef="{TIMER_ACTIVITY}"/>
    <bpmn:intermediateCatchEvent id="{TIMER_ACTIVITY}">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${{wait}}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="toEnd" sourceRef="{TIMER_ACTIVITY}" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
).encode()

ASYNC_RESOURCES = {
    "bench-external.bpmn": EXTERNAL,
    "bench-async.bpmn": ASYNC,
    "bench-timer.bpmn": TIMER,
}


def start_body(i: int) -> dict[str, object]:
    """The REST start request of instance ``i``; x alternates so both gateway branches run."""
    return {"variables": {"x": {"value": i % 10, "type": "Integer"}}}


# Completing the task sets one variable, as a form or a worker usually does.
COMPLETE_BODY = {"variables": {"approved": {"value": True, "type": "Boolean"}}}


# What a worker sends back on complete: one variable, as most workers set a result.
EXTERNAL_COMPLETE_VARIABLES = {"done": {"value": True, "type": "Boolean"}}


def timer_body(wait_ms: int) -> dict[str, object]:
    """The start request of a timer instance that waits ``wait_ms`` (an ISO 8601 duration)."""
    return {"variables": {"wait": {"value": f"PT{wait_ms / 1000:.3f}S", "type": "String"}}}
