"""ath-sdk 0.1.0's names, in one table, and the one resolver that hands them out.

Code written for 0.1.0 runs unchanged: its modules (``ath``, ``ath.types``, ``ath.client``
and the modules under it) still offer every name they had. Each name is one of this
SDK's own objects today:

* first-class (no warning): the clients' base classes ``ATHClientBase`` /
  ``AsyncATHClientBase`` (``isinstance(client, ATHClientBase)`` holds for both sync
  clients), the clients themselves under ``ath.client``, and the documents
  ``discover()`` returns (``DiscoveryDocument``, ``ProviderInfo``,
  ``ServiceDiscoveryDocument``, ``ServiceAuthConfig``) plus ``AgentIdentityDocument``,
  the generated models of ``ath_sdk_client``;
* renamed (a ``DeprecationWarning`` names the new spelling): ``ATHClientConfig`` (the
  options now go to the client's constructor), the results of the client methods
  (``AgentRegistrationResponse`` -> ``ath.Registration``, ``AuthorizationResponse`` ->
  ``ath.Authorization``, ``TokenResponse`` -> ``ath.Token``) and the wire models the SDK
  builds itself (``AgentRegistrationRequest``, ..., ``ATHErrorResponse``), now in
  ``ath_sdk_client.models``; ``register()`` takes plain dicts and still accepts them.

Nothing is imported until a name is asked for (:func:`resolve`), so ``import ath`` and
``import ath.types`` stay light. ``ath/__init__``, ``ath.types`` and ``ath.client`` list
the same names in ``__all__`` and import them for type checkers from the place this
table names (``tests/package/test_public_names.py`` fails when they drift apart).
"""

from __future__ import annotations

import importlib
import opcode
import sys
import warnings
from collections.abc import Mapping
from types import MappingProxyType, ModuleType
from typing import Any, Final, NamedTuple

__all__ = ["NAMES_010", "SUBMODULES_010", "Legacy", "public_dir", "resolve"]


class Legacy(NamedTuple):
    """Where a 0.1.0 name lives today."""

    home: str
    """The module of the object."""
    attribute: str
    """Its name in ``home``."""
    renamed: str | None
    """The spelling to move to, named in the ``DeprecationWarning``; ``None``: first-class."""


_MODELS: Final = "ath_sdk_client.models"
_DICTS: Final = " (register() takes plain dicts)"

_BASES: Final[Mapping[str, Legacy]] = {
    "ATHClientBase": Legacy("ath._client", "_SyncBase", None),
    "AsyncATHClientBase": Legacy("ath._client", "_AsyncBase", None),
    "ATHClientConfig": Legacy(
        "ath._config",
        "ClientSettings",
        "the client's constructor: pass the options to ATHGatewayClient(...) and the others",
    ),
}

_CLIENTS: Final[Mapping[str, Legacy]] = {
    name: Legacy("ath._client", name, None)
    for name in (
        "ATHGatewayClient",
        "ATHNativeClient",
        "AsyncATHGatewayClient",
        "AsyncATHNativeClient",
    )
}

_TYPES: Final[Mapping[str, Legacy]] = {
    # the documents discover() returns: the SDK's own types (with 0.1.0's fields)
    **{
        name: Legacy("ath._models", name, None)
        for name in (
            "DiscoveryDocument",
            "ProviderInfo",
            "ServiceDiscoveryDocument",
            "ServiceAuthConfig",
        )
    },
    "AgentIdentityDocument": Legacy(_MODELS, "AgentIdentityDocument", None),
    "AgentRegistrationResponse": Legacy("ath._models", "Registration", "ath.Registration"),
    "AuthorizationResponse": Legacy("ath._models", "Authorization", "ath.Authorization"),
    "TokenResponse": Legacy("ath._models", "Token", "ath.Token"),
    **{
        name: Legacy(_MODELS, name, f"{_MODELS}.{name}{_DICTS}")
        for name in (
            "AgentRegistrationRequest",
            "AuthorizationRequest",
            "TokenExchangeRequest",
            "TokenRevocationRequest",
            "ProviderScopeRequest",
            "DeveloperInfo",
        )
    },
    # the error body as data, with 0.1.0's ``details`` dict (the SDK raises ath.ATHError)
    "ATHErrorResponse": Legacy("ath._models", "ErrorResponse", f"{_MODELS}.ATHError"),
}

