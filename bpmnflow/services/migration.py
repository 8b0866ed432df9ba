"""Migration of running instances between definitions (``/migration/*``).

A plan maps source activity ids to target activity ids; executing it re-points every row of an
instance (executions, tasks, jobs, external tasks, subscriptions, incidents, their history) at
the target definition, so nothing is restarted and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmnflow.errors import BadUserRequestError, NotFoundError
from bpmnflow.model.elements import FlowNode, ProcessModel
from bpmnflow.runtime import waiting
from bpmnflow.runtime.instance import Instance
from bpmnflow.services import operation_log
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import (
    EventSubscription,
    ExternalTask,
    HistoricProcessInstance,
    Incident,
    Job,
    ProcessDefinition,
    Task,
)
from bpmnflow.variables import TypedValue

MI_SUFFIX = "#multiInstanceBody"


class MigrationPlanValidationError(BadUserRequestError):
    camunda_type = "MigrationPlanValidationException"

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report

    def body(self) -> dict[str, Any]:
        return {**super().body(), "validationReport": self.report}


class MigratingInstanceValidationError(BadUserRequestError):
    camunda_type = "MigratingProcessInstanceValidationException"

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report

    def body(self) -> dict[str, Any]:
        return {**super().body(), "validationReport": self.report}


@dataclass
class Plan:
    source_id: str
    target_id: str
    instructions: list[dict[str, Any]] = field(default_factory=list)
    variables: dict[str, TypedValue] = field(default_factory=dict)


def _models(ctx: CommandContext, plan: Plan) -> tuple[ProcessModel, ProcessModel]:
    for definition_id in (plan.source_id, plan.target_id):
        if ctx.uow.get(ProcessDefinition, definition_id or "") is None:
            raise NotFoundError(f"ENGINE-23001 Process definition with id '{definition_id}' "
                                "does not exist")
    _, source = ctx.engine.definitions.get(plan.source_id)
    _, target = ctx.engine.definitions.get(plan.target_id)
    return source, target


def _scope_path(node: FlowNode) -> list[str]:
    path, scope = [], node.scope
    while scope is not None:
        path.append(scope.id)
        scope = scope.scope
    return path


def _migratable(node: FlowNode) -> bool:
    return node.kind not in ("startEvent", "endEvent", "sequenceFlow", "multiInstanceBody",
                             "intermediateThrowEvent") and not (
        node.kind == "subProcess" and node.props.get("triggered_by_event"))


def generate(ctx: CommandContext, source_id: str, target_id: str,
             update_event_triggers: bool = False) -> Plan:
    """Map every activity that exists, with the same type, at the same place in both."""
    plan = Plan(source_id, target_id)
    source, target = _models(ctx, plan)
    for node in source.nodes.values():
        other = target.nodes.get(node.id)
        if other is None or not _migratable(node) or other.kind != node.kind:
            continue
        if _scope_path(node) != _scope_path(other):
            continue
        instruction: dict[str, Any] = {"sourceActivityIds": [node.id],
                                       "targetActivityIds": [other.id]}
        event = node.props.get("event")
        instruction["updateEventTrigger"] = bool(update_event_triggers and event is not None
                                                 and event.kind in ("message", "signal", "timer"))
        plan.instructions.append(instruction)
    return plan


def validate(ctx: CommandContext, plan: Plan) -> dict[str, Any]:
    """Camunda's MigrationPlanReportDto: one report per instruction with failures."""
    source, target = _models(ctx, plan)
    reports = []
    for instruction in plan.instructions:
        failures = []
        sources = instruction.get("sourceActivityIds") or []
        targets = instruction.get("targetActivityIds") or []
        if len(sources) != 1 or len(targets) != 1:
            failures.append("Exactly one source and one target activity must be given")
        else:
            src, tgt = source.nodes.get(sources[0]), target.nodes.get(targets[0])
            if src is None:
                failures.append(f"Source activity '{sources[0]}' does not exist")
            if tgt is None:
                failures.append(f"Target activity '{targets[0]}' does not exist")
            if src is not None and tgt is not None and src.kind != tgt.kind:
                failures.append(f"Activities have incompatible types ({src.activity_type} is not "
                                f"compatible with {tgt.activity_type})")
        if failures:
            reports.append({"instruction": instruction, "failures": failures})
    return {"instructionReports": reports, "variableReports": {}}


