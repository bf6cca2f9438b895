"""Tool specs: a name, a description and the JSON schema of the arguments a model fills.

Built from a gateway's discovery document (one generic call tool per provider: method,
path, query, body) or from an OpenAPI description of a provider's API (one typed tool
per operation: path parameters, query, body). A spec is plain data: each framework's
adapter turns it into that framework's tool, and :class:`ath.tools.ToolCore` runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ath._errors import ATHClientError
from ath._validation import check_provider_id

__all__ = [
    "BODY_METHODS",
    "READ_METHODS",
    "ParamSpec",
    "ToolSpec",
    "generic_spec",
    "specs_from_discovery",
    "specs_from_openapi",
]

READ_METHODS: Final = ("GET",)
BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ALL_METHODS: Final = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
_NAME_RE: Final = re.compile(r"[^A-Za-z0-9_-]+")
_TEMPLATE_RE: Final = re.compile(r"\{([^{}/]+)\}")
_SCALAR: Final = {"type": ["string", "integer", "number", "boolean"]}
_QUERY_SCHEMA: Final = {
    "type": "object",
    "description": "Query parameters, as a JSON object of names to values.",
    "additionalProperties": {"anyOf": [_SCALAR, {"type": "array", "items": _SCALAR}]},
}


def tool_name(*parts: str) -> str:
    """A tool name every framework accepts: ``[A-Za-z0-9_-]``, at most 64 characters."""
    name = _NAME_RE.sub("_", "_".join(p for p in parts if p)).strip("_") or "ath_call"
    return name[:64]


@dataclass(frozen=True)
class ParamSpec:
    """A path or query parameter of an OpenAPI operation."""

    name: str
    where: str  # "path" or "query"
    required: bool
    schema: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True)
class ToolSpec:
    """One tool: what a model is shown (``name``, ``description``, ``parameters``) and
    what the call may do (``provider``, ``methods``, ``path``: fixed by the spec, never by
    the model, except the generic tool's path under the provider).

    ``path`` is None for the generic tool (the model gives a path under the provider's
    API), else an OpenAPI path template such as ``/repos/{owner}/{repo}``.
    ``provider`` is None for an ATH-native service (its one API).
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    provider: str | None
    methods: tuple[str, ...]
    path: str | None = None
    params: tuple[ParamSpec, ...] = ()
    has_body: bool = False
    scopes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The function-calling form: ``{"name", "description", "parameters"}``."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": dict(self.parameters),
        }


def generic_spec(
    provider: str | None,
    *,
    display_name: str | None = None,
    methods: Sequence[str] = READ_METHODS,
    scopes: Sequence[str] = (),
    name: str | None = None,
    description: str | None = None,
) -> ToolSpec:
    """The generic call tool of one provider (gateway) or of a native service (``None``):
    the model chooses one of ``methods`` (GET only by default), a path under the provider's
    API, a query and, for POST/PUT/PATCH/DELETE, a JSON body."""
    allowed = _methods(methods)
    label = display_name or provider or "the service"
    properties: dict[str, Any] = {
        "method": {"type": "string", "enum": list(allowed), "description": "The HTTP method."},
        "path": {
            "type": "string",
            "description": f"The path under {label}'s API, such as /user; no host, no query.",
        },
        "query": _QUERY_SCHEMA,
    }
    if any(m in BODY_METHODS for m in allowed):
        properties["body"] = {"description": "The JSON body (POST, PUT, PATCH, DELETE)."}
    text = description or (
        f"Call {label}'s API on the user's behalf (authorized through the Agent Trust "
        f"Handshake). Methods: {', '.join(allowed)}. If the user has not granted access "
        "yet, the answer says how they can."
    )
    return ToolSpec(
        name=name or tool_name("ath", provider or "api"),
        description=text,
        parameters={
            "type": "object",
            "properties": properties,
            "required": ["path"] if len(allowed) == 1 else ["method", "path"],
            "additionalProperties": False,
        },
        provider=_provider(provider),
        methods=allowed,
        has_body="body" in properties,
        scopes=tuple(scopes),
    )


def specs_from_discovery(
    discovery: Any,
    *,
    providers: Iterable[str] | None = None,
    methods: Sequence[str] = READ_METHODS,
) -> list[ToolSpec]:
    """One generic call tool per provider of a gateway's discovery document
    (a :class:`~ath.DiscoveryDocument` or its JSON form), or the one tool of a native
    service's (:class:`~ath.ServiceDiscoveryDocument`)."""
    data = discovery.to_dict() if hasattr(discovery, "to_dict") else dict(discovery)
    wanted = None if providers is None else set(providers)
    if "supported_providers" not in data:  # a native service
        scopes = (data.get("auth") or {}).get("scopes_supported") or ()
        return [
            generic_spec(None, display_name=str(data.get("name") or "the service"),
                         methods=methods, scopes=scopes)
        ]  # fmt: skip
    specs = []
    for entry in data["supported_providers"]:
        provider = str(entry["provider_id"])
        if wanted is not None and provider not in wanted:
            continue
        specs.append(
            generic_spec(
                provider,
                display_name=str(entry.get("display_name") or provider),
                methods=methods,
                scopes=tuple(entry.get("available_scopes") or ()),
            )
        )
    return specs


