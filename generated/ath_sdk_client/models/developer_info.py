from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeveloperInfo")


@_attrs_define
class DeveloperInfo:
    """The developer or organisation behind an agent.

    Attributes:
        name (str): Developer or organisation name.
        id (str): Developer identifier.
        contact (str | Unset): Security contact e-mail address.
    """

    name: str
    id: str
    contact: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id = self.id

        contact = self.contact

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "id": id,
            }
        )
        if contact is not UNSET:
            field_dict["contact"] = contact

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"DeveloperInfo is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        name = d.pop("name")
        if not (isinstance(name, str)):
            raise TypeError(f"name is {type(name).__name__}, expected str")

        id = d.pop("id")
        if not (isinstance(id, str)):
            raise TypeError(f"id is {type(id).__name__}, expected str")

        contact = d.pop("contact", UNSET)
        if not isinstance(contact, Unset) and not (isinstance(contact, str)):
            raise TypeError(f"contact is {type(contact).__name__}, expected str")

        developer_info = cls(
            name=name,
            id=id,
            contact=contact,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        developer_info.additional_properties = additional_properties
        return developer_info

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
