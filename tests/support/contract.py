"""Checks bpmnflow's REST responses against Camunda 7's own OpenAPI description.

Every REST test sends its requests through the test HTTP client, and the client hands each
response to :meth:`Contract.check`. A renamed field, a missing ``null``, a date in the wrong
format or an undocumented status code then fails CI here, before it can break a Camunda
client in production.

The spec (``shared/camunda-rest/openapi.json``, a sibling of the repository) is OpenAPI 3.0,
which is not quite JSON Schema, and it is looser than the JSON that Camunda actually writes.
This module compiles each documented response into a draft-7 JSON Schema that is *stricter*
than the spec:

* an object schema with ``properties`` must get every listed property, and ``null`` when a
  value is empty, because Camunda's Jackson mapper writes null fields. It must get no
  unlisted property, unless the schema has ``additionalProperties``;
* ``format: date-time`` means Camunda's ``yyyy-MM-dd'T'HH:mm:ss.SSSZ``, not RFC 3339;
* ``int32``/``int64`` values must be integers within range, never ``1.0``;
* a property that is a bare ``$ref`` also accepts ``null``. OpenAPI 3.0 cannot mark a
  ``$ref`` as nullable, but Camunda writes ``null`` for an absent nested object.

Where Camunda's own responses depart from these rules, the tables below (``OMISSIONS``,
``EXTRAS``, ``PATCHES``, ``VARIANTS``) record it and give the reason. Each reason comes from
Camunda's REST DTO classes (``engine-rest/.../rest/dto``).

Error statuses (``ERROR_STATUSES``) are allowed on every operation. The body must then be
the exception DTO that Camunda would pick for the exception ``type``: ExceptionDto,
AuthorizationExceptionDto, ParseExceptionDto, or a migration validation error. Routes listed
in ``routes-not-in-openapi.tsv`` get only the generic checks (status, JSON content type,
empty 204, error body). Use it like this::

    contract = Contract.load()
    if contract is None:
        pytest.skip(SPEC_MISSING)
    problems = contract.check("GET", "/process-definition/x", 200, "application/json", body)
    assert not problems, "\n".join(problems)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

__all__ = [
    "ERROR_STATUSES",
    "EXCEPTION_SCHEMAS",
    "EXTRAS",
    "OMISSIONS",
    "PATCHES",
    "SPEC_MISSING",
    "SPEC_PATH",
    "SYNTHETIC_SCHEMAS",
    "VARIANTS",
    "Contract",
    "Extra",
    "Omission",
    "Patch",
    "Variant",
    "all_operations",
]

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "camunda-rest"
SPEC_PATH = SHARED_DIR / "openapi.json"
UNLISTED_ROUTES_NAME = "routes-not-in-openapi.tsv"
SPEC_MISSING = (
    f"Camunda's REST spec is not at {SPEC_PATH}: put the shared/ folder beside the repository"
)

#: Error statuses any operation may answer, provided that the body is an exception body.
ERROR_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 415, 500})
JSON_TYPE = "application/json"
#: ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` as Java's SimpleDateFormat writes it:
#: 2026-01-31T12:00:00.000+0000.
CAMUNDA_DATE = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}[+-]\d{4}$"
)
MAX_PROBLEMS = 20
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_UNPARSED = object()


# --- Where Camunda departs from its own spec ------------------------------------------------


@dataclass(frozen=True)
class Omission:
    """A listed property that Camunda leaves out of some responses."""

    schema: str  # the component that declares the property (also when inherited via allOf)
    prop: str
    reason: str
    not_in: frozenset[str] = frozenset()  # components that inherit the property but must send it


@dataclass(frozen=True)
class Extra:
    """An unlisted property that Camunda writes anyway."""

    schema: str
    prop: str
    reason: str


@dataclass(frozen=True)
class Patch:
    """A property whose spec schema is wrong for what Camunda writes; ``schema`` replaces it.

    ``component`` is the declaring component or one that inherits the property via allOf;
    the most derived one wins.
    """

    component: str
    prop: str
    schema: Mapping[str, Any]
    reason: str


@dataclass(frozen=True)
class Variant:
    """One of several Java classes that the spec merges into one schema."""

    name: str
    props: frozenset[str]  # properties that only this variant has
    when: Mapping[str, Any] | None  # JSON Schema that selects it; None for the last (fallback)


OMISSIONS: tuple[Omission, ...] = (
    Omission(
        "ExceptionDto",
        "code",
        "Camunda added `code` in 7.20; older engines do not write it, so clients cannot rely on it",
    ),
    Omission(
        "LinkableDto",
        "links",
        "Camunda writes `links` (usually []), but clients read it only after a create/start, "
        "and Camunda's docs show bodies without it; an OPTIONS answer consists of links only",
        not_in=frozenset({"ResourceOptionsDto"}),
    ),
    Omission(
        "ProcessInstanceWithVariablesDto",
        "variables",
        "start/submit-form return the variables only with withVariablesInReturn=true; "
        "otherwise Camunda answers with a plain ProcessInstanceDto",
    ),
    Omission(
        "MessageCorrelationResultWithVariableDto",
        "variables",
        "written only with variablesInResultEnabled=true; otherwise Camunda answers with "
        "MessageCorrelationResultDto, which has no such key",
    ),
    Omission(
        "TaskWithVariablesDto",
        "variables",
        "@JsonInclude(NON_DEFAULT): written only when withTaskVariablesInReturn or "
        "withTaskLocalVariablesInReturn asked for variables",
    ),
    Omission(
        "TaskWithAttachmentAndCommentDto",
        "attachment",
        "written only with withCommentAttachmentInfo=true; otherwise the list holds TaskDtos",
    ),
    Omission(
        "TaskWithAttachmentAndCommentDto",
        "comment",
        "written only with withCommentAttachmentInfo=true; otherwise the list holds TaskDtos",
    ),
    Omission(
        "FilterDto",
        "itemCount",
        "@JsonInclude(NON_NULL): written only when the query parameter itemCount=true",
    ),
    Omission(
        "HistoricDecisionInstanceDto",
        "inputs",
        "@JsonInclude(NON_NULL): written only with includeInputs=true",
    ),
    Omission(
        "HistoricDecisionInstanceDto",
        "outputs",
        "@JsonInclude(NON_NULL): written only with includeOutputs=true",
    ),
)

EXTRAS: tuple[Extra, ...] = tuple(
    Extra(
        "AuthorizationExceptionDto",
        prop,
        "deprecated but still written by Camunda's AuthorizationExceptionDto "
        "(set only when exactly one authorization is missing)",
    )
    for prop in ("resourceName", "resourceId", "permissionName")
)

_ANY_VALUE_REASON = (
    "a Java Object: any JSON value, while the spec's `type: object` rejects strings and numbers"
)
PATCHES: tuple[Patch, ...] = (
    Patch(
        "ExceptionDto",
        "type",
        {"type": "string"},
        "the simple class name of the exception is always present",
    ),
    Patch(
        "ExceptionDto",
        "message",
        {"type": "string"},
        "bpmnflow always says why a request failed; a null message helps no client",
    ),
    Patch(
        "ExceptionDto",
        "code",
        {"type": "integer", "nullable": True},
        "Java `Integer code`: null unless a ProcessEngineException carried a code. "
        "The spec's `number` would also accept 1.5",
    ),
    Patch(
        "HistoricDetailDto",
        "type",
        {"type": "string", "enum": ["formField", "variableUpdate"]},
        "the Jackson type ids of the two subclasses (see VARIANTS)",
    ),
    Patch("HistoricDetailDto", "value", {}, _ANY_VALUE_REASON),
    Patch("HistoricDetailDto", "fieldValue", {}, _ANY_VALUE_REASON),
    Patch(
        "HistoricDetailDto",
        "valueInfo",
        {"type": "object", "nullable": True, "additionalProperties": True},
        "stays null when the stored value could not be read (errorMessage is set instead)",
    ),
    Patch("HistoricDecisionInputInstanceDto", "value", {}, _ANY_VALUE_REASON),
    Patch("HistoricDecisionOutputInstanceDto", "value", {}, _ANY_VALUE_REASON),
    Patch(
        "PasswordPolicyRuleDto",
        "parameter",
        {"type": "object", "nullable": True, "additionalProperties": {"type": "string"}},
        "null for rules without parameters (e.g. PASSWORD_POLICY_USER_DATA), as in Camunda's docs",
    ),
    Patch(
        "CheckPasswordPolicyResultDto",
        "rules",
        {
            "type": "array",
            "nullable": True,
            "items": {"$ref": "#/components/schemas/CheckPasswordPolicyRuleDto"},
        },
        "the check answer lists CheckPasswordPolicyRuleDto items (each with `valid`); "
        "the spec inherits PasswordPolicyDto's plain rules",
    ),
)

#: component -> its variants. Camunda serializes one subclass per item, not the spec's union.
VARIANTS: dict[str, tuple[Variant, ...]] = {
    # HistoricFormFieldDto / HistoricVariableUpdateDto, told apart by the Jackson type id `type`.
    "HistoricDetailDto": (
        Variant(
            "formField",
            frozenset({"fieldId", "fieldValue"}),
            {"properties": {"type": {"const": "formField"}}, "required": ["type"]},
        ),
        Variant(
            "variableUpdate",
            frozenset(
                {
                    "variableName",
                    "variableInstanceId",
                    "variableType",
                    "value",
                    "valueInfo",
                    "initial",
                    "revision",
                    "errorMessage",
                }
            ),
            None,
        ),
    ),
    # /history/task/report writes HistoricTaskInstanceReportResultDto (reportType=count)
    # or DurationReportResultDto (reportType=duration); only the latter has `period`.
    "HistoricTaskInstanceReportResultDto": (
        Variant(
            "duration",
            frozenset({"period", "periodUnit", "minimum", "maximum", "average"}),
            {"required": ["period"]},
        ),
        Variant(
            "count",
            frozenset(
                {
                    "taskName",
                    "count",
                    "processDefinitionKey",
                    "processDefinitionId",
                    "processDefinitionName",
                    "tenantId",
                }
            ),
            None,
        ),
    ),
}

#: Camunda's ExceptionHandlerHelper picks the error body's class from the exception class.
EXCEPTION_SCHEMAS: dict[str, str] = {
    "AuthorizationException": "AuthorizationExceptionDto",
    "ParseException": "ParseExceptionDto",
    "MigrationPlanValidationException": "MigrationPlanValidationExceptionDto",
    "MigratingProcessInstanceValidationException": "MigratingProcessInstanceValidationExceptionDto",
}
_EXCEPTION_REF = {"$ref": "#/components/schemas/ExceptionDto"}
#: Error bodies that Camunda writes but the spec does not describe: ExceptionDto + validationReport.
SYNTHETIC_SCHEMAS: dict[str, Mapping[str, Any]] = {
    "MigrationPlanValidationExceptionDto": {
        "allOf": [
            {
                "type": "object",
                "properties": {
                    "validationReport": {"$ref": "#/components/schemas/MigrationPlanReportDto"}
                },
            },
            _EXCEPTION_REF,
        ]
    },
    "MigratingProcessInstanceValidationExceptionDto": {
        "allOf": [
            {"type": "object", "properties": {"validationReport": {"type": "object"}}},
            _EXCEPTION_REF,
        ]
    },
}


# --- Routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    operation: Mapping[str, Any]
    documented: bool  # False: from routes-not-in-openapi.tsv, so only the generic checks apply


class _Node:
    __slots__ = ("literals", "param", "routes")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.routes: dict[str, _Route] = {}


class _RouteTable:
    """A segment trie, so that a literal segment beats a parameter, as in JAX-RS."""

    def __init__(self) -> None:
        self._root = _Node()
        self._routes: list[_Route] = []

    def add(self, route: _Route) -> None:
        node = self._root
        for segment in route.template.strip("/").split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                node.param = node.param or _Node()
                node = node.param
            else:
                node = node.literals.setdefault(segment, _Node())
        if route.method not in node.routes:
            node.routes[route.method] = route
            self._routes.append(route)

    def find(self, method: str, path: str) -> _Route | None:
        """The route of ``path``: the path decides first, then the method (no fallback)."""
        segments = _segments(path)
        node = self._walk(self._root, segments, 0) if segments else None
        return node.routes.get(method) if node else None

    def _walk(self, node: _Node, segments: list[str], index: int) -> _Node | None:
        if index == len(segments):
            return node if node.routes else None
        segment = segments[index]
        literal = node.literals.get(segment)
        found = self._walk(literal, segments, index + 1) if literal else None
        if found is None and node.param is not None and segment:
            found = self._walk(node.param, segments, index + 1)
        return found

    def __iter__(self) -> Iterator[_Route]:
        return iter(self._routes)


def _segments(path: str) -> list[str]:
    """Path segments after the base path, with the ``/engine/{name}`` alias removed."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    path = path[1:] if path.startswith("/") else path
    path = path[:-1] if path.endswith("/") else path
    segments = path.split("/") if path else []
    if len(segments) >= 2 and segments[0] == "engine":
        segments = segments[2:]  # the named-engine alias; bare GET /engine lists the engines
        if segments == ["engine"]:
            return []  # the engine list has no named-engine alias (see the spec's GET /engine)
    return segments


