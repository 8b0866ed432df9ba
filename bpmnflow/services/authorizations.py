"""Authorizations (Camunda's grants and revokes), what they add up to, and the key of a row.

A workflow grant is an authorization on resource type 6 (process definition) whose resource id
is the workflow's key (``*`` = every workflow), given to a permission set (``group_id``) or a
user.  What a caller may do with a workflow is the union of its grants' permission bits (its
own, its sets', and global ones), minus the bits revoked for it; see ``Grants``.

The security middleware also asks this module which workflow a row belongs to (``key_of``)
and which workflows a message or signal would reach: SQL stays in the services layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bpmnflow.errors import BadUserRequestError, NotFoundError
from bpmnflow.runtime.ids import new_id
from bpmnflow.services import operation_log as oplog
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import Filter, QuerySpec, eq, in_list
from bpmnflow.store.identity_entities import GLOBAL, GRANT, REVOKE, Authorization

ALL = 2**31 - 1
PROCESS_DEFINITION = 6

# Camunda's resource types (``Resources``): id -> name
RESOURCES = {0: "Application", 1: "User", 2: "Group", 3: "Group membership",
             4: "Authorization", 5: "Filter", 6: "ProcessDefinition", 7: "Task",
             8: "ProcessInstance", 9: "Deployment", 10: "DecisionDefinition", 11: "Tenant",
             12: "TenantMembership", 13: "Batch", 14: "DecisionRequirementsDefinition",
             15: "Report", 16: "Dashboard"}

# Camunda's generic permissions (``Permissions``) ...
_GENERIC = {"NONE": 0, "ALL": ALL, "READ": 2, "UPDATE": 4, "CREATE": 8, "DELETE": 16,
            "ACCESS": 32, "READ_TASK": 64, "UPDATE_TASK": 128, "CREATE_INSTANCE": 256,
            "READ_INSTANCE": 512, "UPDATE_INSTANCE": 1024, "DELETE_INSTANCE": 2048,
            "READ_HISTORY": 4096, "DELETE_HISTORY": 8192, "TASK_WORK": 16384,
            "TASK_ASSIGN": 32768, "MIGRATE_INSTANCE": 65536}
# ... and those of a process definition (``ProcessDefinitionPermissions``)
_DEFINITION = {"NONE": 0, "ALL": ALL, "READ": 2, "UPDATE": 4, "DELETE": 16, "RETRY_JOB": 32,
               "READ_TASK": 64, "UPDATE_TASK": 128, "CREATE_INSTANCE": 256,
               "READ_INSTANCE": 512, "UPDATE_INSTANCE": 1024, "DELETE_INSTANCE": 2048,
               "READ_HISTORY": 4096, "DELETE_HISTORY": 8192, "TASK_WORK": 16384,
               "TASK_ASSIGN": 32768, "MIGRATE_INSTANCE": 65536, "SUSPEND_INSTANCE": 131072,
               "UPDATE_INSTANCE_VARIABLE": 262144}

# Bits of a workflow grant that let its holder do the ordinary work (any bit lets them see).
WORK_BITS = (_DEFINITION["CREATE_INSTANCE"] | _DEFINITION["UPDATE_INSTANCE"]
             | _DEFINITION["UPDATE_TASK"] | _DEFINITION["TASK_WORK"]
             | _DEFINITION["TASK_ASSIGN"] | _DEFINITION["UPDATE_INSTANCE_VARIABLE"])


def permissions_of(resource_type: int) -> dict[str, int]:
    return _DEFINITION if resource_type == PROCESS_DEFINITION else _GENERIC


def to_mask(resource_type: int, names: Iterable[Any]) -> int:
    table = permissions_of(resource_type)
    mask = 0
    for name in names:
        if name not in table:
            raise BadUserRequestError(
                f"The permission '{name}' is not valid for '{RESOURCES.get(resource_type, '?')}'"
                " resource type.")
        mask |= table[name]
    return mask


def to_names(resource_type: int, mask: int) -> list[str]:
    """Camunda's names for a mask: ``ALL``/``NONE`` for the full and empty masks.  A revoke
    stores the bits it removes, so its names are the permissions revoked."""
    if mask == ALL:
        return ["ALL"]
    if mask == 0:
        return ["NONE"]
    return [n for n, bit in permissions_of(resource_type).items()
            if bit not in (0, ALL) and mask & bit == bit]


# -- what grants add up to -----------------------------------------------------------------------
@dataclass(frozen=True)
class Grants:
    """Workflow keys a caller may see and work on; ``None`` means every workflow."""

    visible: frozenset[str] | None
    workable: frozenset[str] | None


def grants(ctx: CommandContext, user_id: str | None, group_ids: Iterable[str]) -> Grants:
    groups = sorted(set(group_ids))
    where = ["(type = ? AND user_id = '*')"]
    params: list[Any] = [GLOBAL]
    if user_id is not None:
        where.append("user_id = ?")
        params.append(user_id)
    if groups:
        where.append(f"group_id IN ({', '.join('?' for _ in groups)})")
        params.extend(groups)
    rows = ctx.session.query(
        "SELECT type, resource_id, permissions FROM bf_authorization WHERE resource_type = ? "
        f"AND ({' OR '.join(where)})", [PROCESS_DEFINITION, *params])
    granted: dict[str, int] = {}
    revoked: dict[str, int] = {}
    for kind, resource_id, mask in rows:
        target = revoked if kind == REVOKE else granted
        target[resource_id] = target.get(resource_id, 0) | int(mask)
    every = granted.pop("*", 0)
    if every and not revoked:
        work_all = bool(every & WORK_BITS)
        masks = {key: mask | every for key, mask in granted.items()}
        return Grants(None, None if work_all else _keys(masks, WORK_BITS))
    if every:  # "every workflow but …": spell out the workflows deployed now
        for (key,) in ctx.session.query("SELECT DISTINCT def_key FROM bf_process_definition"):
            granted[key] = granted.get(key, 0) | every
    every_revoked = revoked.pop("*", 0)
    masks = {key: mask & ~(revoked.get(key, 0) | every_revoked)
             for key, mask in granted.items()}
    return Grants(_keys(masks, ALL), _keys(masks, WORK_BITS))


def _keys(masks: dict[str, int], bits: int) -> frozenset[str]:
    return frozenset(key for key, mask in masks.items() if mask & bits)


def mask_for(ctx: CommandContext, user_id: str | None, group_ids: Iterable[str],
             resource_type: int, resource_id: str | None) -> int:
    """The effective permission bits on one resource (``*`` entries included)."""
    groups = sorted(set(group_ids))
    who = ["(type = 0 AND user_id = '*')"]
    params: list[Any] = []
    if user_id is not None:
        who.append("user_id = ?")
        params.append(user_id)
    if groups:
        who.append(f"group_id IN ({', '.join('?' for _ in groups)})")
        params.extend(groups)
    rows = ctx.session.query(
        "SELECT type, permissions FROM bf_authorization WHERE resource_type = ? AND "
        f"resource_id IN ('*', ?) AND ({' OR '.join(who)})",
        [resource_type, resource_id or "*", *params])
    granted = revoked = 0
    for kind, mask in rows:
        if kind == REVOKE:
            revoked |= int(mask)
        else:
            granted |= int(mask)
    return granted & ~revoked


# -- authorizations as Camunda's REST API shows them --------------------------------------------
def get(ctx: CommandContext, authorization_id: str) -> Authorization | None:
    return ctx.uow.get(Authorization, authorization_id)


def get_or_fail(ctx: CommandContext, authorization_id: str) -> Authorization:
    found = ctx.uow.get(Authorization, authorization_id)
    if found is None:
        raise NotFoundError(f"Authorization with id {authorization_id} does not exist.")
    return found


def _validate(kind: int, user_id: str | None, group_id: str | None, resource_type: Any,
              resource_id: Any) -> None:
    if kind not in (GLOBAL, GRANT, REVOKE):
        raise BadUserRequestError(f"Unknown authorization type {kind}")
    if (user_id is None) == (group_id is None):
        raise BadUserRequestError(
            "Authorization must either have a 'userId' or a 'groupId'.")
    if kind == GLOBAL and (group_id is not None or user_id != "*"):
        raise BadUserRequestError(
            "ENGINE-03028 Cannot use groupId for GLOBAL authorization; the userId must be '*'.")
    if kind != GLOBAL and user_id == "*":
        raise BadUserRequestError("Cannot use '*' as user id for a grant or revoke.")
    if not isinstance(resource_type, int) or isinstance(resource_type, bool) \
            or resource_type not in RESOURCES:
        raise BadUserRequestError(f"Unknown resource type {resource_type}")
    if not isinstance(resource_id, str) or not resource_id:
        raise BadUserRequestError("Authorization must have a 'resourceId'.")


def create(ctx: CommandContext, kind: int, permissions: list[Any], user_id: str | None,
           group_id: str | None, resource_type: int, resource_id: str) -> Authorization:
    _validate(kind, user_id, group_id, resource_type, resource_id)
    row = Authorization(id=new_id(), rev=1, type=kind, user_id=user_id, group_id=group_id,
                        resource_type=resource_type, resource_id=resource_id,
                        permissions=to_mask(resource_type, permissions), removal_time=None,
                        root_proc_inst_id=None)
    ctx.uow.add(row)
    _log(ctx, "Create", row)
    return row


def update(ctx: CommandContext, authorization_id: str, permissions: list[Any],
           user_id: str | None, group_id: str | None, resource_type: int,
           resource_id: str) -> None:
    row = get_or_fail(ctx, authorization_id)
    _validate(row.type, user_id, group_id, resource_type, resource_id)
    row.permissions = to_mask(resource_type, permissions)
    row.user_id, row.group_id = user_id, group_id
    row.resource_type, row.resource_id = resource_type, resource_id
    _log(ctx, "Update", row)


def delete(ctx: CommandContext, authorization_id: str) -> None:
    row = get_or_fail(ctx, authorization_id)
    ctx.uow.remove(row)
    _log(ctx, "Delete", row)


def grant_workflow(ctx: CommandContext, group_id: str, key: str) -> None:
    """The product's own workflow grant (grants file, bootstrap): ALL on the key, idempotent."""
    existing = ctx.uow.select(
        Authorization, "type = ? AND group_id = ? AND resource_type = ? AND resource_id = ?",
        (GRANT, group_id, PROCESS_DEFINITION, key))
    if any(a.permissions == ALL for a in existing):
        return
    create(ctx, GRANT, ["ALL"], None, group_id, PROCESS_DEFINITION, key)


