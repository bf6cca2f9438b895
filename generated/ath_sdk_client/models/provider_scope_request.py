from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ProviderScopeRequest")


@_attrs_define
class ProviderScopeRequest:
    """Access requested for one provider.

    Attributes:
        provider_id (str): The provider asked for.
        scopes (list[str]): Scopes asked for at this provider.
    """

    provider_id: str
    scopes: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider_id = self.provider_id

        scopes = self.scopes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider_id": provider_id,
                "scopes": scopes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"ProviderScopeRequest is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
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

        provider_scope_request = cls(
            provider_id=provider_id,
            scopes=scopes,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        provider_scope_request.additional_properties = additional_properties
        return provider_scope_request

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