#: 0.1.0 module -> the names it offers through :func:`resolve` (the names it defines
#: itself, like ``ath.types.AgentStatus``, are not here).
NAMES_010: Final[Mapping[str, Mapping[str, Legacy]]] = MappingProxyType(
    {
        "ath": MappingProxyType({**_BASES, **_TYPES}),
        "ath.types": MappingProxyType(dict(_TYPES)),
        "ath.client": MappingProxyType({**_CLIENTS, **_BASES}),
    }
)

#: Submodules that ath-sdk 0.1.0's ``import ath`` made attributes of the package.
SUBMODULES_010: Final = frozenset({"client", "exceptions", "meta", "types"})


def resolve(name: str, module: str, stacklevel: int = 3) -> Any:
    """The object behind ``module.name`` (a 0.1.0 module's ``__getattr__`` calls this),
    warning when the name was renamed; ``AttributeError`` for any other name.

    ``stacklevel`` 3 points the warning at the code that read the name (through the
    module's ``__getattr__``)."""
    legacy = NAMES_010.get(module, {}).get(name)
    if legacy is None:
        if module == "ath" and name in SUBMODULES_010:  # 0.1.0's ``import ath`` loaded these
            return importlib.import_module(f"ath.{name}")
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    if legacy.renamed is not None and not _star_import(stacklevel - 1):
        warnings.warn(
            f"{module}.{name} is the ath-sdk 0.1.0 name; use {legacy.renamed}",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
    found = getattr(importlib.import_module(legacy.home), legacy.attribute)
    if legacy.home == _MODELS:  # 0.1.0's models had pydantic's methods: give them those
        from ath._modelapi import install

        install(found)
    return found


def _star_import(depth: int) -> bool:
    """Whether the frame ``depth`` levels up is running ``from module import *``: it
    reads every name of ``__all__``, and a warning for each renamed one would blame the
    program for names it never asked for (they warn when the program reads them by
    name). CPython's instruction at ``f_lasti``; False when it cannot tell."""
    try:
        frame = sys._getframe(depth + 1)
        while frame.f_code.co_name == "_handle_fromlist" and frame.f_back is not None:
            # A package's star import first checks each name of __all__ from importlib.
            fromlist = frame.f_locals.get("fromlist") or ()
            if "*" in fromlist or frame.f_locals.get("recursive"):
                return True
            frame = frame.f_back
        code, at = frame.f_code.co_code, frame.f_lasti
        op, arg = code[at], code[at + 1]
    except (ValueError, IndexError, AttributeError, TypeError):
        return False
    if op == _IMPORT_STAR:
        return True
    return op == _CALL_INTRINSIC_1 and arg == _INTRINSIC_IMPORT_STAR


#: ``from m import *`` compiles to IMPORT_STAR (3.11) or CALL_INTRINSIC_1 2 (3.12+).
_IMPORT_STAR: Final = opcode.opmap.get("IMPORT_STAR", -1)
_CALL_INTRINSIC_1: Final = opcode.opmap.get("CALL_INTRINSIC_1", -1)
_INTRINSIC_IMPORT_STAR: Final = 2


def public_dir(namespace: Mapping[str, Any], public: list[str]) -> list[str]:
    """``dir()`` of a public module: its ``__all__`` plus the ``ath`` submodules it has
    loaded; never its helpers (``Any``, ``TYPE_CHECKING``, ``importlib``, ...)."""
    loaded = {
        name
        for name, value in namespace.items()
        if isinstance(value, ModuleType)
        and not name.startswith("_")
        and value.__name__ == f"{namespace['__name__']}.{name}"
    }
    return sorted({*public, *loaded})
