"""Task behaviours: user tasks (wait for a person), service-like tasks (an expression, a named
delegate, a connector or an external worker), script tasks, plain tasks."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from bpmnflow.delegates.registry import BpmnError
from bpmnflow.errors import EngineError
from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime.behaviors.base import Behavior, PassThrough, WaitState
from bpmnflow.runtime.ids import new_id
from bpmnflow.store.entities import Execution as ExecutionRow
from bpmnflow.store.entities import ExternalTask, IdentityLink, Task
from bpmnflow.variables import infer
from bpmnflow.variables.dates import parse_date

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

DEFAULT_PRIORITY = 50
_DURATION = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class PlainTask(PassThrough):
    pass


class ServiceTask(Behavior):
    """Service, send and business rule tasks: run the implementation and move on, or publish an
    external task (``camunda:type="external"``) and wait for a worker."""

    def execute(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        if node.props.get("external"):
            EXTERNAL.execute(rt, inst, ex, node)
            return
        if run_implementation(rt, inst, ex, node):
            rt.leave(inst, ex, node)

    def signal(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode,
               payload: Any) -> None:
        rt.leave(inst, ex, node)

    def cancel(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        if node.props.get("external"):
            EXTERNAL.cancel(rt, inst, ex, node)


class ScriptTask(ServiceTask):
    """Runs its script (JavaScript in the sandbox, or juel); ``camunda:resultVariable`` keeps
    the script's value."""


