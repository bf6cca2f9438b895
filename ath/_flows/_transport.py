"""The ground every flow stands on: the core's state, the wire and the store.

:class:`CoreBase` holds what one agent talking to one gateway or service needs (the
signer, the HTTP client, the retry policy, :class:`ath._state.ClientState`), sends
requests with the retry policy (:meth:`CoreBase.send`), runs blocking store work
through the driver (:meth:`CoreBase.blocking`) and redacts every secret from an error
leaving a flow (:meth:`CoreBase.guard`). The flows themselves live beside it, one
module per job.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from ath._attestation import AttestationSigner
from ath._errormap import error_from_response, transport_error
from ath._errors import ATHError
from ath._models import (
    Authorization,
    Token,
)
from ath._redaction import redact, request_secrets, scrub
from ath._retry import RetryPolicy
from ath._state import ClientState
from ath._steps import Call, Flow, Outcome, Raised, Returned, Send, Sleep

if TYPE_CHECKING:
    from ath._client import ClientSettings
    from ath._generated import Request
    from ath.stores._model import CredentialStore

__all__ = ["CoreBase"]

log = logging.getLogger("ath")

T = TypeVar("T")


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per URL: the endpoints of a client are few, and
    parsing is half the cost of building a request (``httpx.URL`` is immutable)."""
    return httpx.URL(url)