def _log(ctx: CommandContext, operation: str, row: Authorization) -> None:
    oplog.write(ctx, operation, "Authorization", oplog.ADMIN, [
        oplog.Change("permissions", None, ", ".join(to_names(row.resource_type,
                                                              row.permissions))),
        oplog.Change("type", None, row.type),
        oplog.Change("resource", None, RESOURCES.get(row.resource_type)),
        oplog.Change("resourceId", None, row.resource_id),
        oplog.Change("userId", None, row.user_id),
        oplog.Change("groupId", None, row.group_id)])


SPEC = QuerySpec(
    Authorization,
    filters={
        "id": eq("id"), "type": Filter("int", lambda q, v: q.eq("type", v)),
        "userIdIn": in_list("user_id"), "groupIdIn": in_list("group_id"),
        "resourceType": Filter("int", lambda q, v: q.eq("resource_type", v)),
        "resourceId": eq("resource_id"),
    },
    sorts={"resourceType": "t.resource_type", "resourceId": "t.resource_id"},
)


# -- which workflow a row belongs to -------------------------------------------------------------
_DEFINITION_OF = "(SELECT p.def_key FROM bf_process_definition p WHERE p.id = r.proc_def_id)"

# resource -> SQL selecting the process definition key of the row with id ``?``
KEY_SQL = {
    "definition": "SELECT r.def_key FROM bf_process_definition r WHERE r.id = ?",
    "instance": "SELECT r.proc_def_key FROM bf_execution r WHERE r.id = ?",
    "execution": "SELECT r.proc_def_key FROM bf_execution r WHERE r.id = ?",
    "task": "SELECT r.proc_def_key FROM bf_task r WHERE r.id = ?",
    "variable": "SELECT (SELECT e.proc_def_key FROM bf_execution e WHERE e.id = r.proc_inst_id)"
                " FROM bf_variable r WHERE r.id = ?",
    "external_task": "SELECT r.proc_def_key FROM bf_external_task r WHERE r.id = ?",
    "job": "SELECT r.proc_def_key FROM bf_job r WHERE r.id = ?",
    "job_definition": "SELECT r.proc_def_key FROM bf_job_definition r WHERE r.id = ?",
    "incident": f"SELECT {_DEFINITION_OF} FROM bf_incident r WHERE r.id = ?",
    "historic_instance": "SELECT r.proc_def_key FROM bf_hi_procinst r WHERE r.id = ?",
    "historic_activity": "SELECT r.proc_def_key FROM bf_hi_actinst r WHERE r.id = ?",
    "historic_task": "SELECT r.proc_def_key FROM bf_hi_taskinst r WHERE r.id = ?",
    "historic_variable": "SELECT r.proc_def_key FROM bf_hi_varinst r WHERE r.id = ?",
    "historic_detail": "SELECT r.proc_def_key FROM bf_hi_detail r WHERE r.id = ?",
    "historic_incident": "SELECT r.proc_def_key FROM bf_hi_incident r WHERE r.id = ?",
    "job_log": "SELECT r.proc_def_key FROM bf_hi_job_log r WHERE r.id = ?",
    "external_task_log": "SELECT r.proc_def_key FROM bf_hi_ext_task_log r WHERE r.id = ?",
}


