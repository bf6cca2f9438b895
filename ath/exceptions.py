"""The exception of ath-sdk, at its ath-sdk 0.1.0 location (``from ath.exceptions import
ATHError``); the same class as :class:`ath.ATHError`."""

from ath._errors import ATHError, ATHErrorCode

__all__ = ["ATHError", "ATHErrorCode"]
