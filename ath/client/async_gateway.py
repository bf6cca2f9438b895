"""ath-sdk 0.1.0 location of ``AsyncATHGatewayClient``; import from :mod:`ath` instead."""

from ath.client import AsyncATHGatewayClient

__all__ = ["AsyncATHGatewayClient"]
