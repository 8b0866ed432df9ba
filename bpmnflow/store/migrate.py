"""Versioned schema migrations: numbered ``.sql`` files applied once, in order, on start."""

from __future__ import annotations

import re
from importlib import resources

from bpmnflow.store.database import POSTGRES, Database

_TYPES = {
    POSTGRES: {"BLOB": "BYTEA", "BOOL": "BOOLEAN", "DOUBLE": "DOUBLE PRECISION"},
    "sqlite": {"BLOB": "BLOB", "BOOL": "INTEGER", "DOUBLE": "REAL"},
}
_TYPE_WORD = re.compile(r"\b(BLOB|BOOL|DOUBLE)\b")


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("bpmnflow.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = re.match(r"(\d+)_.*\.sql$", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text()))
    return sorted(found)


def _statements(script: str) -> list[str]:
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def migrate(db: Database) -> int:
    """Bring the schema to the newest version; returns the version reached.

    Runs in one transaction per migration so that a failed upgrade leaves the previous version
    intact; on PostgreSQL an advisory lock keeps two starting nodes from migrating at once.
    """
    types = _TYPES[db.dialect]
    with db.transaction() as session:
        if db.dialect == POSTGRES:
            session.execute("SELECT pg_advisory_xact_lock(74201)")
        session.execute(
            "CREATE TABLE IF NOT EXISTS bf_schema_version (version INTEGER PRIMARY KEY)")
        applied = {row[0] for row in session.query("SELECT version FROM bf_schema_version")}
        current = max(applied, default=0)
        for version, script in _migrations():
            if version in applied:
                continue
            for statement in _statements(script):
                session.execute(_TYPE_WORD.sub(lambda m: types[m.group(1)], statement))
            session.execute("INSERT INTO bf_schema_version (version) VALUES (?)", (version,))
            current = max(current, version)
    return current
