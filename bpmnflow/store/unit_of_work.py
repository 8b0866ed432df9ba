"""The unit of work: every row a command reads or writes, flushed once when the command ends.

Inserts go out in one ``executemany`` per table, then updates and deletes guarded by the row
revision.  A row inserted and deleted within the same command is never written at all, which is
what makes a straight-through process instance cost a handful of statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from bpmnflow.errors import OptimisticLockingError
from bpmnflow.store.database import Session
from bpmnflow.store.entity import Entity

E = TypeVar("E", bound=Entity)


class UnitOfWork:
    __slots__ = ("session", "_identity", "_snapshots", "_new", "_deleted", "_forced")

    def __init__(self, session: Session) -> None:
        self.session = session
        self._identity: dict[tuple[type, str], Entity] = {}
        self._snapshots: dict[int, tuple[Any, ...]] = {}
        self._new: dict[int, Entity] = {}
        self._deleted: dict[int, Entity] = {}
        self._forced: set[int] = set()

    # -- reading -------------------------------------------------------------------------------
    def get(self, cls: type[E], id_: str) -> E | None:
        """The row with this id, from this command's cache or the database."""
        found = self._identity.get((cls, id_))
        if found is not None:
            return None if id(found) in self._deleted else found  # type: ignore[return-value]
        rows = self.session.query(cls.select_sql + " WHERE id = ?", (id_,))
        return self._adopt(cls, rows[0]) if rows else None

    def select(self, cls: type[E], where: str = "", params: Sequence[Any] = ()) -> list[E]:
        """Rows matching a WHERE clause, merged with what this command already holds."""
        sql = cls.select_sql + (" WHERE " + where if where else "")
        out = []
        for row in self.session.query(sql, params):
            ent = self._adopt(cls, row)
            if id(ent) not in self._deleted:
                out.append(ent)
        return out

    def cached(self, cls: type[E]) -> Iterable[E]:
        """Rows of one table that this command holds (loaded or new, not deleted)."""
        for (kind, _), ent in self._identity.items():
            if kind is cls and id(ent) not in self._deleted:
                yield ent  # type: ignore[misc]

    def pending(self, cls: type[E]) -> list[E]:
        """Rows of one table added by this command and not yet written (no SELECT sees them)."""
        return [e for e in self._new.values() if type(e) is cls]  # type: ignore[misc]

    def _adopt(self, cls: type[E], row: tuple[Any, ...]) -> E:
        key = (cls, row[0])
        existing = self._identity.get(key)
        if existing is not None:
            return existing  # type: ignore[return-value]
        ent = cls(*row)
        self._identity[key] = ent
        self._snapshots[id(ent)] = row
        return ent

    # -- writing -------------------------------------------------------------------------------
    def add(self, ent: Entity) -> None:
        self._identity[(type(ent), ent.id)] = ent  # type: ignore[attr-defined]
        self._new[id(ent)] = ent

    def remove(self, ent: Entity) -> None:
        key = id(ent)
        if key in self._new:
            del self._new[key]
            self._identity.pop((type(ent), ent.id), None)  # type: ignore[attr-defined]
        else:
            self._deleted[key] = ent

    def touch(self, ent: Entity) -> None:
        """Write this row's revision even if nothing in it changed, so that two commands that
        both read it cannot both commit (Camunda's lock on the concurrent root)."""
        self._forced.add(id(ent))

    def find(self, cls: type[E], where: str, params: Sequence[Any], keep: Any) -> list[E]:
        """Rows from the database plus rows this command added that ``keep`` accepts."""
        rows = self.select(cls, where, params)
        seen = {id(r) for r in rows}
        return rows + [e for e in self.pending(cls) if id(e) not in seen and keep(e)]

    def removed_ids(self) -> set[str]:
        """Ids of rows this command deleted (loaded ones; new ones simply vanish)."""
        return {e.id for e in self._deleted.values()}  # type: ignore[attr-defined]

    def is_new(self, ent: Entity) -> bool:
        return id(ent) in self._new

    def flush(self) -> None:
        session = self.session
        by_table: dict[type, list[tuple[Any, ...]]] = {}
        for ent in self._new.values():
            by_table.setdefault(type(ent), []).append(ent.values(ent))
        for cls, rows in by_table.items():
            if len(rows) == 1:
                session.execute(cls.insert_sql, rows[0])
            else:
                session.executemany(cls.insert_sql, rows)
        for key, ent in list(self._identity.items()):
            ident = id(ent)
            if ident in self._new or ident in self._deleted:
                continue
            snapshot = self._snapshots.get(ident)
            if snapshot is None:
                continue
            values = ent.values(ent)
            if values == snapshot and ident not in self._forced:
                continue
            cls = key[0]
            if cls.versioned:
                rev = ent.rev  # type: ignore[attr-defined]
                count = session.execute(
                    cls.update_sql, (*cls.settable(ent), rev + 1, ent.id, rev))  # type: ignore
                if count != 1:
                    raise _conflict(cls, ent)
                ent.rev = rev + 1  # type: ignore[attr-defined]
            else:
                session.execute(cls.update_sql, (*cls.settable(ent), ent.id))  # type: ignore
        deletes: dict[type, list[tuple[Any, ...]]] = {}
        for ent in self._deleted.values():
            cls = type(ent)
            args = (ent.id, ent.rev) if cls.versioned else (ent.id,)  # type: ignore[attr-defined]
            deletes.setdefault(cls, []).append(args)
        for cls, rows in deletes.items():
            count = session.executemany(cls.delete_sql, rows)
            if cls.versioned and count != len(rows):
                raise _conflict(cls, None)
        for ent in self._deleted.values():
            self._identity.pop((type(ent), ent.id), None)  # type: ignore[attr-defined]
        self._new.clear()
        self._deleted.clear()
        self._forced.clear()
        self._snapshots = {id(e): e.values(e) for e in self._identity.values()}


def _conflict(cls: type, ent: Entity | None) -> OptimisticLockingError:
    what = f"{cls.__name__}[{ent.id}]" if ent is not None else cls.__name__  # type: ignore
    return OptimisticLockingError(
        f"ENGINE-03005 Execution of 'UPDATE {what}' failed. Entity was updated by another "
        "transaction concurrently.")
