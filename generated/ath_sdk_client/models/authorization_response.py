from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuthorizationResponse")


@_attrs_define
class AuthorizationResponse:
    """Answer of `POST /ath/authorize`.

    Attributes:
        authorization_url (str): The provider's consent URL for the user. It carries `code_challenge` and
            `code_challenge_method=S256`.
        ath_session_id (str): Session id for the token exchange; expires within ten minutes and can be used once.
    """

    authorization_url: str
    ath_session_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorization_url = self.authorization_url

        ath_session_id = self.ath_session_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "authorization_url": authorization_url,
                "ath_session_id": ath_session_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"AuthorizationResponse is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        authorization_url = d.pop("authorization_url")
        if not (isinstance(authorization_url, str)):
            raise TypeError(
                f"authorization_url is {type(authorization_url).__name__}, expected str"
            )

        ath_session_id = d.pop("ath_session_id")
        if not (isinstance(ath_session_id, str)):
            raise TypeError(f"ath_session_id is {type(ath_session_id).__name__}, expected str")

        authorization_response = cls(
            authorization_url=authorization_url,
            ath_session_id=ath_session_id,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        authorization_response.additional_properties = additional_properties
        return authorization_response

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
