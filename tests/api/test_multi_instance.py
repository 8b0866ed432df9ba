"""Multi-instance activities through REST, as Camunda 7 runs them: parallel and sequential,
``loopCardinality``, ``camunda:collection`` with ``camunda:elementVariable``, the completion
condition, the ``nrOf*`` and ``loopCounter`` variables (local to the body and to each inner
instance), an empty collection skipping the activity, and the ``#multiInstanceBody`` tree."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import activity_tree, complete, only_task, start, task_keys, tasks, typed
from tests.api.test_bpmn_events import HOUR, ended, fire_due_jobs, leaves, variables
from tests.conftest import bpmn, deploy, model

SEQUENTIAL = "multiinstance/MultiInstanceTest.sequentialUserTasks.bpmn20.xml"
PARALLEL_CONDITION = ("multiinstance/MultiInstanceTest."
                      "testParallelUserTasksCompletionCondition.bpmn20.xml")
PARALLEL_SUB = "multiinstance/MultiInstanceTest.testParallelSubProcess.bpmn20.xml"


def _values(client, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return {name: v["value"] for name, v in response.json().items()}


def _canceled(client, pid: str, activity_id: str) -> list[bool]:
    found = client.get("/history/activity-instance", params={
        "processInstanceId": pid, "activityId": activity_id}).json()
    return sorted(a["canceled"] for a in found)


def test_sequential_user_tasks_one_at_a_time(client):
    deploy(client, ("seq.bpmn20.xml", model(SEQUENTIAL)))
    pid = start(client, "miSequentialUserTasks", {"nrOfLoops": typed(3, "Integer")})["id"]
    for index in range(3):
        task = only_task(client, pid)
        assert task["assignee"] == f"kermit_{index}"
        assert _values(client, f"/execution/{task['executionId']}/localVariables") == {
            "loopCounter": index}
        seen = _values(client, f"/task/{task['id']}/variables")
        assert (seen["nrOfInstances"], seen["nrOfActiveInstances"],
                seen["nrOfCompletedInstances"]) == (3, 1, index)
        complete(client, task["id"])
    assert ended(client, pid)


def test_sequential_completion_condition_stops_early(client):
    deploy(client, ("seq.bpmn20.xml", model(SEQUENTIAL)))
    pid = start(client, "miSequentialUserTasks", {"nrOfLoops": typed(10, "Integer")})["id"]
    for _ in range(5):
        complete(client, only_task(client, pid)["id"])
    assert ended(client, pid)


def test_timer_on_the_multi_instance_body_cancels_every_instance(client, server):
    deploy(client, ("seq.bpmn20.xml", model(SEQUENTIAL)))
    pid = start(client, "miSequentialUserTasks", {"nrOfLoops": typed(3, "Integer")})["id"]
    complete(client, only_task(client, pid)["id"])
    assert fire_due_jobs(server, 2 * HOUR) == ["timer"]
    assert task_keys(client, pid) == ["taskAfterTimer"]
    assert leaves(client, pid) == ["taskAfterTimer"]
    assert _canceled(client, pid, "miTasks#multiInstanceBody") == [True]


def test_parallel_completion_condition_cancels_the_rest(client):
    deploy(client, ("par.bpmn20.xml", model(PARALLEL_CONDITION)))
    pid = start(client, "miParallelUserTasksCompletionCondition")["id"]
    open_tasks = tasks(client, processInstanceId=pid)
    assert len(open_tasks) == 5
    tree = activity_tree(client, pid)
    [body] = tree["childActivityInstances"]
    assert (body["activityId"], body["activityType"]) == (
        "miTasks#multiInstanceBody", "multiInstanceBody")
    assert [c["activityId"] for c in body["childActivityInstances"]] == ["miTasks"] * 5
    for task in open_tasks[:2]:
        complete(client, task["id"])
    assert len(tasks(client, processInstanceId=pid)) == 3
    complete(client, open_tasks[2]["id"])
    assert ended(client, pid)
    assert _canceled(client, pid, "miTasks") == [False, False, False, True, True]


def test_user_task_names_are_expressions(client):
    """Camunda evaluates a user task's name: 'My Task ${loopCounter}' becomes 'My Task 0'."""
    deploy(client, ("par.bpmn20.xml", model(PARALLEL_CONDITION)))
    pid = start(client, "miParallelUserTasksCompletionCondition")["id"]
    assert sorted(t["name"] for t in tasks(client, processInstanceId=pid)) == [
        f"My Task {i}" for i in range(5)]


