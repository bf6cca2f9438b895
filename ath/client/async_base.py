"""ath-sdk 0.1.0 location of ``AsyncATHClientBase``; import from :mod:`ath` instead."""

from ath.client import AsyncATHClientBase

__all__ = ["AsyncATHClientBase"]
