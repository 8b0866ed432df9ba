"""Applying the configuration to the parts that reach outside the engine: the connectors' HTTP
client, the script sandbox and the delegate plugins.  ``bpmnflow serve`` calls it once before
the engine starts; an embedding application calls it (or the three parts) itself."""

from __future__ import annotations

from bpmnflow import connect, scripting
from bpmnflow.config import Config
from bpmnflow.delegates.plugins import load_plugins


def configure_extensions(config: Config, discover_plugins: bool = True) -> list[str]:
    """Configure HTTP and scripts, load the plugins; returns the plugins loaded."""
    connect.configure(config.http)
    scripting.configure(config.scripts)
    return load_plugins(config.plugins, discover=discover_plugins)
