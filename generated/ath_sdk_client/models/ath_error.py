from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ath_error_code import ATHErrorCode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ath_error_details import ATHErrorDetails


T = TypeVar("T", bound="ATHError")


@_attrs_define
class ATHError:
    """The error body every ATH endpoint returns on failure.

    Attributes:
        code (ATHErrorCode | str): Machine-readable error code. An open set: the values of `ATHErrorCode` are the ones
            protocol 0.1 defines, and clients MUST accept any other string (later protocol versions and implementers add
            codes) and treat an unknown one as a generic failure.
        message (str): Human-readable message.
        details (ATHErrorDetails | Unset): Optional structured details.
    """

    code: ATHErrorCode | str
    message: str
    details: ATHErrorDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code: str
        if isinstance(self.code, ATHErrorCode):
            code = self.code.value
        else:
            code = self.code

        message = self.message

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ath_error_details import ATHErrorDetails  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_code(data: object) -> ATHErrorCode | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                code_type_0 = ATHErrorCode(data)

                return code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ATHErrorCode | str, data)

        code = _parse_code(d.pop("code"))

        message = d.pop("message")

        _details = d.pop("details", UNSET)
        details: ATHErrorDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = ATHErrorDetails.from_dict(_details)

        ath_error = cls(
            code=code,
            message=message,
            details=details,
        )

        ath_error.additional_properties = d
        return ath_error

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
