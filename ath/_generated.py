"""The generated client's operations and models, in one place for lazy import.

``ath._flows`` imports this module on first use, so ``import ath`` and an agent that
only makes proxy/api calls never pay for loading the generated package.
"""

from ath_sdk_client.api.gateway import get_gateway_discovery
from ath_sdk_client.api.native import get_service_discovery
from ath_sdk_client.api.shared import authorize as authorize_op
from ath_sdk_client.api.shared import exchange_token as exchange_token_op
from ath_sdk_client.api.shared import get_agent_status, register_agent, revoke_token
from ath_sdk_client.errors import ErrorAnswer, InvalidAnswer
from ath_sdk_client.models import (
    AgentRegistrationRequest,
    AgentRegistrationResponse,
    AgentStatusResponse,
    AuthorizationRequest,
    AuthorizationResponse,
    DeveloperInfo,
    DiscoveryDocument,
    ProviderScopeRequest,
    ServiceDiscoveryDocument,
    TokenExchangeRequest,
    TokenResponse,
    TokenRevocationRequest,
)
from ath_sdk_client.types import UNSET, Request, Unset

__all__ = [
    "UNSET",
    "AgentRegistrationRequest",
    "AgentRegistrationResponse",
    "AgentStatusResponse",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "DeveloperInfo",
    "DiscoveryDocument",
    "ErrorAnswer",
    "InvalidAnswer",
    "ProviderScopeRequest",
    "Request",
    "ServiceDiscoveryDocument",
    "TokenExchangeRequest",
    "TokenResponse",
    "TokenRevocationRequest",
    "Unset",
    "authorize_op",
    "exchange_token_op",
    "get_agent_status",
    "get_gateway_discovery",
    "get_service_discovery",
    "register_agent",
    "revoke_token",
]
