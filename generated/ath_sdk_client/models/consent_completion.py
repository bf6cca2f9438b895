from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.consent_completion_status import ConsentCompletionStatus
from ..models.consent_completion_success import ConsentCompletionSuccess
from ..types import UNSET, Unset

T = TypeVar("T", bound="ConsentCompletion")


@_attrs_define
class ConsentCompletion:
    """JSON form of the completion page (`GET /ath/callback?session_id=...` with `Accept: application/json`): the consent's
    outcome and the query parameters it was reached with.

        Attributes:
            status (ConsentCompletionStatus): `authorized` when the user consented, `denied` when they refused
                (`error=access_denied`), `failed` for any other error.
            session_id (str | Unset): The authorization session the consent was for.
            code (str | Unset): The one-time code for `POST /ath/token`, when the user consented.
            state (str | Unset): The agent's `state`, echoed.
            error (str | Unset): The OAuth error, when consent did not succeed.
            success (ConsentCompletionSuccess | Unset): Echoed from gateways that follow the public reference.
    """

    status: ConsentCompletionStatus
    session_id: str | Unset = UNSET
    code: str | Unset = UNSET
    state: str | Unset = UNSET
    error: str | Unset = UNSET
    success: ConsentCompletionSuccess | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        session_id = self.session_id

        code = self.code

        state = self.state

        error = self.error

        success: str | Unset = UNSET
        if not isinstance(self.success, Unset):
            success = self.success.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if code is not UNSET:
            field_dict["code"] = code
        if state is not UNSET:
            field_dict["state"] = state
        if error is not UNSET:
            field_dict["error"] = error
        if success is not UNSET:
            field_dict["success"] = success

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"ConsentCompletion is {type(src_dict).__name__}, expected an object")
        d = dict(src_dict)
        status = ConsentCompletionStatus(d.pop("status"))

        session_id = d.pop("session_id", UNSET)
        if not isinstance(session_id, Unset) and not (isinstance(session_id, str)):
            raise TypeError(f"session_id is {type(session_id).__name__}, expected str")

        code = d.pop("code", UNSET)
        if not isinstance(code, Unset) and not (isinstance(code, str)):
            raise TypeError(f"code is {type(code).__name__}, expected str")

        state = d.pop("state", UNSET)
        if not isinstance(state, Unset) and not (isinstance(state, str)):
            raise TypeError(f"state is {type(state).__name__}, expected str")

        error = d.pop("error", UNSET)
        if not isinstance(error, Unset) and not (isinstance(error, str)):
            raise TypeError(f"error is {type(error).__name__}, expected str")

        _success = d.pop("success", UNSET)
        success: ConsentCompletionSuccess | Unset
        if isinstance(_success, Unset):
            success = UNSET
        else:
            success = ConsentCompletionSuccess(_success)

        consent_completion = cls(
            status=status,
            session_id=session_id,
            code=code,
            state=state,
            error=error,
            success=success,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional = prop_dict

            additional_properties[prop_name] = additional

        consent_completion.additional_properties = additional_properties
        return consent_completion

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
