"""Named delegates through REST: Python handlers registered under Java class and bean names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bpmnflow import delegates
from tests.api.helpers import complete, only_task, start, typed
from tests.conftest import bpmn, deploy, model

CALLS: list[tuple[str, object]] = []


@pytest.fixture
def handlers() -> Iterator[None]:
    """Register the handlers the models name, and only for the test."""
    def archive(execution, fields):
        CALLS.append(("archive", fields))
        execution.setVariable("archived", f"{fields['folder']}/{execution.getBusinessKey()}")
        execution.setVariable("copies", fields["copies"])

    def check(execution):
        if execution.getVariable("amount") > 1000:
            raise delegates.BpmnError("TOO_MUCH", "amount over the limit")
        execution.setVariable("checked", True)

    class Audit:  # a listener object in Camunda's style: notify(execution)
        def notify(self, execution):
            execution.setVariable(f"audit_{execution.getEventName()}",
                                  execution.getCurrentActivityId())

    def assign(task):
        task.setAssignee(task.getVariable("owner"))

    def broken(execution):
        raise ValueError("database is down")

    names = {"com.example.ArchiveService": archive, "com.example.Check": check,
             "com.example.Audit": Audit(), "com.example.Assign": assign,
             "com.example.Broken": broken,
             "calculateInterestService": lambda execution: CALLS.append(("interest", None))}
    for name, handler in names.items():
        delegates.register(name, handler)
    CALLS.clear()
    yield
    for name in names:
        delegates.unregister(name)


def variables(client, pid):
    return client.get(f"/process-instance/{pid}/variables").json()


def _upload(client, name, content):
    files = [("data", (name, content, "application/octet-stream"))]
    return client.post("/deployment/create", files=files, data={"deployment-name": "d"})


ARCHIVE = bpmn("archive", """
    <startEvent id="s"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="archiveIt"/>
    <serviceTask id="archiveIt" camunda:class="com.example.ArchiveService">
      <extensionElements>
        <camunda:field name="folder" stringValue="invoices"/>
        <camunda:field name="copies">
          <camunda:expression>${copies * 2}</camunda:expression>
        </camunda:field>
        <camunda:executionListener event="start" class="com.example.Audit"/>
        <camunda:executionListener event="end" delegateExpression="${auditBean}"/>
      </extensionElements>
    </serviceTask>
    <sequenceFlow id="f2" sourceRef="archiveIt" targetRef="review"/>
    <userTask id="review">
      <extensionElements>
        <camunda:taskListener event="create" class="com.example.Assign"/>
      </extensionElements>
    </userTask>
""")


def test_a_registered_class_with_fields_and_listeners(client, handlers):
    delegates.register("auditBean", delegates.REGISTRY.entry("com.example.Audit").handler)
    try:
        deploy(client, ("archive.bpmn", ARCHIVE))
        pid = start(client, "archive", {"copies": typed(2, "Integer"), "owner": typed("kermit")},
                    businessKey="INV-9")["id"]
    finally:
        delegates.unregister("auditBean")
    found = variables(client, pid)
    assert found["archived"]["value"] == "invoices/INV-9"
    assert found["copies"] == {"type": "Long", "value": 4, "valueInfo": {}}
    assert found["audit_start"]["value"] == "archiveIt" and found["audit_end"]["value"] == (
        "archiveIt")
    assert CALLS == [("archive", {"folder": "invoices", "copies": 4})]
    assert only_task(client, pid)["assignee"] == "kermit"


def test_the_delegate_expression_sample(client, handlers):
    deploy(client, ("loan.bpmn", model("examples/example-embedded-loanApproval.bpmn")))
    assert start(client, "loanApproval")["ended"] is True
    assert CALLS == [("interest", None)]


def test_an_unregistered_name_is_refused_at_deploy(client):
    response = _upload(client, "loan.bpmn", model("examples/example-embedded-loanApproval.bpmn"))
    assert response.status_code == 400
    problem = response.json()["details"]["loan.bpmn"]["errors"][0]
    assert problem["mainElementId"] == "ServiceTask_1"
    assert "'calculateInterestService', which is not registered" in problem["message"]
    response = _upload(client, "a.bpmn", ARCHIVE)
    assert response.status_code == 400
    ids = {p["mainElementId"] for p in response.json()["details"]["a.bpmn"]["errors"]}
    assert ids == {"archiveIt", "review"}
    assert client.get("/deployment/count").json()["count"] == 0


CHECK = bpmn("check", """
    <startEvent id="s"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="checkIt"/>
    <serviceTask id="checkIt" camunda:class="com.example.Check"/>
    <boundaryEvent id="tooMuch" attachedToRef="checkIt">
      <errorEventDefinition errorRef="err" camunda:errorCodeVariable="code"
                            camunda:errorMessageVariable="why"/>
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="checkIt" targetRef="ok"/>
    <sequenceFlow id="f3" sourceRef="tooMuch" targetRef="rejected"/>
    <userTask id="ok"/><userTask id="rejected"/>
""").replace(b"</definitions>", b'<error id="err" errorCode="TOO_MUCH"/></definitions>')


@pytest.mark.parametrize("amount, task", [(10, "ok"), (5000, "rejected")])
def test_a_bpmn_error_from_a_handler_is_caught(client, handlers, amount, task):
    deploy(client, ("check.bpmn", CHECK))
    pid = start(client, "check", {"amount": typed(amount, "Integer")})["id"]
    assert only_task(client, pid)["taskDefinitionKey"] == task
    if task == "rejected":
        found = variables(client, pid)
        assert found["code"]["value"] == "TOO_MUCH"
        assert found["why"]["value"] == "amount over the limit"


def test_a_failing_handler_fails_the_command(client, handlers):
    deploy(client, ("broken.bpmn", bpmn("broken", """
        <startEvent id="s"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
        <userTask id="t"/>
        <sequenceFlow id="f2" sourceRef="t" targetRef="end"/>
        <endEvent id="end">
          <messageEventDefinition/>
          <extensionElements><camunda:field name="unused" stringValue="x"/></extensionElements>
        </endEvent>
    """).replace(b"<endEvent id=\"end\">", b"<endEvent id=\"end\" "
                 b"camunda:class=\"com.example.Broken\">")))
    pid = start(client, "broken")["id"]
    task = only_task(client, pid)
    response = client.post(f"/task/{task['id']}/complete", json={})
    assert response.status_code == 500
    assert "Delegate com.example.Broken failed: ValueError: database is down" in (
        response.json()["message"])
    assert only_task(client, pid)["id"] == task["id"]  # nothing moved


def test_a_message_end_event_with_a_class_runs_it(client, handlers):
    deploy(client, ("end.bpmn", bpmn("endClass", """
        <startEvent id="s"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
        <userTask id="t"/>
        <sequenceFlow id="f2" sourceRef="t" targetRef="end"/>
        <endEvent id="end" camunda:class="com.example.Check"><messageEventDefinition/></endEvent>
    """)))
    pid = start(client, "endClass", {"amount": typed(1, "Integer")})["id"]
    complete(client, only_task(client, pid)["id"])
    history = client.get(f"/history/variable-instance?processInstanceId={pid}&variableName=checked")
    assert history.json()[0]["value"] is True
