"""Refusals: bad models, bad JSON, bad variables, unknown routes and engines — always Camunda's
error body with the right status, and nothing half-stored."""

from __future__ import annotations

from tests.api.helpers import JSON, assert_error, count, only_task, start, typed
from tests.conftest import bpmn, deploy, model

ONE_TASK = bpmn("oneTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work" name="Work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
JAVA_DELEGATE = bpmn("javaDelegate", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="callJava"/>
    <serviceTask id="callJava" camunda:class="org.example.SendInvoice"/>
    <sequenceFlow id="f2" sourceRef="callJava" targetRef="end"/>
    <endEvent id="end"/>
""")
BAD_CONDITION = bpmn("badCondition", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <exclusiveGateway id="gw"/>
    <sequenceFlow id="yes" sourceRef="gw" targetRef="end">
      <conditionExpression xsi:type="tFormalExpression">${amount &gt;}</conditionExpression>
    </sequenceFlow>
    <endEvent id="end"/>
""")


def _nothing_stored(client):
    assert count(client, "/deployment") == 0
    assert count(client, "/process-definition") == 0


def _parse_error(response, resource):
    body = assert_error(response, 400, "ParseException", code=0)
    assert body["message"].startswith("ENGINE-09005 Could not parse BPMN process. Errors: \n* ")
    assert list(body["details"]) == [resource]
    return body["details"][resource]


def _upload(client, *resources):
    files = [("data", (name, content, "application/octet-stream")) for name, content in resources]
    return client.post("/deployment/create", files=files, data={"deployment-name": "bad"})


def test_unsupported_elements_are_refused_naming_element_and_line(client):
    details = _parse_error(_upload(client, ("invoice.bpmn", model("examples/invoice.v1.bpmn"))),
                           "invoice.bpmn")
    by_id = {p["mainElementId"]: p for p in details["errors"]}
    assert "assignApprover" in by_id  # the business rule task needs DMN
    assert by_id["assignApprover"]["line"] == 52
    assert by_id["assignApprover"]["elementIds"] == ["assignApprover"]
    assert "ServiceTask_1" in by_id  # camunda:class and camunda:async
    assert details["warnings"] == []
    _nothing_stored(client)
    java = _parse_error(_upload(client, ("java.bpmn", JAVA_DELEGATE)), "java.bpmn")
    problem = next(p for p in java["errors"] if p["mainElementId"] == "callJava")
    assert problem["line"] == 10 and problem["elementIds"] == ["callJava"]
    assert f"{problem['message']} | resource java.bpmn | line 10" in \
        _upload(client, ("java.bpmn", JAVA_DELEGATE)).json()["message"]
    _nothing_stored(client)


def test_a_bad_resource_spoils_the_whole_deployment(client):
    response = _upload(client, ("one.bpmn", ONE_TASK), ("cond.bpmn", BAD_CONDITION))
    details = _parse_error(response, "cond.bpmn")
    assert details["errors"][0]["mainElementId"] == "yes"
    assert "cond.bpmn | line" in response.json()["message"]
    _nothing_stored(client)


def test_xml_that_is_not_well_formed(client):
    broken = b"<definitions><process></definitions>"
    details = _parse_error(_upload(client, ("broken.bpmn", broken)), "broken.bpmn")
    assert details["errors"][0]["line"] == 1
    evil = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<definitions>&x;</definitions>')
    assert _upload(client, ("evil.bpmn", evil)).status_code == 400
    _nothing_stored(client)


def test_malformed_json(client):
    deploy(client, ("one.bpmn", ONE_TASK))
    for body in (b"{", b'{"variables": {"a": }', b"not json"):
        response = client.post("/process-definition/key/oneTask/start", content=body,
                               headers={"Content-Type": "application/json"})
        assert_error(response, 400, "JsonParseException", code=None)
    not_an_object = client.post("/process-definition/key/oneTask/start", json=[1, 2])
    assert not_an_object.status_code == 400
    variables_not_a_map = client.post("/process-definition/key/oneTask/start",
                                      json={"variables": [1]})
    assert variables_not_a_map.status_code == 400
    assert count(client, "/process-instance") == 0


def test_bad_variable_types_store_nothing(client):
    created = deploy(client, ("one.bpmn", ONE_TASK))
    [def_id] = created["deployedProcessDefinitions"]
    prefix = f"Cannot instantiate process definition {def_id}"
    cases = [
        (typed(1, "Foo"), "Unsupported value type 'Foo'"),
        (typed("abc", "Integer"), "Cannot convert value 'abc' of type 'Integer' to java type "
                                  "java.lang.Integer"),
        (typed(2**40, "Integer"), None),
        (typed("yes", "Boolean"), None),
        (typed("31.01.2026", "Date"), None),
        (typed({"a": 1}, "Json"), "Must provide 'null' or String value for value of "
                                  "SerializableValue type 'Json'."),
        (typed("eA==", "File"), None),
    ]
    for variable, message in cases:
        response = client.post("/process-definition/key/oneTask/start",
                               json={"variables": {"good": typed("fine"), "bad": variable}})
        body = assert_error(response, 400, "InvalidRequestException")
        assert body["message"].startswith(f"{prefix}: "), body
        if message is not None:
            assert body["message"] == f"{prefix}: {message}"
    assert count(client, "/process-instance") == 0
    assert count(client, "/task") == 0
    history = client.get("/history/process-instance/count")
    if history.status_code == 200:
        assert history.json() == {"count": 0}


def test_bad_variables_on_complete_leave_the_task_untouched(client):
    deploy(client, ("one.bpmn", ONE_TASK))
    pid = start(client, "oneTask", {"a": typed(1)})["id"]
    tid = only_task(client, pid)["id"]
    response = client.post(f"/task/{tid}/complete",
                           json={"variables": {"a": typed(2), "b": typed("x", "Long")}})
    body = assert_error(response, 400, "InvalidRequestException")
    assert body["message"].startswith(f"Cannot complete task {tid}: Cannot convert value 'x'")
    assert only_task(client, pid)["id"] == tid
    assert client.get(f"/process-instance/{pid}/variables").json() == {
        "a": {"type": "Integer", "value": 1, "valueInfo": {}}}


def test_content_type_is_exactly_application_json(client):
    deploy(client, ("one.bpmn", ONE_TASK))
    pid = start(client, "oneTask")["id"]
    for path in ("/engine", "/version", "/deployment", "/process-definition",
                 "/process-definition/key/oneTask", f"/process-instance/{pid}",
                 f"/process-instance/{pid}/variables", "/task", "/task/count",
                 "/task/nope", "/no/such/route"):
        response = client.get(path)
        assert response.headers["content-type"] == JSON, (path, response.headers)
    unknown = client.get("/no/such/route")
    assert unknown.status_code == 404 and set(unknown.json()) == {"type", "message", "code"}
    wrong_method = client.patch("/deployment")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == JSON
    assert set(wrong_method.json()) == {"type", "message", "code"}


def test_engine_and_version(client):
    assert client.get("/engine").json() == [{"name": "default"}]
    version = client.get("/version").json()["version"]
    assert version.startswith("7.")


def test_named_engine_alias(client, server):
    files = [("data", ("one.bpmn", ONE_TASK, "application/octet-stream"))]
    created = client.post("/engine/default/deployment/create", files=files)
    assert created.status_code == 200, created.text
    started = client.post("/engine/default/process-definition/key/oneTask/start", json={})
    assert started.status_code == 200, started.text
    pid = started.json()["id"]
    tasks = client.get("/engine/default/task", params={"processInstanceId": pid}).json()
    assert len(tasks) == 1
    done = client.post(f"/engine/default/task/{tasks[0]['id']}/complete", json={})
    assert done.status_code == 204
    assert client.get(f"/engine/default/process-instance/{pid}").status_code == 404
    assert client.get("/engine/default/process-definition/count").json() == {"count": 1}


def test_wrong_engine_name(client):
    assert_error(client.get("/engine/other/process-definition"), 400,
                 "InvalidRequestException", "No process engine available")
