"""Rows as small typed objects, and the statements that persist them, built once per table."""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, ClassVar


class Entity:
    """A row of one table.  Subclasses are slotted dataclasses whose fields are the columns.

    ``versioned`` tables carry a ``rev`` column: every update and delete is guarded by it so that
    a command that lost a race fails whole instead of overwriting another's work.
    """

    __slots__ = ()
    table: ClassVar[str]
    versioned: ClassVar[bool] = True
    columns: ClassVar[tuple[str, ...]]
    values: ClassVar[Any]
    insert_sql: ClassVar[str]
    update_sql: ClassVar[str]
    delete_sql: ClassVar[str]
    select_sql: ClassVar[str]


def entity(table: str, versioned: bool = True) -> Any:
    """Class decorator: make a slotted dataclass and attach its precompiled statements."""

    def wrap(cls: type) -> type:
        cls = dataclasses.dataclass(slots=True, eq=False)(cls)
        columns = tuple(f.name for f in dataclasses.fields(cls))
        cls.table = table
        cls.versioned = versioned
        cls.columns = columns
        cls.values = attrgetter(*columns)
        cols = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        cls.select_sql = f"SELECT {cols} FROM {table}"
        cls.insert_sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        settable = [c for c in columns if c not in ("id", "rev")]
        if versioned:
            sets = ", ".join(f"{c} = ?" for c in settable)
            cls.update_sql = f"UPDATE {table} SET {sets}, rev = ? WHERE id = ? AND rev = ?"
            cls.delete_sql = f"DELETE FROM {table} WHERE id = ? AND rev = ?"
        else:
            sets = ", ".join(f"{c} = ?" for c in settable)
            cls.update_sql = f"UPDATE {table} SET {sets} WHERE id = ?"
            cls.delete_sql = f"DELETE FROM {table} WHERE id = ?"
        # attrgetter of one name returns a bare value, not a 1-tuple: normalise it.
        getter = attrgetter(*settable)
        cls.settable = getter if len(settable) > 1 else (lambda ent, g=getter: (g(ent),))
        return cls

    return wrap
