from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.scope_intersection import ScopeIntersection


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
        from ..models.scope_intersection import ScopeIntersection  # noqa: PLC0415

        d = dict(src_dict)
        access_token = d.pop("access_token")

        token_type = cast(Literal["Bearer"], d.pop("token_type"))
        if token_type != "Bearer":
            raise ValueError(f"token_type must match const 'Bearer', got '{token_type}'")

        expires_in = d.pop("expires_in")

        effective_scopes = cast(list[str], d.pop("effective_scopes"))

        provider_id = d.pop("provider_id")

        agent_id = d.pop("agent_id")

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

        token_response.additional_properties = d
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
