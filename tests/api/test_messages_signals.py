"""Messages and signals through REST, as Camunda 7 answers them: correlation by business key,
correlation keys and local correlation keys, ambiguous and missing receivers, ``all``,
the result shapes, signals reaching many instances (and signal start events, and one targeted
execution); the event-subscription queries; the execution operations (signal, message
subscriptions, custom incidents); and ``POST /condition``."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_error, complete, count, only_task, start, task_keys, typed
from tests.api.test_bpmn_events import (
    correlate,
    definitions,
    delivered,
    ended,
    execution_at,
    leaves,
    signal,
    subscriptions,
    variables,
)
from tests.conftest import deploy, model

WAIT_FOR_ORDER = definitions("orders", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="awaitOrder"/>
    <receiveTask id="awaitOrder" messageRef="order">
      <extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="slot">${slotNo}</camunda:inputParameter>
        </camunda:inputOutput>
      </extensionElements>
    </receiveTask>
    <sequenceFlow id="f2" sourceRef="awaitOrder" targetRef="ship"/>
    <userTask id="ship"/>
""", top='<message id="order" name="orderPlaced"/>')

NO_MATCH = ("org.camunda.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate "
            "message 'orderPlaced': No process definition or execution matches the parameters")


@pytest.fixture
def three_orders(client):
    """Three instances waiting for 'orderPlaced': keys A, B, B; customers 1, 2, 2; slots 1-3."""
    deploy(client, ("orders.bpmn", WAIT_FOR_ORDER))
    out = []
    for key, customer, slot in (("A", "c1", 1), ("B", "c2", 2), ("B", "c2", 3)):
        out.append(start(client, "orders", {"customer": typed(customer),
                                            "slotNo": typed(slot, "Integer")},
                         businessKey=key)["id"])
    return out


def _moved(client, pids):
    return [task_keys(client, pid) == ["ship"] for pid in pids]


def test_correlation_by_business_key(client, three_orders):
    delivered(client, "orderPlaced", businessKey="A",
              processVariables={"total": typed(10, "Long")})
    assert _moved(client, three_orders) == [True, False, False]
    assert variables(client, three_orders[0])["total"] == 10


def test_correlation_by_process_and_local_correlation_keys(client, three_orders):
    a, b1, b2 = three_orders
    delivered(client, "orderPlaced", correlationKeys={"customer": typed("c1")})
    assert _moved(client, three_orders) == [True, False, False]
    # 'slot' is local to the receive task: only localCorrelationKeys see it
    assert correlate(client, "orderPlaced", correlationKeys={
        "slot": typed(3, "Integer")}).status_code == 400
    [result] = delivered(client, "orderPlaced", resultEnabled=True, localCorrelationKeys={
        "slot": typed(3, "Integer")}, processVariablesLocal={"note": typed("local")})
    assert result["execution"]["processInstanceId"] == b2
    assert _moved(client, three_orders) == [True, False, True]
    # a local payload lands on the receiving execution, which is gone now
    assert "note" not in variables(client, b2)
    delivered(client, "orderPlaced", processInstanceId=b1)
    assert _moved(client, three_orders) == [True, True, True]


def test_ambiguous_correlation_is_a_400_and_changes_nothing(client, three_orders):
    response = correlate(client, "orderPlaced", businessKey="B")
    body = assert_error(response, 400, "RestException")
    assert "Cannot correlate a message with name 'orderPlaced' to a single execution. " \
           "2 executions match the correlation keys" in body["message"]
    assert _moved(client, three_orders) == [False, False, False]


def test_ambiguous_correlation_message_is_camundas(client, three_orders):
    response = correlate(client, "orderPlaced")
    assert_error(response, 400, "RestException", (
        "org.camunda.bpm.engine.MismatchingMessageCorrelationException: ENGINE-13031 Cannot "
        "correlate a message with name 'orderPlaced' to a single execution. 3 executions match "
        "the correlation keys: CorrelationSet [businessKey=null, processInstanceId=null, "
        "processDefinitionId=null, correlationKeys=null, localCorrelationKeys=null, "
        "tenantId=null, isTenantIdSet=false, isExecutionsOnly=false]"))


