"""Camunda's query API as data: per resource, its filter names, sort keys and how each maps to SQL.

A REST list endpoint hands the raw parameters (from the URL or a JSON body) to ``build``; every
filter value is converted to its declared kind and bound as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from bpmnflow.errors import InvalidRequestError
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entity import Entity
from bpmnflow.store.query import Query

Converter = Callable[[str, str, Any], Any]  # (kind, name, raw value) -> typed value

# The process definition keys the caller may see, set per request by the security middleware:
# None = unrestricted (administrators, the job executor); a set restricts every list and count.
visible_keys: ContextVar[frozenset[str] | None] = ContextVar("bpmnflow_visible_keys",
                                                             default=None)


@dataclass(frozen=True)
class Filter:
    kind: str
    apply: Callable[[Query[Any], Any], Any]


@dataclass(frozen=True)
class QuerySpec:
    entity: type[Entity]
    filters: dict[str, Filter]
    sorts: dict[str, str]
    default_order: tuple[tuple[str, bool], ...] = (("t.id", False),)
    aliases: dict[str, str] = field(default_factory=dict)
    base_where: str | None = None  # always applied (e.g. only root executions)
    key_column: str | None = None  # SQL giving a row's process definition key (security filter)


def eq(column: str) -> Filter:
    return Filter("str", lambda q, v: q.eq(column, v))


def like(column: str) -> Filter:
    return Filter("str", lambda q, v: q.like(column, v))


def in_list(column: str) -> Filter:
    return Filter("list", lambda q, v: q.in_(column, v))


def not_in(column: str) -> Filter:
    return Filter("list", lambda q, v: q.not_in(column, v))


def flag(clause: str, negated: str | None = None) -> Filter:
    """A boolean filter: true adds ``clause``; false adds ``negated`` (or nothing, as Camunda)."""
    def apply(q: Query[Any], v: bool) -> None:
        if v:
            q.add(clause)
        elif negated:
            q.add(negated)
    return Filter("bool", apply)


def variables(scope: str, param: str = "variables") -> Filter:
    """``<param>=name_op_value`` filters, the variable row ``v`` tied to ``t`` by ``scope``."""
    from bpmnflow.services import variable_filters

    return Filter("raw", lambda q, v: variable_filters.apply(
        q, variable_filters.parse(param, v), scope))


def date_cmp(column: str, op: str) -> Filter:
    return Filter("date", lambda q, v: q.compare(column, op, v))


def int_cmp(column: str, op: str) -> Filter:
    return Filter("int", lambda q, v: q.compare(column, op, v))


def build(spec: QuerySpec, params: dict[str, Any], convert: Converter) -> Query[Any]:
    query: Query[Any] = Query(spec.entity)
    if spec.base_where:
        query.add(spec.base_where)
    _restrict(spec, query, visible_keys.get())
    for name, raw in params.items():
        filt = spec.filters.get(spec.aliases.get(name, name))
        if filt is None or raw is None:
            continue
        filt.apply(query, convert(filt.kind, name, raw))
    _sorting(spec, query, params)
    return query


def _restrict(spec: QuerySpec, query: Query[Any], keys: frozenset[str] | None) -> None:
    """Only rows of visible workflows; a spec that cannot name a row's key shows nothing."""
    if keys is None:
        return
    if not keys or spec.key_column is None:
        query.empty = True
        return
    marks = ", ".join("?" for _ in keys)
    query.add(f"{spec.key_column} IN ({marks})", *sorted(keys))


def _sorting(spec: QuerySpec, query: Query[Any], params: dict[str, Any]) -> None:
    orders: list[tuple[Any, Any]] = []
    sort_by, sort_order = params.get("sortBy"), params.get("sortOrder")
    if (sort_by is None) != (sort_order is None):
        raise InvalidRequestError(
            400, "Only a single sorting parameter specified. sortBy and sortOrder required")
    if sort_by is not None:
        orders.append((sort_by, sort_order))
    for item in params.get("sorting") or []:
        if not isinstance(item, dict):
            raise InvalidRequestError(400, "Cannot set query parameter 'sorting'")
        if (item.get("sortBy") is None) != (item.get("sortOrder") is None):
            raise InvalidRequestError(
                400, "Only a single sorting parameter specified. sortBy and sortOrder required")
        orders.append((item.get("sortBy"), item.get("sortOrder")))
    for by, order in orders:
        expr = spec.sorts.get(by) if isinstance(by, str) else None
        if expr is None:
            raise InvalidRequestError(400, f"Cannot set query parameter 'sortBy' to value '{by}'")
        if order not in ("asc", "desc"):
            raise InvalidRequestError(
                400, f"Cannot set query parameter 'sortOrder' to value '{order}'")
        query.order_by(expr, order == "desc")
    if not query.order:
        for expr, desc in spec.default_order:
            query.order_by(expr, desc)


def run_list(ctx: CommandContext, query: Query[Any], first: int | None,
             limit: int | None) -> list[Any]:
    return query.list(ctx.session, first, limit, now=ctx.now)


def run_count(ctx: CommandContext, query: Query[Any]) -> int:
    return query.count(ctx.session, now=ctx.now)
