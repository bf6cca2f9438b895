from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceAuthConfig")


@_attrs_define
class ServiceAuthConfig:
    """OAuth configuration published by a native ATH service.

    Attributes:
        type_ (Literal['oauth2']): Authentication type; always `oauth2` in protocol 0.1.
        authorization_endpoint (str): The service's OAuth 2.0 authorization endpoint.
        token_endpoint (str): The service's OAuth 2.0 token endpoint.
        scopes_supported (list[str]): OAuth scopes the service supports.
        registration_endpoint (str | Unset): Where developers register with the service (a web page).
        agent_attestation_required (bool | Unset): Whether the service requires agent attestation JWTs. Default: True.
    """

    type_: Literal["oauth2"]
    authorization_endpoint: str
    token_endpoint: str
    scopes_supported: list[str]
    registration_endpoint: str | Unset = UNSET
    agent_attestation_required: bool | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        authorization_endpoint = self.authorization_endpoint

        token_endpoint = self.token_endpoint

        scopes_supported = self.scopes_supported

        registration_endpoint = self.registration_endpoint

        agent_attestation_required = self.agent_attestation_required

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "authorization_endpoint": authorization_endpoint,
                "token_endpoint": token_endpoint,
                "scopes_supported": scopes_supported,
            }
        )
        if registration_endpoint is not UNSET:
            field_dict["registration_endpoint"] = registration_endpoint
        if agent_attestation_required is not UNSET:
            field_dict["agent_attestation_required"] = agent_attestation_required

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"ServiceAuthConfig is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        type_: Literal["oauth2"] = d.pop("type")
        if type_ != "oauth2":
            raise ValueError(f"type must match const 'oauth2', got '{type_}'")

        authorization_endpoint = d.pop("authorization_endpoint")
        if not (isinstance(authorization_endpoint, str)):
            raise TypeError(
                f"authorization_endpoint is {type(authorization_endpoint).__name__}, expected str"
            )

        token_endpoint = d.pop("token_endpoint")
        if not (isinstance(token_endpoint, str)):
            raise TypeError(f"token_endpoint is {type(token_endpoint).__name__}, expected str")

        scopes_supported = []
        _scopes_supported = d.pop("scopes_supported")
        if not isinstance(_scopes_supported, list):
            raise TypeError(
                f"scopes_supported is {type(_scopes_supported).__name__}, expected a list"
            )
        for scopes_supported_item_data in _scopes_supported:
            scopes_supported_item = scopes_supported_item_data
            if not (isinstance(scopes_supported_item, str)):
                raise TypeError(
                    f"scopes_supported_item is {type(scopes_supported_item).__name__}, expected str"
                )

            scopes_supported.append(scopes_supported_item)

        registration_endpoint = d.pop("registration_endpoint", UNSET)
        if not isinstance(registration_endpoint, Unset) and not (
            isinstance(registration_endpoint, str)
        ):
            raise TypeError(
                f"registration_endpoint is {type(registration_endpoint).__name__}, expected str"
            )

        agent_attestation_required = d.pop("agent_attestation_required", UNSET)
        if not isinstance(agent_attestation_required, Unset) and not (
            isinstance(agent_attestation_required, bool)
        ):
            raise TypeError(
                f"agent_attestation_required is {type(agent_attestation_required).__name__}, expected bool"
            )

        service_auth_config = cls(
            type_=type_,
            authorization_endpoint=authorization_endpoint,
            token_endpoint=token_endpoint,
            scopes_supported=scopes_supported,
            registration_endpoint=registration_endpoint,
            agent_attestation_required=agent_attestation_required,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        service_auth_config.additional_properties = additional_properties
        return service_auth_config

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
