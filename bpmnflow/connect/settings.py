"""The HTTP client's settings: timeouts, response size limit, proxy and TLS."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout_ms: int = 10_000
    read_timeout_ms: int = 30_000  # also the write timeout: "socket-timeout" in Camunda
    pool_timeout_ms: int = 10_000  # waiting for a free pooled connection
    max_response_bytes: int = 10 * 1024 * 1024
    max_connections: int = 50
    proxy: str | None = None  # e.g. http://proxy.example:3128
    verify_tls: bool = True
    ca_bundle: str | None = None  # a PEM file of trusted CAs instead of the system's

    def validate(self) -> HttpSettings:
        if min(self.connect_timeout_ms, self.read_timeout_ms, self.pool_timeout_ms) <= 0:
            raise ValueError("HTTP timeouts must be positive")
        if self.max_response_bytes <= 0 or self.max_connections <= 0:
            raise ValueError("HTTP response limit and connection count must be positive")
        return self
