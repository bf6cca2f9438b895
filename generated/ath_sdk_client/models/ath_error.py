from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ath_error_code import ATHErrorCode
from ..models.ath_extension_error_code import ATHExtensionErrorCode
from ..types import UNSET, Unset

T = TypeVar("T", bound="ATHError")


@_attrs_define
class ATHError:
    """The error body every ATH endpoint returns on failure.

    Attributes:
        code (ATHErrorCode | ATHExtensionErrorCode | str): Machine-readable error code. An open set: the values of
            `ATHErrorCode` are the ones protocol 0.1 defines, `ATHExtensionErrorCode` the documented extension codes for
            client mistakes 0.1 names no code for, and clients MUST accept any other string (later protocol versions and
            implementers add codes) and treat an unknown one as a generic failure of the answer's HTTP status.
        message (str): Human-readable message.
        details (ATHErrorDetails | Unset): Optional structured details.
    """

    code: ATHErrorCode | ATHExtensionErrorCode | str
    message: str
    details: ATHErrorDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code: str
        if isinstance(self.code, ATHErrorCode):
            code = self.code.value
        elif isinstance(self.code, ATHExtensionErrorCode):
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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"ATHError is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)

        def _parse_code(data: object) -> ATHErrorCode | ATHExtensionErrorCode | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                code_type_0 = ATHErrorCode(data)

                return code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                code_type_1 = ATHExtensionErrorCode(data)

                return code_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            code_type_2 = data
            if not (isinstance(code_type_2, str)):
                raise TypeError(f"code_type_2 is {type(code_type_2).__name__}, expected str")

            return code_type_2

        code = _parse_code(d.pop("code"))

        message = d.pop("message")
        if not (isinstance(message, str)):
            raise TypeError(f"message is {type(message).__name__}, expected str")

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

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        ath_error.additional_properties = additional_properties
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


# The models this one holds, imported once its class exists (models may hold each other),
# rather than by an import statement run on every to_dict()/from_dict() call.
from ..models.ath_error_details import ATHErrorDetails  # noqa: E402
