"""The engine's own users, permission sets (Camunda's groups), their nesting, and tenants.

A permission set is held by a user directly (a membership) or through another set that holds
it (nesting, to any depth).  Nesting refuses a grant that would close a cycle; reading
tolerates cycles anyway, so a database edited by hand cannot hang a request.  Passwords arrive
here already hashed: hashing belongs to the security layer, which also verifies them.
Every change is written to the user operation log (category Admin), as Camunda does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bpmnflow.errors import BadUserRequestError, EngineError, NotFoundError
from bpmnflow.runtime.ids import new_id
from bpmnflow.services import operation_log as oplog
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import Filter, QuerySpec, eq, in_list, like
from bpmnflow.store.identity_entities import (
    Authorization,
    Group,
    GroupNesting,
    Membership,
    Tenant,
    TenantMember,
    User,
)
from bpmnflow.store.query import Query

# Ids of users, sets and tenants end up in URLs, logs and tokens: a conservative alphabet
# (what Keycloak user names, role names and service accounts use) keeps them unambiguous.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")

USER, GROUP, TENANT = "User", "Group", "Tenant"
GROUP_MEMBERSHIP, TENANT_MEMBERSHIP, NESTING = ("Group membership", "TenantMembership",
                                                "PermissionSetNesting")


def check_id(kind: str, ident: Any) -> str:
    if not isinstance(ident, str) or not _VALID_ID.fullmatch(ident):
        raise BadUserRequestError(f"{kind} has an invalid id: '{ident}' is not a valid "
                                  "resource identifier.")
    return ident


def _log(ctx: CommandContext, operation: str, entity: str, **values: Any) -> None:
    oplog.write(ctx, operation, entity, oplog.ADMIN,
                [oplog.Change(name, None, value) for name, value in values.items()])


# -- users ---------------------------------------------------------------------------------------
def user(ctx: CommandContext, user_id: str) -> User | None:
    return ctx.uow.get(User, user_id)


def user_or_fail(ctx: CommandContext, user_id: str) -> User:
    found = ctx.uow.get(User, user_id)
    if found is None:
        raise NotFoundError(f"User with id {user_id} does not exist")
    return found


def create_user(ctx: CommandContext, profile: dict[str, Any], password_hash: str | None) -> User:
    user_id = check_id("User", profile.get("id"))
    if ctx.uow.get(User, user_id) is not None:
        raise EngineError(f"The user with id '{user_id}' already exists.")
    row = User(id=user_id, rev=1, first_name=profile.get("firstName"),
               last_name=profile.get("lastName"), email=profile.get("email"),
               password_hash=password_hash, attempts=0, lock_exp_time=None)
    ctx.uow.add(row)
    _log(ctx, "Create", USER, userId=user_id)
    return row


def update_profile(ctx: CommandContext, user_id: str, profile: dict[str, Any]) -> None:
    row = user_or_fail(ctx, user_id)
    new_id_ = profile.get("id")
    if new_id_ is not None and new_id_ != user_id:
        raise BadUserRequestError("The id of a user cannot be changed")
    row.first_name = profile.get("firstName")
    row.last_name = profile.get("lastName")
    row.email = profile.get("email")
    _log(ctx, "Update", USER, userId=user_id)


def set_password(ctx: CommandContext, user_id: str, password_hash: str) -> None:
    row = user_or_fail(ctx, user_id)
    row.password_hash = password_hash
    row.attempts = 0
    row.lock_exp_time = None
    _log(ctx, "Update", USER, userId=user_id, property="password")


def unlock_user(ctx: CommandContext, user_id: str) -> None:
    row = user_or_fail(ctx, user_id)
    row.attempts = 0
    row.lock_exp_time = None
    _log(ctx, "Unlock", USER, userId=user_id)


def delete_user(ctx: CommandContext, user_id: str) -> None:
    row = user_or_fail(ctx, user_id)
    for cls, where in ((Membership, "user_id = ?"), (TenantMember, "user_id = ?"),
                       (Authorization, "user_id = ?")):
        for dependent in ctx.uow.select(cls, where, (user_id,)):
            ctx.uow.remove(dependent)
    ctx.uow.remove(row)
    _log(ctx, "Delete", USER, userId=user_id)


def count_users(ctx: CommandContext) -> int:
    return int(ctx.session.scalar("SELECT COUNT(*) FROM bf_user") or 0)


# -- permission sets (groups) --------------------------------------------------------------------
def group(ctx: CommandContext, group_id: str) -> Group | None:
    return ctx.uow.get(Group, group_id)


def group_or_fail(ctx: CommandContext, group_id: str) -> Group:
    found = ctx.uow.get(Group, group_id)
    if found is None:
        raise NotFoundError(f"Group with id {group_id} does not exist")
    return found


def create_group(ctx: CommandContext, data: dict[str, Any]) -> Group:
    group_id = check_id("Group", data.get("id"))
    if ctx.uow.get(Group, group_id) is not None:
        raise EngineError(f"The group with id '{group_id}' already exists.")
    row = Group(id=group_id, rev=1, name=data.get("name"), type=data.get("type"))
    ctx.uow.add(row)
    _log(ctx, "Create", GROUP, groupId=group_id)
    return row


def ensure_group(ctx: CommandContext, group_id: str, name: str | None = None) -> Group:
    return ctx.uow.get(Group, group_id) or create_group(ctx, {"id": group_id, "name": name})


def update_group(ctx: CommandContext, group_id: str, data: dict[str, Any]) -> None:
    row = group_or_fail(ctx, group_id)
    if data.get("id") is not None and data["id"] != group_id:
        raise BadUserRequestError("The id of a group cannot be changed")
    row.name = data.get("name")
    row.type = data.get("type")
    _log(ctx, "Update", GROUP, groupId=group_id)


def delete_group(ctx: CommandContext, group_id: str) -> None:
    row = group_or_fail(ctx, group_id)
    for cls, where, params in (
            (Membership, "group_id = ?", (group_id,)),
            (GroupNesting, "group_id = ? OR member_id = ?", (group_id, group_id)),
            (TenantMember, "group_id = ?", (group_id,)),
            (Authorization, "group_id = ?", (group_id,))):
        for dependent in ctx.uow.select(cls, where, params):
            ctx.uow.remove(dependent)
    ctx.uow.remove(row)
    _log(ctx, "Delete", GROUP, groupId=group_id)


def add_member(ctx: CommandContext, group_id: str, user_id: str) -> None:
    group_or_fail(ctx, group_id)
    user_or_fail(ctx, user_id)
    if ctx.uow.select(Membership, "user_id = ? AND group_id = ?", (user_id, group_id)):
        return
    ctx.uow.add(Membership(id=new_id(), user_id=user_id, group_id=group_id))
    _log(ctx, "Create", GROUP_MEMBERSHIP, userId=user_id, groupId=group_id)


def remove_member(ctx: CommandContext, group_id: str, user_id: str) -> None:
    for row in ctx.uow.select(Membership, "user_id = ? AND group_id = ?", (user_id, group_id)):
        ctx.uow.remove(row)
        _log(ctx, "Delete", GROUP_MEMBERSHIP, userId=user_id, groupId=group_id)


def direct_groups(ctx: CommandContext, user_id: str) -> set[str]:
    rows = ctx.session.query("SELECT group_id FROM bf_membership WHERE user_id = ?", (user_id,))
    return {r[0] for r in rows}


# -- nesting -------------------------------------------------------------------------------------
def _nesting_edges(ctx: CommandContext) -> dict[str, set[str]]:
    """member set -> the sets it holds directly.  Small: one row per nesting grant."""
    edges: dict[str, set[str]] = {}
    # through the unit of work: grants added earlier in the same command count too
    for row in ctx.uow.select(GroupNesting) + ctx.uow.pending(GroupNesting):
        edges.setdefault(row.member_id, set()).add(row.group_id)
    return edges


def closure(ctx: CommandContext, direct: Iterable[str]) -> frozenset[str]:
    """Every set held through ``direct``, at any depth; a cycle ends where it started."""
    edges = _nesting_edges(ctx)
    seen: set[str] = set()
    todo = [s for s in direct if s]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(edges.get(current, ()))
    return frozenset(seen)


def effective_groups(ctx: CommandContext, user_id: str | None,
                     extra: Iterable[str] = ()) -> frozenset[str]:
    """The sets a user holds: engine memberships plus ``extra`` (from a token), nested."""
    direct = set(extra)
    if user_id is not None:
        direct |= direct_groups(ctx, user_id)
    return closure(ctx, direct)


def includes(ctx: CommandContext, group_id: str) -> list[Group]:
    """The sets that ``group_id`` holds directly."""
    group_or_fail(ctx, group_id)
    return ctx.uow.select(
        Group, "id IN (SELECT group_id FROM bf_group_nesting WHERE member_id = ?) ORDER BY id",
        (group_id,))


def include(ctx: CommandContext, holder_id: str, included_id: str) -> None:
    """Grant set ``included_id`` to set ``holder_id``; refused when it would close a cycle."""
    group_or_fail(ctx, holder_id)
    group_or_fail(ctx, included_id)
    if holder_id in closure(ctx, [included_id]):
        raise BadUserRequestError(
            f"Permission set '{included_id}' already holds '{holder_id}': granting it to "
            f"'{holder_id}' would create a cycle")
    if ctx.uow.select(GroupNesting, "group_id = ? AND member_id = ?", (included_id, holder_id)):
        return
    ctx.uow.add(GroupNesting(id=new_id(), group_id=included_id, member_id=holder_id))
    _log(ctx, "Create", NESTING, groupId=holder_id, includedGroupId=included_id)


def exclude(ctx: CommandContext, holder_id: str, included_id: str) -> None:
    for row in ctx.uow.select(GroupNesting, "group_id = ? AND member_id = ?",
                              (included_id, holder_id)):
        ctx.uow.remove(row)
        _log(ctx, "Delete", NESTING, groupId=holder_id, includedGroupId=included_id)


def users_of(ctx: CommandContext, group_ids: Iterable[str]) -> list[User]:
    ids = sorted(set(group_ids))
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return ctx.uow.select(User, f"id IN (SELECT user_id FROM bf_membership WHERE group_id IN "
                                f"({marks})) ORDER BY id", ids)


def groups_by_ids(ctx: CommandContext, group_ids: Iterable[str]) -> list[Group]:
    """Stored sets among ``group_ids``, plus a bare entry for each one only a token named."""
    ids = sorted(set(group_ids))
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    stored = {g.id: g for g in ctx.uow.select(Group, f"id IN ({marks})", ids)}
    return [stored.get(i) or Group(id=i, rev=0, name=i, type=None) for i in ids]


# -- tenants -------------------------------------------------------------------------------------
def tenant_or_fail(ctx: CommandContext, tenant_id: str) -> Tenant:
    found = ctx.uow.get(Tenant, tenant_id)
    if found is None:
        raise NotFoundError(f"Tenant with id {tenant_id} does not exist")
    return found


def create_tenant(ctx: CommandContext, data: dict[str, Any]) -> None:
    tenant_id = check_id("Tenant", data.get("id"))
    if ctx.uow.get(Tenant, tenant_id) is not None:
        raise EngineError(f"The tenant with id '{tenant_id}' already exists.")
    ctx.uow.add(Tenant(id=tenant_id, rev=1, name=data.get("name")))
    _log(ctx, "Create", TENANT, tenantId=tenant_id)


def update_tenant(ctx: CommandContext, tenant_id: str, data: dict[str, Any]) -> None:
    row = tenant_or_fail(ctx, tenant_id)
    if data.get("id") is not None and data["id"] != tenant_id:
        raise BadUserRequestError("The id of a tenant cannot be changed")
    # Written directly: the unit of work cannot yet update a table with a single settable
    # column (store/entity.py's attrgetter then returns a bare value, not a tuple).
    ctx.session.execute("UPDATE bf_tenant SET name = ?, rev = ? WHERE id = ? AND rev = ?",
                        (data.get("name"), row.rev + 1, tenant_id, row.rev))
    _log(ctx, "Update", TENANT, tenantId=tenant_id)


def delete_tenant(ctx: CommandContext, tenant_id: str) -> None:
    row = tenant_or_fail(ctx, tenant_id)
    for member in ctx.uow.select(TenantMember, "tenant_id = ?", (tenant_id,)):
        ctx.uow.remove(member)
    ctx.uow.remove(row)
    _log(ctx, "Delete", TENANT, tenantId=tenant_id)


def add_tenant_member(ctx: CommandContext, tenant_id: str, user_id: str | None = None,
                      group_id: str | None = None) -> None:
    tenant_or_fail(ctx, tenant_id)
    if user_id is not None:
        user_or_fail(ctx, user_id)
    if group_id is not None:
        group_or_fail(ctx, group_id)
    if _tenant_members(ctx, tenant_id, user_id, group_id):
        return
    ctx.uow.add(TenantMember(id=new_id(), tenant_id=tenant_id, user_id=user_id,
                             group_id=group_id))
    _log(ctx, "Create", TENANT_MEMBERSHIP, tenantId=tenant_id, userId=user_id,
         groupId=group_id)


def remove_tenant_member(ctx: CommandContext, tenant_id: str, user_id: str | None = None,
                         group_id: str | None = None) -> None:
    for row in _tenant_members(ctx, tenant_id, user_id, group_id):
        ctx.uow.remove(row)
        _log(ctx, "Delete", TENANT_MEMBERSHIP, tenantId=tenant_id, userId=user_id,
             groupId=group_id)


def _tenant_members(ctx: CommandContext, tenant_id: str, user_id: str | None,
                    group_id: str | None) -> list[TenantMember]:
    column, value = ("user_id", user_id) if user_id is not None else ("group_id", group_id)
    return ctx.uow.select(TenantMember, f"tenant_id = ? AND {column} = ?", (tenant_id, value))


# -- queries -------------------------------------------------------------------------------------
def _exists(sql: str) -> Filter:
    return Filter("str", lambda q, v: q.add(sql, v))


def _id_in(column: str) -> Filter:
    return in_list(column)


USERS = QuerySpec(
    User,
    filters={
        "id": eq("id"), "idIn": _id_in("id"),
        "firstName": eq("first_name"), "firstNameLike": like("first_name"),
        "lastName": eq("last_name"), "lastNameLike": like("last_name"),
        "email": eq("email"), "emailLike": like("email"),
        "memberOfGroup": _exists(
            "t.id IN (SELECT m.user_id FROM bf_membership m WHERE m.group_id = ?)"),
        "memberOfTenant": _exists(
            "t.id IN (SELECT tm.user_id FROM bf_tenant_member tm WHERE tm.tenant_id = ?)"),
        "potentialStarter": _exists(
            "t.id IN (SELECT m.user_id FROM bf_membership m JOIN bf_authorization a "
            "ON a.group_id = m.group_id WHERE a.resource_type = 6 AND a.type = 1 AND "
            "a.resource_id IN ('*', (SELECT p.def_key FROM bf_process_definition p "
            "WHERE p.id = ?)))"),
    },
    sorts={"userId": "t.id", "firstName": "t.first_name", "lastName": "t.last_name",
           "email": "t.email"},
)


GROUPS = QuerySpec(
    Group,
    filters={
        "id": eq("id"), "idIn": _id_in("id"), "name": eq("name"), "nameLike": like("name"),
        "type": eq("type"),
        "member": _exists(
            "t.id IN (SELECT m.group_id FROM bf_membership m WHERE m.user_id = ?)"),
        "memberOfTenant": _exists(
            "t.id IN (SELECT tm.group_id FROM bf_tenant_member tm WHERE tm.tenant_id = ?)"),
    },
    sorts={"id": "t.id", "name": "t.name", "type": "t.type"},
)

_TENANT_OF_USER = "t.id IN (SELECT tm.tenant_id FROM bf_tenant_member tm WHERE tm.user_id = ?"
_TENANT_OF_GROUPS = (" OR tm.group_id IN (SELECT m.group_id FROM bf_membership m "
                     "WHERE m.user_id = ?)")

TENANTS = QuerySpec(
    Tenant,
    filters={
        "id": eq("id"), "name": eq("name"), "nameLike": like("name"),
        "groupMember": _exists(
            "t.id IN (SELECT tm.tenant_id FROM bf_tenant_member tm WHERE tm.group_id = ?)"),
    },
    sorts={"id": "t.id", "name": "t.name"},
)


def tenant_user_filter(q: Query[Any], user_id: str, including_groups: bool) -> None:
    """``userMember`` (and ``includingGroupsOfUser``): tenants of the user, or of its sets."""
    if including_groups:
        q.add(_TENANT_OF_USER + _TENANT_OF_GROUPS + ")", user_id, user_id)
    else:
        q.add(_TENANT_OF_USER + ")", user_id)
