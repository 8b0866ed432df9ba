"""``/event-subscription``: list and count the message, signal and condition subscriptions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import convert, paging, query_params
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.services import event_subscriptions, queries
from bpmnflow.store.entities import EventSubscription


def event_subscription(sub: EventSubscription) -> dict[str, Any]:
    """Camunda's EventSubscriptionDto (``/execution/{id}/messageSubscriptions`` answers it too)."""
    return {
        "id": sub.id, "eventType": sub.event_type, "eventName": sub.event_name,
        "executionId": sub.execution_id, "processInstanceId": sub.proc_inst_id,
        "activityId": sub.activity_id, "createdDate": dto.date(sub.created),
        "tenantId": sub.tenant_id,
    }


async def list_subscriptions(request: Request) -> Response:
    q = event_subscriptions.build_query(query_params(request), convert)
    first, limit = paging(request)
    rows = await query(request, queries.run_list, q, first, limit)
    return json([event_subscription(row) for row in rows])


async def count_subscriptions(request: Request) -> Response:
    q = event_subscriptions.build_query(query_params(request), convert)
    return json({"count": await query(request, queries.run_count, q)})


# Camunda serves this resource by GET only (no POST query variant).
routes = [
    Route("/event-subscription", list_subscriptions, methods=["GET"]),
    Route("/event-subscription/count", count_subscriptions, methods=["GET"]),
]
