"""The tour of the README through HTTP: deploy, start, list tasks, complete, history."""

from __future__ import annotations

from tests.conftest import bpmn, deploy

USER_TASK = bpmn("tour", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <userTask id="review" name="Review" camunda:assignee="${owner}"/>
    <sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <endEvent id="end"/>
""")


def test_tour(client, server):
    deployment = deploy(client, ("tour.bpmn", USER_TASK), deployment_name="tour")
    assert len(deployment["deployedProcessDefinitions"]) == 1
    started = client.post("/process-definition/key/tour/start",
                          json={"variables": {"owner": {"value": "demo", "type": "String"}}})
    assert started.status_code == 200, started.text
    pid = started.json()["id"]
    tasks = client.get("/task", params={"processInstanceId": pid}).json()
    assert [t["name"] for t in tasks] == ["Review"]
    assert tasks[0]["assignee"] == "demo"
    server.restart()
    done = client.post(f"/task/{tasks[0]['id']}/complete",
                       json={"variables": {"ok": {"value": True}}})
    assert done.status_code == 204
    assert client.get(f"/process-instance/{pid}").status_code == 404
    assert client.get("/task/count").json() == {"count": 0}
