"""Named delegates: Python handlers for ``camunda:class``, ``camunda:delegateExpression`` and
listener classes.

    from bpmnflow import delegates

    @delegates.register("com.example.ArchiveInvoiceService")
    def archive(execution, fields):
        execution.setVariable("archived", True)
"""

from bpmnflow.delegates.plugins import ENTRY_POINT_GROUP, load_plugin, load_plugins
from bpmnflow.delegates.registry import REGISTRY, BpmnError, DelegateRegistry, Handler

register = REGISTRY.register
unregister = REGISTRY.unregister

__all__ = [
    "ENTRY_POINT_GROUP",
    "REGISTRY",
    "BpmnError",
    "DelegateRegistry",
    "Handler",
    "load_plugin",
    "load_plugins",
    "register",
    "unregister",
]
