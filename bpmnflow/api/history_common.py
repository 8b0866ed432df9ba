"""What the read-mostly query resources share: list/count routes, stored values as REST values.

Historic resources, executions and variable instances all answer ``GET|POST <base>`` and
``GET|POST <base>/count`` the same way; only the query they build and the row mapping differ.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bpmnflow.api.querying import Builder, Mapper, query_routes  # noqa: F401 - shared here too
from bpmnflow.errors import InvalidRequestError
from bpmnflow.variables import TypedValue, VariableTypeError, from_columns, to_rest

BINARY_TYPES = ("Bytes", "File")


def stored_value(row: Any, with_content: bool = False) -> TypedValue:
    """The typed value of a row with Camunda's value columns (variables, history)."""
    content = row.bytes_value if with_content else None
    return from_columns(row.var_type, row.text_value, row.long_value, row.double_value, content,
                        row.value_info)


def typed_fields(row: Any, deserialize: bool) -> dict[str, Any]:
    """``type``, ``value``, ``valueInfo`` and ``errorMessage`` of a stored variable.

    Lists and single lookups leave binary content out (value null), as Camunda's queries do
    with binary fetching disabled: the bytes come from the ``/data`` endpoint.  A value that
    cannot be read is reported in ``errorMessage`` instead of failing the whole answer.
    """
    try:
        out = to_rest(stored_value(row), deserialize)
    except VariableTypeError as exc:
        return {"type": row.var_type, "value": None, "valueInfo": {}, "errorMessage": str(exc)}
    out["errorMessage"] = None
    return out


def binary_response(row: Any, ident: str) -> Response:
    """A Bytes or File value as raw content; anything else is Camunda's 400."""
    if row.var_type not in BINARY_TYPES:
        raise InvalidRequestError(400, f"Value of variable with id {ident} is not a binary "
                                       "value.")
    value = stored_value(row, with_content=True)
    info = value.value_info or {}
    if value.type == "Bytes":
        return Response(value.value or b"", media_type="application/octet-stream")
    media = info.get("mimeType") or "application/octet-stream"
    if info.get("encoding"):
        media = f"{media}; charset={info['encoding']}"
    disposition = f'attachment; filename="{info.get("filename") or ident}"'
    return Response(value.value or b"", media_type=media,
                    headers={"Content-Disposition": disposition})


def not_found(resource: str, ident: str) -> InvalidRequestError:
    """Camunda's 404 for the variable-like resources ('Historic detail with Id ...')."""
    return InvalidRequestError(404, f"{resource} with Id '{ident}' does not exist.")
