from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentIdentityDocument")


@_attrs_define
class AgentIdentityDocument:
    """The agent's identity document, served by the agent at its `agent_id` URI (for example
    `https://agent.example.com/.well-known/agent.json`). Verifiers take the attestation key from it and may cache it for
    at most five minutes.

        Attributes:
            ath_version (str): ATH protocol version.
            agent_id (str): The agent's canonical URI.
            name (str): Human-readable agent name.
            developer (DeveloperInfo): The developer or organisation behind an agent.
            public_key (AgentIdentityDocumentJWK | str): The public key that verifies the agent's attestations: a JWK object
                (RFC 7517; an EC P-256 key for ES256) or a PEM-encoded SubjectPublicKeyInfo string.
            capabilities (list[str] | Unset): Capabilities the agent declares.
    """

    ath_version: str
    agent_id: str
    name: str
    developer: DeveloperInfo
    public_key: AgentIdentityDocumentJWK | str
    capabilities: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ath_version = self.ath_version

        agent_id = self.agent_id

        name = self.name

        developer = self.developer.to_dict()

        public_key: dict[str, Any] | str
        if isinstance(self.public_key, AgentIdentityDocumentJWK):
            public_key = self.public_key.to_dict()
        else:
            public_key = self.public_key

        capabilities: list[str] | Unset = UNSET
        if not isinstance(self.capabilities, Unset):
            capabilities = self.capabilities

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ath_version": ath_version,
                "agent_id": agent_id,
                "name": name,
                "developer": developer,
                "public_key": public_key,
            }
        )
        if capabilities is not UNSET:
            field_dict["capabilities"] = capabilities

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"AgentIdentityDocument is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        ath_version = d.pop("ath_version")
        if not (isinstance(ath_version, str)):
            raise TypeError(f"ath_version is {type(ath_version).__name__}, expected str")

        agent_id = d.pop("agent_id")
        if not (isinstance(agent_id, str)):
            raise TypeError(f"agent_id is {type(agent_id).__name__}, expected str")

        name = d.pop("name")
        if not (isinstance(name, str)):
            raise TypeError(f"name is {type(name).__name__}, expected str")

        developer = DeveloperInfo.from_dict(d.pop("developer"))

        def _parse_public_key(data: object) -> AgentIdentityDocumentJWK | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                public_key_jwk = AgentIdentityDocumentJWK.from_dict(data)

                return public_key_jwk
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            public_key_pem = data
            if not (isinstance(public_key_pem, str)):
                raise TypeError(f"public_key_PEM is {type(public_key_pem).__name__}, expected str")

            return public_key_pem

        public_key = _parse_public_key(d.pop("public_key"))

        _capabilities = d.pop("capabilities", UNSET)
        capabilities: list[str] | Unset = UNSET
        if _capabilities is not UNSET:
            if not isinstance(_capabilities, list):
                raise TypeError(f"capabilities is {type(_capabilities).__name__}, expected a list")
            capabilities = []
            for capabilities_item_data in _capabilities:
                capabilities_item = capabilities_item_data
                if not (isinstance(capabilities_item, str)):
                    raise TypeError(
                        f"capabilities_item is {type(capabilities_item).__name__}, expected str"
                    )

                capabilities.append(capabilities_item)

        agent_identity_document = cls(
            ath_version=ath_version,
            agent_id=agent_id,
            name=name,
            developer=developer,
            public_key=public_key,
            capabilities=capabilities,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        agent_identity_document.additional_properties = additional_properties
        return agent_identity_document

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
from ..models.agent_identity_document_jwk import AgentIdentityDocumentJWK  # noqa: E402
from ..models.developer_info import DeveloperInfo  # noqa: E402
