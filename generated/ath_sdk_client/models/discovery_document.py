from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DiscoveryDocument")


@_attrs_define
class DiscoveryDocument:
    """Gateway discovery document served at `GET /.well-known/ath.json`: the providers this gateway offers and where agents
    register.

        Attributes:
            ath_version (str): ATH protocol version the gateway implements.
            gateway_id (str): Identifier of this gateway instance.
            agent_registration_endpoint (str): URL of the gateway's agent registration endpoint.
            supported_providers (list[ProviderInfo]): The providers reachable through this gateway.
    """

    ath_version: str
    gateway_id: str
    agent_registration_endpoint: str
    supported_providers: list[ProviderInfo]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ath_version = self.ath_version

        gateway_id = self.gateway_id

        agent_registration_endpoint = self.agent_registration_endpoint

        supported_providers = []
        for supported_providers_item_data in self.supported_providers:
            supported_providers_item = supported_providers_item_data.to_dict()
            supported_providers.append(supported_providers_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ath_version": ath_version,
                "gateway_id": gateway_id,
                "agent_registration_endpoint": agent_registration_endpoint,
                "supported_providers": supported_providers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"DiscoveryDocument is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        ath_version = d.pop("ath_version")
        if not (isinstance(ath_version, str)):
            raise TypeError(f"ath_version is {type(ath_version).__name__}, expected str")

        gateway_id = d.pop("gateway_id")
        if not (isinstance(gateway_id, str)):
            raise TypeError(f"gateway_id is {type(gateway_id).__name__}, expected str")

        agent_registration_endpoint = d.pop("agent_registration_endpoint")
        if not (isinstance(agent_registration_endpoint, str)):
            raise TypeError(
                f"agent_registration_endpoint is {type(agent_registration_endpoint).__name__}, expected str"
            )

        supported_providers = []
        _supported_providers = d.pop("supported_providers")
        if not isinstance(_supported_providers, list):
            raise TypeError(
                f"supported_providers is {type(_supported_providers).__name__}, expected a list"
            )
        for supported_providers_item_data in _supported_providers:
            supported_providers_item = ProviderInfo.from_dict(supported_providers_item_data)

            supported_providers.append(supported_providers_item)

        discovery_document = cls(
            ath_version=ath_version,
            gateway_id=gateway_id,
            agent_registration_endpoint=agent_registration_endpoint,
            supported_providers=supported_providers,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        discovery_document.additional_properties = additional_properties
        return discovery_document

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
from ..models.provider_info import ProviderInfo  # noqa: E402
