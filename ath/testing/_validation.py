"""Validation of the stack's wire traffic against the generated protocol models.

The pydantic models in ``ath_sdk_models`` are generated from the project's OpenAPI
description (itself following the protocol's ``schema.json``). Every request body
the stack accepts and every JSON response it sends is checked against the model
of the same name. A request that fails is answered with 400; a response that fails
is a bug in the stack and becomes a 500 ``INTERNAL_ERROR``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ValidationError

from ._errors import invalid_request

__all__ = ["ResponseSchemaError", "check_request", "check_response", "model"]

_module: ModuleType | None = None
_loaded = False


class ResponseSchemaError(RuntimeError):
    """The stack was about to send a body its own protocol models reject."""


def _models() -> ModuleType | None:
    global _module, _loaded
    if not _loaded:
        try:
            _module = importlib.import_module("ath_sdk_models")
        except ImportError:
            _module = None
        _loaded = True
    return _module


def model(name: str) -> type[BaseModel] | None:
    """The generated model class called ``name``, or ``None`` when there is none."""
    module = _models()
    candidate = getattr(module, name, None) if module is not None else None
    if isinstance(candidate, type) and issubclass(candidate, BaseModel):
        return candidate
    return None


def _problems(exc: ValidationError) -> list[dict[str, Any]]:
    # Never echo the input back: request bodies carry secrets.
    return [
        {"loc": [str(part) for part in err["loc"]], "msg": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def check_request(name: str, body: Mapping[str, object]) -> None:
    """Validate a request body; raise an ATH 400 error describing what is wrong."""
    cls = model(name)
    if cls is None:
        return
    try:
        cls.model_validate(dict(body))
    except ValidationError as exc:
        raise invalid_request(
            f"request body is not a valid {name}", schema=name, errors=_problems(exc)
        ) from None


def check_response(name: str, body: Mapping[str, object]) -> None:
    """Validate a response body the stack is about to send."""
    cls = model(name)
    if cls is None:
        return
    try:
        cls.model_validate(dict(body))
    except ValidationError as exc:
        raise ResponseSchemaError(
            f"stack response is not a valid {name}: {_problems(exc)}"
        ) from None
