"""The ath-sdk 0.1.0 module layout of the clients, kept for code written for 0.1.0.

Import the clients from :mod:`ath` instead; importing this package (or one of its
modules: ``base``, ``gateway``, ``native``, ``async_base``, ``async_gateway``,
``async_native``) emits a ``DeprecationWarning``. The names are resolved on first access
by :func:`ath._compat.resolve` from ``ath._compat.NAMES_010["ath.client"]``: the classes
are the same objects as ``ath.ATHGatewayClient`` and so on.
"""

import warnings
from typing import TYPE_CHECKING, Any

from ath._compat import resolve

if TYPE_CHECKING:  # from where ath._compat.NAMES_010["ath.client"] says they live
    from ath._client import (
        AsyncATHGatewayClient,
        AsyncATHNativeClient,
        ATHGatewayClient,
        ATHNativeClient,
    )
    from ath._client import _AsyncBase as AsyncATHClientBase
    from ath._client import _SyncBase as ATHClientBase
    from ath._config import ClientSettings as ATHClientConfig

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


def __getattr__(name: str) -> Any:
    return resolve(name, __name__)


def __dir__() -> list[str]:
    from ath._compat import public_dir

    return public_dir(globals(), __all__)
