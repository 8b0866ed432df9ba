"""Migration between definition versions through REST."""

from __future__ import annotations

from tests.conftest import bpmn, deploy

V1 = bpmn("mig", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <userTask id="review" name="Review"/>
    <sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <endEvent id="end"/>
""")
V2 = bpmn("mig", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <userTask id="review" name="Review v2"/>
    <boundaryEvent id="late" attachedToRef="review" cancelActivity="false">
      <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="f3" sourceRef="late" targetRef="remind"/>
    <userTask id="remind"/>
    <sequenceFlow id="f2" sourceRef="review" targetRef="approve"/>
    <userTask id="approve"/>
    <sequenceFlow id="f4" sourceRef="approve" targetRef="end"/>
    <endEvent id="end"/>
""")
V3 = bpmn("mig", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="other"/>
    <userTask id="other"/>
    <sequenceFlow id="f2" sourceRef="other" targetRef="end"/>
    <endEvent id="end"/>
""")


def _ids(client):
    deploy(client, ("mig.bpmn", V1))
    pid = client.post("/process-definition/key/mig/start", json={}).json()["id"]
    source = client.get("/process-definition/key/mig").json()["id"]
    deploy(client, ("mig.bpmn", V2))
    target = client.get("/process-definition/key/mig").json()["id"]
    return pid, source, target


def test_generate_validate_execute(client):
    pid, source, target = _ids(client)
    plan = client.post("/migration/generate", json={"sourceProcessDefinitionId": source,
                                                     "targetProcessDefinitionId": target})
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert {"sourceActivityIds": ["review"], "targetActivityIds": ["review"],
            "updateEventTrigger": False} in body["instructions"]
    report = client.post("/migration/validate", json=body)
    assert report.status_code == 200 and report.json()["instructionReports"] == []
    response = client.post("/migration/execute", json={
        "migrationPlan": body, "processInstanceIds": [pid]})
    assert response.status_code == 204, response.text
    assert client.get(f"/process-instance/{pid}").json()["definitionId"] == target
    task = client.get("/task", params={"processInstanceId": pid}).json()[0]
    assert task["processDefinitionId"] == target
    jobs = client.get("/job", params={"processInstanceId": pid})
    if jobs.status_code == 200:  # the new boundary timer waits now
        assert len(jobs.json()) == 1
    client.post(f"/task/{task['id']}/complete", json={})
    names = [t["taskDefinitionKey"] for t in
             client.get("/task", params={"processInstanceId": pid}).json()]
    assert names == ["approve"]
    history = client.get(f"/history/process-instance/{pid}").json()
    assert history["processDefinitionId"] == target and history["processDefinitionVersion"] == 2


def test_unmapped_activity_refuses_and_changes_nothing(client):
    pid, source, _ = _ids(client)
    deploy(client, ("mig.bpmn", V3))
    target = client.get("/process-definition/key/mig").json()["id"]
    plan = client.post("/migration/generate", json={"sourceProcessDefinitionId": source,
                                                     "targetProcessDefinitionId": target}).json()
    assert all(i["sourceActivityIds"] != ["review"] for i in plan["instructions"])
    response = client.post("/migration/execute", json={"migrationPlan": plan,
                                                        "processInstanceIds": [pid]})
    assert response.status_code == 400
    assert response.json()["type"] == "MigratingProcessInstanceValidationException"
    assert client.get(f"/process-instance/{pid}").json()["definitionId"] == source


def test_invalid_plan_reports_failures(client):
    _, source, target = _ids(client)
    plan = {"sourceProcessDefinitionId": source, "targetProcessDefinitionId": target,
            "instructions": [{"sourceActivityIds": ["review"], "targetActivityIds": ["nope"]}]}
    report = client.post("/migration/validate", json=plan).json()
    assert report["instructionReports"][0]["failures"]
    response = client.post("/migration/execute", json={"migrationPlan": plan,
                                                        "processInstanceIds": ["x"]})
    assert response.status_code == 400
    assert response.json()["type"] == "MigrationPlanValidationException"
