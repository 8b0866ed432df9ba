"""Process definition queries and commands: lookups, start, forms and statistics."""

from __future__ import annotations

from typing import Any

from bpmnflow.runtime.instance import Instance
from bpmnflow.services import repository, runtime_service
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import (
    Filter,
    QuerySpec,
    eq,
    flag,
    in_list,
    int_cmp,
    like,
)
from bpmnflow.store.entities import ProcessDefinition
from bpmnflow.variables import TypedValue

SPEC = QuerySpec(
    ProcessDefinition,
    key_column="t.def_key",
    filters={
        "processDefinitionId": eq("id"),
        "processDefinitionIdIn": in_list("id"),
        "name": eq("name"), "nameLike": like("name"),
        "deploymentId": eq("deployment_id"),
        "key": eq("def_key"), "keysIn": in_list("def_key"), "keyLike": like("def_key"),
        "category": eq("category"), "categoryLike": like("category"),
        "version": Filter("int", lambda q, v: q.eq("version", v)),
        "latestVersion": flag(
            "t.version = (SELECT MAX(p.version) FROM bf_process_definition p WHERE "
            "p.def_key = t.def_key AND COALESCE(p.tenant_id, '') = COALESCE(t.tenant_id, ''))"),
        "resourceName": eq("resource_name"), "resourceNameLike": like("resource_name"),
        "suspended": flag("t.suspension_state = 2"),
        "active": flag("t.suspension_state = 1"),
        "versionTag": eq("version_tag"), "versionTagLike": like("version_tag"),
        "withoutVersionTag": flag("t.version_tag IS NULL"),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        # TRUE/FALSE literals: a BOOL column on PostgreSQL, 1/0 on SQLite (3.23+ knows both)
        "startableInTasklist": flag("t.startable = TRUE"),
        "notStartableInTasklist": flag("t.startable = FALSE"),
        "deployedAfter": Filter("date", lambda q, v: q.add(
            "t.deployment_id IN (SELECT d.id FROM bf_deployment d WHERE d.deploy_time > ?)", v)),
        "deployedAt": Filter("date", lambda q, v: q.add(
            "t.deployment_id IN (SELECT d.id FROM bf_deployment d WHERE d.deploy_time = ?)", v)),
        "minVersion": int_cmp("version", ">="),
    },
    sorts={"category": "t.category", "key": "t.def_key", "id": "t.id", "name": "t.name",
           "version": "t.version", "deploymentId": "t.deployment_id",
           "tenantId": "t.tenant_id", "versionTag": "t.version_tag",
           "deployTime": "(SELECT d.deploy_time FROM bf_deployment d "
                         "WHERE d.id = t.deployment_id)"},
)


def by_id(ctx: CommandContext, definition_id: str) -> ProcessDefinition | None:
    return repository.definition_by_id(ctx, definition_id)


def latest(ctx: CommandContext, key: str, tenant_id: str | None) -> ProcessDefinition | None:
    return repository.latest_definition(ctx, key, tenant_id)


def resource(ctx: CommandContext, deployment_id: str, name: str | None) -> bytes | None:
    return repository.resource_content(ctx, deployment_id, name or "")


def start(ctx: CommandContext, definition_id: str, business_key: str | None,
          variables: dict[str, TypedValue], return_variables: bool
          ) -> tuple[Instance, dict[str, TypedValue] | None]:
    definition = runtime_service.definition_for_start(ctx, definition_id)
    return runtime_service.start_process_instance(ctx, definition, business_key, variables,
                                                  return_variables)


def start_form_key(ctx: CommandContext, definition_id: str) -> str | None:
    _, model = ctx.engine.definitions.get(definition_id)
    return model.start_form_key


_FORM_TYPES = {"string": "String", "long": "Long", "boolean": "Boolean", "date": "Date",
               "enum": "String"}


def form_variables(ctx: CommandContext, definition_id: str) -> dict[str, TypedValue]:
    from bpmnflow.variables import from_rest

    _, model = ctx.engine.definitions.get(definition_id)
    out: dict[str, TypedValue] = {}
    for field in model.start_form_fields:
        kind = _FORM_TYPES.get((field.type or "string").lower(), "String")
        value: Any = field.default_value
        if value is not None and kind == "Long":
            value = int(value)
        elif value is not None and kind == "Boolean":
            value = value.lower() == "true"
        out[field.id] = from_rest(field.id, {"type": kind if value is not None else "Null",
                                             "value": value})
    return out


def activity_statistics(ctx: CommandContext, definition_id: str) -> list[tuple[str, int]]:
    rows = ctx.session.query(
        "SELECT activity_id, COUNT(*) FROM bf_execution WHERE proc_def_id = ? AND "
        "activity_id IS NOT NULL AND state <> 'join' GROUP BY activity_id ORDER BY activity_id",
        (definition_id,))
    return [(a, int(c)) for a, c in rows]


def definition_statistics(ctx: CommandContext) -> list[tuple[ProcessDefinition, int]]:
    counts = dict(ctx.session.query(
        "SELECT proc_def_id, COUNT(*) FROM bf_execution WHERE parent_id IS NULL "
        "GROUP BY proc_def_id"))
    definitions = ctx.uow.select(ProcessDefinition, "1 = 1 ORDER BY id")
    return [(d, int(counts.get(d.id, 0))) for d in definitions]
