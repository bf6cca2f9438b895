from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderInfo")


@_attrs_define
class ProviderInfo:
    """A provider offered by a gateway.

    Attributes:
        provider_id (str): Identifier of the provider, unique within the gateway.
        display_name (str): Human-readable provider name.
        available_scopes (list[str]): Scopes an agent may request for this provider.
        auth_mode (str): How the gateway authenticates to the provider, for example `OAUTH2`.
        agent_approval_required (bool): Whether agents must be registered and approved before using this provider.
        categories (list[str] | Unset): Categories describing what the provider does.
    """

    provider_id: str
    display_name: str
    available_scopes: list[str]
    auth_mode: str
    agent_approval_required: bool
    categories: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider_id = self.provider_id

        display_name = self.display_name

        available_scopes = self.available_scopes

        auth_mode = self.auth_mode

        agent_approval_required = self.agent_approval_required

        categories: list[str] | Unset = UNSET
        if not isinstance(self.categories, Unset):
            categories = self.categories

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider_id": provider_id,
                "display_name": display_name,
                "available_scopes": available_scopes,
                "auth_mode": auth_mode,
                "agent_approval_required": agent_approval_required,
            }
        )
        if categories is not UNSET:
            field_dict["categories"] = categories

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        provider_id = d.pop("provider_id")

        display_name = d.pop("display_name")

        available_scopes = cast(list[str], d.pop("available_scopes"))

        auth_mode = d.pop("auth_mode")

        agent_approval_required = d.pop("agent_approval_required")

        categories = cast(list[str], d.pop("categories", UNSET))

        provider_info = cls(
            provider_id=provider_id,
            display_name=display_name,
            available_scopes=available_scopes,
            auth_mode=auth_mode,
            agent_approval_required=agent_approval_required,
            categories=categories,
        )

        provider_info.additional_properties = d
        return provider_info

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
