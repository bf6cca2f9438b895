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

from ath._attestation import AttestationSigner, generate_private_key, public_jwk
from ath._checks import parse_callback
from ath._client import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHGatewayClient,
    ATHNativeClient,
)
from ath._constants import VERSION
from ath._errors import CLIENT_CODES, PROTOCOL_CODES, ATHError
from ath._identity import agent_identity_document
from ath._oauth import OAuthRequest, OAuthToken, start_authorization
from ath._pkce import PKCEPair, code_challenge_s256, generate_code_verifier, generate_state
from ath._retry import RetryPolicy
from ath._types import (
    AgentStatusInfo,
    APIResponse,
    Authorization,
    CallbackResult,
    ProviderApproval,
    Registration,
    ScopeIntersection,
    Token,
)

__version__ = VERSION

__all__ = [
    "CLIENT_CODES",
    "PROTOCOL_CODES",
    "APIResponse",
    "ATHError",
    "ATHGatewayClient",
    "ATHNativeClient",
    "AgentStatusInfo",
    "AsyncATHGatewayClient",
    "AsyncATHNativeClient",
    "AttestationSigner",
    "Authorization",
    "CallbackResult",
    "OAuthRequest",
    "OAuthToken",
    "PKCEPair",
    "ProviderApproval",
    "Registration",
    "RetryPolicy",
    "ScopeIntersection",
    "Token",
    "__version__",
    "agent_identity_document",
    "code_challenge_s256",
    "generate_code_verifier",
    "generate_private_key",
    "generate_state",
    "parse_callback",
    "public_jwk",
    "start_authorization",
]
