"""Scripts in models: JavaScript in an isolated V8 sandbox, juel through the expression
language, Camunda Spin's ``S()`` in both.

    run_script(rt, ex, script, task=None, event=None, connector=None)   (invoke.py)
    configure(timeout_ms=..., memory_mb=..., classpath=...)            (settings.py)
"""

from bpmnflow.scripting.languages import JAVASCRIPT, JUEL, normalize, refusal
from bpmnflow.scripting.settings import ScriptSettings, configure, current

__all__ = ["JAVASCRIPT", "JUEL", "ScriptSettings", "configure", "current", "normalize",
           "refusal"]
