"""Camunda Connect through REST: http-connector and soap-http-connector against real servers on
127.0.0.1 — requests, output mapping, errors, timeouts, incidents and retries, the samples."""

from __future__ import annotations

import pytest

from bpmnflow import connect, scripting
from bpmnflow.connect import client as http_client
from bpmnflow.connect.settings import HttpSettings
from bpmnflow.jobs.executor import run_job
from tests.api.helpers import only_task, start, typed
from tests.conftest import bpmn, deploy, model
from tests.connect.stub import closed_port, serve

stub = pytest.fixture(scope="module")(serve)


def variables(client, pid):
    return client.get(f"/process-instance/{pid}/variables").json()


def connector_task(inputs: str, outputs: str, connector_id: str = "http-connector",
                   tag: str = "serviceTask", attrs: str = "", extra: str = "") -> str:
    return f"""
    <{tag} id="call" {attrs}>
      <extensionElements>
        {extra}
        <camunda:connector>
          <camunda:connectorId>{connector_id}</camunda:connectorId>
          <camunda:inputOutput>{inputs}{outputs}</camunda:inputOutput>
        </camunda:connector>
      </extensionElements>
    </{tag}>"""


def process(key: str, task: str) -> bytes:
    return bpmn(key, f"""
        <startEvent id="s"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
        {task}
        <sequenceFlow id="f2" sourceRef="call" targetRef="wait"/>
        <userTask id="wait" name="Wait"/>
    """)


GET_JSON = process("getJson", connector_task("""
    <camunda:inputParameter name="url">${base}/json</camunda:inputParameter>
    <camunda:inputParameter name="method">GET</camunda:inputParameter>
    <camunda:inputParameter name="headers">
      <camunda:map>
        <camunda:entry key="Accept">application/json</camunda:entry>
        <camunda:entry key="X-Custom">${custom}</camunda:entry>
      </camunda:map>
    </camunda:inputParameter>""", """
    <camunda:outputParameter name="name">
      ${S(response).prop("name").stringValue()}</camunda:outputParameter>
    <camunda:outputParameter name="status">${statusCode}</camunda:outputParameter>
    <camunda:outputParameter name="answer">${headers["X-Answer"]}</camunda:outputParameter>
    <camunda:outputParameter name="summary">
      <camunda:script scriptFormat="javascript">
        var body = S(response);
        body.prop("items").elements().length + "/" + body.prop("custom").stringValue() + "/" +
          connector.getVariable("statusCode")
      </camunda:script>
    </camunda:outputParameter>"""))


def test_get_with_headers_and_output_mapping(client, stub):
    deploy(client, ("get.bpmn", GET_JSON))
    pid = start(client, "getJson", {"base": typed(stub.url), "custom": typed("yes")})["id"]
    found = variables(client, pid)
    assert found["name"]["value"] == "bpmnflow"
    assert found["status"] == {"type": "Integer", "value": 200, "valueInfo": {}}
    assert found["answer"]["value"] == "42"
    assert found["summary"]["value"] == "3/yes/200"
    for name in ("url", "method", "headers", "response", "statusCode"):
        assert name not in found  # connector parameters are not process variables
    assert only_task(client, pid)["name"] == "Wait"


POST_JSON = process("postJson", connector_task("""
    <camunda:inputParameter name="url">${base}/echo</camunda:inputParameter>
    <camunda:inputParameter name="method">POST</camunda:inputParameter>
    <camunda:inputParameter name="headers">
      <camunda:map><camunda:entry key="Content-Type">application/json</camunda:entry></camunda:map>
    </camunda:inputParameter>
    <camunda:inputParameter name="payload">
      <camunda:script scriptFormat="javascript">
        JSON.stringify({order: orderId, amount: amount})</camunda:script>
    </camunda:inputParameter>""", """
    <camunda:outputParameter name="echo">${S(response)}</camunda:outputParameter>
    <camunda:outputParameter name="created">${statusCode == 201}</camunda:outputParameter>""",
    tag="sendTask"))


def test_post_a_json_payload_from_a_send_task(client, stub):
    deploy(client, ("post.bpmn", POST_JSON))
    pid = start(client, "postJson", {"base": typed(stub.url), "orderId": typed("A-7"),
                                     "amount": typed(12, "Integer")})["id"]
    found = variables(client, pid)
    assert found["created"]["value"] is True
    assert found["echo"]["type"] == "Json"
    assert '"body":"{\\"order\\":\\"A-7\\",\\"amount\\":12}"' in found["echo"]["value"]
    assert '"contentType":"application/json"' in found["echo"]["value"]


