"""One process instance as a command sees it: its executions and variables, loaded together."""

from __future__ import annotations

from collections.abc import Iterator

from bpmnflow.model.elements import ProcessModel
from bpmnflow.store.entities import Execution, ProcessDefinition, Variable
from bpmnflow.variables import TypedValue, from_columns


class Instance:
    """The execution tree and variable scopes of one process instance.

    Loading the whole tree costs two indexed queries and lets every behaviour walk scopes in
    memory; instances are small (tens of rows) in practice.
    """

    __slots__ = ("root", "by_id", "children", "scopes", "task_scopes", "values", "definition",
                 "model", "ended", "final_variables")

    def __init__(self, root: Execution, definition: ProcessDefinition, model: ProcessModel) -> None:
        self.root = root
        self.definition = definition
        self.model = model
        self.by_id: dict[str, Execution] = {root.id: root}
        self.children: dict[str, list[Execution]] = {}
        self.scopes: dict[str, dict[str, Variable]] = {}
        self.task_scopes: dict[str, dict[str, Variable]] = {}
        self.values: dict[str, TypedValue] = {}
        self.ended = False
        self.final_variables: dict[str, TypedValue] = {}

    @property
    def id(self) -> str:
        return self.root.id

    def add(self, ex: Execution) -> None:
        self.by_id[ex.id] = ex
        if ex.parent_id is not None:
            self.children.setdefault(ex.parent_id, []).append(ex)

    def discard(self, ex: Execution) -> None:
        self.by_id.pop(ex.id, None)
        if ex.parent_id is not None:
            siblings = self.children.get(ex.parent_id)
            if siblings is not None:
                siblings.remove(ex)
        self.children.pop(ex.id, None)

    def children_of(self, ex: Execution) -> list[Execution]:
        return self.children.get(ex.id, [])

    def parent(self, ex: Execution) -> Execution | None:
        return self.by_id.get(ex.parent_id) if ex.parent_id else None

    def descendants(self, ex: Execution) -> Iterator[Execution]:
        for child in list(self.children_of(ex)):
            yield from self.descendants(child)
            yield child

    def attach_variable(self, var: Variable) -> None:
        if var.task_id:
            self.task_scopes.setdefault(var.task_id, {})[var.name] = var
        else:
            self.scopes.setdefault(var.execution_id or self.root.id, {})[var.name] = var

    def value(self, var: Variable) -> TypedValue:
        tv = self.values.get(var.id)
        if tv is None:
            tv = self.values[var.id] = from_columns(
                var.var_type, var.text_value, var.long_value, var.double_value, var.bytes_value,
                var.value_info)
        return tv
