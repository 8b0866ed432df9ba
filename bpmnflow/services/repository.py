"""Repository commands: deployments, their resources and the process definitions they create."""

from __future__ import annotations

from dataclasses import dataclass, field

from bpmnflow.errors import EngineError, NotFoundError, NotValidError
from bpmnflow.model.bpmn_parser import parse_bpmn
from bpmnflow.model.elements import ProcessModel
from bpmnflow.runtime.ids import new_id
from bpmnflow.services import start_events
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import ACTIVE, Deployment, ProcessDefinition, Resource

BPMN_SUFFIXES = ("bpmn20.xml", "bpmn")
DIAGRAM_SUFFIXES = ("png", "jpg", "gif", "svg")
_PROCESS_APPLICATION = "process application"


@dataclass
class DeploymentResult:
    deployment: Deployment
    definitions: list[ProcessDefinition] | None = None
    models: list[ProcessModel] = field(default_factory=list)


def is_bpmn(name: str) -> bool:
    return name.endswith(BPMN_SUFFIXES)


def deploy(ctx: CommandContext, name: str | None, resources: dict[str, bytes],
           source: str | None = None, tenant_id: str | None = None,
           duplicate_filtering: bool = False, changed_only: bool = False) -> DeploymentResult:
    """Store a deployment and create a new version of every executable process in it.

    Parsing happens before anything is written, so a bad model leaves no trace.
    """
    if not resources:
        raise NotValidError("No deployment resources contained to deploy.")
    if duplicate_filtering or changed_only:
        changed = _changed_resources(ctx, name, source, tenant_id, resources)
        if not changed:
            previous = _latest_deployment_named(ctx, name)
            if previous is not None:
                return DeploymentResult(previous, None)
        elif changed_only:
            resources = {n: resources[n] for n in changed}
    parsed = []
    for resource_name, content in resources.items():
        if is_bpmn(resource_name):
            parsed.append((resource_name, parse_bpmn(content, resource_name)))
    keys: dict[str, str] = {}
    for resource_name, result in parsed:
        for model in result.processes:
            if model.key in keys:
                raise EngineError(f"The deployment contains definitions with the same key "
                                  f"'{model.key}' (id attribute), this is not allowed")
            keys[model.key] = resource_name
    if ctx.engine.config.engine.enforce_history_time_to_live:
        _enforce_ttl(parsed)
    deployment = Deployment(id=new_id(), name=name, deploy_time=_deploy_time(ctx),
                            source=source, tenant_id=tenant_id)
    ctx.uow.add(deployment)
    for resource_name, content in resources.items():
        ctx.uow.add(Resource(id=new_id(), deployment_id=deployment.id, name=resource_name,
                             content=content))
    definitions: list[ProcessDefinition] = []
    models: list[ProcessModel] = []
    for resource_name, result in parsed:
        for model in result.processes:
            definition = _new_definition(ctx, deployment, resource_name, model, resources,
                                         result.target_namespace)
            definitions.append(definition)
            models.append(model)
            start_events.register(ctx, definition, model)
    cache = ctx.engine.definitions
    ctx.post_commit.extend(
        (lambda d=d, m=m: cache.put(d, m)) for d, m in zip(definitions, models, strict=True))
    return DeploymentResult(deployment, definitions or None, models)


def _deploy_time(ctx: CommandContext) -> int:
    """Now, but later than every earlier deployment.

    Duplicate filtering and redeploy compare against the *latest* deployment; two deployments
    in the same millisecond (a script, a frozen test clock) would make that order arbitrary,
    so deployment times are kept strictly increasing.
    """
    latest = ctx.session.scalar("SELECT MAX(deploy_time) FROM bf_deployment")
    return max(ctx.now, int(latest) + 1) if latest is not None else ctx.now


def _enforce_ttl(parsed: list) -> None:
    from bpmnflow.errors import ParseError

    for resource_name, result in parsed:
        for model in result.processes:
            if model.history_ttl is None:
                msg = ("ENGINE-12018 History Time To Live (TTL) cannot be null. TTL is necessary "
                       "for the History Cleanup to work.")
                problem = {"message": msg, "line": model.line, "column": 0,
                           "mainElementId": model.key, "elementIds": [model.key]}
                raise ParseError(
                    f"ENGINE-09005 Could not parse BPMN process. Errors: \n* {msg} | resource "
                    f"{resource_name} | line {model.line} | column 0", [problem], resource_name)


def _new_definition(ctx: CommandContext, deployment: Deployment, resource_name: str,
                    model: ProcessModel, resources: dict[str, bytes],
                    category: str | None) -> ProcessDefinition:
    tenant = deployment.tenant_id
    latest = ctx.session.scalar(
        "SELECT MAX(version) FROM bf_process_definition WHERE def_key = ? AND "
        + ("tenant_id = ?" if tenant is not None else "tenant_id IS NULL"),
        (model.key, tenant) if tenant is not None else (model.key,))
    version = (latest or 0) + 1
    def_id = f"{model.key}:{version}:{new_id()}"
    if len(def_id) > 64:
        def_id = new_id()
    definition = ProcessDefinition(
        id=def_id, rev=1, def_key=model.key, version=version, name=model.name,
        category=category, description=model.documentation, deployment_id=deployment.id,
        resource_name=resource_name,
        diagram_resource_name=_diagram_for(resource_name, model.key, resources),
        tenant_id=tenant, version_tag=model.version_tag, history_ttl=model.history_ttl,
        startable=model.startable, has_start_form_key=model.start_form_key is not None,
        suspension_state=ACTIVE)
    ctx.uow.add(definition)
    return definition


