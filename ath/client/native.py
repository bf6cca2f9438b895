"""ath-sdk 0.1.0 location of ``ATHNativeClient``; import from :mod:`ath` instead."""

from ath.client import ATHNativeClient

__all__ = ["ATHNativeClient"]
