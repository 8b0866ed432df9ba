"""Process instance modification and restart through REST (Camunda's semantics)."""

from __future__ import annotations

from tests.conftest import bpmn, deploy

FLOW = bpmn("mod", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="a"/>
    <userTask id="a"/>
    <sequenceFlow id="f2" sourceRef="a" targetRef="sub"/>
    <subProcess id="sub">
      <startEvent id="subStart"/>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="b"/>
      <userTask id="b"/>
      <sequenceFlow id="s2" sourceRef="b" targetRef="c"/>
      <userTask id="c"/>
      <sequenceFlow id="s3" sourceRef="c" targetRef="subEnd"/>
      <endEvent id="subEnd"/>
    </subProcess>
    <sequenceFlow id="f3" sourceRef="sub" targetRef="d"/>
    <userTask id="d"/>
    <sequenceFlow id="f4" sourceRef="d" targetRef="end"/>
    <endEvent id="end"/>
""")


def _tree(client, pid):
    response = client.get(f"/process-instance/{pid}/activity-instances")
    assert response.status_code == 200, response.text

    def walk(node):
        return {child["activityId"]: walk(child) for child in node["childActivityInstances"]}
    return walk(response.json())


def _start(client):
    deploy(client, ("mod.bpmn", FLOW))
    response = client.post("/process-definition/key/mod/start", json={})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def _modify(client, pid, *instructions, **extra):
    return client.post(f"/process-instance/{pid}/modification",
                       json={"instructions": list(instructions), **extra})


def test_start_before_an_activity_inside_a_subprocess_creates_the_scope(client):
    pid = _start(client)
    response = _modify(client, pid, {"type": "startBeforeActivity", "activityId": "c",
                                     "variables": {"x": {"value": 5, "local": False}}})
    assert response.status_code == 204, response.text
    assert _tree(client, pid) == {"a": {}, "sub": {"c": {}}}
    tasks = {t["taskDefinitionKey"] for t in client.get("/task",
                                                        params={"processInstanceId": pid}).json()}
    assert tasks == {"a", "c"}
    assert client.get(f"/process-instance/{pid}/variables/x").json()["value"] == 5


def test_cancel_and_start_in_one_request_moves_the_token(client):
    pid = _start(client)
    tree = client.get(f"/process-instance/{pid}/activity-instances").json()
    a_instance = tree["childActivityInstances"][0]["id"]
    response = _modify(client, pid, {"type": "cancel", "activityInstanceId": a_instance},
                       {"type": "startAfterActivity", "activityId": "sub"})
    assert response.status_code == 204, response.text
    assert _tree(client, pid) == {"d": {}}
    history = client.get("/history/activity-instance",
                         params={"processInstanceId": pid, "activityId": "a"}).json()
    assert history[0]["canceled"] is True


def test_cancelling_the_last_activity_ends_the_instance(client):
    pid = _start(client)
    assert _modify(client, pid, {"type": "cancel", "activityId": "a"}).status_code == 204
    assert client.get(f"/process-instance/{pid}").status_code == 404
    hi = client.get(f"/history/process-instance/{pid}").json()
    assert hi["state"] == "EXTERNALLY_TERMINATED"


def test_start_transition_and_ancestor(client):
    pid = _start(client)
    assert _modify(client, pid, {"type": "startTransition", "transitionId": "f2"}).status_code \
        == 204
    assert _tree(client, pid) == {"a": {}, "sub": {"b": {}}}
    sub = next(c for c in client.get(f"/process-instance/{pid}/activity-instances").json()[
        "childActivityInstances"] if c["activityId"] == "sub")
    response = _modify(client, pid, {"type": "startBeforeActivity", "activityId": "c",
                                     "ancestorActivityInstanceId": sub["id"]})
    assert response.status_code == 204
    assert _tree(client, pid) == {"a": {}, "sub": {"b": {}, "c": {}}}


def test_bad_instructions_change_nothing(client):
    pid = _start(client)
    response = _modify(client, pid, {"type": "startBeforeActivity", "activityId": "c"},
                       {"type": "startBeforeActivity", "activityId": "nope"})
    assert response.status_code in (400, 500)
    assert response.json()["type"] in ("InvalidRequestException", "NotValidException",
                                       "RestException")
    assert _tree(client, pid) == {"a": {}}
    assert _modify(client, "unknown-id", {"type": "cancel", "activityId": "a"}).status_code \
        == 400


def test_modification_execute_for_several_instances(client):
    first = _start(client)
    second = client.post("/process-definition/key/mod/start", json={}).json()["id"]
    definition = client.get("/process-definition/key/mod").json()["id"]
    response = client.post("/modification/execute", json={
        "processDefinitionId": definition, "processInstanceIds": [first, second],
        "instructions": [{"type": "startBeforeActivity", "activityId": "d"},
                         {"type": "cancel", "activityId": "a"}]})
    assert response.status_code == 204, response.text
    assert _tree(client, first) == {"d": {}}
    assert _tree(client, second) == {"d": {}}


def test_restart_a_finished_instance(client):
    pid = _start(client)
    client.put(f"/process-instance/{pid}/variables/amount", json={"value": 42, "type": "Integer"})
    assert _modify(client, pid, {"type": "cancel", "activityId": "a"}).status_code == 204
    definition = client.get("/process-definition/key/mod").json()["id"]
    response = client.post(f"/process-definition/{definition}/restart", json={
        "processInstanceIds": [pid],
        "instructions": [{"type": "startBeforeActivity", "activityId": "d"}]})
    assert response.status_code == 204, response.text
    running = client.get("/process-instance", params={"processDefinitionKey": "mod"}).json()
    assert len(running) == 1
    new = running[0]["id"]
    assert _tree(client, new) == {"d": {}}
    assert client.get(f"/process-instance/{new}/variables/amount").json()["value"] == 42
    restarted = client.get(f"/history/process-instance/{new}").json()
    assert restarted["restartedProcessInstanceId"] == pid
