"""Checks that only a handler can make (they depend on the request's body or its target user).

Routes of kind ``user`` let any authenticated caller in; their handlers then answer only about
the caller unless the caller is an administrator, refusing with Camunda's 403 otherwise.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from bpmnflow.errors import AuthorizationError
from bpmnflow.security.principal import Principal, current
from bpmnflow.services import operation_log


class Forbidden(AuthorizationError):
    """Camunda's ``AuthorizationExceptionDto`` for one missing authorization."""

    def __init__(self, user_id: str | None, permission: str, resource: str,
                 resource_id: str) -> None:
        super().__init__(f"The user with id '{user_id}' does not have '{permission}' "
                         f"permission on resource '{resource_id}' of type '{resource}'.")
        self.user_id, self.permission = user_id, permission
        self.resource, self.resource_id = resource, resource_id

    def body(self) -> dict[str, Any]:
        body = super().body()
        missing = {"permissionName": self.permission, "resourceName": self.resource,
                   "resourceId": self.resource_id}
        body.update({"userId": self.user_id, "missingAuthorizations": [missing], **missing})
        return body


async def require_self_or_admin(request: Request, user_id: str | None, permission: str,
                                resource: str) -> Principal:
    """The caller, if they are ``user_id`` or an administrator; else logged and refused."""
    principal = current()
    if principal.admin or (user_id is not None and principal.user_id == user_id):
        return principal
    engine = request.app.state.engine
    await run_in_threadpool(engine.execute, operation_log.denied, principal.user_id,
                            f"{request.method} {request.url.path}", resource, None)
    raise Forbidden(principal.user_id, permission, resource, user_id or "*")
