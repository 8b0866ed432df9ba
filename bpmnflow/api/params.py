"""Request parsing shared by the routers: query parameters, JSON bodies, paging and sorting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request

from bpmnflow.errors import EngineError, InvalidRequestError, RestError
from bpmnflow.variables.dates import parse_date

_JAVA = {"bool": "java.lang.Boolean", "int": "java.lang.Integer", "long": "java.lang.Long",
         "date": "java.util.Date", "double": "java.lang.Double"}


def _convert_error(name: str, value: str, kind: str) -> InvalidRequestError:
    return InvalidRequestError(
        400, f"Cannot set query parameter '{name}' to value '{value}': Cannot convert value "
             f"{value} to java type {_JAVA.get(kind, 'java.lang.String')}")


def to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _convert_error(name, str(value), "bool")


def to_int(name: str, value: Any, kind: str = "int") -> int:
    if isinstance(value, bool):
        raise _convert_error(name, str(value), kind)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise _convert_error(name, str(value), kind) from None


def to_date(name: str, value: Any) -> int:
    """A Camunda date parameter as epoch milliseconds."""
    try:
        return int(parse_date(str(value)).timestamp() * 1000)
    except (ValueError, TypeError):
        raise _convert_error(name, str(value), "date") from None


def to_list(name: str, value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part for part in str(value).split(",") if part != ""]


CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "str": lambda n, v: v if isinstance(v, str) else str(v),
    "bool": to_bool,
    "int": to_int,
    "date": to_date,
    "list": to_list,
    "raw": lambda n, v: v,
}


def convert(kind: str, name: str, value: Any) -> Any:
    """Turn one raw filter value into its declared kind (the query specs' converter)."""
    return CONVERTERS[kind](name, value)


def query_params(request: Request) -> dict[str, Any]:
    """Query parameters; repeated keys are joined into lists (Camunda accepts both forms)."""
    out: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in out:
            prev = out[key]
            out[key] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out[key] = value
    return out


def flag(request: Request, name: str, default: bool = False) -> bool:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    return to_bool(name, value)


async def body(request: Request, required: bool = False) -> dict[str, Any]:
    """The JSON body as a dict; malformed JSON is Camunda's 400 JsonParseException."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise RestError(400, "Request body is required")
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _JsonParseError(f"Unexpected character: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _JsonMappingError("Cannot deserialize value: expected a JSON object")
    return data


class _JsonParseError(RestError):
    camunda_type = "JsonParseException"

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class _JsonMappingError(RestError):
    camunda_type = "MismatchedInputException"

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def mapping_error(message: str) -> RestError:
    return _JsonMappingError(message)


def paging(request: Request) -> tuple[int | None, int | None]:
    first = request.query_params.get("firstResult")
    limit = request.query_params.get("maxResults")
    return (_page_int("firstResult", first), _page_int("maxResults", limit))


def _page_int(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidRequestError(400, f"Cannot set query parameter '{name}' to value "
                                       f"'{value}'") from None
    if number < 0:
        raise InvalidRequestError(400, f"Cannot set query parameter '{name}' to value "
                                       f"'{value}'")
    return number


__all__ = ["EngineError", "query_params", "body", "paging", "flag"]
