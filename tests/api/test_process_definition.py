"""``/process-definition``: queries, lookups by id/key/tenant, XML, diagram, start, statistics,
forms, and every variable type round-tripped through a start."""

from __future__ import annotations

import base64

from tests.api.helpers import DATE, assert_error, count, only_task, start, typed
from tests.conftest import bpmn, deploy, model

ONE_TASK = bpmn("oneTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work" name="Work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""", 'name="One task" camunda:historyTimeToLive="P30D" camunda:versionTag="v1.0"')
STRAIGHT = bpmn("straight", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="double"/>
    <serviceTask id="double" camunda:expression="${amount * 2}" camunda:resultVariable="twice"/>
    <sequenceFlow id="f2" sourceRef="double" targetRef="end"/>
    <endEvent id="end"/>
""", 'camunda:isStartableInTasklist="false"')
FORM = bpmn("withForm", """
    <startEvent id="start" camunda:formKey="embedded:app:forms/start.html">
      <extensionElements>
        <camunda:formData>
          <camunda:formField id="customer" label="Customer" type="string" defaultValue="ACME"/>
          <camunda:formField id="amount" type="long" defaultValue="100"/>
          <camunda:formField id="urgent" type="boolean"/>
        </camunda:formData>
      </extensionElements>
    </startEvent>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work"/>
""")

FILE_CONTENT = "Hällo, file\n".encode()
# What a client sends, and what Camunda answers for it on GET .../variables.
ALL_TYPES = {
    "aString": (typed("text", "String"), typed("text", "String")),
    "anInteger": (typed(42, "Integer"), typed(42, "Integer")),
    "aLong": (typed(9007199254740993, "Long"), typed(9007199254740993, "Long")),
    "aShort": (typed(-7, "Short"), typed(-7, "Short")),
    "aDouble": (typed(3.25, "Double"), typed(3.25, "Double")),
    "aBoolean": (typed(True, "Boolean"), typed(True, "Boolean")),
    "aDate": (typed("2026-01-31T12:00:00.000+00:00", "Date"), typed(DATE, "Date")),
    "aJson": (typed('{"a": [1, 2]}', "Json"), typed('{"a": [1, 2]}', "Json")),
    "anXml": (typed("<a><b>1</b></a>", "Xml"), typed("<a><b>1</b></a>", "Xml")),
    "anObject": (
        typed('{"x":1}', "Object", objectTypeName="java.util.HashMap",
              serializationDataFormat="application/json"),
        typed({"x": 1}, "Object", objectTypeName="java.util.HashMap",
              serializationDataFormat="application/json")),
    "aNull": (typed(None, "Null"), typed(None, "Null")),
    "someBytes": (typed(base64.b64encode(b"\x00\x01\xfe").decode(), "Bytes"),
                  typed(base64.b64encode(b"\x00\x01\xfe").decode(), "Bytes")),
    "aFile": (
        typed(base64.b64encode(FILE_CONTENT).decode(), "File", filename="hello.txt",
              mimeType="text/plain", encoding="UTF-8"),
        typed(None, "File", filename="hello.txt", mimeType="text/plain", encoding="UTF-8")),
    "lowerCaseType": (typed(5, "integer"), typed(5, "Integer")),
    "untypedText": (typed("plain"), typed("plain", "String")),
    "untypedNumber": (typed(12), typed(12, "Integer")),
    "untypedBig": (typed(2**40), typed(2**40, "Long")),
    "untypedFloat": (typed(1.5), typed(1.5, "Double")),
    "untypedBool": (typed(False), typed(False, "Boolean")),
    "untypedNull": ({"value": None, "type": None}, typed(None, "Null")),
}


def _expected(entry):
    return {"type": entry["type"], "value": entry["value"], "valueInfo": entry.get("valueInfo", {})}


def test_every_variable_type_round_trips(client, server):
    deploy(client, ("one.bpmn", ONE_TASK))
    sent = {name: pair[0] for name, pair in ALL_TYPES.items()}
    pid = start(client, "oneTask", sent)["id"]
    expected = {name: _expected(pair[1]) for name, pair in ALL_TYPES.items()}
    assert client.get(f"/process-instance/{pid}/variables").json() == expected
    server.restart()
    assert client.get(f"/process-instance/{pid}/variables").json() == expected
    for name in ("aDate", "anObject", "aFile"):
        one = client.get(f"/process-instance/{pid}/variables/{name}")
        assert one.json() == expected[name]
    raw = client.get(f"/process-instance/{pid}/variables/anObject",
                     params={"deserializeValue": "false"}).json()
    assert raw["value"] == '{"x":1}'
    data = client.get(f"/process-instance/{pid}/variables/aFile/data")
    assert data.status_code == 200 and data.content == FILE_CONTENT
    assert data.headers["content-type"].startswith("text/plain")
    assert "hello.txt" in data.headers["content-disposition"]
    data = client.get(f"/process-instance/{pid}/variables/someBytes/data")
    assert data.content == b"\x00\x01\xfe"
    assert data.headers["content-type"] == "application/octet-stream"
    # the task sees the process variables too
    task = only_task(client, pid)
    seen = client.get(f"/task/{task['id']}/variables").json()
    assert seen["aLong"] == expected["aLong"] and seen["aDate"] == expected["aDate"]


def test_start_by_id_key_and_tenant(client, server):
    created = deploy(client, ("one.bpmn", ONE_TASK))
    [def_id] = created["deployedProcessDefinitions"]
    by_id = client.post(f"/process-definition/{def_id}/start", json={"businessKey": "B-1"})
    assert by_id.status_code == 200, by_id.text
    body = by_id.json()
    assert body["definitionId"] == def_id and body["businessKey"] == "B-1"
    assert body["ended"] is False and body["suspended"] is False
    assert body["definitionKey"] == "oneTask" and body["caseInstanceId"] is None
    assert body["links"] == [{"method": "GET", "rel": "self",
                              "href": f"{server.url}/process-instance/{body['id']}"}]
    assert "variables" not in body
    tenant = deploy(client, ("one.bpmn", ONE_TASK), tenant_id="acme")
    [tenant_def] = tenant["deployedProcessDefinitions"]
    by_tenant = client.post("/process-definition/key/oneTask/tenant-id/acme/start", json={})
    assert by_tenant.status_code == 200 and by_tenant.json()["definitionId"] == tenant_def
    assert by_tenant.json()["tenantId"] == "acme"
    # by key means: without tenant
    assert start(client, "oneTask")["definitionId"] == def_id
    # null and unknown fields in the body are accepted
    tolerant = client.post(f"/process-definition/{def_id}/start",
                           json={"variables": None, "businessKey": None, "skipIoMappings": None,
                                 "somethingNew": {"x": 1}})
    assert tolerant.status_code == 200, tolerant.text
    assert count(client, "/process-instance") == 4


def test_with_variables_in_return(client):
    deploy(client, ("one.bpmn", ONE_TASK))
    waiting = start(client, "oneTask", {"x": typed("y")}, withVariablesInReturn=True)
    assert waiting["ended"] is False
    assert waiting["variables"] == {"x": {"type": "String", "value": "y", "valueInfo": {}}}
    plain = start(client, "oneTask", {"x": typed("y")}, withVariablesInReturn=False)
    assert "variables" not in plain


def test_with_variables_in_return_of_an_ended_instance(client):
    deploy(client, ("straight.bpmn", STRAIGHT))
    ended = start(client, "straight", {"amount": typed(21, "Integer")}, withVariablesInReturn=True)
    assert ended["ended"] is True
    assert ended["variables"] == {
        "amount": {"type": "Integer", "value": 21, "valueInfo": {}},
        "twice": {"type": "Long", "value": 42, "valueInfo": {}},  # JUEL arithmetic is long
    }


def test_lookups_xml_and_diagram(client):
    first = deploy(client, ("one.bpmn", ONE_TASK))
    second = deploy(client, ("one.bpmn", ONE_TASK))
    [old_id] = first["deployedProcessDefinitions"]
    [new_id] = second["deployedProcessDefinitions"]
    latest = client.get("/process-definition/key/oneTask").json()
    assert latest["id"] == new_id and latest["version"] == 2
    assert latest == {
        "id": new_id, "key": "oneTask", "category": "http://bpmnflow.test", "description": None,
        "name": "One task", "version": 2, "resource": "one.bpmn",
        "deploymentId": second["id"], "diagram": None, "suspended": False, "tenantId": None,
        "versionTag": "v1.0", "historyTimeToLive": 30, "startableInTasklist": True}
    assert client.get(f"/process-definition/{old_id}").json()["version"] == 1
    xml = client.get(f"/process-definition/{old_id}/xml").json()
    assert xml == {"id": old_id, "bpmn20Xml": ONE_TASK.decode()}
    assert client.get("/process-definition/key/oneTask/xml").json()["id"] == new_id
    diagram = client.get(f"/process-definition/{old_id}/diagram")
    assert diagram.status_code == 204 and diagram.content == b""
    assert client.get("/process-definition/key/oneTask/diagram").status_code == 204


def test_unknown_definitions(client):
    deploy(client, ("one.bpmn", ONE_TASK))
    for suffix in ("", "/xml"):
        assert_error(client.get(f"/process-definition/nope{suffix}"), 404,
                     "InvalidRequestException", "No matching definition with id nope")
    for path in ("", "/xml", "/diagram", "/startForm", "/form-variables"):
        assert_error(client.get(f"/process-definition/key/nope{path}"), 404, "RestException",
                     "No matching process definition with key: nope and no tenant-id")
    assert_error(client.get("/process-definition/key/oneTask/tenant-id/acme"), 404,
                 "RestException",
                 "No matching process definition with key: oneTask and tenant-id: acme")
    assert_error(client.post("/process-definition/key/nope/start", json={}), 404,
                 "RestException", "No matching process definition with key: nope and no tenant-id")
    assert_error(client.post("/process-definition/nope/start", json={}), 500, "RestException",
                 "Cannot instantiate process definition nope: no deployed process definition "
                 "found with id 'nope': processDefinition is null")
    assert count(client, "/process-instance") == 0


def test_list_count_filters_sorting_paging(client, server):
    deploy(client, ("one.bpmn", ONE_TASK))
    server.clock.advance(10)
    deploy(client, ("one.bpmn", ONE_TASK), ("straight.bpmn", STRAIGHT))
    tenant = deploy(client, ("form.bpmn", FORM), tenant_id="acme")

    def keys(**params):
        response = client.get("/process-definition", params=params)
        assert response.status_code == 200, response.text
        return [(d["key"], d["version"]) for d in response.json()]

    everything = keys(sortBy="key", sortOrder="asc")
    assert [key for key, _ in everything] == ["oneTask", "oneTask", "straight", "withForm"]
    assert count(client, "/process-definition") == 4
    assert keys(key="oneTask", sortBy="version", sortOrder="desc") == [("oneTask", 2),
                                                                      ("oneTask", 1)]
    assert sorted(keys(latestVersion="true")) == [("oneTask", 2), ("straight", 1),
                                                  ("withForm", 1)]
    assert keys(keysIn="straight,withForm", sortBy="key", sortOrder="asc") == \
        [("straight", 1), ("withForm", 1)]
    assert client.get("/process-definition?keysIn=straight&keysIn=withForm&sortBy=key"
                      "&sortOrder=asc").json() == \
        client.get("/process-definition", params={"keysIn": "straight,withForm",
                                                  "sortBy": "key", "sortOrder": "asc"}).json()
    assert keys(nameLike="One%", version="1") == [("oneTask", 1)]
    assert keys(resourceName="straight.bpmn") == [("straight", 1)]
    assert keys(versionTag="v1.0", sortBy="version", sortOrder="asc") == [("oneTask", 1),
                                                                         ("oneTask", 2)]
    assert keys(notStartableInTasklist="true") == [("straight", 1)]
    assert keys(deploymentId=tenant["id"]) == [("withForm", 1)]
    assert keys(tenantIdIn="acme") == [("withForm", 1)]
    assert len(keys(withoutTenantId="true")) == 3
    assert keys(sortBy="version", sortOrder="desc", firstResult=0, maxResults=1) == \
        [("oneTask", 2)]
    assert keys(key="oneTask", sortBy="version", sortOrder="asc", firstResult=1) == \
        [("oneTask", 2)]
    assert count(client, "/process-definition", key="oneTask") == 2
    assert_error(client.get("/process-definition", params={"sortOrder": "asc"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")
    assert_error(client.get("/process-definition/count", params={"latestVersion": "maybe"}),
                 400, "InvalidRequestException",
                 "Cannot set query parameter 'latestVersion' to value 'maybe': Cannot convert "
                 "value maybe to java type java.lang.Boolean")


def test_statistics(client):
    created = deploy(client, ("fork.bpmn20.xml", model(
        "gateways/ParallelGatewayTest.testForkJoin.bpmn20.xml")), ("one.bpmn", ONE_TASK))
    ids = {d["key"]: i for i, d in created["deployedProcessDefinitions"].items()}
    for _ in range(2):
        start(client, "forkJoin")
    start(client, "oneTask")
    stats = {s["id"]: s for s in client.get("/process-definition/statistics").json()}
    assert stats[ids["forkJoin"]]["instances"] == 2
    assert stats[ids["oneTask"]]["instances"] == 1
    assert stats[ids["forkJoin"]]["definition"]["key"] == "forkJoin"
    assert stats[ids["forkJoin"]]["failedJobs"] == 0 and stats[ids["forkJoin"]]["incidents"] == []
    activities = client.get(f"/process-definition/{ids['forkJoin']}/statistics").json()
    assert sorted((a["id"], a["instances"]) for a in activities) == [
        ("receivePayment", 2), ("shipOrder", 2)]
    by_key = client.get("/process-definition/key/forkJoin/statistics").json()
    assert sorted(a["id"] for a in by_key) == ["receivePayment", "shipOrder"]


def test_start_form_and_form_variables(client):
    created = deploy(client, ("form.bpmn", FORM), ("one.bpmn", ONE_TASK))
    ids = {d["key"]: i for i, d in created["deployedProcessDefinitions"].items()}
    form = client.get(f"/process-definition/{ids['withForm']}/startForm").json()
    assert form == {"key": "embedded:app:forms/start.html", "contextPath": None,
                    "camundaFormRef": None}
    assert client.get("/process-definition/key/oneTask/startForm").json()["key"] is None
    values = client.get("/process-definition/key/withForm/form-variables").json()
    assert values == {
        "customer": {"type": "String", "value": "ACME", "valueInfo": {}},
        "amount": {"type": "Long", "value": 100, "valueInfo": {}},
        "urgent": {"type": "Null", "value": None, "valueInfo": {}},
    }
    picked = client.get(f"/process-definition/{ids['withForm']}/form-variables",
                        params={"variableNames": "amount,urgent"}).json()
    assert sorted(picked) == ["amount", "urgent"]
    submitted = client.post("/process-definition/key/withForm/submit-form",
                            json={"variables": {"customer": typed("Globex")},
                                  "businessKey": "F-1"})
    assert submitted.status_code == 200, submitted.text
    pid = submitted.json()["id"]
    variables = client.get(f"/process-instance/{pid}/variables").json()
    assert variables["customer"]["value"] == "Globex"
