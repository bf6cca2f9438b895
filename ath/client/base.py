"""ath-sdk 0.1.0 location of ``ATHClientBase, ATHClientConfig``; import from :mod:`ath` instead."""

from ath.client import ATHClientBase, ATHClientConfig

__all__ = ["ATHClientBase", "ATHClientConfig"]
