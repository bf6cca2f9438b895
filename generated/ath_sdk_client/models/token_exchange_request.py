from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TokenExchangeRequest")


@_attrs_define
class TokenExchangeRequest:
    """Body of `POST /ath/token`. The attestation's `sub` must be the client's registered `agent_id` and its `aud` exactly
    the token endpoint URL.

        Attributes:
            grant_type (Literal['authorization_code']): Always `authorization_code`.
            client_id (str): The client id.
            client_secret (str): The client secret.
            agent_attestation (str): A fresh attestation JWT with `aud` set to the token endpoint URL.
            code (str): The authorization code delivered through the OAuth callback.
            ath_session_id (str): The session id from `POST /ath/authorize`.
    """

    grant_type: Literal["authorization_code"]
    client_id: str
    client_secret: str
    agent_attestation: str
    code: str
    ath_session_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type

        client_id = self.client_id

        client_secret = self.client_secret

        agent_attestation = self.agent_attestation

        code = self.code

        ath_session_id = self.ath_session_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
                "client_id": client_id,
                "client_secret": client_secret,
                "agent_attestation": agent_attestation,
                "code": code,
                "ath_session_id": ath_session_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        grant_type = cast(Literal["authorization_code"], d.pop("grant_type"))
        if grant_type != "authorization_code":
            raise ValueError(
                f"grant_type must match const 'authorization_code', got '{grant_type}'"
            )

        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        agent_attestation = d.pop("agent_attestation")

        code = d.pop("code")

        ath_session_id = d.pop("ath_session_id")

        token_exchange_request = cls(
            grant_type=grant_type,
            client_id=client_id,
            client_secret=client_secret,
            agent_attestation=agent_attestation,
            code=code,
            ath_session_id=ath_session_id,
        )

        token_exchange_request.additional_properties = d
        return token_exchange_request

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
