from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenRevocationRequest")


@_attrs_define
class TokenRevocationRequest:
    """Body of `POST /ath/revoke`. Only `token` is always required: an agent revoking its own token MUST also send
    `client_id` and `client_secret` (RFC 7009 client authentication), while users and administrators authenticate to the
    implementer by other means.

        Attributes:
            token (str): The ATH access token to revoke.
            client_id (str | Unset): The client id; required when the caller is the agent.
            client_secret (str | Unset): The client secret; required when the caller is the agent.
    """

    token: str
    client_id: str | Unset = UNSET
    client_secret: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        client_id = self.client_id

        client_secret = self.client_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
            }
        )
        if client_id is not UNSET:
            field_dict["client_id"] = client_id
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"TokenRevocationRequest is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        token = d.pop("token")
        if not (isinstance(token, str)):
            raise TypeError(f"token is {type(token).__name__}, expected str")

        client_id = d.pop("client_id", UNSET)
        if not isinstance(client_id, Unset) and not (isinstance(client_id, str)):
            raise TypeError(f"client_id is {type(client_id).__name__}, expected str")

        client_secret = d.pop("client_secret", UNSET)
        if not isinstance(client_secret, Unset) and not (isinstance(client_secret, str)):
            raise TypeError(f"client_secret is {type(client_secret).__name__}, expected str")

        token_revocation_request = cls(
            token=token,
            client_id=client_id,
            client_secret=client_secret,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        token_revocation_request.additional_properties = additional_properties
        return token_revocation_request

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
