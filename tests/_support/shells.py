"""One test body for both shells: a sync or an async client called the same way.

``call(client, name, ...)`` and ``close(client)`` await what an async client returns and
take a sync client's result as it is; ``Either`` wraps a client so that every method of it
is awaited that way (the ``make_client`` fixture of ``tests/conftest.py`` hands those out);
``client_class`` picks the class of a mode and a shell. The one place the suites bridge the
two shells.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHGatewayClient,
    ATHNativeClient,
)

__all__ = [
    "TRANSPORT_SHELLS",
    "Either",
    "MakeClient",
    "call",
    "client_class",
    "close",
    "settle",
]


#: The shells a transport-level suite runs over: the async clients twice, on each engine.
TRANSPORT_SHELLS = ("sync", "async", "aiohttp")


def client_class(mode: str, shell: str) -> Any:
    """The client class of ``mode`` (``"gateway"`` or ``"native"``) in ``shell``:
    ``"aiohttp"`` is the async class on the aiohttp engine (``http="aiohttp"``)."""
    if shell == "aiohttp":
        return functools.partial(client_class(mode, "async"), http="aiohttp")
    if mode == "gateway":
        return AsyncATHGatewayClient if shell == "async" else ATHGatewayClient
    return AsyncATHNativeClient if shell == "async" else ATHNativeClient


async def settle(result: Any) -> Any:
    """``result`` awaited if an async client returned it, as it is otherwise."""
    if inspect.isawaitable(result):
        result = await result
    return result


async def call(client: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call a method of a sync or an async client the same way."""
    return await settle(getattr(client, name)(*args, **kwargs))


async def close(client: Any) -> None:
    await settle(client.close())


class Either:
    """A sync or an async client whose methods are all awaited, so one test body covers both
    shells; attributes that are not methods are read as they are."""

    def __init__(self, client: Any, is_async: bool) -> None:
        self.client = client
        self.is_async = is_async

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if not callable(attr):
            return attr

        async def bound(*args: Any, **kwargs: Any) -> Any:
            return await settle(attr(*args, **kwargs))

        return bound


#: ``make_client(mode="gateway"|"native", **kwargs)``: the ``make_client`` fixture's type.
MakeClient = Callable[..., Either]