def test_no_receiver_is_a_400(client, three_orders):
    body = assert_error(correlate(client, "orderPlaced", businessKey="Z"), 400, "RestException")
    assert "No process definition or execution matches the parameters" in body["message"]
    assert_error(client.post("/message", json={}), 400, "InvalidRequestException",
                 "No message name supplied")
    assert_error(correlate(client, "orderPlaced", tenantId="t1", withoutTenantId=True), 400,
                 "InvalidRequestException")


def test_no_receiver_message_is_camundas(client, three_orders):
    assert_error(correlate(client, "orderPlaced", businessKey="Z"), 400, "RestException",
                 NO_MATCH)


def test_all_reaches_every_matching_execution(client, three_orders):
    results = delivered(client, "orderPlaced", all=True, businessKey="B", resultEnabled=True)
    assert sorted(r["execution"]["processInstanceId"] for r in results) == sorted(
        three_orders[1:])
    assert {r["resultType"] for r in results} == {"Execution"}
    assert _moved(client, three_orders) == [False, True, True]
    delivered(client, "orderPlaced", all=True)
    assert _moved(client, three_orders) == [True, True, True]


def test_all_with_no_receiver_is_no_error(client, three_orders):
    assert correlate(client, "nobodyListens", all=True).status_code == 204
    response = correlate(client, "nobodyListens", all=True, resultEnabled=True)
    assert response.status_code == 200 and response.json() == []


def test_result_shapes(client, three_orders):
    a = three_orders[0]
    [plain] = delivered(client, "orderPlaced", businessKey="A", resultEnabled=True)
    assert set(plain) == {"resultType", "execution", "processInstance"}
    assert plain["processInstance"] is None
    assert set(plain["execution"]) == {"id", "processInstanceId", "ended", "tenantId"}

    [with_vars] = delivered(client, "orderPlaced", processInstanceId=three_orders[1],
                            variablesInResultEnabled=True,
                            processVariables={"paid": typed(True)})
    assert set(with_vars) == {"resultType", "execution", "processInstance", "variables"}
    assert with_vars["variables"]["paid"] == {"type": "Boolean", "value": True, "valueInfo": {}}
    assert with_vars["variables"]["customer"]["value"] == "c2"
    assert "slot" not in with_vars["variables"]  # local to the receive task, which is gone
    assert task_keys(client, a) == ["ship"]


ONE_STEP = definitions("oneStep", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="go"/>
    </intermediateCatchEvent>
    <sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <endEvent id="end"/>
""", top='<message id="go" name="go"/>')


def test_variables_in_result_of_an_instance_the_message_ends(client):
    deploy(client, ("one.bpmn", ONE_STEP))
    pid = start(client, "oneStep", {"before": typed("x")})["id"]
    [result] = delivered(client, "go", variablesInResultEnabled=True,
                         processVariables={"after": typed(1, "Integer")})
    assert ended(client, pid)
    assert {k: v["value"] for k, v in result["variables"].items()} == {"before": "x",
                                                                      "after": 1}


def test_message_start_result_with_variables(client):
    deploy(client, ("start.bpmn", model("messages/example-message_start_process.bpmn")))
    [result] = delivered(client, "instantiationMessage", variablesInResultEnabled=True,
                         processVariables={"origin": typed("rest")})
    assert result["resultType"] == "ProcessDefinition" and result["execution"] is None
    assert result["variables"] == {"origin": {"type": "String", "value": "rest",
                                              "valueInfo": {}}}
    assert only_task(client, result["processInstance"]["id"])["name"] == (
        "Wait in Message Process")


# -- signals ---------------------------------------------------------------------------------------
SIGNALS = definitions("signalCatcher", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <intermediateCatchEvent id="wait"><signalEventDefinition signalRef="alert"/>
    </intermediateCatchEvent>
    <sequenceFlow id="f2" sourceRef="wait" targetRef="react"/>
    <userTask id="react"/>
""", top='<signal id="alert" name="alert"/>', extra_processes="""
  <process id="signalStarted" isExecutable="true">
    <startEvent id="signalStart"><signalEventDefinition signalRef="alert"/></startEvent>
    <sequenceFlow id="g1" sourceRef="signalStart" targetRef="started"/>
    <userTask id="started"/>
  </process>
  <process id="signalThrower" isExecutable="true">
    <startEvent id="throwStart"/>
    <sequenceFlow id="h1" sourceRef="throwStart" targetRef="beforeThrow"/>
    <userTask id="beforeThrow"/>
    <sequenceFlow id="h2" sourceRef="beforeThrow" targetRef="shout"/>
    <intermediateThrowEvent id="shout"><signalEventDefinition signalRef="alert"/>
    </intermediateThrowEvent>
    <sequenceFlow id="h3" sourceRef="shout" targetRef="shouted"/>
    <endEvent id="shouted"><signalEventDefinition signalRef="alert"/></endEvent>
  </process>""")