@dataclass(frozen=True)
class Located:
    """The row exists (``found``) and belongs to workflow ``key`` (None: to none)."""

    found: bool
    key: str | None


def key_of(ctx: CommandContext, resource: str, ident: str) -> Located:
    rows = ctx.session.query(KEY_SQL[resource], (ident,))
    return Located(True, rows[0][0]) if rows else Located(False, None)


def _subscription_keys(ctx: CommandContext, event_type: str, name: str,
                       instance_id: str | None, execution_id: str | None) -> set[str | None]:
    sql = ("SELECT COALESCE((SELECT e.proc_def_key FROM bf_execution e WHERE e.id = "
           f"s.proc_inst_id), {_DEFINITION_OF.replace('r.', 's.')}) FROM bf_event_subscription "
           "s WHERE s.event_type = ? AND s.event_name = ?")
    params: list[Any] = [event_type, name]
    if instance_id is not None:
        sql += " AND s.proc_inst_id = ?"
        params.append(instance_id)
    if execution_id is not None:
        sql += " AND s.execution_id = ?"
        params.append(execution_id)
    return {row[0] for row in ctx.session.query(sql, params)}


def message_keys(ctx: CommandContext, name: str, instance_id: str | None) -> set[str | None]:
    """Workflows with an execution or a start event waiting for message ``name``."""
    return _subscription_keys(ctx, "message", name, instance_id, None)


def signal_keys(ctx: CommandContext, name: str, execution_id: str | None) -> set[str | None]:
    return _subscription_keys(ctx, "signal", name, None, execution_id)


def topics_of(ctx: CommandContext, keys: frozenset[str]) -> set[str]:
    if not keys:
        return set()
    marks = ", ".join("?" for _ in keys)
    rows = ctx.session.query(f"SELECT DISTINCT topic_name FROM bf_external_task WHERE "
                             f"proc_def_key IN ({marks})", sorted(keys))
    return {r[0] for r in rows}
