"""The protocol core's one object: what one agent talking to one gateway or service holds.

:class:`Core` joins the resolved configuration (:class:`ath._config.Config`), the
signer, the state (:class:`ath._state.ClientState`: registration, tokens, pending
authorizations, what discovery learnt) and the HTTP client the requests are built
for, and the user the flows act for (:meth:`Core.for_user`: a key into the state).
It does no I/O: the flows of :mod:`ath._flows` are generator functions over it,
one module per protocol step, and the drivers of :mod:`ath._drivers` put the
requests they yield on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2

from ath._config import Config
from ath._keyring import KeyRing
from ath._otel import OTel, for_client
from ath._state import DEFAULT_USER, ClientState
from ath._wire import aquiet_trace, quiet_trace

__all__ = ["Core"]


#: What a bodiless request's headers were built from: its method and URL, the headers
#: the flow gave but ``Authorization``, the client's extra headers, and whether the flow
#: gave no ``Authorization``.
BodilessKey = tuple[str, str | httpx2.URL, Mapping[str, str] | None, httpx2.Headers | None, bool]


class HeadersMemo:
    """The headers of a client's last plain request, and of its last bodiless one with
    what they were built from (one entry each: they hold no more credentials than those
    requests carried). Each entry is replaced whole, never changed in place: threads
    sharing a client each read a consistent entry, and the ``httpx2.Headers`` kept are
    copied by every request built from them, never handed out."""

    __slots__ = ("bodiless", "last")

    def __init__(self) -> None:
        self.last: tuple[tuple[tuple[bytes, bytes], ...], httpx2.Headers] = ((), httpx2.Headers())
        #: (what they were built from, the client's headers (raw), the headers, the
        #: ``Authorization`` value they carry)
        self.bodiless: tuple[
            BodilessKey | None, list[tuple[bytes, bytes]], httpx2.Headers, str | None
        ] = (None, [], httpx2.Headers(), None)


class Core:
    """The session of one agent with one gateway or service (no I/O)."""

    __slots__ = (
        "config",
        "extensions",
        "extra_headers",
        "http",
        "memo",
        "otel",
        "owns_http",
        "signer",
        "state",
        "traced",
        "user",
    )

    def __init__(
        self,
        config: Config,
        signer: KeyRing,
        http: httpx2.Client | httpx2.AsyncClient,
        *,
        owns_http: bool,
    ) -> None:
        """``http``: the client the requests are built for (its headers, params and
        cookies are merged as ``http.build_request`` would); ``owns_http``: whether the
        SDK made it (then it carries the SDK's headers and timeout already)."""
        self.config = config
        self.signer = signer
        self.http = http
        #: The SDK made ``http``: its cookie jar's policy keeps and sends no cookie
        #: (:func:`ath._wire.http_client`), so requests skip the cookie step.
        self.owns_http = owns_http
        self.state = ClientState(
            base_url=config.base_url,
            agent_id=signer.agent_id,
            mode=config.mode,
            store=config.store,
            refresh_interval=config.store_refresh_interval,
        )
        #: The SDK's headers, added per request to an injected client's own (None: the
        #: SDK's own client carries them).
        self.extra_headers: httpx2.Headers | None = (
            None if owns_http else httpx2.Headers(dict(config.headers))
        )
        timeout = config.request_timeout if config.request_timeout is not None else http.timeout
        #: The extensions of every request: the timeout (``timeout=``, else the client's
        #: own), and, while httpcore2 logs answers' headers, the hook that keeps what the
        #: server sent out of those records (:func:`ath._wire.quiet_trace`).
        self.extensions: dict[str, Any] = {"timeout": timeout.as_dict()}
        #: OpenTelemetry, if the application set a tracer or meter provider before this
        #: client was built (decided once: None costs nothing per call).
        self.otel: OTel | None = for_client()
        self.traced: dict[str, Any] = {
            **self.extensions,
            "trace": aquiet_trace if isinstance(http, httpx2.AsyncClient) else quiet_trace,
        }
        #: Whose tokens and pending authorizations the flows use (a key of
        #: ``state.users``; ``""``: the default user).
        self.user = DEFAULT_USER
        #: The last plain request's headers (:func:`ath._flows._transport.plain_request`).
        self.memo = HeadersMemo()

    def for_user(self, user: str) -> Core:
        """The same session acting for ``user`` (everything shared but the user key)."""
        view = object.__new__(Core)
        for name in Core.__slots__:
            setattr(view, name, getattr(self, name))
        view.user = user
        return view
