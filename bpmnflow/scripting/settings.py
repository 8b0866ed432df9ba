"""Script limits and the classpath folder: one process-wide setting, set from the configuration.

Scripts run inside behaviours, far from the engine's configuration object, so the limits live
here; ``configure`` is called once at start (``bpmnflow serve`` does it) and tests may call it
again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ScriptSettings:
    timeout_ms: int = 5_000  # wall time of one evaluation
    memory_mb: int = 64  # V8 heap of one evaluation
    classpath: str | None = None  # folder that classpath:// (and bare) resources come from


_current = ScriptSettings()


def current() -> ScriptSettings:
    return _current


def configure(settings: ScriptSettings | None = None, **changes: Any) -> ScriptSettings:
    """Replace the settings (or change some fields); returns the previous ones."""
    global _current
    previous = _current
    base = settings if settings is not None else _current
    updated = replace(base, **changes) if changes else base
    if updated.timeout_ms <= 0 or updated.memory_mb <= 0:
        raise ValueError("script time and memory limits must be positive")
    if updated.classpath is not None:
        updated = replace(updated, classpath=str(Path(updated.classpath).resolve()))
    _current = updated
    return previous
