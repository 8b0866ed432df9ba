"""The ASGI middleware that applies the policy before any handler runs.

Per request: find the route exactly as the router will (same route objects, same order), look
up its rule in :mod:`policy`, authenticate (401 and nothing runs), compute the principal once,
then for a caller who is not an administrator:

* ``admin``/``excluded`` routes and routes without a rule: 403 ``AuthorizationException``;
* a route naming a row (``read``/``work`` with a resource): the row's workflow is looked up;
  a row of a workflow the caller may not see is *hidden*: the request runs with that path
  parameter replaced by a fresh id that matches nothing, and the id is put back into the
  answer, so the caller gets exactly the not-found answer of a row that does not exist;
  a visible row on a ``work`` route without a working grant is 403;
* list and count queries run with :data:`queries.visible_keys` set, so ``queries.build``
  restricts them (counts included); the few answers that do not come from ``build``, and the
  bodies that name their targets (fetch-and-lock, messages, signals), are guarded by
  :mod:`guards`.

Refused attempts and administrative changes are written to the user operation log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Match, Route, get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bpmnflow.security import guards, policy
from bpmnflow.security.authentication import Authenticator, Unauthenticated
from bpmnflow.security.principal import ANONYMOUS_ADMIN, Principal, _current
from bpmnflow.services import authorizations, operation_log, queries
from bpmnflow.services.engine import Engine

log = logging.getLogger("bpmnflow.security")

BASE = "/engine-rest"
_ALIAS = BASE + "/engine/"
_WRITES = {"POST", "PUT", "DELETE", "PATCH"}

# First path segment -> Camunda's resource name, for the 403 body and the log.
_RESOURCE_NAMES = {
    "process-definition": "ProcessDefinition", "process-instance": "ProcessInstance",
    "deployment": "Deployment", "task": "Task", "execution": "ProcessInstance",
    "job": "Job", "job-definition": "JobDefinition", "batch": "Batch", "history": "History",
    "incident": "Incident", "user": "User", "group": "Group", "tenant": "Tenant",
    "authorization": "Authorization", "permission-set": "Group", "filter": "Filter",
    "decision-definition": "DecisionDefinition", "migration": "ProcessInstance",
    "modification": "ProcessInstance", "external-task": "ExternalTask",
}
_PERMISSIONS = {"GET": "READ", "HEAD": "READ", "OPTIONS": "READ", "POST": "UPDATE",
                "PUT": "UPDATE", "DELETE": "DELETE"}


def _json_response(status: int, body: dict[str, Any],
                   headers: list[tuple[bytes, bytes]] | None = None) -> Callable[..., Any]:
    content = orjson.dumps(body)

    async def respond(send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()), *(headers or [])]})
        await send({"type": "http.response.body", "body": content})
    return respond


def forbidden(user_id: str | None, method: str, path: str,
              resource_id: str | None) -> Callable[..., Any]:
    """Camunda's ``AuthorizationExceptionDto`` (one missing authorization)."""
    segment = path.strip("/").split("/", 1)[0]
    resource = _RESOURCE_NAMES.get(segment, segment)
    permission = _PERMISSIONS.get(method, "ALL")
    rid = resource_id or "*"
    return _json_response(403, {
        "type": "AuthorizationException",
        "message": f"The user with id '{user_id}' does not have '{permission}' permission on "
                   f"resource '{rid}' of type '{resource}'.",
        "code": 0, "userId": user_id,
        "missingAuthorizations": [{"permissionName": permission, "resourceName": resource,
                                   "resourceId": rid}],
        "resourceName": resource, "resourceId": rid, "permissionName": permission})


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, engine: Engine, routes: list[BaseRoute]) -> None:
        self.app = app
        self.engine = engine
        self.config = engine.config.security
        self.authenticator = Authenticator(engine)
        self._groups: dict[str, list[Route]] = {}
        for route in routes:
            if isinstance(route, Route):
                self._groups.setdefault(_segment(route.path), []).append(route)

    # -- routing -------------------------------------------------------------------------------
    def match(self, method: str, relative: str) -> tuple[Route | None, dict[str, Any]]:
        """The route the router will dispatch to, with its path parameters (or None)."""
        probe = {"type": "http", "path": relative, "root_path": "", "method": method}
        for route in self._groups.get(_segment(relative), ()):
            found, child = route.matches(probe)
            if found == Match.FULL:
                return route, child["path_params"]
        return None, {}

    # -- the request ---------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The path as the router sees it: under a root path (uvicorn --root-path, a proxy
        # prefix) the raw path would not start with /engine-rest while the router still
        # reaches the API, so the rules must look at the same path the router does.
        path: str = get_route_path(scope)
        method: str = scope["method"]
        prefix, relative = _split(path)
        if relative is None or (prefix == BASE and relative == "/engine" and method == "GET"):
            await self.app(scope, receive, send)  # outside the API, or the open engine list
            return
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            # no id or filter value may hold a NUL: PostgreSQL refuses it (a 500 otherwise)
            await _json_response(400, {"type": "InvalidRequestException", "message":
                                       "The request contains a NUL character", "code": None}
                                 )(send)
            return
        route, params = self.match(method, relative)
        rule = policy.rule_for("GET" if method == "HEAD" else method, route.path) \
            if route is not None else None
        if rule is not None and rule.kind == policy.OPEN:
            await self.app(scope, receive, send)
            return
        if not self.config.authentication:
            await Request(self, scope, receive, send, ANONYMOUS_ADMIN, route, params, rule,
                          prefix).run()
            return
        try:
            principal = await run_in_threadpool(self.authenticator.authenticate,
                                                _header(scope, b"authorization"))
        except Unauthenticated as exc:
            log.info("401 %s %s: %s", method, path, exc.reason)
            await self._unauthorized(exc)(send)
            return
        request = Request(self, scope, receive, send, principal, route, params, rule, prefix)
        await request.handle()

    def _unauthorized(self, exc: Unauthenticated) -> Callable[..., Any]:
        headers = []
        for scheme in self.authenticator.schemes():
            value = f'{scheme} realm="bpmnflow"'
            if scheme == exc.scheme == "Bearer":
                value += ', error="invalid_token"'
            headers.append((b"www-authenticate", value.encode()))
        return _json_response(401, {"type": "AuthenticationException",
                                    "message": "Authentication required: send valid "
                                               "credentials (a bearer token or HTTP Basic)",
                                    "code": None}, headers)

    async def log(self, fn: Callable[..., Any], *args: Any) -> None:
        await run_in_threadpool(self.engine.execute, fn, *args)


