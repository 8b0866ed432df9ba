"""What a server sets up at start: the first administrator, and grants from a file.

A fresh embedded server must not be open to the world: when the engine has no user at all, it
creates one administrator (``BPMNFLOW_ADMIN_USER``, default ``admin``) holding the
administrator permission set, with the password from ``BPMNFLOW_ADMIN_PASSWORD`` or, when that
is unset, a generated one that the caller prints once.  Only its Argon2 hash is stored.

The grants file (``security.grants_file``, TOML) keeps permission sets under version control::

    [[permission-set]]
    id = "payroll-clerk"          # created when missing
    name = "Payroll clerks"
    workflows = ["payroll"]       # process definition keys granted (ALL permissions)
    users = ["alice"]             # engine users holding the set directly
    includes = ["reader"]         # sets that holders of this one hold too

Applying it is idempotent and only adds: what a later edit removes from the file stays in the
database until an administrator removes it through the REST API.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bpmnflow.errors import EngineError
from bpmnflow.security import passwords
from bpmnflow.services import authorizations, identity
from bpmnflow.services.context import CommandContext
from bpmnflow.services.engine import Engine

log = logging.getLogger("bpmnflow.security")


def _create_admin(ctx: CommandContext, user_id: str, password_hash: str,
                  admin_group: str) -> bool:
    if identity.count_users(ctx) > 0:
        return False
    identity.create_user(ctx, {"id": user_id, "firstName": "Administrator"}, password_hash)
    identity.ensure_group(ctx, admin_group, "Administrators")
    identity.add_member(ctx, admin_group, user_id)
    return True


def ensure_admin(engine: Engine, env: Mapping[str, str]) -> tuple[str, str | None] | None:
    """Create the first administrator if the engine has no user.

    Returns None when users exist already, else ``(user id, generated password or None)``.
    """
    if engine.query(identity.count_users) > 0:
        return None
    user_id = env.get("BPMNFLOW_ADMIN_USER") or "admin"
    given = env.get("BPMNFLOW_ADMIN_PASSWORD")
    password = given or passwords.generate()
    try:
        created = engine.execute(_create_admin, user_id, passwords.hash_password(password),
                                 engine.config.security.admin_group)
    except EngineError:  # another node of the cluster created it at the same moment
        return None
    if not created:
        return None
    return user_id, None if given else password


def _apply(ctx: CommandContext, sets: list[dict[str, Any]]) -> None:
    for entry in sets:
        identity.ensure_group(ctx, str(entry["id"]), entry.get("name"))
        for included in entry.get("includes", []):
            identity.ensure_group(ctx, str(included))
    for entry in sets:
        set_id = str(entry["id"])
        for included in entry.get("includes", []):
            identity.include(ctx, set_id, str(included))
        for key in entry.get("workflows", []):
            authorizations.grant_workflow(ctx, set_id, str(key))
        for user_id in entry.get("users", []):
            if identity.user(ctx, str(user_id)) is None:
                log.warning("grants file: user %r does not exist; membership in %r skipped",
                            user_id, set_id)
                continue
            identity.add_member(ctx, set_id, str(user_id))


def load_grants(engine: Engine, file: str | Path) -> int:
    """Apply a grants file; returns the number of permission sets it names."""
    data = tomllib.loads(Path(file).read_text())
    sets = data.get("permission-set", [])
    if not isinstance(sets, list) or not all(isinstance(s, dict) and "id" in s for s in sets):
        raise ValueError(f"{file}: expected [[permission-set]] tables, each with an id")
    engine.execute(_apply, sets)
    return len(sets)
