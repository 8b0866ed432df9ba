"""The one error of the variables package.

    ValueError
     └── VariableTypeError   a value does not fit its declared type, or the type is unknown

Its text is the *inner* message Camunda produces (e.g. `Unsupported value type 'foo'`).
Camunda's REST resources prefix it with what they were doing, and so should ours:

    Cannot put process instance variable x: Unsupported value type 'foo'
    Cannot instantiate process definition def:1:abc: Cannot convert value 'x' of type ...
    Cannot complete task t1: ...

`engine_error` marks the messages Camunda raises inside the engine (ProcessEngineException:
Java serialization prohibited, no serializer for a data format, Object without
objectTypeName) rather than while reading the request. Most resources answer those with
500 and type `RestException`; conversion errors are 400 `InvalidRequestException`.
`status` and `exception_type` give that default; a resource that differs may override.
"""

from __future__ import annotations

__all__ = ["VariableTypeError"]


class VariableTypeError(ValueError):
    """A variable value that does not match its type, in Camunda's words."""

    def __init__(
        self, message: str, *, variable_name: str | None = None, engine_error: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.variable_name = variable_name
        self.engine_error = engine_error

    @property
    def status(self) -> int:
        """The HTTP status Camunda's resources most often answer this error with."""
        return 500 if self.engine_error else 400

    @property
    def exception_type(self) -> str:
        """The `type` field of Camunda's error body for this error, once wrapped."""
        return "RestException" if self.engine_error else "InvalidRequestException"
