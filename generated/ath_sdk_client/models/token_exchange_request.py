from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"TokenExchangeRequest is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        grant_type: Literal["authorization_code"] = d.pop("grant_type")
        if grant_type != "authorization_code":
            raise ValueError(
                f"grant_type must match const 'authorization_code', got '{grant_type}'"
            )

        client_id = d.pop("client_id")
        if not (isinstance(client_id, str)):
            raise TypeError(f"client_id is {type(client_id).__name__}, expected str")

        client_secret = d.pop("client_secret")
        if not (isinstance(client_secret, str)):
            raise TypeError(f"client_secret is {type(client_secret).__name__}, expected str")

        agent_attestation = d.pop("agent_attestation")
        if not (isinstance(agent_attestation, str)):
            raise TypeError(
                f"agent_attestation is {type(agent_attestation).__name__}, expected str"
            )

        code = d.pop("code")
        if not (isinstance(code, str)):
            raise TypeError(f"code is {type(code).__name__}, expected str")

        ath_session_id = d.pop("ath_session_id")
        if not (isinstance(ath_session_id, str)):
            raise TypeError(f"ath_session_id is {type(ath_session_id).__name__}, expected str")

        token_exchange_request = cls(
            grant_type=grant_type,
            client_id=client_id,
            client_secret=client_secret,
            agent_attestation=agent_attestation,
            code=code,
            ath_session_id=ath_session_id,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        token_exchange_request.additional_properties = additional_properties
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