# --- OpenAPI 3.0 -> strict JSON Schema ------------------------------------------------------


def _strict_integer(_checker: Any, instance: Any) -> bool:
    """Jackson writes Integer/Long as 1, never 1.0; draft 7 would accept both."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = jsonschema.validators.extend(
    Draft7Validator,
    type_checker=Draft7Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _is_object(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" or "properties" in schema or "allOf" in schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` widened to accept null, without anyOf where possible (clearer messages)."""
    if not schema or "$ref" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]} if schema else schema
    widened = dict(schema)
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    widened["type"] = types if "null" in types else [*types, "null"]
    if "enum" in widened and None not in widened["enum"]:
        widened["enum"] = [*widened["enum"], None]
    return widened


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        if "$ref" in node:
            yield _ref_name(node["$ref"])
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _recursive_components(components: Mapping[str, Any]) -> frozenset[str]:
    """Components that can reach themselves: they stay ``$ref``s, everything else is inlined."""
    edges = {name: set(_refs(schema)) for name, schema in components.items()}
    recursive = set()
    for name in components:
        seen: set[str] = set()
        todo = list(edges[name])
        while todo:
            current = todo.pop()
            if current == name:
                recursive.add(name)
                break
            if current not in seen and current in edges:
                seen.add(current)
                todo.extend(edges[current])
    return frozenset(recursive)


