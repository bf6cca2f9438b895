from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ScopeIntersection")


@_attrs_define
class ScopeIntersection:
    """How the effective scopes were computed: effective = agent-approved ∩ user-consented ∩ requested.

    Attributes:
        agent_approved (list[str]): Scopes approved for the agent in Phase A.
        user_consented (list[str]): Scopes the user consented to in Phase B.
        effective (list[str]): The intersection, i.e. what the token allows.
    """

    agent_approved: list[str]
    user_consented: list[str]
    effective: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_approved = self.agent_approved

        user_consented = self.user_consented

        effective = self.effective

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_approved": agent_approved,
                "user_consented": user_consented,
                "effective": effective,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"ScopeIntersection is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        agent_approved = []
        _agent_approved = d.pop("agent_approved")
        if not isinstance(_agent_approved, list):
            raise TypeError(f"agent_approved is {type(_agent_approved).__name__}, expected a list")
        for agent_approved_item_data in _agent_approved:
            agent_approved_item = agent_approved_item_data
            if not (isinstance(agent_approved_item, str)):
                raise TypeError(
                    f"agent_approved_item is {type(agent_approved_item).__name__}, expected str"
                )

            agent_approved.append(agent_approved_item)

        user_consented = []
        _user_consented = d.pop("user_consented")
        if not isinstance(_user_consented, list):
            raise TypeError(f"user_consented is {type(_user_consented).__name__}, expected a list")
        for user_consented_item_data in _user_consented:
            user_consented_item = user_consented_item_data
            if not (isinstance(user_consented_item, str)):
                raise TypeError(
                    f"user_consented_item is {type(user_consented_item).__name__}, expected str"
                )

            user_consented.append(user_consented_item)

        effective = []
        _effective = d.pop("effective")
        if not isinstance(_effective, list):
            raise TypeError(f"effective is {type(_effective).__name__}, expected a list")
        for effective_item_data in _effective:
            effective_item = effective_item_data
            if not (isinstance(effective_item, str)):
                raise TypeError(f"effective_item is {type(effective_item).__name__}, expected str")

            effective.append(effective_item)

        scope_intersection = cls(
            agent_approved=agent_approved,
            user_consented=user_consented,
            effective=effective,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        scope_intersection.additional_properties = additional_properties
        return scope_intersection

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
