from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ServiceDiscoveryDocument")


@_attrs_define
class ServiceDiscoveryDocument:
    """Discovery document of a service that implements ATH natively, served at `GET /.well-known/ath-app.json`.

    Attributes:
        ath_version (str): ATH protocol version the service supports.
        app_id (str): Unique identifier of the service.
        name (str): Human-readable service name.
        auth (ServiceAuthConfig): OAuth configuration published by a native ATH service.
        api_base (str): Base URL of the service's API; in native mode agents call `<api_base>/<path>` with the ATH token
            and `X-ATH-Agent-ID` headers.
    """

    ath_version: str
    app_id: str
    name: str
    auth: ServiceAuthConfig
    api_base: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ath_version = self.ath_version

        app_id = self.app_id

        name = self.name

        auth = self.auth.to_dict()

        api_base = self.api_base

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ath_version": ath_version,
                "app_id": app_id,
                "name": name,
                "auth": auth,
                "api_base": api_base,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(
                f"ServiceDiscoveryDocument is {type(src_dict).__name__}, expected an object"
            )
        d = dict(src_dict)
        ath_version = d.pop("ath_version")
        if not (isinstance(ath_version, str)):
            raise TypeError(f"ath_version is {type(ath_version).__name__}, expected str")

        app_id = d.pop("app_id")
        if not (isinstance(app_id, str)):
            raise TypeError(f"app_id is {type(app_id).__name__}, expected str")

        name = d.pop("name")
        if not (isinstance(name, str)):
            raise TypeError(f"name is {type(name).__name__}, expected str")

        auth = ServiceAuthConfig.from_dict(d.pop("auth"))

        api_base = d.pop("api_base")
        if not (isinstance(api_base, str)):
            raise TypeError(f"api_base is {type(api_base).__name__}, expected str")

        service_discovery_document = cls(
            ath_version=ath_version,
            app_id=app_id,
            name=name,
            auth=auth,
            api_base=api_base,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        service_discovery_document.additional_properties = additional_properties
        return service_discovery_document

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
from ..models.service_auth_config import ServiceAuthConfig  # noqa: E402
