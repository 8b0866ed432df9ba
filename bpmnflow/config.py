"""Configuration: one frozen tree, read from defaults, a TOML file, ``BPMNFLOW_*`` and flags.

Later sources win (defaults < file < environment < flags) so that a deployment can keep its
setup in version control and still override one value per node.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

HISTORY_LEVELS = ("none", "activity", "audit", "full")


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True)
class EngineConfig:
    history_level: str = "full"
    # Camunda 7.20+ refuses definitions without a history time-to-live only when enforced;
    # the embedded default accepts them, as Camunda's Run distribution does.
    enforce_history_time_to_live: bool = False
    job_executor: bool = True


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    data_dir: str = "./bpmnflow-data"
    database_url: str | None = None

    def resolved_database_url(self) -> str:
        """The SQLite file under the data folder unless a database URL was given."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'bpmnflow.db'}"

    def validate(self) -> Config:
        if self.engine.history_level not in HISTORY_LEVELS:
            raise ValueError(f"history level must be one of {', '.join(HISTORY_LEVELS)}")
        if not 0 < self.server.port < 65536:
            raise ValueError(f"port out of range: {self.server.port}")
        return self


_ENV = {
    "BPMNFLOW_HOST": ("server", "host"),
    "BPMNFLOW_PORT": ("server", "port"),
    "BPMNFLOW_DATA_DIR": (None, "data_dir"),
    "BPMNFLOW_DATABASE_URL": (None, "database_url"),
    "BPMNFLOW_HISTORY_LEVEL": ("engine", "history_level"),
    "BPMNFLOW_JOB_EXECUTOR": ("engine", "job_executor"),
}


def _coerce(target: Any, name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(target)}[name]
    if kind == "int" and not isinstance(value, int):
        return int(value)
    if kind == "bool" and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value


def _set(config: Config, section: str | None, name: str, value: Any) -> Config:
    if section is None:
        return replace(config, **{name: _coerce(config, name, value)})
    part = getattr(config, section)
    return replace(config, **{section: replace(part, **{name: _coerce(part, name, value)})})


def load(file: str | None = None, env: dict[str, str] | None = None,
         overrides: dict[tuple[str | None, str], Any] | None = None) -> Config:
    """Build the configuration from a TOML file, the environment and explicit overrides."""
    config = Config()
    env = os.environ if env is None else env
    file = file or env.get("BPMNFLOW_CONFIG")
    if file:
        data = tomllib.loads(Path(file).read_text())
        for key, value in data.items():
            if isinstance(value, dict):
                for sub, subvalue in value.items():
                    config = _set(config, key, sub.replace("-", "_"), subvalue)
            else:
                config = _set(config, None, key.replace("-", "_"), value)
    for var, (section, name) in _ENV.items():
        if var in env:
            config = _set(config, section, name, env[var])
    for (section, name), value in (overrides or {}).items():
        if value is not None:
            config = _set(config, section, name, value)
    return config.validate()
