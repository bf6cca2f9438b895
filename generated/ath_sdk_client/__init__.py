"""A client library for accessing Agent Trust Handshake (ATH) API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
