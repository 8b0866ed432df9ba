"""The JavaScript sandbox: a fresh V8 isolate per evaluation, with a time and a memory limit.

The isolate gets the script, a JSON snapshot of what it may read and nothing else: no file
system, network, process, timers or WebAssembly, and no function that calls back into Python.
Its changes come back as a list of operations the engine applies afterwards (see
``js/bridge.js``).  A fresh isolate per evaluation means one script can never leave anything
behind for another (a patched ``Array.prototype``, a global) — a few milliseconds each.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from bpmnflow.errors import EngineError
from bpmnflow.scripting.settings import ScriptSettings

log = logging.getLogger("bpmnflow.scripting")
_HERE = Path(__file__).resolve().parent / "js"
PRELUDE = (_HERE / "spin.js").read_text() + "\n" + (_HERE / "bridge.js").read_text()


class ScriptError(EngineError):
    """A script failed: it threw, ran out of time or memory, or returned something unusable."""


def evaluate(request: dict[str, Any], settings: ScriptSettings) -> dict[str, Any]:
    """Run ``request['source']`` against the snapshot in ``request``; the bridge's answer."""
    if _in_event_loop():
        # The V8 binding would take over a running asyncio loop and refuse time limits there:
        # an engine called from async code runs its scripts from a plain thread instead.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="js") as pool:
            return pool.submit(_evaluate, request, settings).result()
    return _evaluate(request, settings)


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _evaluate(request: dict[str, Any], settings: ScriptSettings) -> dict[str, Any]:
    from py_mini_racer import MiniRacer
    from py_mini_racer import _exc as js_errors

    payload = orjson.dumps(request).decode()
    limit = settings.memory_mb * 1024 * 1024
    seconds = settings.timeout_ms / 1000
    ctx = MiniRacer()
    try:
        ctx.set_hard_memory_limit(limit)
        ctx.eval(PRELUDE, timeout_sec=max(seconds, 2.0))
        answer = ctx.call("__run", payload, timeout_sec=seconds, max_memory=limit)
    except js_errors.JSTimeoutException:
        raise ScriptError(f"script ran longer than its limit of {settings.timeout_ms} ms and "
                          "was stopped") from None
    except js_errors.JSOOMException:
        raise ScriptError(f"script used more than its memory limit of {settings.memory_mb} MB "
                          "and was stopped") from None
    except js_errors.MiniRacerBaseException as exc:
        raise ScriptError(_first_line(str(exc))) from None
    finally:
        ctx.close()
    if not isinstance(answer, str):
        raise ScriptError("script bridge returned no answer")
    return orjson.loads(answer)  # type: ignore[no-any-return]


def _first_line(text: str) -> str:
    """V8's message without the source excerpt it appends."""
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        if "Error" in line:
            return line.split(": ", 1)[-1] if line.startswith("<anonymous>") else line
    return lines[0] if lines else "script failed"