class CoreBase:
    """The state, transport and store plumbing shared by every flow."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        mode: str,
        base_url: str,
        signer: AttestationSigner,
        http: httpx.Client | httpx.AsyncClient,
        retry: RetryPolicy,
        store: CredentialStore | None,
    ) -> None:
        """``settings``: the constructor's options, held here once and read where needed;
        the rest is what the shell built from them (``base_url`` is ``settings.url``
        normalised, ``retry`` and ``store`` checked)."""
        self.settings = settings
        self.mode = mode
        self.base_url = base_url
        self.signer = signer
        self.http = http
        self.retry = retry
        self.state = ClientState(
            base_url=base_url,
            agent_id=signer.agent_id,
            mode=mode,
            store=store,
            refresh_interval=float(settings.store_refresh_interval),
        )
        #: Seconds one attempt may take, and all attempts of one call with their pauses
        #: (set by the shells from ``timeout``, ``max_retries`` and ``total_timeout``).
        self.attempt_timeout: float | None = None
        self.total_timeout: float | None = None
        #: The SDK's own headers (User-Agent, Accept, Accept-Encoding and the user's
        #: ``headers=``), set by the shells. A client the SDK built carries them already;
        #: an injected ``http_client`` is left as given and they are added per request.
        self.sdk_headers: httpx.Headers | None = None

    @property
    def agent_id(self) -> str:
        return self.signer.agent_id

    @property
    def allow_insecure_http(self) -> bool:
        return self.settings.allow_insecure_http

    @property
    def max_response_bytes(self) -> int:
        return self.settings.max_response_bytes

    # Views of :attr:`state` under the names the flows use.

    @property
    def _lock(self) -> Any:
        return self.state.lock

    @property
    def client_id(self) -> str | None:
        return self.state.client_id

    @property
    def client_secret(self) -> str | None:
        return self.state.client_secret

    @property
    def agent_status(self) -> str | None:
        return self.state.agent_status

    @agent_status.setter
    def agent_status(self, value: str | None) -> None:
        self.state.agent_status = value

    @property
    def api_base(self) -> str | None:
        return self.state.api_base

    @api_base.setter
    def api_base(self, value: str | None) -> None:
        self.state.api_base = value

    @property
    def oauth_endpoints(self) -> tuple[str, str] | None:
        return self.state.oauth_endpoints

    @oauth_endpoints.setter
    def oauth_endpoints(self, value: tuple[str, str] | None) -> None:
        self.state.oauth_endpoints = value

    @property
    def tokens(self) -> dict[str, Token]:
        return self.state.tokens

    @property
    def sessions(self) -> dict[str, Authorization]:
        return self.state.sessions

    # ---------------------------------------------------------------- the store

    def blocking(self, fn: Callable[[], T]) -> Flow[T]:
        """Run ``fn`` through the driver (in a thread for the async clients)."""
        outcome = yield Call(fn)
        assert isinstance(outcome, Returned | Raised), "a Call is answered with its outcome"
        if isinstance(outcome, Raised):
            error = outcome.error
            if isinstance(error, ATHError):
                raise error
            raise ATHError(
                "STORE_UNAVAILABLE",
                f"the credential store failed ({type(error).__name__}: {error}); nothing "
                "acknowledged was lost. Check the store, then retry.",
            ) from None
        return cast(T, outcome.value)  # what ``fn`` returned

    def _refresh(self, *, force: bool) -> Flow[None]:
        """Adopt the store's entry if it moved. A periodic check that finds the store
        unreachable keeps the local copy (logged); a forced one raises."""
        try:
            yield from self.blocking(lambda: self.state.refresh(force=force))
        except ATHError as exc:
            if force or not exc.code.startswith("STORE_"):
                raise
            log.warning("ATH credential store check failed, using the local copy: %s", exc)

    def _share(self, fn: Callable[[], None], what: str) -> Flow[None]:
        """A store write whose failure must not hide the protocol outcome (logged)."""
        try:
            yield from self.blocking(fn)
        except ATHError as exc:
            log.warning("ATH credential store: could not %s: %s", what, exc)

    def guard(self, flow: Flow[T]) -> Flow[T]:
        """``flow`` as the shells drive it: an ATHError leaving it carries no secret.

        Every credential the client holds, and every one the flow put on the wire
        (attestations, Basic credentials, secret body fields), is redacted from the
        error's message and details, and the exception chain (which may quote the
        server's answer) is cut. This is the one place secrets are gathered and
        removed: the flows build their errors from the server's answer as it came.
        """
        sent: list[httpx.Request] = []  # inspected only when an error leaves the flow
        try:
            step = next(flow)
            while True:
                if isinstance(step, Send):
                    sent.append(step.request)
                step = flow.send((yield step))
        except StopIteration as done:
            result: T = done.value
            return result
        except ATHError as exc:
            exc.__cause__ = exc.__context__ = None  # first: nothing unredacted stays linked
            secrets = (*self.state.secrets(), *(s for r in sent for s in request_secrets(r)))
            exc.message = redact(exc.message, secrets)
            exc.args = (exc.code, exc.message)
            exc.details = scrub(exc.details, secrets)
            del secrets, sent
            raise

    # ---------------------------------------------------------------- transport

    def send(self, request: httpx.Request, *, idempotent: bool) -> Flow[httpx.Response]:
        """Send with the retry policy; transport faults become ATHError."""
        attempt = 0
        total = self.total_timeout
        call_deadline = None if total is None else time.monotonic() + total
        while True:
            started = time.perf_counter()
            deadline = call_deadline
            if self.attempt_timeout is not None:
                own = time.monotonic() + self.attempt_timeout
                deadline = own if deadline is None else min(own, deadline)
            outcome = yield Send(request, deadline)
            assert isinstance(outcome, Outcome), "a Send is answered with its outcome"
            if log.isEnabledFor(logging.DEBUG):
                result = (
                    outcome.status_code
                    if isinstance(outcome, httpx.Response)
                    else type(outcome).__name__
                )
                log.debug(
                    "%s %s -> %s (%.1f ms, attempt %d)",
                    request.method,
                    request.url.copy_with(query=None),
                    result,
                    (time.perf_counter() - started) * 1000,
                    attempt + 1,
                )
            if isinstance(outcome, ATHError):
                raise outcome
            delay = self.retry.delay_for(attempt, outcome, idempotent=idempotent)
            if delay is None:
                break
            if call_deadline is not None and time.monotonic() + delay >= call_deadline:
                break  # no time left for another attempt: report this one
            attempt += 1
            yield Sleep(delay)
        if isinstance(outcome, BaseException):
            raise transport_error(outcome, request) from None
        return outcome

    def build_request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        json: Any = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """The request ``http.build_request`` would build for an absolute ``url``,
        without its per-call merging of what the SDK never sets (base URL, client
        params, cookies when there are none): the client's headers, the SDK's, then
        ``headers``; the client's timeout; its cookies, if it holds any."""
        http = self.http
        if isinstance(url, str):
            url = _parsed_url(url)
        merged = httpx.Headers(http.headers)  # a Headers copies its list as it is
        if self.sdk_headers is not None:
            merged.update(self.sdk_headers)
        if headers:
            merged.update(headers)
        if http.params:
            params = http.params.merge(params)
        request = httpx.Request(
            method,
            url,
            json=json,
            content=content,
            data=data,
            params=params,
            headers=merged,
            extensions={"timeout": http.timeout.as_dict()},
        )
        if len(http.cookies.jar):
            httpx.Cookies(http.cookies).set_cookie_header(request)
        return request

    def _request(
        self, request: Request, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """The httpx request for a generated operation's neutral request description
        (its ``build_request``): the one place the flows' ATH requests meet httpx.
        ``headers`` (credentials) are added to the operation's own."""
        merged = dict(request.headers)
        if headers:
            merged.update(headers)
        try:
            return self.build_request(
                request.method,
                self.base_url + request.url,
                json=request.json,
                content=request.content,
                params=request.params or None,
                headers=merged,
            )
        except (TypeError, ValueError, RecursionError, httpx.InvalidURL) as exc:
            # an encoding error's args carry the whole body: never let it out
            raise ATHError(
                "INVALID_ARGUMENT",
                f"cannot build the request to {request.url} ({type(exc).__name__}); "
                "check that every string argument is valid Unicode.",
            ) from None

    def _call(
        self,
        request: Request,
        action: str,
        *,
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
    ) -> Flow[httpx.Response]:
        response = yield from self.send(
            self._request(request, headers=headers), idempotent=idempotent
        )
        if not response.is_success:
            raise error_from_response(response, action)
        return response

    def _credentials(self) -> Flow[tuple[str, str]]:
        """The client credentials; with a store, a client that holds none yet (a new
        process of the fleet) first reads the registration another one stored."""
        if self.state.store is not None and not self.state.registered():
            yield from self._refresh(force=True)
        return self.state.credentials()
