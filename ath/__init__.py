"""ath-sdk: the Python SDK for the Agent Trust Handshake (ATH) protocol v0.1."""

__version__ = "0.2.0"