def execute(ctx: CommandContext, plan: Plan, instance_ids: list[str],
            skip_listeners: bool = False, skip_io: bool = False) -> None:
    report = validate(ctx, plan)
    if report["instructionReports"]:
        raise MigrationPlanValidationError(
            f"ENGINE-23003 Migration plan for process definition '{plan.source_id}' to "
            f"'{plan.target_id}' is not valid", report)
    if not instance_ids:
        raise BadUserRequestError("process instance ids is empty")
    mapping = {i["sourceActivityIds"][0]: i["targetActivityIds"][0] for i in plan.instructions}
    definition = ctx.uow.get(ProcessDefinition, plan.target_id)
    assert definition is not None
    _, target = ctx.engine.definitions.get(plan.target_id)
    rt = ctx.runtime
    rt.skip_listeners, rt.skip_io = skip_listeners, skip_io
    operation_log.write(ctx, "Migrate", "ProcessInstance", operation_log.OPERATOR, [
        operation_log.Change("processDefinitionId", plan.source_id, plan.target_id),
        operation_log.Change("nrOfInstances", None, len(instance_ids))],
        proc_def_id=plan.source_id, proc_def_key=definition.def_key)
    for pid in instance_ids:
        inst = rt.find_instance(pid)
        if inst is None:
            raise BadUserRequestError(f"Process instance '{pid}' cannot be migrated: it does not "
                                      "exist")
        if inst.definition.id != plan.source_id:
            raise BadUserRequestError(
                f"ENGINE-23002 Process instance '{pid}' is not an instance of process definition "
                f"'{plan.source_id}'")
        _migrate(ctx, inst, mapping, definition, target, plan.variables)


def _target_activity(activity_id: str, mapping: dict[str, str]) -> str | None:
    if activity_id.endswith(MI_SUFFIX):
        inner = mapping.get(activity_id[: -len(MI_SUFFIX)])
        return inner + MI_SUFFIX if inner else None
    return mapping.get(activity_id)