@dataclass
class _Parts:
    """An object schema with its allOf chain flattened."""

    props: dict[str, tuple[Mapping[str, Any], str | None]] = field(default_factory=dict)
    additional: Any = None
    chain: list[str] = field(default_factory=list)


class _SchemaCompiler:
    """Turns OpenAPI 3.0 schemas into the strict draft-7 schemas described in the module doc."""

    def __init__(self, components: Mapping[str, Any]) -> None:
        self._raw: dict[str, Any] = {**components, **SYNTHETIC_SCHEMAS}
        self._recursive = _recursive_components(self._raw)
        self._converted: dict[str, dict[str, Any]] = {}
        self._omissions = {(o.schema, o.prop): o for o in OMISSIONS}
        self._patches = {(p.component, p.prop): p.schema for p in PATCHES}
        self._extras: dict[str, list[str]] = {}
        for extra in EXTRAS:
            self._extras.setdefault(extra.schema, []).append(extra.prop)

    def document(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """A self-contained JSON Schema; recursive components go under ``definitions``."""
        converted = self.convert(schema)
        if '"$ref"' not in json.dumps(converted):
            return converted
        definitions = {name: self.component(name) for name in sorted(self._recursive)}
        return {"allOf": [converted], "definitions": definitions}

    def component(self, name: str) -> dict[str, Any]:
        if name not in self._converted:
            self._converted[name] = self.convert(self._raw[name], owner=name)
        return self._converted[name]

    def convert(self, schema: Mapping[str, Any], owner: str | None = None) -> dict[str, Any]:
        if "$ref" in schema:
            name = _ref_name(schema["$ref"])
            if name in self._recursive:
                return {"$ref": f"#/definitions/{name}"}
            return self.component(name)
        if _is_object(schema):
            parts = _Parts()
            if self._gather(schema, owner, parts):
                return self._object(parts, owner, bool(schema.get("nullable")))
            return {"allOf": [self.convert(member) for member in schema["allOf"]]}
        return self._value(schema)

    def _gather(self, schema: Mapping[str, Any], owner: str | None, parts: _Parts) -> bool:
        """Collects the properties of ``schema`` and its allOf members; False if not all objects."""
        if "$ref" in schema:
            name = _ref_name(schema["$ref"])
            return self._gather(self._raw[name], name, parts)
        if not _is_object(schema):
            return False
        if owner and owner not in parts.chain:
            parts.chain.append(owner)
        if not all(self._gather(member, owner, parts) for member in schema.get("allOf", ())):
            return False
        for prop, sub in (schema.get("properties") or {}).items():
            parts.props[prop] = (sub, owner)
        if "additionalProperties" in schema:
            parts.additional = schema["additionalProperties"]
        return True

    def _object(self, parts: _Parts, owner: str | None, nullable: bool) -> dict[str, Any]:
        kind: Any = ["object", "null"] if nullable else "object"
        if not parts.props:
            out: dict[str, Any] = {"type": kind}
            if isinstance(parts.additional, Mapping):
                out["additionalProperties"] = self.convert(parts.additional)
            return out
        props = {
            name: self._property(sub, name, parts.chain) for name, (sub, _) in parts.props.items()
        }
        required = [
            name
            for name, (_sub, declared) in parts.props.items()
            if not self._omittable(declared, name, parts.chain)
        ]
        for name in (extra for link in parts.chain for extra in self._extras.get(link, ())):
            props.setdefault(name, {})
        additional = self._additional(parts.additional)
        if owner in VARIANTS:
            return self._variants(owner, kind, props, required, additional)
        out = {"type": kind, "properties": props, "required": required}
        out["additionalProperties"] = additional
        if owner:
            out["title"] = owner
        return out

    def _property(self, sub: Mapping[str, Any], name: str, chain: list[str]) -> dict[str, Any]:
        for link in chain:  # the owner comes first, then what it inherits
            patched = self._patches.get((link, name))
            if patched is not None:
                return self.convert(patched)
        converted = self.convert(sub)
        return _nullable(converted) if "$ref" in sub else converted

    def _omittable(self, declared: str | None, name: str, chain: list[str]) -> bool:
        omission = self._omissions.get((declared or "", name))
        return omission is not None and not omission.not_in.intersection(chain)

    def _additional(self, additional: Any) -> Any:
        if additional is None or additional is False:
            return False
        return True if additional is True else self.convert(additional)

    def _variants(
        self,
        owner: str,
        kind: Any,
        props: dict[str, Any],
        required: list[str],
        additional: Any,
    ) -> dict[str, Any]:
        """An if/then/else chain: each item must match exactly the variant it claims to be."""
        variants = VARIANTS[owner]
        specific = frozenset().union(*(v.props for v in variants))
        branches = []
        for variant in variants:
            keep = {name for name in props if name not in specific or name in variant.props}
            branches.append(
                {
                    "title": f"{owner} ({variant.name})",
                    "properties": {name: props[name] for name in props if name in keep},
                    "required": [name for name in required if name in keep],
                    "additionalProperties": additional,
                }
            )
        chain = branches[-1]
        for variant, branch in zip(reversed(variants[:-1]), reversed(branches[:-1]), strict=True):
            chain = {"if": variant.when, "then": branch, "else": chain}
        return {"type": kind, "allOf": [chain]}

    def _value(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        kind = schema.get("type")
        out: dict[str, Any] = {"type": kind} if kind else {}
        if kind == "array" and "items" in schema:
            out["items"] = self.convert(schema["items"])
        elif kind == "string" and schema.get("format") == "date-time":
            out["pattern"] = CAMUNDA_DATE
        elif kind == "integer" and schema.get("format") in _INT_RANGES:
            out["minimum"], out["maximum"] = _INT_RANGES[schema["format"]]
        for keyword in ("enum", "minimum", "maximum", "minItems", "maxItems", "pattern"):
            if keyword in schema:
                out[keyword] = schema[keyword]
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                out[keyword] = [self.convert(member) for member in schema[keyword]]
        return _nullable(out) if schema.get("nullable") and kind else out


# --- Reporting ------------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _describe(error: ValidationError) -> Iterator[str]:
    """Readable lines for one validation error, looking inside anyOf/oneOf branches."""
    where = error.json_path
    title = error.schema.get("title") if isinstance(error.schema, Mapping) else None
    of = f" ({title})" if title else ""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = error.validator_value
        for sub in error.context:
            if branches[sub.relative_schema_path[0]] != {"type": "null"}:
                yield from _describe(sub)
    elif error.validator == "required":
        for name in error.validator_value:
            if name not in error.instance:
                yield f"{where}: missing property {name!r}{of}"
    elif error.validator == "additionalProperties":
        listed = error.schema.get("properties", {})
        for name in sorted(key for key in error.instance if key not in listed):
            yield f"{where}: unexpected property {name!r}{of}"
    elif error.validator == "pattern" and error.validator_value == CAMUNDA_DATE:
        yield (
            f"{where}: {_short(error.instance)} is not a Camunda date "
            "(yyyy-MM-dd'T'HH:mm:ss.SSSZ, e.g. 2026-01-31T12:00:00.000+0000)"
        )
    elif error.validator == "type":
        expected = " or ".join(_as_list(error.validator_value))
        yield f"{where}: {_short(error.instance)} is not of type {expected}{of}"
    else:
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        yield f"{where}: {message}"


def _validate(validator: Any, document: Any) -> list[str]:
    problems: list[str] = []
    for error in validator.iter_errors(document):
        problems.extend(line for line in _describe(error) if line not in problems)
        if len(problems) >= MAX_PROBLEMS:
            return [*problems[:MAX_PROBLEMS], "... (more problems not shown)"]
    return problems


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _documented_media(content: Mapping[str, Any], media: str) -> Mapping[str, Any] | None:
    """The documented entry for ``media``, honouring ``*/*`` and ``image/*``."""
    if media in content:
        return content[media]
    for documented, entry in content.items():
        major, _, minor = documented.partition("/")
        if documented == "*/*" or (minor == "*" and media.startswith(major + "/")):
            return entry
    return None


def _is_binary(content: Mapping[str, Any]) -> bool:
    """Camunda serves files with their stored MIME type, which the spec can only hint at."""
    return any((entry.get("schema") or {}).get("format") == "binary" for entry in content.values())


def _status_problem(route: _Route, status: int) -> str | None:
    """Documented statuses and the generic error statuses pass; unlisted routes may use any 2xx."""
    if status in ERROR_STATUSES:
        return None
    if route.documented:
        responses = route.operation["responses"]
        if str(status) in responses:
            return None
        return f"status {status} is not documented ({', '.join(responses)})"
    if 200 <= status < 300:
        return None
    errors = ", ".join(map(str, sorted(ERROR_STATUSES)))
    return f"status {status} is neither a success nor one of {errors}"


def _parse_json(content_type: str | None, body: bytes) -> tuple[list[str], Any]:
    problems = []
    if content_type != JSON_TYPE:
        problems.append(f"Content-Type must be exactly {JSON_TYPE!r}, got {content_type!r}")
    try:
        return problems, orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        problems.append(f"body is not JSON ({exc}): {bytes(body[:60])!r}")
        return problems, _UNPARSED


# --- The contract ---------------------------------------------------------------------------


class Contract:
    """Camunda's REST contract, loaded once per session; checks one response at a time."""

    def __init__(
        self, spec: Mapping[str, Any], unlisted: Iterable[tuple[str, str, str]] = ()
    ) -> None:
        self._routes = _RouteTable()
        for template, item in spec["paths"].items():
            for method, operation in item.items():
                if method in _HTTP_METHODS:
                    self._routes.add(_Route(method.upper(), template, operation, True))
        for method, template, java in unlisted:
            operation = {"operationId": java, "x-not-in-openapi": True, "responses": {}}
            self._routes.add(_Route(method.upper(), template, operation, False))
        self._compiler = _SchemaCompiler(spec.get("components", {}).get("schemas", {}))
        self._validators: dict[Any, Any] = {}

    @classmethod
    def load(cls, path: Path | str | None = None) -> Contract | None:
        """The contract from ``openapi.json`` (default :data:`SPEC_PATH`); None if it is absent.

        Cached per path: every test of a session shares one parsed spec and its validators.
        """
        spec_path = Path(path) if path is not None else SPEC_PATH
        return _load(spec_path.resolve()) if spec_path.is_file() else None

    def operations(self, *, include_unlisted: bool = False) -> list[tuple[str, str]]:
        """(METHOD, template) pairs of the spec, optionally with the TSV's unlisted routes."""
        pairs = {(r.method, r.template) for r in self._routes if r.documented or include_unlisted}
        return sorted(pairs, key=lambda pair: (pair[1], pair[0]))

    def match(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """(path template, operation object) for a request path after ``/engine-rest``.

        Routes from routes-not-in-openapi.tsv match too; their operation has
        ``"x-not-in-openapi": True`` and no documented responses.
        """
        route = self._routes.find(method.upper(), path)
        return (route.template, dict(route.operation)) if route else None

    def check(
        self,
        method: str,
        path: str,
        status: int,
        content_type: str | None,
        body: bytes,
    ) -> list[str]:
        """Problems with one response, each prefixed with the operation; empty when it conforms."""
        method = method.upper()
        body = body.encode() if isinstance(body, str) else body
        route = self._routes.find(method, path)
        label = f"{method} {route.template if route else path} -> {status}"
        return [
            f"{label}: {problem}" for problem in self._problems(route, status, content_type, body)
        ]

    def _problems(
        self, route: _Route | None, status: int, content_type: str | None, body: bytes
    ) -> list[str]:
        if route is None:
            if status in (404, 405):  # an unknown route: Camunda answers 404/405 with an error body
                return self._error_problems(content_type, body)
            return ["no such operation in Camunda's REST API (openapi.json or the unlisted routes)"]
        status_problem = _status_problem(route, status)
        if status_problem:
            return [status_problem]
        if status >= 400:
            return self._error_problems(content_type, body)
        if status == 204:
            return [f"a 204 answer must have no body, got {len(body)} bytes"] if body else []
        if not route.documented:
            return self._generic_problems(content_type, body)
        return self._documented_problems(route, status, content_type, body)

    def _documented_problems(
        self, route: _Route, status: int, content_type: str | None, body: bytes
    ) -> list[str]:
        content = route.operation["responses"][str(status)].get("content") or {}
        if not content:
            return [f"the spec documents no body here, got {len(body)} bytes"] if body else []
        if _is_binary(content):
            return [] if content_type else ["a file answer needs a Content-Type"]
        media = _media_type(content_type)
        entry = _documented_media(content, media)
        if entry is None:
            documented = ", ".join(content)
            return [f"Content-Type {content_type!r} is not documented (documented: {documented})"]
        if media != JSON_TYPE:
            return []
        problems, document = _parse_json(content_type, body)
        if document is _UNPARSED:
            return problems
        validator = self._response_validator(route, status, entry.get("schema") or {})
        return problems + _validate(validator, document)

    def _generic_problems(self, content_type: str | None, body: bytes) -> list[str]:
        if _media_type(content_type) != JSON_TYPE:
            return []
        return _parse_json(content_type, body)[0]

    def _error_problems(self, content_type: str | None, body: bytes) -> list[str]:
        problems, document = _parse_json(content_type, body)
        if document is _UNPARSED:
            return problems
        if not isinstance(document, dict):
            return [
                *problems,
                f"an error body must be an object like ExceptionDto, got {_short(document)}",
            ]
        kind = document.get("type")
        name = (
            EXCEPTION_SCHEMAS.get(kind, "ExceptionDto") if isinstance(kind, str) else "ExceptionDto"
        )
        return problems + _validate(self._component_validator(name), document)

    def _response_validator(self, route: _Route, status: int, schema: Mapping[str, Any]) -> Any:
        key = (route.method, route.template, status)
        if key not in self._validators:
            self._validators[key] = _Validator(self._compiler.document(schema))
        return self._validators[key]

    def _component_validator(self, name: str) -> Any:
        if name not in self._validators:
            reference = {"$ref": f"#/components/schemas/{name}"}
            self._validators[name] = _Validator(self._compiler.document(reference))
        return self._validators[name]

    def compiled_schemas(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every documented JSON response schema, compiled (for meta-tests of this module)."""
        for route in self._routes:
            for status, response in route.operation["responses"].items():
                schema = ((response.get("content") or {}).get(JSON_TYPE) or {}).get("schema")
                if schema is not None and schema.get("format") != "binary":
                    label = f"{route.method} {route.template} -> {status}"
                    yield label, self._compiler.document(schema)


@functools.cache
def _load(spec_path: Path) -> Contract:
    spec = orjson.loads(spec_path.read_bytes())
    unlisted_path = spec_path.parent / UNLISTED_ROUTES_NAME
    return Contract(spec, _read_unlisted(unlisted_path) if unlisted_path.is_file() else ())


def _read_unlisted(path: Path) -> list[tuple[str, str, str]]:
    """(method, path, java) rows of routes-not-in-openapi.tsv, without its header."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            method, template, _area, java = line.split("\t")[:4]
            rows.append((method, template, java))
    return rows


def all_operations(*, include_unlisted: bool = False) -> list[tuple[str, str]]:
    """(METHOD, template) of every operation in the spec; [] when the spec is absent."""
    contract = Contract.load()
    return contract.operations(include_unlisted=include_unlisted) if contract else []
