"""Who is calling: computed once per request by the middleware, read by handlers that need it."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    ``permission_sets`` are every set held, directly (engine records, token claims) or through
    nesting; ``visible``/``workable`` are the workflow keys the caller may see / work on
    (``None`` = every workflow).  Administrators see and may do everything.
    """

    user_id: str | None
    permission_sets: frozenset[str]
    admin: bool
    visible: frozenset[str] | None
    workable: frozenset[str] | None
    method: str  # "basic", "bearer" or "none" (authentication switched off)

    def sees(self, key: str | None) -> bool:
        if self.admin or self.visible is None:
            return True
        return key is not None and key in self.visible

    def works(self, key: str | None) -> bool:
        if self.admin or self.workable is None:
            return True
        return key is not None and key in self.workable

    @property
    def restriction(self) -> frozenset[str] | None:
        """What list queries are limited to (``queries.visible_keys``)."""
        return None if self.admin else self.visible


# With authentication switched off every request runs as this nameless administrator.
ANONYMOUS_ADMIN = Principal(None, frozenset(), True, None, None, "none")

_current: ContextVar[Principal | None] = ContextVar("bpmnflow_principal", default=None)


def current() -> Principal:
    """The caller of the request being handled.

    Only the middleware sets it; an application assembled without the middleware is
    unprotected by construction, and handlers then see a nameless administrator.
    """
    return _current.get() or ANONYMOUS_ADMIN
