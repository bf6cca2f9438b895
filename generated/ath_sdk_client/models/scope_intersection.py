from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

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
        d = dict(src_dict)
        agent_approved = cast(list[str], d.pop("agent_approved"))

        user_consented = cast(list[str], d.pop("user_consented"))

        effective = cast(list[str], d.pop("effective"))

        scope_intersection = cls(
            agent_approved=agent_approved,
            user_consented=user_consented,
            effective=effective,
        )

        scope_intersection.additional_properties = d
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
