"""Contains all the data models used in inputs/outputs"""

from .agent_identity_document import AgentIdentityDocument
from .agent_identity_document_jwk import AgentIdentityDocumentJWK
from .agent_registration_request import AgentRegistrationRequest
from .agent_registration_response import AgentRegistrationResponse
from .agent_status import AgentStatus
from .agent_status_response import AgentStatusResponse
from .ath_error import ATHError
from .ath_error_code import ATHErrorCode
from .ath_error_details import ATHErrorDetails
from .authorization_request import AuthorizationRequest
from .authorization_response import AuthorizationResponse
from .consent_completion import ConsentCompletion
from .consent_completion_status import ConsentCompletionStatus
from .consent_completion_success import ConsentCompletionSuccess
from .developer_info import DeveloperInfo
from .discovery_document import DiscoveryDocument
from .oauth_callback_success import OauthCallbackSuccess
from .provider_approval import ProviderApproval
from .provider_info import ProviderInfo
from .provider_scope_request import ProviderScopeRequest
from .proxy_error_body import ProxyErrorBody
from .proxy_error_body_details import ProxyErrorBodyDetails
from .revocation_response import RevocationResponse
from .scope_intersection import ScopeIntersection
from .service_auth_config import ServiceAuthConfig
from .service_discovery_document import ServiceDiscoveryDocument
from .token_exchange_request import TokenExchangeRequest
from .token_response import TokenResponse
from .token_revocation_request import TokenRevocationRequest

__all__ = (
    "AgentIdentityDocument",
    "AgentIdentityDocumentJWK",
    "AgentRegistrationRequest",
    "AgentRegistrationResponse",
    "AgentStatus",
    "AgentStatusResponse",
    "ATHError",
    "ATHErrorCode",
    "ATHErrorDetails",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "ConsentCompletion",
    "ConsentCompletionStatus",
    "ConsentCompletionSuccess",
    "DeveloperInfo",
    "DiscoveryDocument",
    "OauthCallbackSuccess",
    "ProviderApproval",
    "ProviderInfo",
    "ProviderScopeRequest",
    "ProxyErrorBody",
    "ProxyErrorBodyDetails",
    "RevocationResponse",
    "ScopeIntersection",
    "ServiceAuthConfig",
    "ServiceDiscoveryDocument",
    "TokenExchangeRequest",
    "TokenResponse",
    "TokenRevocationRequest",
)
