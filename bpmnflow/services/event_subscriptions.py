"""Event subscription queries: who waits for which message, signal or condition.

Start-event subscriptions of deployed definitions (no execution) are listed too, as Camunda
lists them: a client looking for "who would receive message X" sees both kinds.
"""

from __future__ import annotations

from typing import Any

from bpmnflow.services.queries import Converter, QuerySpec, build, eq, flag
from bpmnflow.store.entities import EventSubscription
from bpmnflow.store.query import Query

SPEC = QuerySpec(
    EventSubscription,
    key_column="COALESCE((SELECT e.proc_def_key FROM bf_execution e WHERE e.id = t.proc_inst_id),"
               " (SELECT p.def_key FROM bf_process_definition p WHERE p.id = t.proc_def_id))",
    filters={
        "eventSubscriptionId": eq("id"),
        "eventName": eq("event_name"),
        "eventType": eq("event_type"),
        "executionId": eq("execution_id"),
        "processInstanceId": eq("proc_inst_id"),
        "activityId": eq("activity_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
    },
    sorts={"created": "t.created", "tenantId": "t.tenant_id"},
)

def build_query(params: dict[str, Any], convert: Converter) -> Query[Any]:
    """The subscription query of Camunda's REST parameters (URL or JSON alike).

    ``tenantIdIn`` and ``includeEventSubscriptionsWithoutTenantId`` are read together: the
    second widens the first to subscriptions without a tenant, so neither is a plain filter.
    """
    query = build(SPEC, params, convert)
    raw = params.get("tenantIdIn")
    if raw is None:
        return query
    tenants: list[str] = convert("list", "tenantIdIn", raw)
    widen = params.get("includeEventSubscriptionsWithoutTenantId")
    include_none = widen is not None and bool(
        convert("bool", "includeEventSubscriptionsWithoutTenantId", widen))
    clauses = []
    if tenants:
        clauses.append(f"t.tenant_id IN ({', '.join('?' for _ in tenants)})")
    if include_none:
        clauses.append("t.tenant_id IS NULL")
    if not clauses:
        query.empty = True
        return query
    query.add("(" + " OR ".join(clauses) + ")", *tenants)
    return query
