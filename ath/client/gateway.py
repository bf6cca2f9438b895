"""ath-sdk 0.1.0 location of ``ATHGatewayClient``; import from :mod:`ath` instead."""

from ath.client import ATHGatewayClient

__all__ = ["ATHGatewayClient"]