def _migrate(ctx: CommandContext, inst: Instance, mapping: dict[str, str],
             definition: ProcessDefinition, target: ProcessModel,
             variables: dict[str, TypedValue]) -> None:
    unmapped = [row for row in inst.by_id.values() if row is not inst.root
                and _target_activity(row.activity_id or "", mapping) is None]
    if unmapped:
        failures = {row.id: [f"There is no migration instruction for this instance's activity "
                             f"'{row.activity_id}'"] for row in unmapped}
        raise MigratingInstanceValidationError(
            f"ENGINE-23004 Cannot migrate process instance '{inst.id}':\n" + "\n".join(
                f"\tActivity instance '{i}' is not supported: {m[0]}" for i, m in failures.items()),
            {"processInstanceId": inst.id, "failures": [],
             "activityInstanceValidationReports": [
                 {"migrationInstruction": None, "activityInstanceId": i,
                  "sourceScopeId": None, "failures": m} for i, m in failures.items()],
             "transitionInstanceValidationReports": []})
    rt = ctx.runtime
    old_model = inst.model
    for row in inst.by_id.values():
        row.proc_def_id, row.proc_def_key = definition.id, definition.def_key
        if row is not inst.root:
            row.activity_id = _target_activity(row.activity_id or "", mapping)
    inst.definition, inst.model = definition, target
    session = ctx.session
    for task in ctx.uow.select(Task, "proc_inst_id = ?", (inst.id,)):
        task.proc_def_id, task.proc_def_key = definition.id, definition.def_key
        task.task_def_key = mapping.get(task.task_def_key or "", task.task_def_key)
    for ext in ctx.uow.select(ExternalTask, "proc_inst_id = ?", (inst.id,)):
        ext.proc_def_id, ext.proc_def_key = definition.id, definition.def_key
        ext.proc_def_version_tag = definition.version_tag
        ext.activity_id = mapping.get(ext.activity_id, ext.activity_id)
    for incident in ctx.uow.select(Incident, "proc_inst_id = ?", (inst.id,)):
        incident.proc_def_id = definition.id
        if incident.activity_id:
            incident.activity_id = mapping.get(incident.activity_id, incident.activity_id)
    for job in ctx.uow.select(Job, "proc_inst_id = ?", (inst.id,)):
        new_activity = mapping.get(job.activity_id or "")
        if new_activity is None or new_activity not in target.nodes:
            rt.history.job_deleted(job)
            ctx.uow.remove(job)
            continue
        job.proc_def_id, job.proc_def_key = definition.id, definition.def_key
        job.activity_id = new_activity
        job.job_def_id = waiting.job_definition_id(
            definition.id, new_activity, job.handler_type,
            waiting.job_configuration(job.handler_type, job.handler_cfg))
    for sub in ctx.uow.select(EventSubscription, "proc_inst_id = ?", (inst.id,)):
        new_activity = mapping.get(sub.activity_id or "")
        if new_activity is None or new_activity not in target.nodes:
            ctx.uow.remove(sub)
            continue
        sub.activity_id, sub.proc_def_id = new_activity, definition.id
    _arm_new_boundaries(ctx, inst, old_model)
    hi = ctx.uow.get(HistoricProcessInstance, inst.id)
    if hi is not None:
        hi.proc_def_id, hi.proc_def_key = definition.id, definition.def_key
        hi.proc_def_name, hi.proc_def_version = definition.name, definition.version
    for table, column in (("bf_hi_actinst", "act_id"), ("bf_hi_taskinst", "task_def_key")):
        session.execute(f"UPDATE {table} SET proc_def_id = ?, proc_def_key = ? "
                        f"WHERE proc_inst_id = ?", (definition.id, definition.def_key, inst.id))
        for old, new in mapping.items():
            if old != new:
                session.execute(f"UPDATE {table} SET {column} = ? WHERE proc_inst_id = ? AND "
                                f"{column} = ? AND end_time IS NULL", (new, inst.id, old))
    for name, value in variables.items():
        rt.set_variable(inst.root, name, value)


def _arm_new_boundaries(ctx: CommandContext, inst: Instance, old_model: ProcessModel) -> None:
    """Boundary events the target adds to a migrated activity start waiting now."""
    rt = ctx.runtime
    for row in list(inst.by_id.values()):
        if row is inst.root or row.state != "active":
            continue
        node = inst.model.nodes.get(row.activity_id or "")
        if node is None:
            continue
        old = old_model.nodes.get(row.activity_id or "")
        old_ids = {b.id for b in (old.props.get("boundary") or ())} if old is not None else set()
        for boundary in node.props.get("boundary") or ():
            if boundary.id not in old_ids:
                rt.arm(inst, row, boundary)


def plan_from(raw: Any, parse_variables: Any) -> Plan:
    if not isinstance(raw, dict):
        raise BadUserRequestError("Migration plan must be given")
    instructions = [{"sourceActivityIds": list(i.get("sourceActivityIds") or []),
                     "targetActivityIds": list(i.get("targetActivityIds") or []),
                     "updateEventTrigger": bool(i.get("updateEventTrigger"))}
                    for i in raw.get("instructions") or [] if isinstance(i, dict)]
    return Plan(raw.get("sourceProcessDefinitionId") or "",
                raw.get("targetProcessDefinitionId") or "", instructions,
                parse_variables(raw.get("variables")))


def plan_dto(plan: Plan, variables_dto: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"sourceProcessDefinitionId": plan.source_id,
            "targetProcessDefinitionId": plan.target_id,
            "instructions": plan.instructions, "variables": variables_dto}
