"""Which script languages the engine runs, under which names, and why it refuses the others."""

from __future__ import annotations

JAVASCRIPT = "javascript"
JUEL = "juel"

# JSR-223 names models use for the same two languages (compared without case).
_ALIASES = {
    "javascript": JAVASCRIPT, "ecmascript": JAVASCRIPT, "js": JAVASCRIPT,
    "nashorn": JAVASCRIPT, "graal.js": JAVASCRIPT, "graaljs": JAVASCRIPT,
    "juel": JUEL,
}
_PYTHON = {"python", "jython", "py"}


def normalize(script_format: str | None) -> str | None:
    """The engine's name for a script format, or None if it cannot run it."""
    if not script_format:
        return None
    return _ALIASES.get(script_format.strip().lower())


def refusal(script_format: str | None) -> str:
    """Why a script format is refused, for the deploy error."""
    if not script_format or not script_format.strip():
        return "a script needs a scriptFormat (javascript or juel)"
    name = script_format.strip()
    if name.lower() in _PYTHON:
        return (f"script format '{name}' is not supported: Python cannot be sandboxed safely "
                "inside the engine, so models may not run it; use javascript")
    return (f"script format '{name}' is not supported by this engine; use javascript (run in "
            "an isolated sandbox) or juel")
