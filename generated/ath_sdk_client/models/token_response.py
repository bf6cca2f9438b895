from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TokenResponse")


@_attrs_define
class TokenResponse:
    """Answer of `POST /ath/token`.

    Attributes:
        access_token (str): The ATH access token, bound to (agent_id, user_id, provider_id, scopes).
        token_type (Literal['Bearer']): Always `Bearer`.
        expires_in (int): Lifetime of the token in seconds.
        effective_scopes (list[str]): The scopes the token carries (the scope intersection).
        provider_id (str): The provider the token is for.
        agent_id (str): The agent the token is bound to.
        scope_intersection (ScopeIntersection): How the effective scopes were computed: effective = agent-approved ∩
            user-consented ∩ requested.
    """

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    effective_scopes: list[str]
    provider_id: str
    agent_id: str
    scope_intersection: ScopeIntersection
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        token_type = self.token_type

        expires_in = self.expires_in

        effective_scopes = self.effective_scopes

        provider_id = self.provider_id

        agent_id = self.agent_id

        scope_intersection = self.scope_intersection.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "token_type": token_type,
                "expires_in": expires_in,
                "effective_scopes": effective_scopes,
                "provider_id": provider_id,
                "agent_id": agent_id,
                "scope_intersection": scope_intersection,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"TokenResponse is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        access_token = d.pop("access_token")
        if not (isinstance(access_token, str)):
            raise TypeError(f"access_token is {type(access_token).__name__}, expected str")

        token_type: Literal["Bearer"] = d.pop("token_type")
        if token_type != "Bearer":
            raise ValueError(f"token_type must match const 'Bearer', got '{token_type}'")

        expires_in = d.pop("expires_in")
        if not (isinstance(expires_in, int) and not isinstance(expires_in, bool)):
            raise TypeError(f"expires_in is {type(expires_in).__name__}, expected int")

        effective_scopes = []
        _effective_scopes = d.pop("effective_scopes")
        if not isinstance(_effective_scopes, list):
            raise TypeError(
                f"effective_scopes is {type(_effective_scopes).__name__}, expected a list"
            )
        for effective_scopes_item_data in _effective_scopes:
            effective_scopes_item = effective_scopes_item_data
            if not (isinstance(effective_scopes_item, str)):
                raise TypeError(
                    f"effective_scopes_item is {type(effective_scopes_item).__name__}, expected str"
                )

            effective_scopes.append(effective_scopes_item)

        provider_id = d.pop("provider_id")
        if not (isinstance(provider_id, str)):
            raise TypeError(f"provider_id is {type(provider_id).__name__}, expected str")

        agent_id = d.pop("agent_id")
        if not (isinstance(agent_id, str)):
            raise TypeError(f"agent_id is {type(agent_id).__name__}, expected str")

        scope_intersection = ScopeIntersection.from_dict(d.pop("scope_intersection"))

        token_response = cls(
            access_token=access_token,
            token_type=token_type,
            expires_in=expires_in,
            effective_scopes=effective_scopes,
            provider_id=provider_id,
            agent_id=agent_id,
            scope_intersection=scope_intersection,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        token_response.additional_properties = additional_properties
        return token_response

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


# The models this one holds, imported once its class exists (models may hold each other),
# rather than by an import statement run on every to_dict()/from_dict() call.
from ..models.scope_intersection import ScopeIntersection  # noqa: E402