def run_implementation(rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> bool:
    """Do the activity's work; False when a BPMN error it threw has moved the token away."""
    from bpmnflow.scripting import el

    p = node.props
    kind = p.get("implementation") or ("script" if p.get("script") is not None else "expression")
    try:
        result: Any = None
        if kind == "script":
            from bpmnflow.scripting.invoke import run_script

            result = run_script(rt, ex, p["script"])
        elif kind == "delegate":
            from bpmnflow.delegates.invoke import call_delegate
            from bpmnflow.runtime.facades import ExecutionFacade

            call_delegate(rt, ex, p["delegate"], ExecutionFacade(rt, ex))
        elif kind == "connector":
            from bpmnflow.connect.activity import run_connector

            run_connector(rt, ex, p["connector"])
        else:
            result = el.evaluate(rt, p["expression"], ex)
    except BpmnError as error:
        throw_bpmn_error(rt, inst, ex, node, error)
        return False
    name = p.get("result_variable")
    if name and kind in ("script", "expression"):
        rt.set_variable(ex, name, infer(result))
    return True


def throw_bpmn_error(rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode,
                     error: BpmnError) -> None:
    """A BPMN error thrown by the activity's work: the nearest catching event handles it;
    with none, the execution ends (none end event semantics), as in Camunda."""
    from bpmnflow.runtime import events

    if ex.id not in inst.by_id:
        return
    if not events.propagate(rt, inst, ex, "error", error.error_code, error.error_message):
        scope = inst.parent(ex)
        rt.end_activity(inst, ex)
        rt.scope_may_end(inst, scope, node)


class UserTask(WaitState):
    """Creates a task for a person and waits until it is completed."""

    def execute(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        p = node.props
        task = Task(
            id=new_id(), rev=1, name=_resolved(rt, ex, node.name),
            description=_resolved(rt, ex, node.documentation), assignee=None,
            owner=None, delegation_state=None, priority=DEFAULT_PRIORITY, create_time=rt.now,
            last_updated=None, due_date=None, follow_up_date=None, task_def_key=node.id,
            execution_id=ex.id, proc_inst_id=ex.proc_inst_id, proc_def_id=ex.proc_def_id,
            proc_def_key=ex.proc_def_key, parent_task_id=None, form_key=None,
            tenant_id=ex.tenant_id, suspension_state=ex.suspension_state, task_state="Created")
        if p.get("assignee") is not None:
            task.assignee = _text(rt.evaluate(p["assignee"], ex))
        if p.get("priority") is not None:
            task.priority = _priority(rt.evaluate(p["priority"], ex), node)
        if p.get("due_date") is not None:
            task.due_date = _date(rt.evaluate(p["due_date"], ex), rt.now, node, "dueDate")
        if p.get("follow_up_date") is not None:
            task.follow_up_date = _date(rt.evaluate(p["follow_up_date"], ex), rt.now, node,
                                        "followUpDate")
        if p.get("form_key") is not None:
            task.form_key = _text(rt.evaluate(p["form_key"], ex))
        rt.uow.add(task)
        for expr in p.get("candidate_users") or ():
            for user in _names(rt.evaluate(expr, ex)):
                add_identity_link(rt, task, "candidate", user_id=user)
        for expr in p.get("candidate_groups") or ():
            for group in _names(rt.evaluate(expr, ex)):
                add_identity_link(rt, task, "candidate", group_id=group)
        rt.history.task_created(task, ex)
        fire_task_listeners(rt, task, ex, node, "create")
        if task.assignee is not None:
            fire_task_listeners(rt, task, ex, node, "assignment")

    def cancel(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        for task in rt.uow.find(Task, "execution_id = ?", (ex.id,),
                                lambda t: t.execution_id == ex.id):
            fire_task_listeners(rt, task, ex, node, "delete")
            remove_task(rt, task, rt.delete_reason or "deleted", "Deleted")


def fire_task_listeners(rt: Runtime, task: Task, ex: ExecutionRow | None, node: FlowNode,
                        event: str) -> None:
    """The task listeners of one task event: expressions, scripts, classes or beans, with
    ``task`` (and ``execution``) in scope."""
    if ex is None or rt.skip_listeners:
        return
    from bpmnflow.delegates.invoke import run_task_listener

    for listener in node.props.get("task_listeners") or ():
        if listener.event == event:
            run_task_listener(rt, ex, task, event, listener)


class ExternalTaskActivity(WaitState):
    """Publishes an external task on its topic and waits for a worker to complete it.

    Message end and intermediate throw events come here for every implementation; those not
    done by a worker (a delegate, an expression, a connector) run at once and leave.
    """

    def execute(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        if node.props.get("implementation", "external") != "external":
            if run_implementation(rt, inst, ex, node):
                self.signal(rt, inst, ex, node, None)
            return
        topic = rt.evaluate(node.props["topic"], ex)
        priority_expr = node.props.get("task_priority") or inst.model.task_priority
        priority = 0
        if priority_expr is not None:
            priority = _priority(rt.evaluate(priority_expr, ex), node)
        task = ExternalTask(
            id=new_id(), rev=1, topic_name=str(topic), worker_id=None, lock_expiration=None,
            retries=None, error_message=None, error_details=None, execution_id=ex.id,
            proc_inst_id=ex.proc_inst_id, proc_def_id=ex.proc_def_id,
            proc_def_key=ex.proc_def_key, proc_def_version_tag=inst.definition.version_tag,
            activity_id=node.id, activity_instance_id=ex.id,
            suspension_state=ex.suspension_state, priority=priority,
            business_key=inst.root.business_key, tenant_id=ex.tenant_id, create_time=rt.now,
            last_failure_log_id=None)
        rt.uow.add(task)
        rt.history.external_task_logged(task, 0)
        rt.notify("external_task", task.topic_name)

    def cancel(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        if node.props.get("implementation", "external") != "external":
            return
        for task in rt.uow.find(ExternalTask, "execution_id = ?", (ex.id,),
                                lambda t: t.execution_id == ex.id):
            rt.history.external_task_logged(task, 3)
            rt.uow.remove(task)
        rt.resolve_incidents(ex, deleted=True)


class ReceiveTask(WaitState):
    """Waits for its message (or for ``POST /execution/{id}/signal`` without one)."""

    def execute(self, rt: Runtime, inst: Instance, ex: ExecutionRow, node: FlowNode) -> None:
        if node.props.get("event") is not None:
            rt.arm(inst, ex, node)


def remove_task(rt: Runtime, task: Task, reason: str, state: str) -> None:
    """Delete a task with its identity links and local variables, closing its history."""
    task.task_state = state
    rt.history.task_ended(task, reason)
    if rt.uow.is_new(task):
        for link in rt.uow.pending(IdentityLink):
            if link.task_id == task.id:
                rt.uow.remove(link)
    else:
        rt.uow.session.execute("DELETE FROM bf_identity_link WHERE task_id = ?", (task.id,))
    if task.proc_inst_id is not None:
        rt.drop_task_variables(task)
    rt.uow.remove(task)


def add_identity_link(rt: Runtime, task: Task, kind: str, user_id: str | None = None,
                      group_id: str | None = None) -> IdentityLink:
    link = IdentityLink(id=new_id(), rev=1, type=kind, user_id=user_id, group_id=group_id,
                        task_id=task.id, proc_def_id=task.proc_def_id,
                        proc_inst_id=task.proc_inst_id, tenant_id=task.tenant_id)
    rt.uow.add(link)
    return link


def _resolved(rt: Runtime, ex: ExecutionRow, text: str | None) -> str | None:
    """Names and documentation may hold expressions (``Review ${subject}``), as in Camunda."""
    if text is None or "{" not in text:
        return text
    from bpmnflow.expr import ExpressionError, compile_expression

    try:
        expr = compile_expression(text)
    except ExpressionError:
        return text
    return text if expr.is_literal else _text(rt.evaluate(expr, ex))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _priority(value: Any, node: FlowNode) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EngineError(f"Priority value '{value}' of task '{node.id}' is not a number") from None


def _date(value: Any, now_ms: int, node: FlowNode, what: str) -> int | None:
    """Camunda accepts a Date, an ISO 8601 date-time or an ISO 8601 duration from now."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return int(value.timestamp() * 1000)
    text = str(value).strip()
    match = _DURATION.match(text)
    if match and text != "P":
        y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in match.groups())
        ms = (((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60_000 + s * 1000
        return now_ms + int(ms)
    try:
        return int(parse_date(text).timestamp() * 1000)
    except ValueError:
        raise EngineError(f"Cannot parse {what} '{text}' of task '{node.id}': not an ISO 8601 "
                          "date or duration") from None


EXTERNAL = ExternalTaskActivity()