def status_process(throw: bool) -> bytes:
    config = """
    <camunda:inputParameter name="request-config">
      <camunda:map><camunda:entry key="throw-http-error">true</camunda:entry></camunda:map>
    </camunda:inputParameter>""" if throw else ""
    return process("status", connector_task(f"""
        <camunda:inputParameter name="url">${{base}}/status/${{code}}</camunda:inputParameter>
        <camunda:inputParameter name="method">GET</camunda:inputParameter>{config}""", """
        <camunda:outputParameter name="status">${statusCode}</camunda:outputParameter>
        <camunda:outputParameter name="body">${response}</camunda:outputParameter>"""))


def test_an_error_status_is_an_answer(client, stub):
    deploy(client, ("status.bpmn", status_process(throw=False)))
    pid = start(client, "status", {"base": typed(stub.url), "code": typed(503, "Integer")})["id"]
    found = variables(client, pid)
    assert found["status"]["value"] == 503 and found["body"]["value"] == "failed with 503"


def test_throw_http_error_fails_the_activity(client, stub):
    deploy(client, ("status.bpmn", status_process(throw=True)))
    response = client.post("/process-definition/key/status/start", json={"variables": {
        "base": typed(stub.url), "code": typed(404, "Integer")}})
    assert response.status_code == 500
    assert "HTTP request failed with Status Code: 404" in response.json()["message"]
    assert client.get("/process-instance/count").json()["count"] == 0


def test_a_timeout_fails_the_activity(client, stub):
    deploy(client, ("slow.bpmn", process("slow", connector_task("""
        <camunda:inputParameter name="url">${base}/slow</camunda:inputParameter>
        <camunda:inputParameter name="method">GET</camunda:inputParameter>
        <camunda:inputParameter name="request-config">
          <camunda:map><camunda:entry key="socket-timeout">200</camunda:entry></camunda:map>
        </camunda:inputParameter>""", ""))))
    response = client.post("/process-definition/key/slow/start",
                           json={"variables": {"base": typed(stub.url)}})
    assert response.status_code == 500 and "timed out" in response.json()["message"]


ASYNC_CALL = process("asyncCall", connector_task("""
    <camunda:inputParameter name="url">${base}/json</camunda:inputParameter>
    <camunda:inputParameter name="method">GET</camunda:inputParameter>""", """
    <camunda:outputParameter name="name">
      ${S(response).prop("name").stringValue()}</camunda:outputParameter>""",
    attrs='camunda:asyncBefore="true"',
    extra="<camunda:failedJobRetryTimeCycle>R1/PT0S</camunda:failedJobRetryTimeCycle>"))


