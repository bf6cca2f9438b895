from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderApproval")


@_attrs_define
class ProviderApproval:
    """The outcome of a registration for one provider. The implementer may approve only some of the requested scopes.

    Attributes:
        provider_id (str): The provider this result is for.
        approved_scopes (list[str]): Scopes approved for the agent.
        denied_scopes (list[str]): Scopes denied to the agent.
        denial_reason (str | Unset): Human-readable reason for denied scopes.
    """

    provider_id: str
    approved_scopes: list[str]
    denied_scopes: list[str]
    denial_reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider_id = self.provider_id

        approved_scopes = self.approved_scopes

        denied_scopes = self.denied_scopes

        denial_reason = self.denial_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider_id": provider_id,
                "approved_scopes": approved_scopes,
                "denied_scopes": denied_scopes,
            }
        )
        if denial_reason is not UNSET:
            field_dict["denial_reason"] = denial_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"ProviderApproval is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        provider_id = d.pop("provider_id")
        if not (isinstance(provider_id, str)):
            raise TypeError(f"provider_id is {type(provider_id).__name__}, expected str")

        approved_scopes = []
        _approved_scopes = d.pop("approved_scopes")
        if not isinstance(_approved_scopes, list):
            raise TypeError(
                f"approved_scopes is {type(_approved_scopes).__name__}, expected a list"
            )
        for approved_scopes_item_data in _approved_scopes:
            approved_scopes_item = approved_scopes_item_data
            if not (isinstance(approved_scopes_item, str)):
                raise TypeError(
                    f"approved_scopes_item is {type(approved_scopes_item).__name__}, expected str"
                )

            approved_scopes.append(approved_scopes_item)

        denied_scopes = []
        _denied_scopes = d.pop("denied_scopes")
        if not isinstance(_denied_scopes, list):
            raise TypeError(f"denied_scopes is {type(_denied_scopes).__name__}, expected a list")
        for denied_scopes_item_data in _denied_scopes:
            denied_scopes_item = denied_scopes_item_data
            if not (isinstance(denied_scopes_item, str)):
                raise TypeError(
                    f"denied_scopes_item is {type(denied_scopes_item).__name__}, expected str"
                )

            denied_scopes.append(denied_scopes_item)

        denial_reason = d.pop("denial_reason", UNSET)
        if not isinstance(denial_reason, Unset) and not (isinstance(denial_reason, str)):
            raise TypeError(f"denial_reason is {type(denial_reason).__name__}, expected str")

        provider_approval = cls(
            provider_id=provider_id,
            approved_scopes=approved_scopes,
            denied_scopes=denied_scopes,
            denial_reason=denial_reason,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        provider_approval.additional_properties = additional_properties
        return provider_approval

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
