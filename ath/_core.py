"""The protocol core: every ATH exchange, written once, free of I/O.

:class:`ClientCore` is the one object the sync and async shells (``ath._client``)
drive. It is assembled from the flows in :mod:`ath._flows`, one class per job; the
steps its generators yield are in :mod:`ath._steps`.

Requests to ATH endpoints are built by the generated client (``ath_sdk_client``,
from ``spec/openapi.yaml``) and answers are parsed with its models; only the proxy
and native API calls, which OpenAPI cannot describe (a path with slashes, any
method), are built by hand (``ath._flows._calls``).
"""

from __future__ import annotations

from ath._flows._authorization import AuthorizationFlows
from ath._flows._calls import CallFlows

__all__ = ["ClientCore"]


class ClientCore(AuthorizationFlows, CallFlows):
    """The protocol flows of one agent talking to one gateway or service; what the
    client holds lives beside it, in :attr:`state` (:class:`ath._state.ClientState`)."""
