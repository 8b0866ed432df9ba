"""Turning an ``Authorization`` header into a :class:`Principal`, or refusing it.

Bearer tokens are verified by :mod:`tokens` (only when an issuer is configured); HTTP Basic is
checked against the engine's own users.  Then the caller's permission sets (engine records plus
token claims, nested) and workflow grants are read in one short read-only command.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import TYPE_CHECKING

from bpmnflow.security import passwords
from bpmnflow.security.principal import Principal
from bpmnflow.security.tokens import TokenError, TokenVerifier, permission_sets, user_id
from bpmnflow.services import authorizations, identity
from bpmnflow.services.context import CommandContext

if TYPE_CHECKING:
    from bpmnflow.config import SecurityConfig
    from bpmnflow.services.engine import Engine

log = logging.getLogger("bpmnflow.security")

MAX_HEADER = 16_384


class Unauthenticated(Exception):
    """No usable credentials; ``scheme`` tells which challenge fits (for the 401)."""

    def __init__(self, reason: str, scheme: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.scheme = scheme


def _principal(ctx: CommandContext, config: SecurityConfig, user: str | None,
               token_sets: frozenset[str], method: str) -> Principal:
    sets = identity.effective_groups(ctx, user, token_sets)
    admin = config.admin_group in sets or (user is not None and user in config.admin_users)
    if admin:
        return Principal(user, sets, True, None, None, method)
    grants = authorizations.grants(ctx, user, sets)
    return Principal(user, sets, False, grants.visible, grants.workable, method)


def _stored_hash(ctx: CommandContext, user: str) -> str | None:
    row = identity.user(ctx, user)
    return row.password_hash if row is not None else None


class Authenticator:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.config = engine.config.security
        self.verifier = TokenVerifier(self.config) if self.config.oidc_issuer else None
        self._verified = passwords.VerifiedCache()

    def schemes(self) -> list[str]:
        return ["Bearer", "Basic"] if self.verifier is not None else ["Basic"]

    def authenticate(self, header: str | None) -> Principal:
        """Blocking (database, password hash, maybe the issuer's keys): run off the loop."""
        if not header:
            raise Unauthenticated("no credentials")
        if len(header) > MAX_HEADER:
            raise Unauthenticated("credentials too large")
        scheme, _, value = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer" and self.verifier is not None:
            try:
                claims = self.verifier.verify(value.strip())
                user, sets = user_id(self.config, claims), permission_sets(self.config, claims)
            except TokenError as exc:
                raise Unauthenticated(f"token refused: {exc}", "Bearer") from None
            return self.principal(user, sets, "bearer")
        if scheme == "basic":
            return self.principal(self._basic(value.strip()), frozenset(), "basic")
        raise Unauthenticated(f"unsupported scheme {scheme!r}")

    def principal(self, user: str | None, token_sets: frozenset[str],
                  method: str) -> Principal:
        return self.engine.query(_principal, self.config, user, token_sets, method)

    def _basic(self, value: str) -> str:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("malformed basic credentials", "Basic") from None
        user, sep, password = decoded.partition(":")
        if not sep or not user:
            raise Unauthenticated("malformed basic credentials", "Basic")
        stored = self.engine.query(_stored_hash, user)
        if self._verified.hit(user, password, stored):
            return user
        if not passwords.verify(stored, password):
            raise Unauthenticated(f"wrong password for {user!r}", "Basic")
        assert stored is not None
        self._verified.remember(user, password, stored)
        return user
