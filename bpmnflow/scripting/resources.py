"""Script resources: ``deployment://path`` from the definition's own deployment, and
``classpath://path`` (or a bare path, as Camunda reads it) from the configured folder."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bpmnflow.errors import EngineError
from bpmnflow.scripting.settings import current

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

DEPLOYMENT = "deployment://"
CLASSPATH = "classpath://"
_cache: dict[tuple[str, str], str] = {}  # deployments never change: cache by (id, path)
_lock = threading.Lock()
_MAX_CACHED = 512


def load(rt: Runtime, inst: Instance, resource: str) -> str:
    if resource.startswith(DEPLOYMENT):
        return _from_deployment(rt, inst.definition.deployment_id or "",
                                resource[len(DEPLOYMENT):])
    path = resource[len(CLASSPATH):] if resource.startswith(CLASSPATH) else resource
    return _from_classpath(path)


def _from_deployment(rt: Runtime, deployment_id: str, path: str) -> str:
    key = (deployment_id, path)
    text = _cache.get(key)
    if text is not None:
        return text
    content = rt.uow.session.scalar(
        "SELECT content FROM bf_resource WHERE deployment_id = ? AND name = ?",
        (deployment_id, path))
    if content is None:
        raise EngineError(f"ENGINE-09024 Unable to find resource at path {DEPLOYMENT}{path}")
    text = bytes(content).decode("utf-8-sig")
    with _lock:
        if len(_cache) >= _MAX_CACHED:
            _cache.clear()
        _cache[key] = text
    return text


def _from_classpath(path: str) -> str:
    folder = current().classpath
    if folder is None:
        raise EngineError(f"ENGINE-09024 Unable to find resource at path {CLASSPATH}{path}: no "
                          "script folder is configured (scripts.classpath)")
    base = Path(folder)
    target = (base / path.lstrip("/")).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise EngineError(f"ENGINE-09024 Unable to find resource at path {CLASSPATH}{path}")
    return target.read_text(encoding="utf-8-sig")
