"""One shared httpx client per process: a pool of keep-alive connections for every connector
call, rebuilt when the settings change."""

from __future__ import annotations

import threading

import httpx

from bpmnflow.connect.settings import HttpSettings

_lock = threading.Lock()
_settings = HttpSettings()
_client: httpx.Client | None = None


def settings() -> HttpSettings:
    return _settings


def configure(new: HttpSettings) -> None:
    """Use ``new`` from the next call on; the old pool is closed."""
    global _settings, _client
    new.validate()
    with _lock:
        old, _client, _settings = _client, None, new
    if old is not None:
        old.close()


def shared() -> httpx.Client:
    global _client
    client = _client
    if client is not None:
        return client
    with _lock:
        if _client is None:
            _client = _build(_settings)
        return _client


def _build(s: HttpSettings) -> httpx.Client:
    verify: bool | str = s.ca_bundle if s.ca_bundle else s.verify_tls
    return httpx.Client(
        proxy=s.proxy, verify=verify, trust_env=False, follow_redirects=True,
        timeout=timeout(s, {}),
        limits=httpx.Limits(max_connections=s.max_connections,
                            max_keepalive_connections=s.max_connections))


def timeout(s: HttpSettings, config: dict[str, object]) -> httpx.Timeout:
    """Camunda's request-config timeouts (milliseconds) over the configured defaults."""
    def ms(key: str, default: int) -> float:
        value = config.get(key)
        return (int(value) if value is not None else default) / 1000  # type: ignore[call-overload]

    read = ms("socket-timeout", s.read_timeout_ms)
    return httpx.Timeout(connect=ms("connection-timeout", s.connect_timeout_ms), read=read,
                         write=read, pool=ms("connection-request-timeout", s.pool_timeout_ms))


def close() -> None:
    global _client
    with _lock:
        old, _client = _client, None
    if old is not None:
        old.close()