def specs_from_openapi(
    provider: str | None,
    document: Mapping[str, Any],
    *,
    methods: Sequence[str] | None = None,
    operations: Iterable[str] | None = None,
    prefix: str | None = None,
) -> list[ToolSpec]:
    """One typed tool per operation of an OpenAPI 3 ``document`` (a dict) of ``provider``'s
    API: path parameters and query parameters as named arguments, a ``body`` argument
    when the operation takes a JSON body. ``methods`` limits the operations' methods
    (default: all); ``operations``, their operationIds."""
    allowed = set(_methods(methods or _ALL_METHODS))
    wanted = None if operations is None else set(operations)
    specs: list[ToolSpec] = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(path, str) or not isinstance(item, Mapping):
            continue
        shared = list(item.get("parameters") or ())
        for method, op in item.items():
            verb = str(method).upper()
            if verb not in allowed or not isinstance(op, Mapping):
                continue
            op_id = str(op.get("operationId") or f"{verb.lower()}_{path}")
            if wanted is not None and op_id not in wanted:
                continue
            specs.append(_operation(provider, path, verb, op_id, op, shared, document, prefix))
    return specs


def _operation(
    provider: str | None,
    path: str,
    verb: str,
    op_id: str,
    op: Mapping[str, Any],
    shared: list[Any],
    document: Mapping[str, Any],
    prefix: str | None,
) -> ToolSpec:
    properties: dict[str, Any] = {}
    required: list[str] = []
    params: list[ParamSpec] = []
    seen: set[str] = set()
    for raw in [*(op.get("parameters") or ()), *shared]:
        param = _resolve(raw, document)
        where = param.get("in")
        name = param.get("name")
        if where not in ("path", "query") or not isinstance(name, str) or name in seen:
            continue
        seen.add(name)
        schema = _resolve(param.get("schema") or {"type": "string"}, document)
        is_required = bool(param.get("required")) or where == "path"
        text = str(param.get("description") or "")
        params.append(ParamSpec(name, where, is_required, schema, text))
        properties[name] = {**_plain(schema), **({"description": text} if text else {})}
        if is_required:
            required.append(name)
    for name in _TEMPLATE_RE.findall(path):
        if name not in seen:  # a template name the document forgot to declare
            params.append(ParamSpec(name, "path", True, {"type": "string"}))
            properties[name] = {"type": "string"}
            required.append(name)
    body = _json_body(op, document)
    if body is not None:
        properties["body"] = _plain(body)
        if (op.get("requestBody") or {}).get("required"):
            required.append("body")
    summary = str(op.get("summary") or op.get("description") or f"{verb} {path}").strip()
    return ToolSpec(
        name=tool_name(prefix if prefix is not None else (provider or ""), op_id),
        description=f"{summary[:900]} ({verb} {path})",
        parameters={
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
        provider=_provider(provider),
        methods=(verb,),
        path=path,
        params=tuple(params),
        has_body=body is not None,
        scopes=_scopes(op, document),
    )


def _json_body(op: Mapping[str, Any], document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    request = _resolve(op.get("requestBody") or {}, document)
    content = request.get("content") or {}
    for media, entry in content.items():
        if "json" in str(media) and isinstance(entry, Mapping):
            return _resolve(entry.get("schema") or {}, document)
    return None


def _scopes(op: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for requirement in op.get("security") or document.get("security") or ():
        if isinstance(requirement, Mapping):
            for scopes in requirement.values():
                found += [s for s in scopes or () if isinstance(s, str) and s not in found]
    return tuple(found)


def _resolve(value: Any, document: Mapping[str, Any], depth: int = 0) -> Mapping[str, Any]:
    """``value`` with a local ``$ref`` followed (at most 16 times)."""
    while isinstance(value, Mapping) and isinstance(value.get("$ref"), str) and depth < 16:
        target: Any = document
        for part in value["$ref"].removeprefix("#/").split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, Mapping)
                else {}
            )
        value, depth = target, depth + 1
    return value if isinstance(value, Mapping) else {}


def _plain(schema: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
    """A schema without ``$ref`` (nested references become an open object)."""
    if depth > 8:
        return {}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref":
            return {"type": "object"}
        if isinstance(value, Mapping):
            out[key] = _plain(value, depth + 1)
        elif isinstance(value, list):
            out[key] = [_plain(v, depth + 1) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def _methods(methods: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(str(m).upper() for m in methods))
    unknown = [m for m in chosen if m not in _ALL_METHODS]
    if not chosen or unknown:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"methods must be among {', '.join(_ALL_METHODS)}, got {unknown}"
        )
    return chosen


def _provider(provider: str | None) -> str | None:
    return None if provider is None else check_provider_id(provider)
