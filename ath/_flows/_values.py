"""Values of the generated models turned into the SDK's own (``ath._models``).

Each refuses, with ``INVALID_RESPONSE`` or the code given, a value no caller could use.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ath._errors import ATHClientError, ATHServerError
from ath._lazy import gen
from ath._models import (
    AgentStatus,
    DiscoveryDocument,
    ProviderApproval,
    ProviderInfo,
    ServiceAuthConfig,
    ServiceDiscoveryDocument,
)

if TYPE_CHECKING:
    from ath import _generated as wire

__all__ = [
    "MAX_EXPIRES_IN",
    "agent_status_of",
    "approvals",
    "basic_auth",
    "check_lifetime",
    "discovery_document",
    "service_discovery_document",
    "str_list",
    "unset_to_none",
]

#: The longest token lifetime accepted (a century); a larger expires_in is not a lifetime.
MAX_EXPIRES_IN = 100 * 365 * 24 * 3600


def str_list(value: Any) -> list[str]:
    """A list of strings from a generated list field; ``[]`` when absent (``UNSET``, which
    is falsy, or ``None``). Checked here rather than by importing ``Unset``: this runs
    for every list of every answer, and an import statement costs more than the rest."""
    if not value:
        return []
    return [str(v) for v in value]


def unset_to_none(value: Any) -> Any:
    """``value``, or ``None`` for a generated field left ``UNSET``."""
    return None if isinstance(value, gen.Unset) else value


def approvals(items: Any) -> list[ProviderApproval]:
    return [
        ProviderApproval(
            provider_id=item.provider_id,
            approved_scopes=str_list(item.approved_scopes),
            denied_scopes=str_list(item.denied_scopes),
            denial_reason=unset_to_none(item.denial_reason),
        )
        for item in (items or [])
    ]


def agent_status_of(value: Any) -> AgentStatus:
    try:
        return AgentStatus(str(getattr(value, "value", value)))
    except ValueError:
        raise ATHServerError(
            "INVALID_RESPONSE",
            f"agent_status {str(value)[:40]!r} is none of approved, pending, denied",
        ) from None


def check_lifetime(value: Any, what: str, *, code: str, status: int | None = None) -> int | None:
    """A lifetime in seconds, None when absent; refused when not a usable lifetime."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPIRES_IN:
        fault = ATHServerError if code == "INVALID_RESPONSE" else ATHClientError
        raise fault(
            code,
            f"{what} must be a whole number of seconds between 0 and {MAX_EXPIRES_IN}",
            status=status,
        )
    return value


def basic_auth(client_id: str, client_secret: str) -> str:
    raw = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def discovery_document(doc: wire.DiscoveryDocument) -> DiscoveryDocument:
    """A gateway's discovery document (already checked by the generated parser) as the SDK's."""
    return DiscoveryDocument(
        ath_version=doc.ath_version,
        gateway_id=doc.gateway_id,
        agent_registration_endpoint=doc.agent_registration_endpoint,
        supported_providers=[
            ProviderInfo(
                provider_id=p.provider_id,
                display_name=p.display_name,
                available_scopes=list(p.available_scopes),
                auth_mode=p.auth_mode,
                agent_approval_required=p.agent_approval_required,
                categories=str_list(p.categories),
                additional_properties=dict(p.additional_properties),
            )
            for p in doc.supported_providers
        ],
        additional_properties=dict(doc.additional_properties),
    )


def service_discovery_document(doc: wire.ServiceDiscoveryDocument) -> ServiceDiscoveryDocument:
    """A native service's discovery document (already checked) as the SDK's."""
    auth = doc.auth
    return ServiceDiscoveryDocument(
        ath_version=doc.ath_version,
        app_id=doc.app_id,
        name=doc.name,
        auth=ServiceAuthConfig(
            type=auth.type_,
            authorization_endpoint=auth.authorization_endpoint,
            token_endpoint=auth.token_endpoint,
            scopes_supported=list(auth.scopes_supported),
            registration_endpoint=unset_to_none(auth.registration_endpoint),
            agent_attestation_required=auth.agent_attestation_required is not False,
            additional_properties=dict(auth.additional_properties),
        ),
        api_base=doc.api_base,
        additional_properties=dict(doc.additional_properties),
    )