def test_parallel_multi_instance_subprocess_and_its_tree(client):
    deploy(client, ("sub.bpmn20.xml", model(PARALLEL_SUB)))
    pid = start(client, "miParallelSubprocess")["id"]
    assert task_keys(client, pid) == ["subProcessTask1", "subProcessTask1", "subProcessTask2",
                                      "subProcessTask2"]
    [body] = activity_tree(client, pid)["childActivityInstances"]
    assert body["activityId"] == "miSubProcess#multiInstanceBody"
    assert [(c["activityId"], sorted(g["activityId"] for g in c["childActivityInstances"]))
            for c in body["childActivityInstances"]] == [
        ("miSubProcess", ["subProcessTask1", "subProcessTask2"])] * 2
    for task in tasks(client, processInstanceId=pid):
        complete(client, task["id"])
    assert ended(client, pid)


def _reviews(parallel: bool, condition: str = "") -> bytes:
    sequential = "false" if parallel else "true"
    completion = f"<completionCondition>{condition}</completionCondition>" if condition else ""
    return bpmn("reviews", f"""
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <task id="prepare">
      <extensionElements>
        <camunda:inputOutput>
          <camunda:outputParameter name="reviewers">
            <camunda:list>
              <camunda:value>anna</camunda:value>
              <camunda:value>ben</camunda:value>
              <camunda:value>cleo</camunda:value>
            </camunda:list>
          </camunda:outputParameter>
        </camunda:inputOutput>
      </extensionElements>
    </task>
    <sequenceFlow id="f2" sourceRef="prepare" targetRef="review"/>
    <userTask id="review" camunda:assignee="${{reviewer}}">
      <multiInstanceLoopCharacteristics isSequential="{sequential}"
          camunda:collection="${{reviewers}}" camunda:elementVariable="reviewer">
        {completion}
      </multiInstanceLoopCharacteristics>
    </userTask>
    <sequenceFlow id="f3" sourceRef="review" targetRef="after"/>
    <userTask id="after"/>
""")


def test_parallel_over_a_collection_with_an_element_variable(client):
    deploy(client, ("reviews.bpmn", _reviews(parallel=True,
                                             condition="${nrOfCompletedInstances >= 2}")))
    pid = start(client, "reviews")["id"]
    open_tasks = sorted(tasks(client, processInstanceId=pid), key=lambda t: t["assignee"])
    assert [t["assignee"] for t in open_tasks] == ["anna", "ben", "cleo"]
    for index, task in enumerate(open_tasks):
        local = _values(client, f"/execution/{task['executionId']}/localVariables")
        assert local == {"loopCounter": index, "reviewer": task["assignee"]}
    seen = _values(client, f"/task/{open_tasks[0]['id']}/variables")
    assert (seen["nrOfInstances"], seen["nrOfActiveInstances"],
            seen["nrOfCompletedInstances"]) == (3, 3, 0)
    # the counters live on the body, not on the process instance
    assert set(variables(client, pid)) == {"reviewers"}

    complete(client, open_tasks[1]["id"])
    seen = _values(client, f"/task/{open_tasks[0]['id']}/variables")
    assert (seen["nrOfActiveInstances"], seen["nrOfCompletedInstances"]) == (2, 1)
    complete(client, open_tasks[0]["id"])
    assert task_keys(client, pid) == ["after"]
    assert set(variables(client, pid)) == {"reviewers"}


def test_sequential_over_a_collection_keeps_its_order(client):
    deploy(client, ("reviews.bpmn", _reviews(parallel=False)))
    pid = start(client, "reviews")["id"]
    order = []
    for index in range(3):
        task = only_task(client, pid)
        order.append(task["assignee"])
        assert _values(client, f"/execution/{task['executionId']}/localVariables") == {
            "loopCounter": index, "reviewer": task["assignee"]}
        complete(client, task["id"])
    assert order == ["anna", "ben", "cleo"]
    assert task_keys(client, pid) == ["after"]


EMPTY = bpmn("emptyLoop", """
    <startEvent id="start"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="prepare"/>
    <task id="prepare">
      <extensionElements>
        <camunda:inputOutput>
          <camunda:outputParameter name="items"><camunda:list/></camunda:outputParameter>
        </camunda:inputOutput>
      </extensionElements>
    </task>
    <sequenceFlow id="f1" sourceRef="prepare" targetRef="work"/>
    <userTask id="work">
      <multiInstanceLoopCharacteristics camunda:collection="${items}"
          camunda:elementVariable="item"/>
    </userTask>
    <sequenceFlow id="f2" sourceRef="work" targetRef="counted"/>
    <userTask id="counted">
      <multiInstanceLoopCharacteristics isSequential="true">
        <loopCardinality>${n}</loopCardinality>
      </multiInstanceLoopCharacteristics>
    </userTask>
    <sequenceFlow id="f3" sourceRef="counted" targetRef="after"/>
    <userTask id="after"/>
""")


def test_an_empty_collection_and_a_zero_cardinality_skip_the_activity(client):
    deploy(client, ("empty.bpmn", EMPTY))
    pid = start(client, "emptyLoop", {"n": typed(0, "Integer")})["id"]
    assert task_keys(client, pid) == ["after"]
    assert leaves(client, pid) == ["after"]