def test_a_refused_connection_in_an_async_task_is_an_incident_until_retried(client, server,
                                                                              stub):
    deploy(client, ("async.bpmn", ASYNC_CALL))
    down = f"http://127.0.0.1:{closed_port()}"
    pid = start(client, "asyncCall", {"base": typed(down)})["id"]
    job = client.get("/job", params={"processInstanceId": pid}).json()[0]
    failure = run_job(server.engine, job["id"])
    assert failure is not None and "Unable to execute HTTP request" in str(failure)
    job = client.get(f"/job/{job['id']}").json()
    assert job["retries"] == 0 and "Unable to execute HTTP request" in job["exceptionMessage"]
    incidents = client.get("/incident", params={"processInstanceId": pid}).json()
    assert [i["incidentType"] for i in incidents] == ["failedJob"]
    assert incidents[0]["activityId"] == "call"
    # the service is back (here: the instance is pointed at it) and an operator retries
    response = client.put(f"/process-instance/{pid}/variables/base", json=typed(stub.url))
    assert response.status_code == 204
    assert client.put(f"/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert run_job(server.engine, job["id"]) is None
    assert client.get("/incident", params={"processInstanceId": pid}).json() == []
    assert variables(client, pid)["name"]["value"] == "bpmnflow"
    assert only_task(client, pid)["name"] == "Wait"


SOAP = bpmn("weather", """
    <startEvent id="s"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
    <serviceTask id="call" name="Get Weather Forecast">
      <extensionElements>
        <camunda:connector>
          <camunda:connectorId>soap-http-connector</camunda:connectorId>
          <camunda:inputOutput>
            <camunda:inputParameter name="url">${base.concat("/soap")}</camunda:inputParameter>
            <camunda:inputParameter name="payload">
              <camunda:script scriptFormat="javascript"><![CDATA[
'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:w="urn:weather">' +
'<soap:Body><w:GetWeather><w:City>' + city + '</w:City></w:GetWeather></soap:Body></soap:Envelope>'
              ]]></camunda:script>
            </camunda:inputParameter>
            <camunda:inputParameter name="headers">
              <camunda:map>
                <camunda:entry key="SOAPAction">urn:weather/GetWeather</camunda:entry>
              </camunda:map>
            </camunda:inputParameter>
            <camunda:outputParameter name="forecast">
                ${S(response)
                    .childElement("Body")
                    .childElement("urn:weather", "GetWeatherResponse")
                    .childElement("GetWeatherResult")}
            </camunda:outputParameter>
          </camunda:inputOutput>
        </camunda:connector>
        <camunda:inputOutput>
          <camunda:outputParameter name="temperature">
            <camunda:script scriptFormat="Javascript">
              S(forecast).childElement("Temperature").textContent()
            </camunda:script>
          </camunda:outputParameter>
        </camunda:inputOutput>
      </extensionElements>
    </serviceTask>
    <sequenceFlow id="f2" sourceRef="call" targetRef="gw"/>
    <exclusiveGateway id="gw"/>
    <sequenceFlow id="warm" sourceRef="gw" targetRef="packWarm">
      <conditionExpression xsi:type="tFormalExpression">
        ${temperature &gt;= 18}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="cold" sourceRef="gw" targetRef="packCold">
      <conditionExpression xsi:type="tFormalExpression">${temperature &lt; 18}</conditionExpression>
    </sequenceFlow>
    <userTask id="packWarm" name="Pack for warm weather"/>
    <userTask id="packCold" name="Pack for cold weather"/>
""")


@pytest.mark.parametrize("city, temperature, task", [("Berlin", "17", "Pack for cold weather"),
                                                     ("Rome", "24", "Pack for warm weather")])
def test_the_soap_connector(client, stub, city, temperature, task):
    deploy(client, ("soap.bpmn", SOAP))
    pid = start(client, "weather", {"base": typed(stub.url), "city": typed(city)})["id"]
    found = variables(client, pid)
    assert found["temperature"]["value"] == temperature
    assert found["forecast"]["type"] == "Xml"
    assert only_task(client, pid)["name"] == task


PARSE_HOLIDAY = """
var holidays = S(response);
holidays.jsonPath("$[?(@.datum == '" + date + "')]").elementList().size() > 0
"""


@pytest.mark.parametrize("date, task", [("2014-04-21", "Pack for holiday"),
                                        ("2014-01-02", "Pack for work")])
def test_the_rest_service_sample_through_a_configured_proxy(client, stub, tmp_path, date, task):
    (tmp_path / "parseHoliday.js").write_text(PARSE_HOLIDAY)
    previous_http = http_client.settings()
    previous_scripts = scripting.configure(classpath=str(tmp_path))
    connect.configure(HttpSettings(proxy=stub.url))
    try:
        deploy(client, ("holiday.bpmn", model("connector/example-invokeRestService.bpmn")))
        pid = start(client, "holiday", {"date": typed(date)})["id"]
        assert only_task(client, pid)["name"] == task
        assert variables(client, pid)["isHoliday"]["value"] is (task == "Pack for holiday")
    finally:
        connect.configure(previous_http)
        scripting.configure(previous_scripts)


def test_a_message_throw_event_runs_its_connector(client, stub):
    deploy(client, ("throw.bpmn", bpmn("notify", f"""
        <startEvent id="s"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
        <intermediateThrowEvent id="call">
          <extensionElements><camunda:connector>
            <camunda:connectorId>http-connector</camunda:connectorId>
            <camunda:inputOutput>
              <camunda:inputParameter name="url">{stub.url}/echo</camunda:inputParameter>
              <camunda:inputParameter name="method">PUT</camunda:inputParameter>
              <camunda:inputParameter name="payload">${{note}}</camunda:inputParameter>
              <camunda:outputParameter name="sent">
                ${{S(response).prop("body").stringValue()}}</camunda:outputParameter>
            </camunda:inputOutput>
          </camunda:connector></extensionElements>
          <messageEventDefinition messageRef="m"/>
        </intermediateThrowEvent>
        <sequenceFlow id="f2" sourceRef="call" targetRef="wait"/>
        <userTask id="wait"/>
    """).replace(b"</definitions>", b'<message id="m" name="notice"/></definitions>')))
    pid = start(client, "notify", {"note": typed("hello")})["id"]
    assert variables(client, pid)["sent"]["value"] == "hello"


@pytest.mark.parametrize("resource", [
    "connector/ConnectProcessEnginePluginTest.testConnectorInvoked.bpmn",
    "connector/ConnectProcessEnginePluginTest.testConnectorWithScriptInputOutputMapping.bpmn",
])
def test_an_unknown_connector_is_refused_at_deploy(client, resource):
    files = [("data", ("c.bpmn", model(resource), "application/octet-stream"))]
    response = client.post("/deployment/create", files=files, data={"deployment-name": "c"})
    assert response.status_code == 400
    messages = [p["message"] for p in response.json()["details"]["c.bpmn"]["errors"]]
    assert any("Connector 'testConnector' is not available" in m for m in messages)
    assert client.get("/deployment/count").json()["count"] == 0
