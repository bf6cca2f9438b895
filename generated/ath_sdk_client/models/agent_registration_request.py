from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.developer_info import DeveloperInfo
    from ..models.provider_scope_request import ProviderScopeRequest


T = TypeVar("T", bound="AgentRegistrationRequest")


@_attrs_define
class AgentRegistrationRequest:
    """Body of `POST /ath/agents/register` (Phase A). `agent_attestation` is a fresh ES256 JWT whose `sub` is `agent_id`.

    Attributes:
        agent_id (str): The agent's canonical URI, where its identity document is served.
        agent_attestation (str): ES256-signed JWT proving the agent's identity, with the claims iss, sub, aud, iat, exp
            and jti; jti must be unique and verifiers reject replays.
        developer (DeveloperInfo): The developer or organisation behind an agent.
        requested_providers (list[ProviderScopeRequest]): The providers and scopes the agent asks for.
        purpose (str | Unset): Human-readable description of what the agent is for.
        redirect_uris (list[str] | Unset): Where users may be sent after consent. Every later `user_redirect_uri` must
            equal one of these exactly. Optional: an agent without a public endpoint (a CLI, a headless worker) leaves it
            out (or sends an empty list); the implementer then MUST reject any `user_redirect_uri` and MUST complete the
            OAuth callback itself, showing the user a completion page of its own, and the agent learns the outcome by
            calling `POST /ath/token`.
    """

    agent_id: str
    agent_attestation: str
    developer: DeveloperInfo
    requested_providers: list[ProviderScopeRequest]
    purpose: str | Unset = UNSET
    redirect_uris: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        agent_attestation = self.agent_attestation

        developer = self.developer.to_dict()

        requested_providers = []
        for requested_providers_item_data in self.requested_providers:
            requested_providers_item = requested_providers_item_data.to_dict()
            requested_providers.append(requested_providers_item)

        purpose = self.purpose

        redirect_uris: list[str] | Unset = UNSET
        if not isinstance(self.redirect_uris, Unset):
            redirect_uris = self.redirect_uris

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "agent_attestation": agent_attestation,
                "developer": developer,
                "requested_providers": requested_providers,
            }
        )
        if purpose is not UNSET:
            field_dict["purpose"] = purpose
        if redirect_uris is not UNSET:
            field_dict["redirect_uris"] = redirect_uris

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.developer_info import DeveloperInfo  # noqa: PLC0415
        from ..models.provider_scope_request import ProviderScopeRequest  # noqa: PLC0415

        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        agent_attestation = d.pop("agent_attestation")

        developer = DeveloperInfo.from_dict(d.pop("developer"))

        requested_providers = []
        _requested_providers = d.pop("requested_providers")
        for requested_providers_item_data in _requested_providers:
            requested_providers_item = ProviderScopeRequest.from_dict(requested_providers_item_data)

            requested_providers.append(requested_providers_item)

        purpose = d.pop("purpose", UNSET)

        redirect_uris = cast(list[str], d.pop("redirect_uris", UNSET))

        agent_registration_request = cls(
            agent_id=agent_id,
            agent_attestation=agent_attestation,
            developer=developer,
            requested_providers=requested_providers,
            purpose=purpose,
            redirect_uris=redirect_uris,
        )

        agent_registration_request.additional_properties = d
        return agent_registration_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
