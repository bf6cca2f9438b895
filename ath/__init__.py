"""ath-sdk: the Python SDK for the Agent Trust Handshake (ATH) protocol v0.1.

An agent proves who it is (ES256 attestations), registers with an ATH gateway or
ATH-native service, sends its user through OAuth consent, exchanges the result for
an ATH token and calls the upstream API::

    from ath import ATHGatewayClient

    with ATHGatewayClient(url=..., agent_id=..., private_key=pem) as client:
        client.discover()
        client.register(developer={...}, providers=[...], purpose="...")
        auth = client.authorize("github", ["read:user"])
        token = client.exchange_token(code, auth.ath_session_id)
        user = client.proxy("github", "GET", "/user")
        client.revoke()
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from ath._constants import VERSION

if TYPE_CHECKING:  # loaded on first access (module __getattr__ below)
    from ath._attestation import (
        AttestationSigner,
        generate_private_key,
        jwk_thumbprint,
        load_private_key,
        public_jwk,
    )
    from ath._client import (
        AsyncATHGatewayClient,
        AsyncATHNativeClient,
        ATHGatewayClient,
        ATHNativeClient,
    )
    from ath._client import _AsyncBase as AsyncATHClientBase
    from ath._client import _SyncBase as ATHClientBase

    # ath-sdk 0.1.0 names, from where ath._compat.NAMES_010["ath"] says they live
    from ath._config import ClientSettings as ATHClientConfig
    from ath._errors import (
        CLIENT_CODES,
        EXTENSION_CODES,
        PROTOCOL_CODES,
        ATHClientError,
        ATHError,
        ATHErrorCode,
        ATHServerError,
        ATHTimeoutError,
        ATHTransportError,
    )
    from ath._expiry import ExpiryWatch
    from ath._identity import agent_identity_document
    from ath._logs import enable_logging
    from ath._models import (
        AgentStatus,
        AgentStatusInfo,
        APIResponse,
        Authorization,
        CallbackResult,
        DiscoveryDocument,
        HTTPMethod,
        ProviderApproval,
        ProviderInfo,
        Registration,
        ScopeIntersection,
        ServiceAuthConfig,
        ServiceDiscoveryDocument,
        Token,
    )
    from ath._models import Authorization as AuthorizationResponse
    from ath._models import ErrorResponse as ATHErrorResponse
    from ath._models import Registration as AgentRegistrationResponse
    from ath._models import Token as TokenResponse
    from ath._oauth import OAuthRequest, OAuthToken, start_authorization
    from ath._pkce import PKCEPair, code_challenge_s256, generate_code_verifier, generate_state
    from ath._retry import RetryPolicy
    from ath._signer import AsyncSigner, Signer
    from ath._validation import parse_callback
    from ath._versions import ATHVersionWarning
    from ath.meta import ATH_VERSION, ENDPOINTS
    from ath_sdk_client.models import (
        AgentIdentityDocument,
        AgentRegistrationRequest,
        AuthorizationRequest,
        DeveloperInfo,
        ProviderScopeRequest,
        TokenExchangeRequest,
        TokenRevocationRequest,
    )

# The SDK's names are imported on first use (PEP 562): ``import ath`` stays cheap, so that
# the ``ath`` command line and tools that need one corner of the SDK start fast.
#
# ONE table of the public names: every first-class name -> its module. ``__all__`` lists
# these names, the 0.1.0 names of ``ath._compat.NAMES_010["ath"]`` and ``__version__``;
# the ``if TYPE_CHECKING:`` block imports each from the module named here (or, for a
# 0.1.0 name, from the place that table names). tests/package/test_public_names.py fails
# when the three drift apart.
_LAZY: Final[Mapping[str, str]] = {
    "AttestationSigner": "ath._attestation",
    "generate_private_key": "ath._attestation",
    "jwk_thumbprint": "ath._attestation",
    "load_private_key": "ath._attestation",
    "public_jwk": "ath._attestation",
    "parse_callback": "ath._validation",
    "AsyncATHGatewayClient": "ath._client",
    "AsyncATHNativeClient": "ath._client",
    "ATHGatewayClient": "ath._client",
    "ATHNativeClient": "ath._client",
    "CLIENT_CODES": "ath._errors",
    "PROTOCOL_CODES": "ath._errors",
    "EXTENSION_CODES": "ath._errors",
    "ATHError": "ath._errors",
    "ATHErrorCode": "ath._errors",
    "ATHClientError": "ath._errors",
    "ATHServerError": "ath._errors",
    "ATHTransportError": "ath._errors",
    "ATHTimeoutError": "ath._errors",
    "agent_identity_document": "ath._identity",
    "enable_logging": "ath._logs",
    "ExpiryWatch": "ath._expiry",
    "Signer": "ath._signer",
    "AsyncSigner": "ath._signer",
    "ATHVersionWarning": "ath._versions",
    "OAuthRequest": "ath._oauth",
    "OAuthToken": "ath._oauth",
    "start_authorization": "ath._oauth",
    "PKCEPair": "ath._pkce",
    "code_challenge_s256": "ath._pkce",
    "generate_code_verifier": "ath._pkce",
    "generate_state": "ath._pkce",
    "RetryPolicy": "ath._retry",
    "AgentStatus": "ath._models",
    "AgentStatusInfo": "ath._models",
    "APIResponse": "ath._models",
    "Authorization": "ath._models",
    "CallbackResult": "ath._models",
    "HTTPMethod": "ath._models",
    "ProviderApproval": "ath._models",
    "Registration": "ath._models",
    "ScopeIntersection": "ath._models",
    "Token": "ath._models",
    "ATH_VERSION": "ath.meta",
    "ENDPOINTS": "ath.meta",
}

#: Names that need an extra: reachable as ``ath.NAME`` once it is installed, but not in
#: ``__all__`` or ``dir(ath)``, so ``from ath import *`` works on every install.
_EXTRAS: Final[Mapping[str, tuple[str, str]]] = {
    "ATHTool": ("ath.langchain", "langchain"),
}

__version__ = VERSION

__all__ = [
    "ATH_VERSION",
    "CLIENT_CODES",
    "ENDPOINTS",
    "EXTENSION_CODES",
    "PROTOCOL_CODES",
    "APIResponse",
    "ATHClientBase",
    "ATHClientConfig",
    "ATHClientError",
    "ATHError",
    "ATHErrorCode",
    "ATHErrorResponse",
    "ATHGatewayClient",
    "ATHNativeClient",
    "ATHServerError",
    "ATHTimeoutError",
    "ATHTransportError",
    "ATHVersionWarning",
    "AgentIdentityDocument",
    "AgentRegistrationRequest",
    "AgentRegistrationResponse",
    "AgentStatus",
    "AgentStatusInfo",
    "AsyncATHClientBase",
    "AsyncATHGatewayClient",
    "AsyncATHNativeClient",
    "AsyncSigner",
    "AttestationSigner",
    "Authorization",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "CallbackResult",
    "DeveloperInfo",
    "DiscoveryDocument",
    "ExpiryWatch",
    "HTTPMethod",
    "OAuthRequest",
    "OAuthToken",
    "PKCEPair",
    "ProviderApproval",
    "ProviderInfo",
    "ProviderScopeRequest",
    "Registration",
    "RetryPolicy",
    "ScopeIntersection",
    "ServiceAuthConfig",
    "ServiceDiscoveryDocument",
    "Signer",
    "Token",
    "TokenExchangeRequest",
    "TokenResponse",
    "TokenRevocationRequest",
    "__version__",
    "agent_identity_document",
    "code_challenge_s256",
    "enable_logging",
    "generate_code_verifier",
    "generate_private_key",
    "generate_state",
    "jwk_thumbprint",
    "load_private_key",
    "parse_callback",
    "public_jwk",
    "start_authorization",
]


def __getattr__(name: str) -> Any:
    """Every public name, imported on first access (then cached in the module); the
    ath-sdk 0.1.0 names through :func:`ath._compat.resolve` (which warns for renamed ones)."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    extra = _EXTRAS.get(name)
    if extra is not None:
        try:
            return getattr(importlib.import_module(extra[0]), name)
        except ImportError as exc:
            raise ImportError(
                f"ath.{name} needs the [{extra[1]}] extra: pip install 'ath-sdk[{extra[1]}]' "
                f"(or import it from {extra[0]})"
            ) from exc
    from ath._compat import resolve

    return resolve(name, __name__)


def __dir__() -> list[str]:
    """The public names only (and the submodules already imported)."""
    from ath._compat import public_dir

    return public_dir(globals(), __all__)
