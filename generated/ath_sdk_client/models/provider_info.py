from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"ProviderInfo is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        provider_id = d.pop("provider_id")
        if not (isinstance(provider_id, str)):
            raise TypeError(f"provider_id is {type(provider_id).__name__}, expected str")

        display_name = d.pop("display_name")
        if not (isinstance(display_name, str)):
            raise TypeError(f"display_name is {type(display_name).__name__}, expected str")

        available_scopes = []
        _available_scopes = d.pop("available_scopes")
        if not isinstance(_available_scopes, list):
            raise TypeError(
                f"available_scopes is {type(_available_scopes).__name__}, expected a list"
            )
        for available_scopes_item_data in _available_scopes:
            available_scopes_item = available_scopes_item_data
            if not (isinstance(available_scopes_item, str)):
                raise TypeError(
                    f"available_scopes_item is {type(available_scopes_item).__name__}, expected str"
                )

            available_scopes.append(available_scopes_item)

        auth_mode = d.pop("auth_mode")
        if not (isinstance(auth_mode, str)):
            raise TypeError(f"auth_mode is {type(auth_mode).__name__}, expected str")

        agent_approval_required = d.pop("agent_approval_required")
        if not (isinstance(agent_approval_required, bool)):
            raise TypeError(
                f"agent_approval_required is {type(agent_approval_required).__name__}, expected bool"
            )

        _categories = d.pop("categories", UNSET)
        categories: list[str] | Unset = UNSET
        if _categories is not UNSET:
            if not isinstance(_categories, list):
                raise TypeError(f"categories is {type(_categories).__name__}, expected a list")
            categories = []
            for categories_item_data in _categories:
                categories_item = categories_item_data
                if not (isinstance(categories_item, str)):
                    raise TypeError(
                        f"categories_item is {type(categories_item).__name__}, expected str"
                    )

                categories.append(categories_item)

        provider_info = cls(
            provider_id=provider_id,
            display_name=display_name,
            available_scopes=available_scopes,
            auth_mode=auth_mode,
            agent_approval_required=agent_approval_required,
            categories=categories,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        provider_info.additional_properties = additional_properties
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