def test_signal_reaches_every_waiting_instance_and_starts_signal_start_events(client):
    deploy(client, ("signals.bpmn", SIGNALS))
    catchers = [start(client, "signalCatcher")["id"] for _ in range(3)]
    [start_sub] = subscriptions(client, eventType="signal", activityId="signalStart")
    assert start_sub["executionId"] is None
    assert len(subscriptions(client, eventType="signal", eventName="alert")) == 4

    signal(client, "alert", variables={"level": typed(3, "Integer")})
    assert [task_keys(client, pid) for pid in catchers] == [["react"]] * 3
    assert [variables(client, pid) for pid in catchers] == [{"level": 3}] * 3
    [started] = client.get("/process-instance",
                           params={"processDefinitionKey": "signalStarted"}).json()
    assert task_keys(client, started["id"]) == ["started"]
    assert variables(client, started["id"]) == {"level": 3}
    # unknown signals reach nobody and are no error
    signal(client, "nobody-listens")


def test_signal_throw_and_end_events_reach_other_instances(client):
    deploy(client, ("signals.bpmn", SIGNALS))
    catcher = start(client, "signalCatcher")["id"]
    thrower = start(client, "signalThrower")["id"]
    complete(client, only_task(client, thrower)["id"])
    assert ended(client, thrower)
    assert task_keys(client, catcher) == ["react"]
    # the intermediate throw and the end event each started an instance
    assert count(client, "/process-instance", processDefinitionKey="signalStarted") == 2


def test_signal_to_one_execution(client):
    deploy(client, ("signals.bpmn", SIGNALS))
    first, second = (start(client, "signalCatcher")["id"] for _ in range(2))
    target = execution_at(client, second, "wait")
    signal(client, "alert", executionId=target)
    assert task_keys(client, first) == [] and task_keys(client, second) == ["react"]
    # a targeted signal starts nothing
    assert count(client, "/process-instance", processDefinitionKey="signalStarted") == 0
    assert_error(client.post("/signal", json={}), 400, "InvalidRequestException",
                 "No signal name given")


def test_signal_to_an_execution_that_does_not_wait_for_it(client):
    deploy(client, ("signals.bpmn", SIGNALS))
    pid = start(client, "signalCatcher")["id"]
    body = assert_error(client.post("/signal", json={"name": "other", "executionId": pid}),
                        400, "NotFoundException")
    assert f"Execution '{pid}' has not subscribed to a signal event with name 'other'." in (
        body["message"])
    assert_error(client.post("/signal", json={"name": "alert", "executionId": "nope"}), 500,
                 "NullValueException", "Cannot find execution with id 'nope': execution is null")


