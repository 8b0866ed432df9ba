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

from bpmnflow.connect.settings import HttpSettings
from bpmnflow.scripting.settings import ScriptSettings

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


PERMISSION_SET_CLAIMS = ("realm_roles", "client_roles", "groups")


@dataclass(frozen=True)
class SecurityConfig:
    """Who may call the REST API (see README, "Security").

    Bearer tokens are accepted only once an issuer is configured; HTTP Basic always works
    against the engine's own users.  ``authentication = false`` opens every endpoint to
    everyone, as an administrator: for tests and trusted sandboxes only.
    """

    authentication: bool = True
    admin_group: str = "camunda-admin"
    admin_users: tuple[str, ...] = ()
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_allowed_azp: tuple[str, ...] = ()
    oidc_algorithms: tuple[str, ...] = ("RS256",)
    oidc_leeway: int = 30
    oidc_user_id_claim: str = "preferred_username"
    oidc_client_id: str | None = None  # whose resource_access roles count (else the audience)
    permission_set_claims: tuple[str, ...] = ("realm_roles", "groups")
    permission_set_prefix: str = ""
    grants_file: str | None = None


@dataclass(frozen=True)
class HistoryCleanupConfig:
    """History cleanup: when it may run and how much it removes per step (Camunda's
    ``historyCleanup*`` settings).  Batch window times are ``HH:mm`` in UTC, the zone every
    date of the engine is written in; a window needs both ends, and without one cleanup runs
    only when asked to (``POST /history/cleanup``)."""

    enabled: bool = True
    batch_window_start: str | None = None
    batch_window_end: str | None = None
    batch_size: int = 500
    degree_of_parallelism: int = 1

    def __post_init__(self) -> None:
        for name in ("batch_window_start", "batch_window_end"):
            value = getattr(self, name)
            if value is not None and not _is_hh_mm(value):
                raise ValueError(f"history cleanup {name} must be HH:mm, not {value!r}")
        if not 1 <= self.batch_size <= 500:
            raise ValueError("history cleanup batch size must be between 1 and 500")
        if not 1 <= self.degree_of_parallelism <= 8:
            raise ValueError("history cleanup degree of parallelism must be between 1 and 8")


def _is_hh_mm(value: str) -> bool:
    hours, _, minutes = value.partition(":")
    return (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60)


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    history_cleanup: HistoryCleanupConfig = field(default_factory=HistoryCleanupConfig)
    data_dir: str = "./bpmnflow-data"
    database_url: str | None = None
    # Connectors' HTTP client ([http] in the file) and the script sandbox's limits ([scripts]).
    http: HttpSettings = field(default_factory=HttpSettings)
    scripts: ScriptSettings = field(default_factory=ScriptSettings)
    # Modules that register delegate handlers (``plugins = ["mycompany.handlers"]``).
    plugins: tuple[str, ...] = ()

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
        unknown = set(self.security.permission_set_claims) - set(PERMISSION_SET_CLAIMS)
        if unknown:
            raise ValueError(f"permission set claims must be among {PERMISSION_SET_CLAIMS}")
        if {a.upper()[:2] for a in self.security.oidc_algorithms} - {"RS", "PS", "ES"}:
            raise ValueError("token algorithms must be asymmetric (RS*, PS*, ES*)")
        self.http.validate()
        if self.scripts.timeout_ms <= 0 or self.scripts.memory_mb <= 0:
            raise ValueError("script time and memory limits must be positive")
        return self


_ENV = {
    "BPMNFLOW_HOST": ("server", "host"),
    "BPMNFLOW_PORT": ("server", "port"),
    "BPMNFLOW_DATA_DIR": (None, "data_dir"),
    "BPMNFLOW_DATABASE_URL": (None, "database_url"),
    "BPMNFLOW_HISTORY_LEVEL": ("engine", "history_level"),
    "BPMNFLOW_JOB_EXECUTOR": ("engine", "job_executor"),
    "BPMNFLOW_AUTHENTICATION": ("security", "authentication"),
    "BPMNFLOW_ADMIN_GROUP": ("security", "admin_group"),
    "BPMNFLOW_ADMIN_USERS": ("security", "admin_users"),
    "BPMNFLOW_OIDC_ISSUER": ("security", "oidc_issuer"),
    "BPMNFLOW_OIDC_AUDIENCE": ("security", "oidc_audience"),
    "BPMNFLOW_OIDC_JWKS_URL": ("security", "oidc_jwks_url"),
    "BPMNFLOW_OIDC_ALLOWED_AZP": ("security", "oidc_allowed_azp"),
    "BPMNFLOW_OIDC_LEEWAY": ("security", "oidc_leeway"),
    "BPMNFLOW_OIDC_USER_ID_CLAIM": ("security", "oidc_user_id_claim"),
    "BPMNFLOW_OIDC_CLIENT_ID": ("security", "oidc_client_id"),
    "BPMNFLOW_PERMISSION_SET_CLAIMS": ("security", "permission_set_claims"),
    "BPMNFLOW_PERMISSION_SET_PREFIX": ("security", "permission_set_prefix"),
    "BPMNFLOW_GRANTS_FILE": ("security", "grants_file"),
    "BPMNFLOW_HISTORY_CLEANUP_ENABLED": ("history_cleanup", "enabled"),
    "BPMNFLOW_HISTORY_CLEANUP_BATCH_WINDOW_START": ("history_cleanup", "batch_window_start"),
    "BPMNFLOW_HISTORY_CLEANUP_BATCH_WINDOW_END": ("history_cleanup", "batch_window_end"),
    "BPMNFLOW_HISTORY_CLEANUP_BATCH_SIZE": ("history_cleanup", "batch_size"),
    "BPMNFLOW_HISTORY_CLEANUP_PARALLELISM": ("history_cleanup", "degree_of_parallelism"),
    "BPMNFLOW_PLUGINS": (None, "plugins"),
    "BPMNFLOW_HTTP_PROXY": ("http", "proxy"),
    "BPMNFLOW_HTTP_VERIFY_TLS": ("http", "verify_tls"),
    "BPMNFLOW_HTTP_CA_BUNDLE": ("http", "ca_bundle"),
    "BPMNFLOW_SCRIPT_TIMEOUT_MS": ("scripts", "timeout_ms"),
    "BPMNFLOW_SCRIPT_MEMORY_MB": ("scripts", "memory_mb"),
    "BPMNFLOW_SCRIPT_CLASSPATH": ("scripts", "classpath"),
}


def _coerce(target: Any, name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(target)}[name]
    if kind == "int" and not isinstance(value, int):
        return int(value)
    if kind == "bool" and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if kind.startswith("tuple"):  # lists from a file, comma-separated from the environment
        items = value.split(",") if isinstance(value, str) else value
        return tuple(str(item).strip() for item in items if str(item).strip())
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
