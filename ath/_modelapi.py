"""ath-sdk 0.1.0's model methods (``model_validate``, ``model_dump``, ``model_dump_json``,
``model_json_schema``) on the types ``ath.types`` hands out, without pydantic.

0.1.0's types were pydantic models; these are the SDK's frozen dataclasses
(:mod:`ath._models`, through the :class:`ModelAPI` base) and the generated attrs models
(:func:`install`, called by :func:`ath._compat.resolve` when ``ath.types`` hands one
out). pydantic stays out of the core install: the SDK's answers are already checked
against the protocol's schema by the generated parsers, so a second validation library
would only be weight for the users who never call these four methods.

``model_validate`` checks the fields' types (nested documents, lists, enums, ISO 8601
times) and refuses anything else with ``ATHClientError("INVALID_ARGUMENT")``, naming the
field but never its value (it may be a secret). ``model_dump`` gives 0.1.0's fields (all
of them, ``None`` included, as pydantic did); ``mode="json"`` turns enums and times into
strings.
"""

from __future__ import annotations

import dataclasses
import json
import time
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, Literal, Self

__all__ = ["FIELDS_010", "ModelAPI", "install"]

#: The fields each 0.1.0 model had, in its order: what ``model_dump`` emits.
FIELDS_010: dict[str, tuple[str, ...]] = {
    "ProviderInfo": (
        "provider_id",
        "display_name",
        "categories",
        "available_scopes",
        "auth_mode",
        "agent_approval_required",
    ),
    "DiscoveryDocument": (
        "ath_version",
        "gateway_id",
        "agent_registration_endpoint",
        "supported_providers",
    ),
    "ServiceAuthConfig": (
        "type",
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
        "scopes_supported",
        "agent_attestation_required",
    ),
    "ServiceDiscoveryDocument": ("ath_version", "app_id", "name", "auth", "api_base"),
    "ProviderApproval": ("provider_id", "approved_scopes", "denied_scopes", "denial_reason"),
    "Registration": (
        "client_id",
        "client_secret",
        "agent_status",
        "approved_providers",
        "approval_expires",
    ),
    "Authorization": ("authorization_url", "ath_session_id"),
    "ScopeIntersection": ("agent_approved", "user_consented", "effective"),
    "Token": (
        "access_token",
        "token_type",
        "expires_in",
        "effective_scopes",
        "provider_id",
        "agent_id",
        "scope_intersection",
    ),
}

#: Values for fields 0.1.0's data does not carry (0.1.0's defaults, or what only a
#: client that made the request knows).
_FILL: dict[str, dict[str, Any]] = {
    "Token": {"token_type": "Bearer"},
    "ServiceAuthConfig": {"type": "oauth2"},
    "Authorization": {"provider_id": "", "scopes": [], "state": "", "redirect_uri": None},
}


class _Invalid(Exception):
    """A field that does not fit; turned into ``ATHClientError`` at the top."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(path, expected)
        self.path = path
        self.expected = expected


class ModelAPI:
    """0.1.0's pydantic-style methods, for the SDK's result dataclasses."""

    __slots__ = ()
    _model_api: ClassVar[bool] = True

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """An instance from a dict of the protocol's JSON (or the instance itself)."""
        if isinstance(obj, cls):
            return obj
        result: Self = validate(cls, obj)
        return result

    def model_dump(
        self, *, mode: Literal["python", "json"] = "python", exclude_none: bool = False
    ) -> dict[str, Any]:
        """0.1.0's fields as a dict (``mode="json"``: only JSON values)."""
        return dump(self, mode, exclude_none)

    def model_dump_json(self, *, indent: int | None = None, exclude_none: bool = False) -> str:
        """``model_dump(mode="json")`` as a JSON text."""
        return json.dumps(dump(self, "json", exclude_none), indent=indent, ensure_ascii=False)

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        """A JSON Schema of 0.1.0's fields (nested models under ``$defs``)."""
        return json_schema(cls)


def install(cls: type) -> type:
    """Give a generated model the four methods (once); returns ``cls``."""
    if not getattr(cls, "_model_api", False):
        for name in ("model_validate", "model_dump", "model_dump_json", "model_json_schema"):
            setattr(cls, name, ModelAPI.__dict__[name])
        cls._model_api = True  # type: ignore[attr-defined]
    return cls


# --------------------------------------------------------------------------- validate


def validate(cls: type, obj: Any) -> Any:
    from ath._errors import ATHClientError

    try:
        return _validate(cls, obj, "")
    except _Invalid as exc:
        where = f"field {exc.path!r}" if exc.path else "the data"
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"{cls.__name__}.model_validate: {where} must be {exc.expected}",
        ) from None