# -- event subscriptions ---------------------------------------------------------------------------
def test_event_subscription_queries(client, three_orders):
    deploy(client, ("signals.bpmn", SIGNALS))
    catcher = start(client, "signalCatcher")["id"]
    everything = subscriptions(client)
    assert len(everything) == 5
    assert count(client, "/event-subscription") == 5
    [sub] = subscriptions(client, processInstanceId=catcher)
    assert set(sub) == {"id", "eventType", "eventName", "executionId", "processInstanceId",
                        "activityId", "createdDate", "tenantId"}
    assert (sub["eventType"], sub["eventName"], sub["activityId"], sub["tenantId"]) == (
        "signal", "alert", "wait", None)
    assert subscriptions(client, eventSubscriptionId=sub["id"]) == [sub]
    assert subscriptions(client, executionId=sub["executionId"]) == [sub]
    assert len(subscriptions(client, eventType="message")) == 3
    assert len(subscriptions(client, eventName="orderPlaced", activityId="awaitOrder")) == 3
    assert count(client, "/event-subscription", eventType="signal") == 2
    assert len(subscriptions(client, withoutTenantId="true")) == 5
    assert subscriptions(client, tenantIdIn="t1,t2") == []
    assert len(subscriptions(client, tenantIdIn="t1",
                             includeEventSubscriptionsWithoutTenantId="true")) == 5

    newest_first = subscriptions(client, sortBy="created", sortOrder="desc")
    assert [s["createdDate"] for s in newest_first] == sorted(
        (s["createdDate"] for s in everything), reverse=True)
    page = subscriptions(client, sortBy="created", sortOrder="asc", firstResult=1,
                         maxResults=2)
    assert len(page) == 2
    assert_error(client.get("/event-subscription", params={"sortBy": "created"}), 400,
                 "InvalidRequestException")
    assert_error(client.get("/event-subscription", params={
        "sortBy": "eventName", "sortOrder": "asc"}), 400, "InvalidRequestException")


# -- the execution operations ----------------------------------------------------------------------
def test_message_subscription_of_an_execution_get_and_trigger(client, three_orders):
    a = three_orders[0]
    waiting = execution_at(client, a, "awaitOrder")
    response = client.get(f"/execution/{waiting}/messageSubscriptions/orderPlaced")
    assert response.status_code == 200, response.text
    sub = response.json()
    assert (sub["executionId"], sub["processInstanceId"], sub["eventType"]) == (
        waiting, a, "message")
    # the process instance id stands for its single waiting token, as in Camunda
    by_instance = client.get(f"/execution/{a}/messageSubscriptions/orderPlaced")
    assert by_instance.json()["id"] == sub["id"]
    assert_error(client.get(f"/execution/{waiting}/messageSubscriptions/other"), 404,
                 "InvalidRequestException",
                 f"Message event subscription for execution {waiting} named other does not "
                 "exist")

    response = client.post(f"/execution/{waiting}/messageSubscriptions/orderPlaced/trigger",
                           json={"variables": {"via": typed("trigger")}})
    assert response.status_code == 204, response.text
    assert task_keys(client, a) == ["ship"]
    assert variables(client, a)["via"] == "trigger"
    assert_error(client.post(f"/execution/{waiting}/messageSubscriptions/orderPlaced/trigger",
                             json={}), 500, "RestException",
                 f"Cannot trigger message orderPlaced for execution {waiting}: Execution with "
                 f"id '{waiting}' does not have a subscription to a message event with name "
                 "'orderPlaced': eventSubscriptions is empty")
    bad = client.post(f"/execution/{three_orders[1]}/messageSubscriptions/orderPlaced/trigger",
                      json={"variables": {"n": {"value": "x", "type": "Integer"}}})
    assert_error(bad, 400, "InvalidRequestException")
    assert bad.json()["message"].startswith(
        f"Cannot trigger message orderPlaced for execution {three_orders[1]}: ")


