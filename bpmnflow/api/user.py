"""``/user``: the engine's own users (HTTP Basic logins), as Camunda's User resource.

Any user may read and edit their own profile and change their own password (giving their
current one); everything else here is for administrators (see ``security/policy.py``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.identity_support import (
    count_handler,
    list_handler,
    options,
    run,
    string_field,
)
from bpmnflow.api.params import body
from bpmnflow.api.responses import json, no_content
from bpmnflow.errors import InvalidRequestError
from bpmnflow.security import passwords
from bpmnflow.security.checks import require_self_or_admin
from bpmnflow.services import identity
from bpmnflow.store.identity_entities import User


def profile(u: User) -> dict[str, Any]:
    return {"id": u.id, "firstName": u.first_name, "lastName": u.last_name, "email": u.email}


def _profile_body(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidRequestError(400, "A user profile is required")
    for name in ("id", "firstName", "lastName", "email"):
        string_field(data, name)
    return data


def _password(data: Any) -> str | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InvalidRequestError(400, "Credentials must be an object")
    password = string_field(data, "password")
    if password == "":
        raise InvalidRequestError(400, "The password must not be empty")
    return password


async def create(request: Request) -> Response:
    data = await body(request, required=True)
    password = _password(data.get("credentials"))
    hashed = passwords.hash_password(password) if password is not None else None
    await run(request, identity.create_user, _profile_body(data.get("profile")), hashed)
    return no_content()


async def get_profile(request: Request) -> Response:
    user_id = request.path_params["id"]
    await require_self_or_admin(request, user_id, "READ", "User")
    found = await run(request, identity.user_or_fail, user_id, write=False)
    return json(profile(found))


async def update_profile(request: Request) -> Response:
    user_id = request.path_params["id"]
    await require_self_or_admin(request, user_id, "UPDATE", "User")
    data = _profile_body(await body(request, required=True))
    await run(request, identity.update_profile, user_id, data)
    return no_content()


async def credentials(request: Request) -> Response:
    """Camunda requires the *caller's* current password too, so a stolen session alone cannot
    change a password; an administrator logged in by token has none and is trusted as such."""
    user_id = request.path_params["id"]
    principal = await require_self_or_admin(request, user_id, "UPDATE", "User")
    data = await body(request, required=True)
    password = _password(data)
    if password is None:
        raise InvalidRequestError(400, "A new password is required")
    given = string_field(data, "authenticatedUserPassword")
    if principal.user_id is not None and not (principal.admin and principal.method != "basic"):
        caller = await run(request, identity.user, principal.user_id, write=False)
        if caller is None or given is None or not passwords.verify(caller.password_hash, given):
            raise InvalidRequestError(400, "The given authenticated user password is not "
                                           "valid.")
    await run(request, identity.set_password, user_id, passwords.hash_password(password))
    return no_content()


async def delete(request: Request) -> Response:
    await run(request, identity.delete_user, request.path_params["id"])
    return no_content()


async def unlock(request: Request) -> Response:
    await run(request, identity.unlock_user, request.path_params["id"])
    return no_content()


routes = [
    Route("/user", list_handler(identity.USERS, profile), methods=["GET"]),
    Route("/user", options([("GET", "/user", "list"), ("GET", "/user/count", "count"),
                            ("POST", "/user/create", "create")]), methods=["OPTIONS"]),
    Route("/user/count", count_handler(identity.USERS), methods=["GET"]),
    Route("/user/create", create, methods=["POST"]),
    Route("/user/{id}", delete, methods=["DELETE"]),
    Route("/user/{id}", options([("GET", "/user/{id}/profile", "self"),
                                 ("DELETE", "/user/{id}", "delete"),
                                 ("PUT", "/user/{id}/profile", "update")],
                                self_only=("self", "update"), owner="id"),
          methods=["OPTIONS"]),
    Route("/user/{id}/profile", get_profile, methods=["GET"]),
    Route("/user/{id}/profile", update_profile, methods=["PUT"]),
    Route("/user/{id}/credentials", credentials, methods=["PUT"]),
    Route("/user/{id}/unlock", unlock, methods=["POST"]),
]
