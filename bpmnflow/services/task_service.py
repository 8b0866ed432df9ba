"""Task commands: claim, assign, delegate, resolve, complete, task variables, identity links."""

from __future__ import annotations

from bpmnflow.errors import (
    EngineError,
    NullValueError,
    OptimisticLockingError,
    SuspendedEntityError,
    TaskAlreadyClaimedError,
)
from bpmnflow.runtime.behaviors.tasks import remove_task
from bpmnflow.runtime.instance import Instance
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import SUSPENDED, Execution, IdentityLink, Task
from bpmnflow.variables import TypedValue


def task_or_fail(ctx: CommandContext, task_id: str) -> Task:
    task = ctx.uow.get(Task, task_id)
    if task is None:
        raise NullValueError(f"Cannot find task with id {task_id}: task is null")
    return task


def _scope(ctx: CommandContext, task: Task) -> tuple[Instance, Execution] | tuple[None, None]:
    if task.proc_inst_id is None:
        return None, None
    inst = ctx.runtime.find_instance(task.proc_inst_id)
    ex = inst.by_id.get(task.execution_id or "") if inst is not None else None
    if inst is None or ex is None:
        # The task row was read, but another command committed its completion before the
        # instance was loaded (PostgreSQL reads each statement's newest commit): a conflict.
        raise OptimisticLockingError(
            f"ENGINE-03005 Execution of 'UPDATE Task[{task.id}]' failed. Entity was updated "
            "by another transaction concurrently.")
    return inst, ex


def _touch(ctx: CommandContext, task: Task, assigned: bool = False) -> None:
    task.last_updated = ctx.now
    task.task_state = "Updated"
    ctx.runtime.history.task_updated(task)
    _listeners(ctx, task, "update")
    if assigned:
        _listeners(ctx, task, "assignment")


def _listeners(ctx: CommandContext, task: Task, event: str) -> None:
    """Task listeners of the task's user task for one event (Camunda's DelegateTask events)."""
    if task.proc_inst_id is None:
        return
    from bpmnflow.runtime.behaviors.tasks import fire_task_listeners

    inst = ctx.runtime.instance(task.proc_inst_id)
    node = inst.model.nodes.get(task.task_def_key or "")
    if node is not None and node.props.get("task_listeners"):
        fire_task_listeners(ctx.runtime, task, inst.by_id.get(task.execution_id or ""), node,
                            event)


def _active(task: Task) -> None:
    if task.suspension_state == SUSPENDED:
        raise SuspendedEntityError(f"ENGINE-03043 task with id '{task.id}' is suspended.")


def claim(ctx: CommandContext, task_id: str, user_id: str | None) -> None:
    task = task_or_fail(ctx, task_id)
    _active(task)
    if user_id is not None and task.assignee is not None and task.assignee != user_id:
        raise TaskAlreadyClaimedError(f"Task '{task_id}' is already claimed by someone else.")
    if task.assignee != user_id:
        task.assignee = user_id
        _touch(ctx, task, assigned=user_id is not None)


def set_assignee(ctx: CommandContext, task_id: str, user_id: str | None) -> None:
    task = task_or_fail(ctx, task_id)
    _active(task)
    changed = task.assignee != user_id
    task.assignee = user_id
    _touch(ctx, task, assigned=changed and user_id is not None)


def delegate(ctx: CommandContext, task_id: str, user_id: str | None) -> None:
    task = task_or_fail(ctx, task_id)
    _active(task)
    if task.owner is None:
        task.owner = task.assignee
    changed = task.assignee != user_id
    task.assignee = user_id
    task.delegation_state = "PENDING"
    _touch(ctx, task, assigned=changed and user_id is not None)


def resolve(ctx: CommandContext, task_id: str, variables: dict[str, TypedValue]) -> None:
    task = task_or_fail(ctx, task_id)
    _active(task)
    set_variables(ctx, task_id, variables)
    task.delegation_state = "RESOLVED"
    task.assignee = task.owner
    _touch(ctx, task)


def complete(ctx: CommandContext, task_id: str, variables: dict[str, TypedValue],
             return_variables: bool = False) -> dict[str, TypedValue] | None:
    """Complete a task and move its process on to the next wait states."""
    task = task_or_fail(ctx, task_id)
    # Camunda 7 completes a task whose delegation is still PENDING: only submit-form resolves
    _active(task)
    rt = ctx.runtime
    inst, ex = _scope(ctx, task)
    set_variables(ctx, task_id, variables)
    if inst is not None and ex is not None and ex.id not in inst.by_id:
        return None  # a conditional event fired by these variables took the task away
    result = None
    if return_variables and ex is not None:
        result = rt.visible_variables(ex, task)
    _listeners(ctx, task, "complete")
    remove_task(rt, task, "completed", "Completed")
    if inst is not None and ex is not None:
        rt.signal(inst, ex)
        if result is not None and not inst.ended:
            result.update({n: inst.value(v) for n, v in inst.scopes.get(inst.id, {}).items()})
    return result