def _diagram_for(resource_name: str, key: str, resources: dict[str, bytes]) -> str | None:
    base = resource_name
    for suffix in BPMN_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    for candidate_base in (f"{base}{key}.", base):
        for suffix in DIAGRAM_SUFFIXES:
            candidate = candidate_base + suffix
            if candidate in resources:
                return candidate
    return None


def _changed_resources(ctx: CommandContext, name: str | None, source: str | None,
                       tenant_id: str | None, resources: dict[str, bytes]) -> list[str]:
    """Resource names whose bytes differ from the latest resource of that name in a deployment
    with the same name, source (null counts as 'process application') and tenant."""
    if not source or source == _PROCESS_APPLICATION:
        source_clause, params = "(d.source IS NULL OR d.source = ?)", [_PROCESS_APPLICATION]
    else:
        source_clause, params = "d.source = ?", [source]
    name_clause = "d.name = ?" if name is not None else "d.name IS NULL"
    tenant_clause = "d.tenant_id = ?" if tenant_id is not None else "d.tenant_id IS NULL"
    marks = ", ".join("?" for _ in resources)
    rows = ctx.session.query(
        f"SELECT r.name, r.content FROM bf_resource r JOIN bf_deployment d "
        f"ON d.id = r.deployment_id WHERE {name_clause} AND {source_clause} AND {tenant_clause} "
        f"AND r.name IN ({marks}) ORDER BY d.deploy_time DESC, d.id DESC",
        ([name] if name is not None else []) + params
        + ([tenant_id] if tenant_id is not None else []) + list(resources))
    latest: dict[str, bytes] = {}
    for rname, content in rows:
        latest.setdefault(rname, bytes(content))
    return [n for n, content in resources.items() if latest.get(n) != content]


def _latest_deployment_named(ctx: CommandContext, name: str | None) -> Deployment | None:
    where = "name = ?" if name is not None else "name IS NULL"
    found = ctx.uow.select(Deployment, f"{where} ORDER BY deploy_time DESC, id DESC LIMIT 1",
                           (name,) if name is not None else ())
    return found[0] if found else None


def redeploy(ctx: CommandContext, deployment_id: str, resource_ids: list[str] | None,
             resource_names: list[str] | None, source: str | None) -> DeploymentResult:
    original = ctx.uow.get(Deployment, deployment_id)
    if original is None:
        raise NotFoundError(f"Deployment with id '{deployment_id}' does not exist")
    stored = ctx.uow.select(Resource, "deployment_id = ?", (deployment_id,))
    chosen = stored
    if resource_ids or resource_names:
        by_id = {r.id: r for r in stored}
        by_name = {r.name: r for r in stored}
        missing_ids = [i for i in resource_ids or [] if i not in by_id]
        if missing_ids:
            raise NotFoundError(f"The deployment with id '{deployment_id}' does not contain the "
                                f"following resources with id: {', '.join(missing_ids)}")
        missing_names = [n for n in resource_names or [] if n not in by_name]
        if missing_names:
            raise NotFoundError(f"The deployment with id '{deployment_id}' does not contain the "
                                f"following resources with name: {', '.join(missing_names)}")
        chosen = [by_id[i] for i in resource_ids or []] + [by_name[n] for n in
                                                            resource_names or []]
    resources = {r.name: bytes(r.content) for r in chosen}
    return deploy(ctx, original.name, resources, source=source, tenant_id=original.tenant_id)


def definition_by_id(ctx: CommandContext, definition_id: str) -> ProcessDefinition | None:
    return ctx.uow.get(ProcessDefinition, definition_id)


def latest_definition(ctx: CommandContext, key: str, tenant_id: str | None = None,
                      without_tenant: bool = True) -> ProcessDefinition | None:
    """The newest version of a key: without tenant, or of one tenant."""
    if tenant_id is not None:
        where, params = "def_key = ? AND tenant_id = ?", (key, tenant_id)
    else:
        where, params = "def_key = ? AND tenant_id IS NULL", (key,)
    found = ctx.uow.select(ProcessDefinition, f"{where} ORDER BY version DESC LIMIT 1", params)
    return found[0] if found else None


def resources_of(ctx: CommandContext, deployment_id: str) -> list[Resource]:
    return ctx.uow.select(Resource, "deployment_id = ? ORDER BY name", (deployment_id,))


def resource_content(ctx: CommandContext, deployment_id: str, name: str) -> bytes | None:
    content = ctx.session.scalar(
        "SELECT content FROM bf_resource WHERE deployment_id = ? AND name = ?",
        (deployment_id, name))
    return bytes(content) if content is not None else None


def delete_deployment(ctx: CommandContext, deployment_id: str, cascade: bool,
                      skip_custom_listeners: bool = False, skip_io_mappings: bool = False
                      ) -> None:
    """Remove a deployment, its resources and definitions (with ``cascade`` also their
    running instances and their history); an earlier version left behind becomes the newest
    again, its start events armed."""
    from bpmnflow.services import deletion

    deployment = ctx.uow.get(Deployment, deployment_id)
    if deployment is None:
        raise NotFoundError(f"Deployment with id '{deployment_id}' do not exist")
    definitions = ctx.uow.select(ProcessDefinition, "deployment_id = ? ORDER BY id",
                                 (deployment_id,))
    deletion.delete_definitions(ctx, definitions, cascade, skip_custom_listeners,
                                skip_io_mappings, log=False, reason="deleted deployment")
    if cascade:  # job logs of the deployment outside any instance (timer start events)
        ctx.session.execute("DELETE FROM bf_hi_job_log WHERE deployment_id = ?",
                            (deployment_id,))
    ctx.session.execute("DELETE FROM bf_resource WHERE deployment_id = ?", (deployment_id,))
    ctx.uow.remove(deployment)
    deletion.log_deployment_deletion(ctx, deployment_id, cascade)
