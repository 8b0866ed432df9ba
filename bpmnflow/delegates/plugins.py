"""Plugins: modules that register delegate handlers when imported.

A plugin is named in the configuration (``plugins = ["mycompany.bpmn_handlers"]``), on the
command line (``bpmnflow serve --plugin mycompany.bpmn_handlers``) or advertised by an installed
distribution under the ``bpmnflow.plugins`` entry-point group.  Importing it is enough when it
registers at import time; a module-level ``register_delegates(registry)`` function, or an entry
point naming a callable, is called with the registry as well.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from bpmnflow.delegates.registry import REGISTRY, DelegateRegistry

ENTRY_POINT_GROUP = "bpmnflow.plugins"
log = logging.getLogger("bpmnflow.plugins")


def load_plugin(name: str, registry: DelegateRegistry = REGISTRY) -> Any:
    """Import one plugin module and let it register its handlers."""
    module = importlib.import_module(name)
    hook = getattr(module, "register_delegates", None)
    if callable(hook):
        hook(registry)
    log.info("loaded plugin %s", name)
    return module


def load_plugins(names: Iterable[str] = (), registry: DelegateRegistry = REGISTRY,
                 discover: bool = True) -> list[str]:
    """Load the named plugins, then (with ``discover``) every installed entry point.

    A plugin that fails to import stops the start: a node silently missing handlers would
    refuse deployments or fail instances that another node runs fine.
    """
    loaded = []
    for name in names:
        load_plugin(name, registry)
        loaded.append(name)
    if discover:
        for point in entry_points(group=ENTRY_POINT_GROUP):
            target = point.load()
            if callable(target):
                target(registry)
            loaded.append(point.value)
            log.info("loaded plugin entry point %s", point.value)
    return loaded
