"""List and count queries: parameterised WHERE clauses assembled from filters, never from values.

Filter values always travel as bound parameters; column names and sort keys only ever come from
the fixed tables the REST layer declares, so no request text reaches the SQL itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from bpmnflow.store.database import Session
from bpmnflow.store.entity import Entity

E = TypeVar("E", bound=Entity)


class _Now:
    """A parameter that stands for the command's clock reading, bound when the query runs."""

    def __repr__(self) -> str:
        return "NOW"


NOW = _Now()


def _bind(params: list[Any], now: int | None) -> list[Any]:
    return [now if p is NOW else p for p in params]


class Query(Generic[E]):
    __slots__ = ("cls", "where", "params", "order", "empty")

    def __init__(self, cls: type[E]) -> None:
        self.cls = cls
        self.where: list[str] = []
        self.params: list[Any] = []
        self.order: list[str] = []
        self.empty = False  # a filter that can match nothing (e.g. an empty IN list)

    def add(self, clause: str, *params: Any) -> Query[E]:
        self.where.append(clause)
        self.params.extend(params)
        return self

    def eq(self, column: str, value: Any) -> Query[E]:
        if value is None:
            return self
        return self.add(f"t.{column} = ?", value)

    def in_(self, column: str, values: Sequence[Any] | None) -> Query[E]:
        if values is None:
            return self
        if not values:
            self.empty = True
            return self
        marks = ", ".join("?" for _ in values)
        return self.add(f"t.{column} IN ({marks})", *values)

    def not_in(self, column: str, values: Sequence[Any] | None) -> Query[E]:
        if not values:
            return self
        marks = ", ".join("?" for _ in values)
        return self.add(f"(t.{column} IS NULL OR t.{column} NOT IN ({marks}))", *values)

    def like(self, column: str, pattern: str | None) -> Query[E]:
        if pattern is None:
            return self
        return self.add(f"t.{column} LIKE ? ESCAPE '\\'", pattern)

    def compare(self, column: str, op: str, value: Any) -> Query[E]:
        if value is None:
            return self
        return self.add(f"t.{column} {op} ?", value)

    def null(self, column: str, is_null: bool | None) -> Query[E]:
        if is_null is None:
            return self
        return self.add(f"t.{column} IS NULL" if is_null else f"t.{column} IS NOT NULL")

    def order_by(self, expression: str, descending: bool) -> Query[E]:
        self.order.append(f"{expression} {'DESC' if descending else 'ASC'}")
        return self

    def _where(self) -> str:
        return (" WHERE " + " AND ".join(self.where)) if self.where else ""

    def list(self, session: Session, first: int | None = None,
             limit: int | None = None, now: int | None = None) -> list[E]:
        if self.empty:
            return []
        cols = ", ".join(f"t.{c}" for c in self.cls.columns)
        sql = f"SELECT {cols} FROM {self.cls.table} t{self._where()}"
        order = self.order or ["t.id ASC"]
        sql += " ORDER BY " + ", ".join(order)
        params = _bind(self.params, now)
        if limit is not None or first:
            sql += " LIMIT ? OFFSET ?"
            params += [limit if limit is not None else -1 if session.dialect == "sqlite"
                       else None, first or 0]
        return [self.cls(*row) for row in session.query(sql, params)]

    def count(self, session: Session, now: int | None = None) -> int:
        if self.empty:
            return 0
        sql = f"SELECT COUNT(*) FROM {self.cls.table} t{self._where()}"
        return int(session.scalar(sql, _bind(self.params, now)) or 0)
