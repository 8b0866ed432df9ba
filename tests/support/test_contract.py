"""Tests of the contract checker itself, with hand-written bodies (no server involved)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from jsonschema.exceptions import SchemaError

from . import contract as contract_module
from .contract import (
    EXTRAS,
    OMISSIONS,
    PATCHES,
    SPEC_MISSING,
    SYNTHETIC_SCHEMAS,
    VARIANTS,
    Contract,
    all_operations,
)

JSON = "application/json"
DATE = "2026-01-31T12:00:00.000+0000"

PROCESS_DEFINITION: dict[str, Any] = {
    "id": "invoice:1:7c5b0f4e-fe87-11ef-a8d5-0242ac120002",
    "key": "invoice",
    "category": "http://bpmn.io/schema/bpmn",
    "description": None,
    "name": "Invoice Receipt",
    "version": 1,
    "resource": "invoice.bpmn",
    "deploymentId": "7c4f2a1d-fe87-11ef-a8d5-0242ac120002",
    "diagram": None,
    "suspended": False,
    "tenantId": None,
    "versionTag": None,
    "historyTimeToLive": 30,
    "startableInTasklist": True,
}

PROCESS_INSTANCE: dict[str, Any] = {
    "links": [
        {
            "method": "GET",
            "href": "http://localhost/engine-rest/process-instance/pi1",
            "rel": "self",
        }
    ],
    "id": "pi1",
    "definitionId": PROCESS_DEFINITION["id"],
    "definitionKey": "invoice",
    "businessKey": None,
    "caseInstanceId": None,
    "ended": False,
    "suspended": False,
    "tenantId": None,
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    loaded = Contract.load()
    if loaded is None:
        pytest.skip(SPEC_MISSING)
    return loaded


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


def check(contract: Contract, method: str, path: str, status: int, document: Any) -> list[str]:
    """Checks a JSON body sent with the exact content type Camunda uses."""
    return contract.check(method, path, status, JSON, encode(document))


def definition(**changes: Any) -> dict[str, Any]:
    return {**PROCESS_DEFINITION, **changes}


# --- Bodies ---------------------------------------------------------------------------------


def test_a_correct_process_definition_passes(contract: Contract) -> None:
    assert check(contract, "GET", "/process-definition/invoice:1:x", 200, PROCESS_DEFINITION) == []
    listing = [PROCESS_DEFINITION, definition(id="b", version=2)]
    assert check(contract, "GET", "/process-definition", 200, listing) == []


def test_a_missing_field_is_reported_with_its_schema(contract: Contract) -> None:
    body = definition()
    del body["version"]

    problems = check(contract, "GET", "/process-definition/x", 200, body)

    assert problems == [
        "GET /process-definition/{id} -> 200: $: missing property 'version' (ProcessDefinitionDto)"
    ]


def test_a_missing_field_inside_a_list_names_the_item(contract: Contract) -> None:
    body = definition()
    del body["tenantId"]

    problems = check(contract, "GET", "/process-definition", 200, [PROCESS_DEFINITION, body])

    assert len(problems) == 1
    assert "$[1]: missing property 'tenantId'" in problems[0]


def test_an_extra_field_is_reported(contract: Contract) -> None:
    problems = check(contract, "GET", "/process-definition/x", 200, definition(versionTAG="v1"))

    assert len(problems) == 1
    assert "unexpected property 'versionTAG' (ProcessDefinitionDto)" in problems[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("version", "1"),  # a string for an integer
        ("version", 1.0),  # Jackson never writes an Integer as 1.0
        ("version", True),
        ("version", 2**31),  # int32 out of range
        ("suspended", "false"),
        ("key", 7),
        ("historyTimeToLive", -1),  # the spec's minimum
    ],
)
def test_a_wrong_type_is_reported(contract: Contract, field: str, value: Any) -> None:
    problems = check(contract, "GET", "/process-definition/x", 200, definition(**{field: value}))

    assert len(problems) == 1
    assert f"$.{field}:" in problems[0]


def test_null_is_accepted_only_where_the_spec_allows_it(contract: Contract) -> None:
    assert check(contract, "GET", "/process-definition/x", 200, definition(version=None)) == []

    problems = check(contract, "GET", "/process-definition/count", 200, {"count": None})

    assert problems == [
        "GET /process-definition/count -> 200: $.count: null is not of type integer"
    ]


@pytest.mark.parametrize(
    "bad_date",
    [
        "2026-01-31T12:00:00Z",  # RFC 3339, the spec's own format
        "2026-01-31T12:00:00.000+00:00",  # colon in the offset
        "2026-01-31T12:00:00+0000",  # no milliseconds
        "2026-01-31 12:00:00.000+0000",
        "2026-13-01T12:00:00.000+0000",
        "31.01.2026",
    ],
)
def test_a_date_must_have_camundas_format(contract: Contract, bad_date: str) -> None:
    deployment = {
        "links": [],
        "id": "d1",
        "tenantId": None,
        "deploymentTime": DATE,
        "source": None,
        "name": "invoice",
    }
    assert check(contract, "GET", "/deployment/d1", 200, deployment) == []

    problems = check(
        contract, "GET", "/deployment/d1", 200, {**deployment, "deploymentTime": bad_date}
    )

    assert len(problems) == 1
    assert "$.deploymentTime:" in problems[0]
    assert "is not a Camunda date" in problems[0]


def test_nested_objects_are_checked_too(contract: Contract) -> None:
    deployed = {
        "links": [],
        "id": "d1",
        "tenantId": None,
        "deploymentTime": DATE,
        "source": "process application",
        "name": "invoice",
        "deployedProcessDefinitions": {"invoice:1:x": definition(suspended=None, extra=1)},
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": None,
        "deployedDecisionRequirementsDefinitions": None,
    }

    problems = check(contract, "POST", "/deployment/create", 200, deployed)

    assert problems == [
        "POST /deployment/create -> 200: $.deployedProcessDefinitions['invoice:1:x']: "
        "unexpected property 'extra' (ProcessDefinitionDto)"
    ]


# --- Content type, status, empty bodies -----------------------------------------------------


def test_json_with_a_charset_is_reported(contract: Contract) -> None:
    body = encode(PROCESS_DEFINITION)

    problems = contract.check(
        "GET", "/process-definition/x", 200, "application/json; charset=utf-8", body
    )

    assert problems == [
        "GET /process-definition/{id} -> 200: Content-Type must be exactly 'application/json', "
        "got 'application/json; charset=utf-8'"
    ]


def test_an_undocumented_content_type_is_reported(contract: Contract) -> None:
    problems = contract.check("GET", "/process-definition/x", 200, "text/html", b"<html/>")

    assert len(problems) == 1
    assert "Content-Type 'text/html' is not documented" in problems[0]


def test_a_body_that_is_not_json_is_reported(contract: Contract) -> None:
    problems = contract.check("GET", "/process-definition/x", 200, JSON, b"{'id': 1}")

    assert len(problems) == 1
    assert "body is not JSON" in problems[0]


def test_204_must_have_an_empty_body(contract: Contract) -> None:
    assert contract.check("POST", "/task/t1/claim", 204, None, b"") == []

    problems = contract.check("POST", "/task/t1/claim", 204, JSON, b"{}")

    assert problems == ["POST /task/{id}/claim -> 204: a 204 answer must have no body, got 2 bytes"]


def test_an_undocumented_success_status_is_reported(contract: Contract) -> None:
    problems = contract.check("POST", "/task/t1/claim", 200, JSON, b"{}")

    assert problems == ["POST /task/{id}/claim -> 200: status 200 is not documented (204, 500)"]


def test_an_unknown_error_status_is_reported(contract: Contract) -> None:
    error = {"type": "RestException", "message": "teapot", "code": None}

    problems = check(contract, "GET", "/process-definition/x", 418, error)

    assert len(problems) == 1
    assert "status 418 is not documented" in problems[0]


def test_plain_text_answers_are_not_parsed(contract: Contract) -> None:
    trace = b"java.lang.RuntimeException: boom"

    assert contract.check("GET", "/job/j1/stacktrace", 200, "text/plain;charset=UTF-8", trace) == []


def test_files_keep_their_stored_media_type(contract: Contract) -> None:
    path = "/process-instance/pi1/variables/invoiceDocument/data"

    assert contract.check("GET", path, 200, "application/pdf", b"%PDF-1.7") == []
    assert contract.check("GET", path, 200, None, b"%PDF-1.7") != []


# --- Error bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 415, 500])
def test_an_error_status_with_an_exception_body_passes(contract: Contract, status: int) -> None:
    error = {"type": "InvalidRequestException", "message": "No such definition", "code": None}

    assert check(contract, "GET", "/process-definition/x", status, error) == []


def test_the_error_code_is_an_optional_integer(contract: Contract) -> None:
    path = "/process-definition/x"
    assert check(contract, "GET", path, 404, {"type": "NotFound", "message": "gone"}) == []
    assert check(contract, "GET", path, 500, {"type": "E", "message": "m", "code": 1}) == []
    assert check(contract, "GET", path, 500, {"type": "E", "message": "m", "code": 1.5}) != []


@pytest.mark.parametrize(
    "error",
    [
        {"type": "InvalidRequestException", "code": None},  # no message
        {"message": "no type"},
        {"type": None, "message": "m"},
        {"type": "E", "message": "m", "stackTrace": "at ..."},
        {"error": "Not Found"},  # a framework's default body
        {"type": ["E"], "message": "m"},
        ["not", "an", "object"],
    ],
)
def test_a_malformed_error_body_is_reported(contract: Contract, error: Any) -> None:
    assert check(contract, "GET", "/process-definition/x", 404, error) != []


def test_an_error_must_be_json(contract: Contract) -> None:
    problems = contract.check("GET", "/process-definition/x", 500, "text/html", b"<h1>500</h1>")

    assert problems[0].endswith("Content-Type must be exactly 'application/json', got 'text/html'")
    assert "body is not JSON" in problems[1]


def test_an_authorization_error_carries_its_own_fields(contract: Contract) -> None:
    error = {
        "type": "AuthorizationException",
        "message": "The user with id 'mary' does not have 'READ' permission on 'invoice'.",
        "code": None,
        "userId": "mary",
        "missingAuthorizations": [
            {"permissionName": "READ", "resourceName": "ProcessDefinition", "resourceId": "invoice"}
        ],
        # deprecated, still written by Camunda (see EXTRAS)
        "resourceName": "ProcessDefinition",
        "resourceId": "invoice",
        "permissionName": "READ",
    }
    assert check(contract, "GET", "/process-definition/x", 403, error) == []

    without_user = {key: value for key, value in error.items() if key != "userId"}
    problems = check(contract, "GET", "/process-definition/x", 403, without_user)

    assert len(problems) == 1
    assert "missing property 'userId' (AuthorizationExceptionDto)" in problems[0]


def test_a_parse_error_carries_its_details(contract: Contract) -> None:
    problem = {
        "message": "Exclusive Gateway 'gw' has outgoing sequence flow without condition",
        "line": 12,
        "column": 4,
        "mainElementId": "gw",
        "elementIds": ["gw"],
    }
    error = {
        "type": "ParseException",
        "message": "ENGINE-09005 Could not parse BPMN process.",
        "code": None,
        "details": {"invoice.bpmn": {"errors": [problem], "warnings": []}},
    }

    assert check(contract, "POST", "/deployment/create", 400, error) == []


def test_a_migration_error_carries_its_validation_report(contract: Contract) -> None:
    error = {
        "type": "MigrationPlanValidationException",
        "message": "ENGINE-23004 Migration plan is not valid",
        "code": None,
        "validationReport": {"instructionReports": [], "variableReports": {}},
    }
    assert check(contract, "POST", "/migration/validate", 400, error) == []

    problems = check(contract, "POST", "/migration/execute", 400, {**error, "validationReport": 1})

    assert len(problems) == 1
    assert "$.validationReport: 1 is not of type object or null" in problems[0]


# --- Path matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/process-definition/count", "/process-definition/count"),
        ("GET", "/process-definition/statistics", "/process-definition/statistics"),
        ("GET", "/process-definition/invoice:1:x", "/process-definition/{id}"),
        ("GET", "/process-definition/key/invoice", "/process-definition/key/{key}"),
        ("POST", "/process-definition/key/invoice/start", "/process-definition/key/{key}/start"),
        # "key" alone is not a route, so it is an id, as in Camunda
        ("GET", "/process-definition/key", "/process-definition/{id}"),
        ("get", "/task/count", "/task/count"),
        ("GET", "/task/t1/", "/task/{id}"),
        ("GET", "/task?assignee=demo", "/task"),
        ("GET", "/engine", "/engine"),
        ("GET", "/engine/default/process-definition/count", "/process-definition/count"),
        (
            "POST",
            "/engine/other/process-definition/key/k/start",
            "/process-definition/key/{key}/start",
        ),
    ],
)
def test_match_prefers_literal_segments(
    contract: Contract, method: str, path: str, template: str
) -> None:
    matched = contract.match(method, path)

    assert matched is not None
    assert matched[0] == template


def test_match_returns_the_operation_object(contract: Contract) -> None:
    matched = contract.match("POST", "/process-definition/key/invoice/start")

    assert matched is not None
    assert matched[1]["operationId"] == "startProcessInstanceByKey"
    assert "200" in matched[1]["responses"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-resource"),
        ("DELETE", "/process-definition/count"),  # the path decides first, as in JAX-RS
        ("POST", "/engine"),
        ("GET", "/engine/default"),
        ("GET", "/engine/default/engine"),
        ("GET", "/"),
        ("GET", ""),
        ("GET", "/task//comment"),
    ],
)
def test_match_finds_nothing(contract: Contract, method: str, path: str) -> None:
    assert contract.match(method, path) is None


def test_unlisted_routes_match_with_generic_checks_only(contract: Contract) -> None:
    matched = contract.match("GET", "/engine/default/case-definition/count")

    assert matched is not None
    assert matched[0] == "/case-definition/count"
    assert matched[1]["x-not-in-openapi"] is True
    assert check(contract, "GET", "/case-definition/count", 200, {"anything": 1}) == []
    assert contract.check(
        "GET", "/case-definition/count", 200, "application/json;charset=UTF-8", b"{}"
    )
    # the spec documents the delete-by-key route under another path; the real one is unlisted
    assert contract.check("DELETE", "/process-definition/key/invoice/delete", 204, None, b"") == []
    assert contract.check("GET", "/case-definition/count", 422, JSON, b"{}") == [
        "GET /case-definition/count -> 422: status 422 is neither a success nor one of "
        "400, 401, 403, 404, 405, 409, 415, 500"
    ]


def test_an_unknown_route_may_only_answer_404_or_405(contract: Contract) -> None:
    error = {"type": "NotFoundException", "message": "RESTEASY003210: Could not find resource"}

    assert check(contract, "GET", "/no-such-resource", 404, error) == []
    assert check(contract, "DELETE", "/process-definition/count", 405, error) == []
    assert check(contract, "GET", "/no-such-resource", 200, {}) == [
        "GET /no-such-resource -> 200: no such operation in Camunda's REST API "
        "(openapi.json or the unlisted routes)"
    ]


# --- Known exceptions -----------------------------------------------------------------------


def test_start_may_leave_out_variables_and_links(contract: Contract) -> None:
    path = "/process-definition/key/invoice/start"
    without_links = {key: value for key, value in PROCESS_INSTANCE.items() if key != "links"}
    variables = {"amount": {"type": "Integer", "value": 30, "valueInfo": {}}}

    assert check(contract, "POST", path, 200, PROCESS_INSTANCE) == []
    assert check(contract, "POST", path, 200, without_links) == []
    assert check(contract, "POST", path, 200, {**PROCESS_INSTANCE, "variables": variables}) == []
    assert check(contract, "POST", path, 200, {**PROCESS_INSTANCE, "variables": {"a": 1}}) != []


def test_an_options_answer_must_carry_links(contract: Contract) -> None:
    links = [{"method": "GET", "href": "http://localhost/engine-rest/user", "rel": "list"}]
    assert check(contract, "OPTIONS", "/user", 200, {"links": links}) == []
    assert check(contract, "OPTIONS", "/user", 200, {}) != []


def test_a_correlation_result_has_a_null_for_the_other_kind(contract: Contract) -> None:
    result = {
        "resultType": "ProcessDefinition",
        "execution": None,
        "processInstance": PROCESS_INSTANCE,
    }

    assert check(contract, "POST", "/message", 200, [result]) == []
    assert check(contract, "POST", "/message", 200, [{**result, "variables": {}}]) == []
    assert check(contract, "POST", "/message", 200, [{**result, "resultType": "Task"}]) != []


def test_historic_details_are_checked_per_subtype(contract: Contract) -> None:
    common = {
        "id": "hd1",
        "processDefinitionKey": "invoice",
        "processDefinitionId": "invoice:1:x",
        "processInstanceId": "pi1",
        "activityInstanceId": "StartEvent_1:ai1",
        "executionId": "pi1",
        "caseDefinitionKey": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "caseExecutionId": None,
        "taskId": None,
        "tenantId": None,
        "userOperationId": "op1",
        "time": DATE,
        "removalTime": None,
        "rootProcessInstanceId": "pi1",
    }
    form_field = {**common, "type": "formField", "fieldId": "amount", "fieldValue": 30}
    update = {
        **common,
        "type": "variableUpdate",
        "variableName": "amount",
        "variableInstanceId": "v1",
        "variableType": "Integer",
        "value": 30,
        "valueInfo": {},
        "initial": True,
        "revision": 0,
        "errorMessage": None,
    }

    assert check(contract, "GET", "/history/detail", 200, [form_field, update]) == []
    problems = check(contract, "GET", "/history/detail", 200, [{**form_field, "variableName": "x"}])
    assert len(problems) == 1
    assert "unexpected property 'variableName' (HistoricDetailDto (formField))" in problems[0]


def test_the_tables_name_real_components_and_properties(contract: Contract) -> None:
    """A spec update that renames or adds something the tables mention must fail loudly."""
    spec = json.loads(contract_module.SPEC_PATH.read_bytes())
    components = {**spec["components"]["schemas"], **SYNTHETIC_SCHEMAS}

    def properties(name: str) -> set[str]:
        schema = components[name]
        members = [schema, *schema.get("allOf", [])]
        found = {prop for member in members for prop in member.get("properties", {})}
        for member in members:
            if "$ref" in member:
                found |= properties(member["$ref"].rsplit("/", 1)[-1])
        return found

    for omission in OMISSIONS:
        assert omission.prop in properties(omission.schema), omission
    for patch in PATCHES:
        assert patch.prop in properties(patch.component), patch
    for extra in EXTRAS:
        assert extra.prop not in properties(extra.schema), extra
    for name, variants in VARIANTS.items():
        for variant in variants:
            assert variant.props <= properties(name), variant


# --- Whole-spec behaviour -------------------------------------------------------------------


def test_every_compiled_schema_is_valid_json_schema(contract: Contract) -> None:
    compiled = list(contract.compiled_schemas())

    assert len(compiled) > 700
    for label, schema in compiled:
        try:
            contract_module._Validator.check_schema(schema)
        except SchemaError as exc:
            pytest.fail(f"{label}: {exc.message}")


def test_all_operations_lists_the_spec(contract: Contract) -> None:
    operations = all_operations()

    assert len(operations) == 399
    assert len(set(operations)) == 399
    assert ("GET", "/engine") in operations
    assert ("POST", "/process-definition/key/{key}/start") in operations
    assert ("GET", "/case-definition/count") not in operations
    assert ("GET", "/case-definition/count") in all_operations(include_unlisted=True)
    for method, template in operations:
        assert contract.match(method, template.replace("{", "").replace("}", "")) is not None


def test_the_contract_is_loaded_once(contract: Contract) -> None:
    assert Contract.load() is contract


def test_a_check_costs_well_under_a_millisecond(contract: Contract) -> None:
    body = encode(PROCESS_DEFINITION)
    for _ in range(50):  # warm-up: compile the validator
        contract.check("GET", "/process-definition/x", 200, JSON, body)

    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        contract.check("GET", "/process-definition/x", 200, JSON, body)
    per_check = (time.perf_counter() - started) / rounds

    assert per_check < 0.001, f"{per_check * 1e6:.0f} µs per check"


def test_a_missing_spec_gives_none_so_callers_can_skip(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Contract.load(tmp_path / "openapi.json") is None

    monkeypatch.setattr(contract_module, "SPEC_PATH", tmp_path / "openapi.json")

    assert Contract.load() is None
    assert all_operations() == []
    assert str(contract_module.SHARED_DIR) in SPEC_MISSING
