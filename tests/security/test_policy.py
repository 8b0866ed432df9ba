"""The policy table: every served route has a rule, the exclusion list is excluded, and the
README prints the table the server applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.routing import Route

from bpmnflow.api.app import engine_routes
from bpmnflow.security import policy
from bpmnflow.security.middleware import _split

README = Path(__file__).resolve().parents[2] / "README.md"

# The exclusion list, and the other paths to the same effect.
EXCLUSION_LIST = """
DELETE /process-definition/{id}
DELETE /process-definition/key/{key}/delete
DELETE /process-definition/key/{key}/tenant-id/{tenant-id}/delete
PUT /process-definition/{id}/history-time-to-live
PUT /process-definition/key/{key}/history-time-to-live
PUT /process-definition/key/{key}/tenant-id/{tenant-id}/history-time-to-live
PUT /process-definition/{id}/suspended
PUT /process-definition/key/{key}/suspended
PUT /process-definition/key/{key}/tenant-id/{tenant-id}/suspended
PUT /process-definition/suspended
POST /process-definition/{id}/restart
POST /process-definition/{id}/restart-async
DELETE /process-instance/{id}
POST /process-instance/delete
POST /process-instance/delete-historic-query-based
POST /process-instance/{id}/modification
POST /process-instance/{id}/modification-async
PUT /process-instance/{id}/suspended
PUT /process-instance/suspended
POST /process-instance/suspended-async
DELETE /process-definition/key/{key}
DELETE /process-definition/key/{key}/tenant-id/{tenant-id}
POST /process-definition/key/{key}/restart
POST /process-definition/key/{key}/restart-async
POST /process-definition/key/{key}/tenant-id/{tenant-id}/restart
POST /process-definition/key/{key}/tenant-id/{tenant-id}/restart-async
POST /modification/execute
POST /modification/executeAsync
DELETE /deployment/{id}
POST /migration/generate
POST /migration/validate
POST /migration/execute
POST /migration/executeAsync
PUT /job/suspended
PUT /job/{id}/suspended
DELETE /job/{id}
PUT /job-definition/suspended
PUT /job-definition/{id}/suspended
DELETE /batch/{id}
DELETE /history/batch/{id}
DELETE /history/process-instance/{id}
POST /history/process-instance/delete
DELETE /history/process-instance/{id}/variable-instances
DELETE /history/variable-instance/{id}
POST /history/decision-instance/delete
POST /history/cleanup
""".strip().splitlines()


def served() -> list[tuple[str, str]]:
    out = []
    for route in engine_routes():
        assert isinstance(route, Route)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            out.append((method, route.path))
    return out


def test_every_served_route_has_a_rule() -> None:
    missing = [f"{m} {p}" for m, p in served() if policy.rule_for(m, p) is None]
    assert not missing, "routes without a rule in security/policy.py:\n" + "\n".join(missing)


@pytest.mark.parametrize("line", EXCLUSION_LIST)
def test_exclusion_list_is_excluded(line: str) -> None:
    method, path = line.split()
    rule = policy.rule_for(method, path)
    assert rule is not None and rule.kind == policy.EXCLUDED, f"{line}: {rule}"


def test_only_the_engine_list_and_version_are_open() -> None:
    opened = {path for (method, path), rule in policy.RULES.items() if rule.kind == policy.OPEN}
    assert opened == {"/engine", "/version"}


def test_rules_naming_a_row_know_how_to_find_its_workflow() -> None:
    from bpmnflow.services.authorizations import KEY_SQL

    resources = {r.resource for r in policy.RULES.values() if r.resource}
    assert resources <= set(KEY_SQL) | {"key"}
    for (_, path), rule in policy.RULES.items():
        if rule.resource:
            assert "{}" in path, f"{path} names no row"


def test_scoped_writes_name_their_row_or_have_a_guard() -> None:
    from bpmnflow.security.guards import GUARDS

    for (method, path), rule in policy.RULES.items():
        if rule.kind == policy.WORK and rule.resource is None:
            assert (method, path) in GUARDS, f"{method} {path}"


@pytest.mark.parametrize("path, expected", [
    ("/engine-rest/task/1", ("/engine-rest", "/task/1")),
    ("/engine-rest/engine/default/task/1", ("/engine-rest/engine/default", "/task/1")),
    ("/engine-rest/engine/other/process-instance", ("/engine-rest/engine/other",
                                                    "/process-instance")),
    ("/engine-rest/engine", ("/engine-rest", "/engine")),
    ("/elsewhere", ("", None)),
])
def test_aliases_map_to_the_same_routes(path: str, expected: tuple[str, str | None]) -> None:
    assert _split(path) == expected


def test_readme_prints_the_table() -> None:
    text = README.read_text()
    assert policy.markdown() in text, "README's Security section is out of date: paste " \
        "bpmnflow.security.policy.markdown()"