class Request:
    """One authenticated request on its way through the rules."""

    def __init__(self, mw: SecurityMiddleware, scope: Scope, receive: Receive, send: Send,
                 principal: Principal, route: Route | None, params: dict[str, Any],
                 rule: policy.Rule | None, prefix: str) -> None:
        self.mw, self.scope, self.receive, self.send = mw, scope, receive, send
        self.principal, self.route, self.params, self.rule = principal, route, params, rule
        self.prefix = prefix
        self.method: str = scope["method"]
        self.template = route.path if route is not None else scope["path"]
        self.replacements: dict[str, str] = {}  # sentinel -> original, put back in the answer

    @property
    def description(self) -> str:
        return f"{self.method} {self.template}"

    async def handle(self) -> None:
        p, rule = self.principal, self.rule
        if p.admin:
            await self._as_admin()
        elif self.route is None:  # unknown route or method: the router answers 404/405
            await self.run()
        elif rule is None or rule.kind in (policy.ADMIN, policy.EXCLUDED):
            await self.deny(None, self._first_param())
        elif rule.kind == policy.USER:
            await self.run()
        else:
            await self._scoped(rule)

    async def _as_admin(self) -> None:
        status: list[int] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await self.send(message)

        actor = operation_log.Actor(self.principal.user_id)
        await self.run(send=capture, actor=actor)
        administrative = self.rule is None or self.rule.kind in (policy.ADMIN, policy.EXCLUDED)
        if (administrative and self.method in _WRITES and status and status[0] < 400
                and not actor.wrote):
            await self.mw.log(_admin_change, self.principal.user_id, self.description,
                              self.template)

    async def _scoped(self, rule: policy.Rule) -> None:
        if rule.resource is not None:
            ident = self._first_param()
            located = (authorizations.Located(True, ident) if rule.resource == "key" else
                       await run_in_threadpool(self.mw.engine.query, authorizations.key_of,
                                               rule.resource, ident))
            if located.found and not self.principal.sees(located.key):
                await self.mw.log(operation_log.denied, self.principal.user_id,
                                  self.description, _entity(self.template), located.key)
                self._hide_path_param()
            elif located.found and rule.kind == policy.WORK \
                    and not self.principal.works(located.key):
                await self.deny(located.key, ident)
                return
            await self.run()
            return
        guard = guards.GUARDS.get((self.method, policy.normalize(self.template)))
        if guard is not None:
            await guard(self)
        elif rule.kind == policy.WORK:  # work without a row to check: nothing to allow
            await self.deny(None, None)
        else:
            await self.run()

    # -- helpers used by the guards --------------------------------------------------------------
    def _first_param(self) -> str | None:
        if self.route is None or not self.route.param_convertors:
            return None
        return str(self.params.get(next(iter(self.route.param_convertors))))

    def sentinel(self, original: str) -> str:
        """A fresh id that matches no row; the answer shows ``original`` in its place."""
        value = f"bf-hidden-{uuid.uuid4().hex}"
        self.replacements[value] = original
        return value

    def _hide_path_param(self) -> None:
        assert self.route is not None
        name = next(iter(self.route.param_convertors))
        params = {k: str(v) for k, v in self.params.items()}
        params[name] = self.sentinel(params[name])
        relative = self.route.path_format.format(**params)
        path = self.prefix + relative
        self.scope = dict(self.scope, path=path, raw_path=path.encode("utf-8"))

    async def deny(self, key: str | None, resource_id: str | None) -> None:
        log.info("403 %s for %r", self.description, self.principal.user_id)
        await self.mw.log(operation_log.denied, self.principal.user_id, self.description,
                          _entity(self.template), key)
        await forbidden(self.principal.user_id, self.method, self.template, resource_id)(
            self.send)

    async def run(self, send: Send | None = None, receive: Receive | None = None,
                  actor: operation_log.Actor | None = None,
                  rewrite: Callable[[bytes], bytes] | None = None) -> None:
        """Call the application as this principal, putting hidden ids back into the answer."""
        out = send or self.send
        if self.replacements or rewrite is not None:
            out = _buffered(out, self._restore if rewrite is None else
                            (lambda body: self._restore(rewrite(body))))
        tokens = (_current.set(self.principal),
                  queries.visible_keys.set(self.principal.restriction),
                  operation_log.actor.set(actor or operation_log.Actor(self.principal.user_id)))
        try:
            await self.mw.app(self.scope, receive or self.receive, out)
        finally:
            operation_log.actor.reset(tokens[2])
            queries.visible_keys.reset(tokens[1])
            _current.reset(tokens[0])

    def _restore(self, body: bytes) -> bytes:
        for sentinel, original in self.replacements.items():
            body = body.replace(sentinel.encode(), orjson.dumps(original)[1:-1])
        return body

    async def body(self) -> bytes:
        chunks = []
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    def replay(self, body: bytes) -> Receive:
        """A ``receive`` that hands the handler ``body`` (and fixes the content length)."""
        headers = [(k, v) for k, v in self.scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        self.scope = dict(self.scope, headers=headers)
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await self.receive()
        return receive


def _buffered(send: Send, transform: Callable[[bytes], bytes]) -> Send:
    """Hold the answer back until it is complete, transform its body, then send it."""
    start: list[Message] = []
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.append(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = transform(b"".join(chunks))
        head = dict(start[0])
        head["headers"] = [(k, v) for k, v in head.get("headers", []) if k != b"content-length"]
        head["headers"].append((b"content-length", str(len(body)).encode()))
        await send(head)
        await send({"type": "http.response.body", "body": body})
    return wrapped


def _admin_change(ctx: Any, user_id: str | None, request: str, template: str) -> None:
    """What an administrator changed, for routes whose commands log nothing themselves."""
    method = request.split(" ", 1)[0]
    kind = ("Delete" if method == "DELETE" else
            "Create" if template.endswith(("/create", "/start")) or method == "POST"
            and template.count("/") == 1 else "Update")
    operation_log.write(ctx, kind, _entity(template), operation_log.ADMIN,
                        [operation_log.Change("request", None, request)], user_id=user_id)


def _entity(template: str) -> str:
    segment = template.strip("/").split("/", 1)[0]
    return _RESOURCE_NAMES.get(segment, segment)


def _segment(path: str) -> str:
    return path.split("/")[1] if path.count("/") else ""


def _split(path: str) -> tuple[str, str | None]:
    """(prefix, path relative to the API) for ``/engine-rest/…`` and its named-engine alias."""
    if path.startswith(_ALIAS):
        rest = path[len(_ALIAS):]
        name, sep, tail = rest.partition("/")
        return _ALIAS + name, "/" + tail if sep else ""
    if path == BASE or path.startswith(BASE + "/"):
        return BASE, path[len(BASE):]
    return "", None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


Handler = Callable[[Request], Awaitable[None]]
