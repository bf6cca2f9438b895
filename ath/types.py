"""The ath-sdk 0.1.0 type names, kept so code written for 0.1.0 runs unchanged.

Each name is one of this SDK's own types:

* first-class here and in :mod:`ath`: ``AgentStatus``, ``ATHErrorCode`` (str-enums
  equal to their strings), ``ProviderApproval``, ``ScopeIntersection``, and the
  documents ``discover()`` returns (``DiscoveryDocument``, ``ProviderInfo``,
  ``ServiceDiscoveryDocument``, ``ServiceAuthConfig``: the SDK's own types, with 0.1.0's
  fields, ``to_dict()`` and ``additional_properties``; ``ServiceAuthConfig.type`` is also
  ``type_``, as 0.2.0 spelled it) and ``AgentIdentityDocument``, the generated model of
  ``ath_sdk_client``;
* renamed (a ``DeprecationWarning`` names the new spelling): the results of the
  client methods, ``AgentRegistrationResponse`` -> :class:`ath.Registration`,
  ``AuthorizationResponse`` -> :class:`ath.Authorization`, ``TokenResponse`` ->
  :class:`ath.Token`; and the wire models the SDK builds itself
  (``AgentRegistrationRequest``, ``AuthorizationRequest``, ``TokenExchangeRequest``,
  ``TokenRevocationRequest``, ``ProviderScopeRequest``, ``DeveloperInfo``,
  ``ATHErrorResponse``), now in ``ath_sdk_client.models``. ``register()`` takes
  plain dicts, and still accepts these models.

The generated models load on first access, so ``import ath`` stays light.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any, Final

from ath._errors import ATHErrorCode
from ath._models import AgentStatus, ProviderApproval, ScopeIntersection

if TYPE_CHECKING:
    from ath._models import Authorization as AuthorizationResponse
    from ath._models import (
        DiscoveryDocument,
        ProviderInfo,
        ServiceAuthConfig,
        ServiceDiscoveryDocument,
    )
    from ath._models import Registration as AgentRegistrationResponse
    from ath._models import Token as TokenResponse
    from ath_sdk_client.models import (
        AgentIdentityDocument,
        AgentRegistrationRequest,
        AuthorizationRequest,
        DeveloperInfo,
        ProviderScopeRequest,
        TokenExchangeRequest,
        TokenRevocationRequest,
    )
    from ath_sdk_client.models import ATHError as ATHErrorResponse

__all__ = [
    "ATHErrorCode",
    "ATHErrorResponse",
    "AgentIdentityDocument",
    "AgentRegistrationRequest",
    "AgentRegistrationResponse",
    "AgentStatus",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "DeveloperInfo",
    "DiscoveryDocument",
    "ProviderApproval",
    "ProviderInfo",
    "ProviderScopeRequest",
    "ScopeIntersection",
    "ServiceAuthConfig",
    "ServiceDiscoveryDocument",
    "TokenExchangeRequest",
    "TokenResponse",
    "TokenRevocationRequest",
]

_MODELS: Final = "ath_sdk_client.models"

#: name -> (module, attribute, the spelling to move to or None when first-class)
LEGACY_NAMES: Final[dict[str, tuple[str, str, str | None]]] = {
    "DiscoveryDocument": ("ath._models", "DiscoveryDocument", None),
    "ProviderInfo": ("ath._models", "ProviderInfo", None),
    "ServiceDiscoveryDocument": ("ath._models", "ServiceDiscoveryDocument", None),
    "ServiceAuthConfig": ("ath._models", "ServiceAuthConfig", None),
    "AgentIdentityDocument": (_MODELS, "AgentIdentityDocument", None),
    "AgentRegistrationResponse": ("ath._models", "Registration", "ath.Registration"),
    "AuthorizationResponse": ("ath._models", "Authorization", "ath.Authorization"),
    "TokenResponse": ("ath._models", "Token", "ath.Token"),
    **{
        name: (_MODELS, name, f"{_MODELS}.{name} (register() takes plain dicts)")
        for name in (
            "AgentRegistrationRequest",
            "AuthorizationRequest",
            "TokenExchangeRequest",
            "TokenRevocationRequest",
            "ProviderScopeRequest",
            "DeveloperInfo",
        )
    },
    "ATHErrorResponse": (_MODELS, "ATHError", f"{_MODELS}.ATHError"),
}


def resolve(name: str, module: str, stacklevel: int = 3) -> Any:
    """The object behind a 0.1.0 name, warning when it was renamed."""
    try:
        where, attribute, moved_to = LEGACY_NAMES[name]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    if moved_to is not None:
        warnings.warn(
            f"{module}.{name} is the ath-sdk 0.1.0 name; use {moved_to}",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
    return getattr(importlib.import_module(where), attribute)


def __getattr__(name: str) -> Any:
    return resolve(name, __name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