def submit_form(ctx: CommandContext, task_id: str, variables: dict[str, TypedValue],
                return_variables: bool = False) -> dict[str, TypedValue] | None:
    """Camunda's form submit: a task still delegated (PENDING) is resolved, not completed."""
    task = task_or_fail(ctx, task_id)
    if task.delegation_state != "PENDING":
        return complete(ctx, task_id, variables, return_variables)
    resolve(ctx, task_id, variables)
    return get_variables(ctx, task_id) if return_variables else None


def get_variables(ctx: CommandContext, task_id: str, local: bool = False
                  ) -> dict[str, TypedValue]:
    task = ctx.uow.get(Task, task_id)
    if task is None:
        raise NullValueError(f"task {task_id} doesn't exist: task is null")
    inst, ex = _scope(ctx, task)
    if inst is None:
        return {}
    if local:
        return {n: inst.value(v) for n, v in inst.task_scopes.get(task.id, {}).items()}
    return ctx.runtime.visible_variables(ex, task)  # type: ignore[arg-type]


def set_variables(ctx: CommandContext, task_id: str, variables: dict[str, TypedValue],
                  local: bool = False, deletions: list[str] | None = None) -> None:
    task = ctx.uow.get(Task, task_id)
    if task is None:
        raise NullValueError(f"task {task_id} doesn't exist: task is null")
    inst, ex = _scope(ctx, task)
    rt = ctx.runtime
    for name in deletions or []:
        remove_variable(ctx, task_id, name, local)
    if inst is None or ex is None:
        if variables:
            raise EngineError("Variables of standalone tasks are not supported")
        return
    for name, value in variables.items():
        if local or name in inst.task_scopes.get(task.id, {}):
            rt.set_task_variable(task, name, value)
        else:
            rt.set_variable(ex, name, value)
    rt.run()  # conditional events watching these variables


def remove_variable(ctx: CommandContext, task_id: str, name: str, local: bool = False) -> None:
    task = ctx.uow.get(Task, task_id)
    if task is None:
        raise NullValueError(f"task {task_id} doesn't exist: task is null")
    rt = ctx.runtime
    if rt.remove_task_variable(task, name) or local:
        return
    _, ex = _scope(ctx, task)
    if ex is not None:
        rt.remove_variable(ex, name)
        rt.run()


def identity_links(ctx: CommandContext, task_id: str, kind: str | None = None
                   ) -> list[dict[str, str | None]]:
    task = ctx.uow.get(Task, task_id)
    if task is None:
        raise NullValueError(f"Cannot find task with id {task_id}: task is null")
    links: list[dict[str, str | None]] = []
    if task.assignee is not None:
        links.append({"userId": task.assignee, "groupId": None, "type": "assignee"})
    if task.owner is not None:
        links.append({"userId": task.owner, "groupId": None, "type": "owner"})
    for link in ctx.uow.select(IdentityLink, "task_id = ? ORDER BY id", (task_id,)):
        links.append({"userId": link.user_id, "groupId": link.group_id, "type": link.type})
    return [link for link in links if kind is None or link["type"] == kind]


def add_identity_link(ctx: CommandContext, task_id: str, user_id: str | None,
                      group_id: str | None, kind: str) -> None:
    from bpmnflow.runtime.behaviors import tasks

    task = task_or_fail(ctx, task_id)
    if kind == "assignee":
        task.assignee = user_id
        _touch(ctx, task, assigned=user_id is not None)
    elif kind == "owner":
        task.owner = user_id
        _touch(ctx, task)
    else:
        tasks.add_identity_link(ctx.runtime, task, kind, user_id=user_id, group_id=group_id)


def delete_identity_link(ctx: CommandContext, task_id: str, user_id: str | None,
                         group_id: str | None, kind: str) -> None:
    task = task_or_fail(ctx, task_id)
    if kind == "assignee":
        task.assignee = None
        _touch(ctx, task)
        return
    if kind == "owner":
        task.owner = None
        _touch(ctx, task)
        return
    for link in ctx.uow.select(IdentityLink, "task_id = ? AND type = ?", (task_id, kind)):
        if link.user_id == user_id and link.group_id == group_id:
            ctx.uow.remove(link)
