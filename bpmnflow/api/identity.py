"""``/identity``: a user's groups (their permission sets, nested ones included), credential
verification and the password policy (none configured, as in Camunda's default)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.identity_support import run, string_field
from bpmnflow.api.params import body
from bpmnflow.api.responses import json
from bpmnflow.errors import InvalidRequestError
from bpmnflow.security import passwords
from bpmnflow.security.checks import require_self_or_admin
from bpmnflow.services import identity
from bpmnflow.services.context import CommandContext
from bpmnflow.store.identity_entities import User


def _display_name(u: User) -> str:
    names = " ".join(n for n in (u.first_name, u.last_name) if n)
    return names or u.id


def _group_info(ctx: CommandContext, user_id: str, token_sets: frozenset[str]
                ) -> dict[str, Any]:
    held = identity.effective_groups(ctx, user_id, token_sets)
    groups = identity.groups_by_ids(ctx, held)
    users = identity.users_of(ctx, held)
    return {"groups": [{"id": g.id, "name": g.name} for g in groups],
            "groupUsers": [{"id": u.id, "firstName": u.first_name, "lastName": u.last_name,
                            "displayName": _display_name(u)} for u in users]}


async def groups(request: Request) -> Response:
    """For the caller, the sets their token names count too; for others, stored ones only."""
    user_id = request.query_params.get("userId")
    if not user_id:
        raise InvalidRequestError(400, "No user id was supplied")
    principal = await require_self_or_admin(request, user_id, "READ", "User")
    token_sets = principal.permission_sets if principal.user_id == user_id else frozenset()
    return json(await run(request, _group_info, user_id, token_sets, write=False))


async def verify(request: Request) -> Response:
    data = await body(request)
    username, password = string_field(data, "username"), string_field(data, "password")
    if not username or password is None:
        raise InvalidRequestError(400, "Username and password are required")
    user = await run(request, identity.user, username, write=False)
    ok = await run_in_threadpool(passwords.verify, user.password_hash if user else None,
                                 password)
    return json({"authenticatedUser": username, "authenticated": ok, "tenants": None,
                 "groups": None})


async def password_policy(request: Request) -> Response:
    raise InvalidRequestError(404, "No password policy is configured.")


routes = [
    Route("/identity/groups", groups, methods=["GET"]),
    Route("/identity/verify", verify, methods=["POST"]),
    Route("/identity/password-policy", password_policy, methods=["GET", "POST"]),
]
