from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"AgentRegistrationRequest is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        agent_id = d.pop("agent_id")
        if not (isinstance(agent_id, str)):
            raise TypeError(f"agent_id is {type(agent_id).__name__}, expected str")

        agent_attestation = d.pop("agent_attestation")
        if not (isinstance(agent_attestation, str)):
            raise TypeError(
                f"agent_attestation is {type(agent_attestation).__name__}, expected str"
            )

        developer = DeveloperInfo.from_dict(d.pop("developer"))

        requested_providers = []
        _requested_providers = d.pop("requested_providers")
        if not isinstance(_requested_providers, list):
            raise TypeError(
                f"requested_providers is {type(_requested_providers).__name__}, expected a list"
            )
        for requested_providers_item_data in _requested_providers:
            requested_providers_item = ProviderScopeRequest.from_dict(requested_providers_item_data)

            requested_providers.append(requested_providers_item)

        purpose = d.pop("purpose", UNSET)
        if not isinstance(purpose, Unset) and not (isinstance(purpose, str)):
            raise TypeError(f"purpose is {type(purpose).__name__}, expected str")

        _redirect_uris = d.pop("redirect_uris", UNSET)
        redirect_uris: list[str] | Unset = UNSET
        if _redirect_uris is not UNSET:
            if not isinstance(_redirect_uris, list):
                raise TypeError(
                    f"redirect_uris is {type(_redirect_uris).__name__}, expected a list"
                )
            redirect_uris = []
            for redirect_uris_item_data in _redirect_uris:
                redirect_uris_item = redirect_uris_item_data
                if not (isinstance(redirect_uris_item, str)):
                    raise TypeError(
                        f"redirect_uris_item is {type(redirect_uris_item).__name__}, expected str"
                    )

                redirect_uris.append(redirect_uris_item)

        agent_registration_request = cls(
            agent_id=agent_id,
            agent_attestation=agent_attestation,
            developer=developer,
            requested_providers=requested_providers,
            purpose=purpose,
            redirect_uris=redirect_uris,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        agent_registration_request.additional_properties = additional_properties
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


# The models this one holds, imported once its class exists (models may hold each other),
# rather than by an import statement run on every to_dict()/from_dict() call.
from ..models.developer_info import DeveloperInfo  # noqa: E402
from ..models.provider_scope_request import ProviderScopeRequest  # noqa: E402
