from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.agent_status import AgentStatus

T = TypeVar("T", bound="AgentRegistrationResponse")


@_attrs_define
class AgentRegistrationResponse:
    """Answer of `POST /ath/agents/register`: client credentials and per-provider approvals.

    Attributes:
        client_id (str): Identifier of this registration.
        client_secret (str): Secret that authenticates the client in later calls. Keep it secret.
        agent_status (AgentStatus): Registration status of an agent.
        approved_providers (list[ProviderApproval]): Approval result per requested provider.
        approval_expires (datetime.datetime): When this registration expires: an RFC 3339 date-time. The local stack and
            this SDK send UTC with `Z`; other implementers may send a numeric offset (`+00:00`), which validators must
            accept (zod: `z.iso.datetime({ offset: true })`).
    """

    client_id: str
    client_secret: str
    agent_status: AgentStatus
    approved_providers: list[ProviderApproval]
    approval_expires: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_secret = self.client_secret

        agent_status = self.agent_status.value

        approved_providers = []
        for approved_providers_item_data in self.approved_providers:
            approved_providers_item = approved_providers_item_data.to_dict()
            approved_providers.append(approved_providers_item)

        approval_expires = self.approval_expires.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "agent_status": agent_status,
                "approved_providers": approved_providers,
                "approval_expires": approval_expires,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"AgentRegistrationResponse is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        client_id = d.pop("client_id")
        if not (isinstance(client_id, str)):
            raise TypeError(f"client_id is {type(client_id).__name__}, expected str")

        client_secret = d.pop("client_secret")
        if not (isinstance(client_secret, str)):
            raise TypeError(f"client_secret is {type(client_secret).__name__}, expected str")

        agent_status = AgentStatus(d.pop("agent_status"))

        approved_providers = []
        _approved_providers = d.pop("approved_providers")
        if not isinstance(_approved_providers, list):
            raise TypeError(
                f"approved_providers is {type(_approved_providers).__name__}, expected a list"
            )
        for approved_providers_item_data in _approved_providers:
            approved_providers_item = ProviderApproval.from_dict(approved_providers_item_data)

            approved_providers.append(approved_providers_item)

        approval_expires = datetime.datetime.fromisoformat(d.pop("approval_expires"))

        agent_registration_response = cls(
            client_id=client_id,
            client_secret=client_secret,
            agent_status=agent_status,
            approved_providers=approved_providers,
            approval_expires=approval_expires,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        agent_registration_response.additional_properties = additional_properties
        return agent_registration_response

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
from ..models.provider_approval import ProviderApproval  # noqa: E402
