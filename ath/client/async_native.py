"""ath-sdk 0.1.0 location of ``AsyncATHNativeClient``; import from :mod:`ath` instead."""

from ath.client import AsyncATHNativeClient

__all__ = ["AsyncATHNativeClient"]
