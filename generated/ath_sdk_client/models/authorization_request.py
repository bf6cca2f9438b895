from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthorizationRequest")


@_attrs_define
class AuthorizationRequest:
    """Body of `POST /ath/authorize` (Phase B). PKCE is created by the implementer, not the agent.

    Attributes:
        client_id (str): The client id from registration.
        agent_attestation (str): A fresh attestation JWT of the registered agent.
        provider_id (str): The provider to authorize.
        scopes (list[str]): Scopes to request; each must have been approved for this provider.
        state (str): Opaque CSRF value from a CSPRNG with at least 128 bits of entropy (no length is imposed on its
            encoding); checked by the implementer on the OAuth callback.
        user_redirect_uri (str | Unset): Where to send the user after consent; must equal one of the registered
            `redirect_uris`.
        resource (str | Unset): Target resource server (RFC 8707 resource indicator).
    """

    client_id: str
    agent_attestation: str
    provider_id: str
    scopes: list[str]
    state: str
    user_redirect_uri: str | Unset = UNSET
    resource: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        agent_attestation = self.agent_attestation

        provider_id = self.provider_id

        scopes = self.scopes

        state = self.state

        user_redirect_uri = self.user_redirect_uri

        resource = self.resource

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "agent_attestation": agent_attestation,
                "provider_id": provider_id,
                "scopes": scopes,
                "state": state,
            }
        )
        if user_redirect_uri is not UNSET:
            field_dict["user_redirect_uri"] = user_redirect_uri
        if resource is not UNSET:
            field_dict["resource"] = resource

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"AuthorizationRequest is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        client_id = d.pop("client_id")
        if not (isinstance(client_id, str)):
            raise TypeError(f"client_id is {type(client_id).__name__}, expected str")

        agent_attestation = d.pop("agent_attestation")
        if not (isinstance(agent_attestation, str)):
            raise TypeError(
                f"agent_attestation is {type(agent_attestation).__name__}, expected str"
            )

        provider_id = d.pop("provider_id")
        if not (isinstance(provider_id, str)):
            raise TypeError(f"provider_id is {type(provider_id).__name__}, expected str")

        scopes = []
        _scopes = d.pop("scopes")
        if not isinstance(_scopes, list):
            raise TypeError(f"scopes is {type(_scopes).__name__}, expected a list")
        for scopes_item_data in _scopes:
            scopes_item = scopes_item_data
            if not (isinstance(scopes_item, str)):
                raise TypeError(f"scopes_item is {type(scopes_item).__name__}, expected str")

            scopes.append(scopes_item)

        state = d.pop("state")
        if not (isinstance(state, str)):
            raise TypeError(f"state is {type(state).__name__}, expected str")

        user_redirect_uri = d.pop("user_redirect_uri", UNSET)
        if not isinstance(user_redirect_uri, Unset) and not (isinstance(user_redirect_uri, str)):
            raise TypeError(
                f"user_redirect_uri is {type(user_redirect_uri).__name__}, expected str"
            )

        resource = d.pop("resource", UNSET)
        if not isinstance(resource, Unset) and not (isinstance(resource, str)):
            raise TypeError(f"resource is {type(resource).__name__}, expected str")

        authorization_request = cls(
            client_id=client_id,
            agent_attestation=agent_attestation,
            provider_id=provider_id,
            scopes=scopes,
            state=state,
            user_redirect_uri=user_redirect_uri,
            resource=resource,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        authorization_request.additional_properties = additional_properties
        return authorization_request

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
