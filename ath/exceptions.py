"""The exceptions of ath-sdk, at their ath-sdk 0.1.0 location (``from ath.exceptions import
ATHError``); the same classes as :class:`ath.ATHError` and its subclasses by fault."""

from ath._errors import (
    ATHClientError,
    ATHError,
    ATHErrorCode,
    ATHServerError,
    ATHTimeoutError,
    ATHTransportError,
)

__all__ = [
    "ATHClientError",
    "ATHError",
    "ATHErrorCode",
    "ATHServerError",
    "ATHTimeoutError",
    "ATHTransportError",
]
