"""``/deployment``: create with duplicate filtering, the other nine operations, their errors."""

from __future__ import annotations

from tests.api.helpers import assert_error, count, start
from tests.conftest import bpmn, deploy

ONE_TASK = bpmn("oneTask", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work" name="Work"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")
ONE_TASK_CHANGED = ONE_TASK.replace(b'name="Work"', b'name="Work more"')
OTHER = bpmn("other", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
    <endEvent id="end"/>
""")
OTHER_CHANGED = OTHER.replace(b'id="end"/>', b'id="end" name="Done"/>')
NOT_EXECUTABLE = ONE_TASK.replace(b'isExecutable="true"', b'isExecutable="false"')
PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def versions(client, key):
    found = client.get("/process-definition", params={"key": key, "sortBy": "version",
                                                      "sortOrder": "asc"}).json()
    return [d["version"] for d in found]


def test_create_returns_camunda_shape(client, server):
    response = client.post(
        "/deployment/create",
        files=[("upload", ("one.bpmn", ONE_TASK, "application/octet-stream"))],
        data={"deployment-name": "shape", "deployment-source": "tests"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["name"] == "shape" and body["source"] == "tests" and body["tenantId"] is None
    assert body["links"] == [{"method": "GET", "rel": "self",
                              "href": f"{server.url}/deployment/{body['id']}"}]
    assert body["deployedCaseDefinitions"] is None
    assert body["deployedDecisionDefinitions"] is None
    assert body["deployedDecisionRequirementsDefinitions"] is None
    [(def_id, definition)] = body["deployedProcessDefinitions"].items()
    assert def_id.startswith("oneTask:1:") and definition["id"] == def_id
    assert definition["key"] == "oneTask" and definition["version"] == 1
    assert definition["resource"] == "one.bpmn" and definition["deploymentId"] == body["id"]
    assert definition["category"] == "http://bpmnflow.test"
    fetched = client.get(f"/deployment/{body['id']}").json()
    assert fetched["links"] == [] and fetched["deploymentTime"] == body["deploymentTime"]
    assert "deployedProcessDefinitions" not in fetched


def test_without_flags_every_deploy_is_a_new_version(client):
    first = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="plain")
    second = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="plain")
    assert first["id"] != second["id"]
    assert versions(client, "oneTask") == [1, 2]


def test_duplicate_filtering_unchanged_returns_the_old_deployment(client):
    first = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="dup",
                   enable_duplicate_filtering="true")
    again = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="dup",
                   enable_duplicate_filtering="True")
    assert again["id"] == first["id"]
    assert again["deployedProcessDefinitions"] is None
    assert again["deployedDecisionDefinitions"] is None
    assert count(client, "/deployment") == 1
    assert versions(client, "oneTask") == [1]
    # another name is another deployment line: never filtered against "dup"
    renamed = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="other-name",
                     enable_duplicate_filtering="true")
    assert renamed["id"] != first["id"] and versions(client, "oneTask") == [1, 2]
    # another source too
    sourced = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="dup",
                     deployment_source="elsewhere", enable_duplicate_filtering="true")
    assert sourced["id"] != first["id"] and versions(client, "oneTask") == [1, 2, 3]


def test_duplicate_filtering_is_all_or_nothing(client):
    deploy(client, ("one.bpmn", ONE_TASK), ("other.bpmn", OTHER), deployment_name="pair",
           enable_duplicate_filtering="true")
    changed = deploy(client, ("one.bpmn", ONE_TASK), ("other.bpmn", OTHER_CHANGED),
                     deployment_name="pair", enable_duplicate_filtering="true")
    keys = sorted(d["key"] for d in changed["deployedProcessDefinitions"].values())
    assert keys == ["oneTask", "other"]
    names = sorted(r["name"] for r in client.get(f"/deployment/{changed['id']}/resources").json())
    assert names == ["one.bpmn", "other.bpmn"]
    assert versions(client, "oneTask") == [1, 2] and versions(client, "other") == [1, 2]


def test_deploy_changed_only_deploys_only_what_changed(client):
    deploy(client, ("one.bpmn", ONE_TASK), ("other.bpmn", OTHER), deployment_name="pair",
           deploy_changed_only="true")
    # Camunda's quirk: deploy-changed-only implies duplicate filtering, even when
    # enable-duplicate-filtering is absent or false
    changed = deploy(client, ("one.bpmn", ONE_TASK), ("other.bpmn", OTHER_CHANGED),
                     deployment_name="pair", enable_duplicate_filtering="false",
                     deploy_changed_only="TRUE")
    assert [d["key"] for d in changed["deployedProcessDefinitions"].values()] == ["other"]
    names = [r["name"] for r in client.get(f"/deployment/{changed['id']}/resources").json()]
    assert names == ["other.bpmn"]
    assert versions(client, "oneTask") == [1] and versions(client, "other") == [1, 2]
    # each resource is compared with its own latest version, even from an older deployment
    again = deploy(client, ("one.bpmn", ONE_TASK), ("other.bpmn", OTHER_CHANGED),
                   deployment_name="pair", deploy_changed_only="true")
    assert again["id"] == changed["id"] and again["deployedProcessDefinitions"] is None


def test_flag_texts_other_than_true_are_false(client):
    deploy(client, ("one.bpmn", ONE_TASK), deployment_name="flags")
    deploy(client, ("one.bpmn", ONE_TASK), deployment_name="flags",
           enable_duplicate_filtering="yes")
    deploy(client, ("one.bpmn", ONE_TASK), deployment_name="flags", deploy_changed_only="1")
    assert versions(client, "oneTask") == [1, 2, 3]


def test_resources_non_executable_and_diagram(client):
    created = deploy(client, ("one.bpmn", ONE_TASK), ("one.png", PNG),
                     ("hidden.bpmn20.xml", NOT_EXECUTABLE.replace(b"oneTask", b"hidden")),
                     ("notes.txt", b"plain text"), deployment_name="mixed")
    [definition] = created["deployedProcessDefinitions"].values()
    assert definition["diagram"] == "one.png"
    did = created["id"]
    listed = client.get(f"/deployment/{did}/resources").json()
    assert sorted(r["name"] for r in listed) == ["hidden.bpmn20.xml", "notes.txt", "one.bpmn",
                                                 "one.png"]
    by_name = {r["name"]: r for r in listed}
    png = by_name["one.png"]
    assert client.get(f"/deployment/{did}/resources/{png['id']}").json() == png
    data = client.get(f"/deployment/{did}/resources/{png['id']}/data")
    assert data.status_code == 200 and data.content == PNG
    assert data.headers["content-type"] == "image/png"
    assert "one.png" in data.headers["content-disposition"]
    bpmn_data = client.get(f"/deployment/{did}/resources/{by_name['one.bpmn']['id']}/data")
    assert bpmn_data.content == ONE_TASK
    assert client.get("/process-definition/count", params={"key": "hidden"}).json() == \
        {"count": 0}
    diagram = client.get(f"/process-definition/{definition['id']}/diagram")
    assert diagram.status_code == 200 and diagram.content == PNG
    only_hidden = deploy(client, ("hidden.bpmn", NOT_EXECUTABLE), deployment_name="hidden")
    assert only_hidden["deployedProcessDefinitions"] is None


def test_list_count_filters_sorting_paging(client, server):
    a = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="alpha")
    server.clock.advance(1000)
    b = deploy(client, ("other.bpmn", OTHER), deployment_name="beta", deployment_source="cli")
    server.clock.advance(1000)
    c = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="gamma", tenant_id="t1")

    def ids(**params):
        response = client.get("/deployment", params=params)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()]

    assert count(client, "/deployment") == 3
    assert ids(name="beta") == [b["id"]]
    assert ids(nameLike="%a", sortBy="name", sortOrder="asc") == [a["id"], b["id"], c["id"]]
    assert ids(id=a["id"]) == [a["id"]]
    assert ids(source="cli") == [b["id"]]
    assert ids(withoutSource="true", sortBy="name", sortOrder="asc") == [a["id"], c["id"]]
    assert ids(tenantIdIn="t1") == [c["id"]]
    assert ids(withoutTenantId="true", sortBy="name", sortOrder="desc") == [b["id"], a["id"]]
    assert ids(after=b["deploymentTime"]) == [c["id"]]
    assert ids(before=b["deploymentTime"]) == [a["id"]]
    assert ids(sortBy="deploymentTime", sortOrder="desc") == [c["id"], b["id"], a["id"]]
    assert ids(sortBy="deploymentTime", sortOrder="asc", firstResult=1, maxResults=1) == \
        [b["id"]]
    assert count(client, "/deployment", nameLike="%a", firstResult=2) == 3
    assert_error(client.get("/deployment", params={"sortBy": "name"}), 400,
                 "InvalidRequestException",
                 "Only a single sorting parameter specified. sortBy and sortOrder required")
    assert_error(client.get("/deployment", params={"sortBy": "nope", "sortOrder": "asc"}), 400,
                 "InvalidRequestException", "Cannot set query parameter 'sortBy' to value 'nope'")
    assert client.get("/deployment/registered").json() == []


def test_redeploy(client):
    original = deploy(client, ("one.bpmn", ONE_TASK), ("other.bpmn", OTHER),
                      deployment_name="orig")
    did = original["id"]
    resources = {r["name"]: r["id"] for r in client.get(f"/deployment/{did}/resources").json()}
    again = client.post(f"/deployment/{did}/redeploy")
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["name"] == "orig" and body["id"] != did
    assert body["links"][0]["href"].endswith(f"/deployment/{body['id']}")
    assert sorted(d["key"] for d in body["deployedProcessDefinitions"].values()) == \
        ["oneTask", "other"]
    by_id = client.post(f"/deployment/{did}/redeploy",
                        json={"resourceIds": [resources["other.bpmn"]], "source": "redo"}).json()
    assert [d["key"] for d in by_id["deployedProcessDefinitions"].values()] == ["other"]
    assert by_id["source"] == "redo"
    by_name = client.post(f"/deployment/{did}/redeploy",
                          json={"resourceNames": ["one.bpmn"]}).json()
    assert [d["version"] for d in by_name["deployedProcessDefinitions"].values()] == [3]
    assert versions(client, "other") == [1, 2, 3]
    assert_error(client.post(f"/deployment/{did}/redeploy", json={"resourceIds": ["x", "y"]}),
                 404, "InvalidRequestException",
                 f"Cannot redeploy deployment '{did}': The deployment with id '{did}' does not "
                 "contain the following resources with id: x, y")
    assert_error(client.post(f"/deployment/{did}/redeploy", json={"resourceNames": ["z"]}),
                 404, "InvalidRequestException",
                 f"Cannot redeploy deployment '{did}': The deployment with id '{did}' does not "
                 "contain the following resources with name: z")
    assert_error(client.post("/deployment/nope/redeploy", json={}), 404,
                 "InvalidRequestException", "Deployment with id 'nope' does not exist")


def test_delete(client):
    kept = deploy(client, ("one.bpmn", ONE_TASK), deployment_name="busy")
    pid = start(client, "oneTask")["id"]
    refused = client.delete(f"/deployment/{kept['id']}")
    assert refused.status_code == 500 and refused.json()["type"] == "ProcessEngineException"
    assert client.get(f"/process-instance/{pid}").status_code == 200
    assert client.delete(f"/deployment/{kept['id']}", params={"cascade": "true"}).status_code \
        == 204
    assert client.get(f"/process-instance/{pid}").status_code == 404
    assert count(client, "/task") == 0
    assert count(client, "/process-definition") == 0
    assert count(client, "/deployment") == 0
    idle = deploy(client, ("other.bpmn", OTHER))
    deleted = client.delete(f"/deployment/{idle['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert_error(client.delete(f"/deployment/{idle['id']}"), 404, "InvalidRequestException",
                 f"Deployment with id '{idle['id']}' do not exist")


def test_unknown_deployment_and_resources(client):
    did = deploy(client, ("other.bpmn", OTHER))["id"]
    assert_error(client.get("/deployment/nope"), 404, "InvalidRequestException",
                 "Deployment with id 'nope' does not exist")
    assert_error(client.get("/deployment/nope/resources"), 404, "InvalidRequestException",
                 "Deployment resources for deployment id 'nope' do not exist.")
    missing = (f"Deployment resource with resource id 'r1' for deployment id '{did}' does not "
               "exist.")
    assert_error(client.get(f"/deployment/{did}/resources/r1"), 404, "InvalidRequestException",
                 missing)
    assert_error(client.get(f"/deployment/{did}/resources/r1/data"), 404,
                 "InvalidRequestException", missing)


def test_create_refuses_forms_without_resources(client):
    no_resource = client.post("/deployment/create", files=[("deployment-name", (None, "x"))])
    assert_error(no_resource, 400, "InvalidRequestException",
                 "No deployment resources contained in the form upload.")
    no_filename = client.post("/deployment/create",
                              files=[("deployment-name", (None, "x")), ("data", (None, "text"))])
    assert_error(no_filename, 400, "InvalidRequestException",
                 "No file name found in the deployment resource described by form parameter "
                 "'null'.")
    assert count(client, "/deployment") == 0


def test_tenant_deployment_versions_per_tenant(client):
    deploy(client, ("one.bpmn", ONE_TASK))
    tenant = deploy(client, ("one.bpmn", ONE_TASK), tenant_id="acme")
    assert tenant["tenantId"] == "acme"
    [definition] = tenant["deployedProcessDefinitions"].values()
    assert definition["tenantId"] == "acme" and definition["version"] == 1
    by_tenant = client.get("/process-definition/key/oneTask/tenant-id/acme").json()
    assert by_tenant["id"] == definition["id"]
    assert client.get("/process-definition/key/oneTask").json()["tenantId"] is None