def _validate(cls: type, obj: Any, path: str) -> Any:
    if isinstance(obj, cls):
        return obj
    if not isinstance(obj, Mapping):
        raise _Invalid(path, "an object (a dict)")
    if not dataclasses.is_dataclass(cls):  # a generated attrs model
        try:
            return cls.from_dict(obj)  # type: ignore[attr-defined]
        except KeyError as exc:
            raise _Invalid(_join(path, str(exc.args[0])), "present") from None
        except (TypeError, ValueError, AttributeError):
            raise _Invalid(path, f"a valid {cls.__name__} object") from None
    hints = typing.get_type_hints(cls)
    fill = _FILL.get(cls.__name__, {})
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        where = _join(path, f.name)
        if f.name == "additional_properties":
            kwargs[f.name] = {k: v for k, v in obj.items() if k not in names}
        elif f.name in obj:
            kwargs[f.name] = _convert(obj[f.name], hints[f.name], where)
        elif f.name in fill:
            kwargs[f.name] = fill[f.name]
        elif cls.__name__ == "Token" and f.name == "expires_at":
            lifetime = kwargs.get("expires_in")
            kwargs[f.name] = None if lifetime is None else time.time() + lifetime
        elif f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        elif typing.get_origin(hints[f.name]) is list:
            kwargs[f.name] = []
        elif _optional(hints[f.name]):
            kwargs[f.name] = None
        else:
            raise _Invalid(where, "present")
    return cls(**kwargs)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _optional(tp: Any) -> bool:
    return _is_union(tp) and type(None) in typing.get_args(tp)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _convert(value: Any, tp: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any or origin in (dict, Mapping) or tp in (dict, Mapping):
        return value
    if _is_union(tp):
        if value is None and type(None) in typing.get_args(tp):
            return None
        for arm in typing.get_args(tp):
            if arm is type(None):
                continue
            try:
                return _convert(value, arm, path)
            except _Invalid:
                pass
        raise _Invalid(path, " or ".join(_kind(a) for a in typing.get_args(tp)))
    if origin is list:
        if not isinstance(value, list):
            raise _Invalid(path, "a list")
        (item,) = typing.get_args(tp)
        return [_convert(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise _Invalid(path, _kind(tp))
        return value
    if isinstance(tp, type):
        return _convert_type(value, tp, path)
    return value


def _convert_type(value: Any, tp: type, path: str) -> Any:
    if issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            raise _Invalid(path, _kind(tp)) from None
    if tp is datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise _Invalid(path, _kind(tp)) from None
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp in (str, int, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise _Invalid(path, _kind(tp))
        return value
    if dataclasses.is_dataclass(tp) or hasattr(tp, "from_dict"):
        return _validate(tp, value, path)
    raise _Invalid(path, _kind(tp))


def _kind(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
    if tp is datetime:
        return "an ISO 8601 time"
    return names.get(tp, f"a {getattr(tp, '__name__', 'value')}")


# --------------------------------------------------------------------------- dump


def _field_names(cls: type) -> tuple[str, ...]:
    known = FIELDS_010.get(cls.__name__)
    if known is not None and dataclasses.is_dataclass(cls):
        return known
    return tuple(
        f.name for f in dataclasses.fields(cls) if f.init and f.name != "additional_properties"
    )


def dump(obj: Any, mode: str, exclude_none: bool) -> dict[str, Any]:
    if not dataclasses.is_dataclass(obj):  # a generated attrs model: its JSON form
        data: dict[str, Any] = obj.to_dict()
        return {k: v for k, v in data.items() if not (exclude_none and v is None)}
    out = {}
    for name in _field_names(type(obj)):
        value = _dump_value(getattr(obj, name), mode, exclude_none)
        if not (exclude_none and value is None):
            out[name] = value
    return out


def _dump_value(value: Any, mode: str, exclude_none: bool) -> Any:
    if isinstance(value, ModelAPI) or hasattr(value, "to_dict"):
        return dump(value, mode, exclude_none)
    if isinstance(value, list):
        return [_dump_value(v, mode, exclude_none) for v in value]
    if mode == "json" and isinstance(value, Enum):
        return value.value
    if mode == "json" and isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


# --------------------------------------------------------------------------- schema


def json_schema(cls: type) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    schema = _object_schema(cls, defs)
    defs.pop(cls.__name__, None)
    if defs:
        schema["$defs"] = defs
    return schema


def _hints(cls: type) -> dict[str, Any]:
    if dataclasses.is_dataclass(cls):
        return typing.get_type_hints(cls)
    import importlib

    models = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    return typing.get_type_hints(cls, localns=vars(models))


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    defs[cls.__name__] = {}  # a placeholder against recursion
    hints = _hints(cls)
    required = []
    if dataclasses.is_dataclass(cls):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        names: tuple[str, ...] = _field_names(cls)
        for name in names:
            f = fields[name]
            no_default = (
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            )
            if no_default and name not in _FILL.get(cls.__name__, {}):
                required.append(name)
    else:
        import attrs

        attrs_fields = [a for a in attrs.fields(cls) if a.init]
        names = tuple(a.name for a in attrs_fields)
        required = [a.name for a in attrs_fields if a.default is attrs.NOTHING]
    properties = {name: _schema(hints[name], defs) for name in names}
    schema = {"title": cls.__name__, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    defs[cls.__name__] = schema
    return dict(schema)


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if _is_union(tp):
        arms = [a for a in typing.get_args(tp) if getattr(a, "__name__", "") != "Unset"]
        if len(arms) == 1:
            return _schema(arms[0], defs)
        return {"anyOf": [_schema(a, defs) for a in arms]}
    if origin is list:
        return {"type": "array", "items": _schema(typing.get_args(tp)[0], defs)}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if tp is type(None):
        return {"type": "null"}
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"type": "string", "enum": [m.value for m in tp]}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}
    if isinstance(tp, type) and (dataclasses.is_dataclass(tp) or hasattr(tp, "from_dict")):
        if tp.__name__ not in defs:
            _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if origin in (dict, Mapping) or tp in (dict, Mapping):
        return {"type": "object"}
    return {}
