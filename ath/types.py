"""The ath-sdk 0.1.0 type names, kept so code written for 0.1.0 runs unchanged.

``AgentStatus``, ``ATHErrorCode`` (str-enums equal to their strings),
``ProviderApproval`` and ``ScopeIntersection`` are first-class here and in :mod:`ath`.
Every other name (the documents ``discover()`` returns, the SDK's own types with
0.1.0's fields, ``to_dict()`` and ``additional_properties``; the old names of the client
methods' results, the wire models the SDK builds itself) is resolved on first access
by :func:`ath._compat.resolve` from the one table of 0.1.0 names,
``ath._compat.NAMES_010["ath.types"]``, which warns for the renamed ones naming the
new spelling. The generated models load on first access, so ``import ath`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ath._compat import resolve
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
    from ath._models import (
        ErrorResponse as ATHErrorResponse,
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


def __getattr__(name: str) -> Any:
    return resolve(name, __name__)


def __dir__() -> list[str]:
    from ath._compat import public_dir

    return public_dir(globals(), __all__)
