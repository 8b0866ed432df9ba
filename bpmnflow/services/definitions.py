"""The deployment cache: parsed process models by definition id, shared by all commands.

Parsing a model costs milliseconds; starting an instance must cost microseconds, so every node
parses a definition once and keeps it.  Only immutable facts are read from the cached row.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from bpmnflow.errors import NotFoundError
from bpmnflow.model.bpmn_parser import parse_bpmn
from bpmnflow.model.elements import ProcessModel
from bpmnflow.store.database import Session
from bpmnflow.store.entities import ProcessDefinition, Resource

if TYPE_CHECKING:
    from bpmnflow.services.engine import Engine


class DefinitionCache:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._models: dict[str, tuple[ProcessDefinition, ProcessModel]] = {}
        self._lock = threading.Lock()

    def put(self, definition: ProcessDefinition, model: ProcessModel) -> None:
        with self._lock:
            self._models[definition.id] = (_detached(definition), model)

    def evict(self, definition_id: str) -> None:
        with self._lock:
            self._models.pop(definition_id, None)

    def get(self, definition_id: str) -> tuple[ProcessDefinition, ProcessModel]:
        found = self._models.get(definition_id)
        if found is not None:
            return found
        session = self._engine.current_session()
        if session is not None:
            definition, content = _load_row(session, definition_id)
        else:
            with self._engine.db.transaction(write=False) as own:
                definition, content = _load_row(own, definition_id)
        parsed = parse_bpmn(bytes(content), definition.resource_name or "")
        model = next(p for p in parsed.processes if p.key == definition.def_key)
        self.put(definition, model)
        return self._models[definition_id]


def _load_row(session: Session, definition_id: str) -> tuple[ProcessDefinition, bytes]:
    rows = session.query(ProcessDefinition.select_sql + " WHERE id = ?", (definition_id,))
    if not rows:
        raise NotFoundError(f"No process definition found with id '{definition_id}'")
    definition = ProcessDefinition(*rows[0])
    content = session.scalar(
        "SELECT content FROM bf_resource WHERE deployment_id = ? AND name = ?",
        (definition.deployment_id, definition.resource_name))
    return definition, bytes(content)


def _detached(definition: ProcessDefinition) -> ProcessDefinition:
    return ProcessDefinition(*definition.values(definition))


__all__ = ["DefinitionCache", "Resource"]
