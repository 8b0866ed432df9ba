"""The engine's exceptions, one tree, each carrying the Camunda exception it stands for.

Camunda clients branch on the ``type`` of an error body (the Java exception's simple name) and
on the status, so every exception names both.  Engine exceptions have ``code`` 0 (1 for
optimistic locking); errors raised by the REST layer itself have ``code`` null unless they wrap
an engine exception, as in Camunda.

    EngineError                  ProcessEngineException         500
    ├── NullValueError           NullValueException             500
    ├── OptimisticLockingError   OptimisticLockingException     500 (code 1)
    ├── SuspendedEntityError     SuspendedEntityInteractionException 500
    ├── TaskAlreadyClaimedError  TaskAlreadyClaimedException    500
    ├── BadUserRequestError      BadUserRequestException        400
    │   ├── NotFoundError        NotFoundException              400 (engine-level; REST maps to 404)
    │   └── NotValidError        NotValidException              400
    ├── ParseError               ParseException                 400 (with details)
    ├── AuthorizationError       AuthorizationException         403
    └── RestError                RestException                  any (REST layer)
        └── InvalidRequestError  InvalidRequestException        any (REST layer)
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base of every error the engine reports to a caller."""

    camunda_type = "ProcessEngineException"
    status = 500
    default_code: int | None = 0

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = self.default_code if code is None else code

    def body(self) -> dict[str, Any]:
        """The JSON body Camunda's REST API answers with for this error."""
        return {"type": self.camunda_type, "message": self.message, "code": self.code}


class NullValueError(EngineError):
    camunda_type = "NullValueException"


class OptimisticLockingError(EngineError):
    """Another command changed a row this command read: the whole command is rolled back."""

    camunda_type = "OptimisticLockingException"
    default_code = 1


class SuspendedEntityError(EngineError):
    camunda_type = "SuspendedEntityInteractionException"


class TaskAlreadyClaimedError(EngineError):
    camunda_type = "TaskAlreadyClaimedException"


class BadUserRequestError(EngineError):
    """A well-formed request the engine refuses for the state it finds."""

    camunda_type = "BadUserRequestException"
    status = 400


class NotFoundError(BadUserRequestError):
    camunda_type = "NotFoundException"


class NotValidError(BadUserRequestError):
    camunda_type = "NotValidException"


class AuthorizationError(EngineError):
    camunda_type = "AuthorizationException"
    status = 403


class ParseError(EngineError):
    """A model the engine cannot run: refused at deploy, naming the element and line."""

    camunda_type = "ParseException"
    status = 400

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None,
                 resource: str | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.resource = resource

    def body(self) -> dict[str, Any]:
        body = super().body()
        errors = [p for p in self.problems if p.get("type", "error") == "error"]
        warnings = [p for p in self.problems if p.get("type") == "warning"]
        body["details"] = {
            self.resource or "": {
                "errors": [{k: v for k, v in p.items() if k != "type"} for p in errors],
                "warnings": [{k: v for k, v in p.items() if k != "type"} for p in warnings],
            }
        }
        return body


class RestError(EngineError):
    """An error raised by the REST layer, with the status Camunda's resource chose."""

    camunda_type = "RestException"
    default_code = None

    def __init__(self, status: int, message: str, *, code: int | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status

    @classmethod
    def wrap(cls, prefix: str, exc: EngineError, status: int | None = None) -> RestError:
        """Camunda's '<operation>: <engine message>' errors, keeping the engine's code."""
        return cls(status or exc.status, f"{prefix}: {exc.message}", code=exc.code)


class InvalidRequestError(RestError):
    camunda_type = "InvalidRequestException"
