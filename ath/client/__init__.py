"""The ath-sdk 0.1.0 module layout of the clients, kept for code written for 0.1.0.

Import the clients from :mod:`ath` instead; importing this package (or one of its
modules: ``base``, ``gateway``, ``native``, ``async_base``, ``async_gateway``,
``async_native``) emits a ``DeprecationWarning``. The classes are the same objects
as ``ath.ATHGatewayClient`` and so on.
"""

import warnings

from ath._client import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHGatewayClient,
    ATHNativeClient,
)
from ath._compat import AsyncATHClientBase, ATHClientBase, ATHClientConfig

warnings.warn(
    "ath.client is the ath-sdk 0.1.0 module layout; import the clients from ath "
    "(from ath import ATHGatewayClient, ...)",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "ATHClientBase",
    "ATHClientConfig",
    "ATHGatewayClient",
    "ATHNativeClient",
    "AsyncATHClientBase",
    "AsyncATHGatewayClient",
    "AsyncATHNativeClient",
]