def test_signal_an_execution(client, three_orders):
    a = three_orders[0]
    waiting = execution_at(client, a, "awaitOrder")
    response = client.post(f"/execution/{waiting}/signal",
                           json={"variables": {"skipped": typed(True)}})
    assert response.status_code == 204, response.text
    assert task_keys(client, a) == ["ship"]
    assert variables(client, a)["skipped"] is True
    # the user task can be skipped too; its task goes with it
    task = only_task(client, a)
    assert client.post(f"/execution/{task['executionId']}/signal", json={}).status_code == 204
    assert ended(client, a)
    assert client.get(f"/task/{task['id']}").status_code == 404
    assert_error(client.post("/execution/nope/signal", json={}), 500, "RestException",
                 "Cannot signal execution nope: execution nope doesn't exist: execution is null")
    bad = client.post(f"/execution/{three_orders[1]}/signal",
                      json={"variables": {"n": {"value": "x", "type": "Integer"}}})
    body = assert_error(bad, 400, "InvalidRequestException")
    assert body["message"].startswith(f"Cannot signal execution {three_orders[1]}: ")


TWO_TOKENS = definitions("twoTokens", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="left"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="right"/>
    <receiveTask id="left"/>
    <receiveTask id="right"/>
""")


def test_a_process_instance_with_two_tokens_has_no_current_activity(client):
    deploy(client, ("two.bpmn", TWO_TOKENS))
    pid = start(client, "twoTokens")["id"]
    assert_error(client.post(f"/execution/{pid}/signal", json={}), 500, "RestException",
                 f"Cannot signal execution {pid}: cannot signal execution {pid}: it has no "
                 "current activity")
    assert_error(client.post(f"/execution/{pid}/create-incident",
                             json={"incidentType": "custom"}), 400, "InvalidRequestException",
                 "Execution must be related to an activity: activity is null")
    right = execution_at(client, pid, "right")
    assert client.post(f"/execution/{right}/signal", json={}).status_code == 204
    assert leaves(client, pid) == ["left"]


def test_create_a_custom_incident(client, three_orders):
    a = three_orders[0]
    waiting = execution_at(client, a, "awaitOrder")
    response = client.post(f"/execution/{waiting}/create-incident", json={
        "incidentType": "customType", "configuration": "cfg-1", "message": "look at me"})
    assert response.status_code == 200, response.text
    incident = response.json()
    assert (incident["incidentType"], incident["configuration"], incident["incidentMessage"],
            incident["executionId"], incident["processInstanceId"], incident["activityId"],
            incident["failedActivityId"]) == (
        "customType", "cfg-1", "look at me", waiting, a, "awaitOrder", "awaitOrder")
    assert incident["causeIncidentId"] == incident["rootCauseIncidentId"] == incident["id"]
    assert incident["jobDefinitionId"] is None and incident["tenantId"] is None
    hist = client.get("/history/incident", params={"processInstanceId": a})
    if hist.status_code == 200:  # the history route may not be served yet
        assert [i["id"] for i in hist.json()] == [incident["id"]]

    by_instance = client.post(f"/execution/{three_orders[1]}/create-incident",
                              json={"incidentType": "other"})
    assert by_instance.json()["activityId"] == "awaitOrder"
    assert_error(client.post(f"/execution/{waiting}/create-incident", json={}), 400,
                 "InvalidRequestException", "incidentType is null")
    assert_error(client.post("/execution/nope/create-incident", json={"incidentType": "x"}),
                 400, "InvalidRequestException",
                 "Cannot find an execution with executionId 'nope': execution is null")


# -- POST /condition -------------------------------------------------------------------------------
def test_condition_without_conditional_start_events(client, three_orders):
    """Conditional start events are refused at deploy: Camunda's answer when none exists."""
    assert_error(client.post("/condition", json={"variables": {"x": typed(1, "Integer")}}),
                 500, "ProcessEngineException",
                 "ENGINE-13043 No subscriptions were found during evaluation of the "
                 "conditional start events.")
    def_id = client.get("/process-definition/key/orders").json()["id"]
    assert_error(client.post("/condition", json={"processDefinitionId": def_id}), 500,
                 "ProcessEngineException",
                 f"ENGINE-13042 Process definition with id '{def_id}' does not declare "
                 "conditional start event.")
    assert_error(client.post("/condition", json={"processDefinitionId": "nope"}), 500,
                 "NullValueException",
                 "no deployed process definition found with id 'nope': processDefinition is "
                 "null")
    assert_error(client.post("/condition", json={"tenantId": "t", "withoutTenantId": True}),
                 400, "InvalidRequestException",
                 "Parameter 'tenantId' cannot be used together with parameter "
                 "'withoutTenantId'.")


def test_tenants_of_messages_signals_and_subscriptions(client):
    deploy(client, ("orders.bpmn", WAIT_FOR_ORDER), tenant_id="t1")
    deploy(client, ("orders.bpmn", WAIT_FOR_ORDER))
    deploy(client, ("signals.bpmn", SIGNALS), tenant_id="t2")
    variables_ = {"customer": typed("c"), "slotNo": typed(1, "Integer")}
    tenant = client.post("/process-definition/key/orders/tenant-id/t1/start",
                         json={"variables": variables_}).json()["id"]
    shared = start(client, "orders", variables_)["id"]
    catcher = client.post("/process-definition/key/signalCatcher/tenant-id/t2/start",
                          json={}).json()["id"]
    assert [s["tenantId"] for s in subscriptions(client, processInstanceId=tenant)] == ["t1"]
    assert len(subscriptions(client, tenantIdIn="t1,t2")) == 3  # t2 has a signal start too
    assert len(subscriptions(client, tenantIdIn="t1",
                             includeEventSubscriptionsWithoutTenantId="true")) == 2
    assert [s["processInstanceId"] for s in subscriptions(client, withoutTenantId="true")] == [
        shared]

    delivered(client, "orderPlaced", tenantId="t1")
    assert _moved(client, [tenant, shared]) == [True, False]
    delivered(client, "orderPlaced", withoutTenantId=True)
    assert _moved(client, [tenant, shared]) == [True, True]

    signal(client, "alert", tenantId="other")
    assert task_keys(client, catcher) == []
    signal(client, "alert", tenantId="t2")
    assert task_keys(client, catcher) == ["react"]


OTHER_STARTER = definitions("otherStarter", """
    <startEvent id="otherStart"><messageEventDefinition messageRef="m"/></startEvent>
    <sequenceFlow id="f1" sourceRef="otherStart" targetRef="t"/>
    <userTask id="t"/>
""", top='<message id="m" name="instantiationMessage"/>')


def test_two_definitions_may_not_start_on_the_same_message(client):
    """MessageStartEventTest.testSameMessageNameFails: the second deployment is refused."""
    deploy(client, ("start.bpmn", model("messages/example-message_start_process.bpmn")))
    files = [("data", ("other.bpmn", OTHER_STARTER, "application/octet-stream"))]
    response = client.post("/deployment/create", files=files)
    assert response.status_code in (400, 500), response.text
    assert "there already is a message event subscription for the message with name " \
           "'instantiationMessage'" in response.json()["message"]
    assert len(subscriptions(client, eventName="instantiationMessage")) == 1


def test_a_new_version_takes_over_the_message_start_subscription(client):
    first = model("messages/example-message_start_process.bpmn")
    deploy(client, ("start.bpmn", first))
    deploy(client, ("start.bpmn", first.replace(b'name="Wait in Message Process"',
                                                b'name="v2"')))
    [sub] = subscriptions(client, eventName="instantiationMessage")
    [result] = delivered(client, "instantiationMessage", resultEnabled=True)
    assert only_task(client, result["processInstance"]["id"])["name"] == "v2"
    assert result["processInstance"]["definitionId"] == client.get(
        "/process-definition/key/Message_Start_Process").json()["id"]
