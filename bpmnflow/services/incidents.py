"""Incident commands: read, resolve (custom incidents only), annotate.

Failed jobs and failed external tasks resolve their incidents by getting retries again, so
Camunda refuses to resolve those directly; the annotation is kept on the historic incident
too, where it outlives the incident.
"""

from __future__ import annotations

from bpmnflow.errors import BadUserRequestError, NotFoundError
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import HistoricIncident, Incident

RETRY_RESOLVED = ("failedJob", "failedExternalTask")


def get(ctx: CommandContext, incident_id: str) -> Incident | None:
    return ctx.uow.get(Incident, incident_id)


def resolve(ctx: CommandContext, incident_id: str) -> None:
    """End a custom incident as resolved (Camunda's ``ResolveIncidentCmd``)."""
    incident = ctx.uow.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(f"Cannot find an incident with id '{incident_id}': incident is null")
    if incident.incident_type in RETRY_RESOLVED:
        raise BadUserRequestError(f"Cannot resolve an incident of type "
                                  f"{incident.incident_type}")
    if incident.execution_id is None:
        raise BadUserRequestError("executionId is null")
    ctx.runtime.history.incident_ended(incident, False)
    ctx.uow.remove(incident)


def set_annotation(ctx: CommandContext, incident_id: str, annotation: str | None) -> None:
    incident = ctx.uow.get(Incident, incident_id)
    if incident is None:
        raise BadUserRequestError("incident is null")
    incident.annotation = annotation
    historic = ctx.uow.get(HistoricIncident, incident_id)
    if historic is not None:
        historic.annotation = annotation


def historic(ctx: CommandContext, incident_id: str) -> HistoricIncident | None:
    return ctx.uow.get(HistoricIncident, incident_id)
