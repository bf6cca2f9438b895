"""The ground every flow stands on: sending with the retry policy, the store plumbing,
and the secret guard.

Generator functions over :class:`ath._core.Core`: :func:`send` puts a request on the
wire with the retry policy, :func:`blocking` runs blocking store work through the
driver, and :func:`guard` redacts every secret from an error leaving a flow. The
protocol steps themselves live beside this module, one module per step.
"""

from __future__ import annotations

import functools
import json as jsonlib
import logging
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import httpx2

from ath._core import BodilessKey, Core, HeadersMemo
from ath._errormap import error_from_response, transport_error
from ath._errors import ATHClientError, ATHError
from ath._frames import seal
from ath._redaction import redacted, request_secrets
from ath._steps import Call, Flow, Outcome, Raised, Returned, Send, Sleep
from ath._wire import header_logging

if TYPE_CHECKING:
    from ath._generated import Request

__all__ = [
    "blocking",
    "build_request",
    "call",
    "credentials",
    "generated_request",
    "guard",
    "logged",
    "refresh",
    "send",
    "share",
]

log = logging.getLogger("ath")
_JSON: Final = b"application/json"

T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx2.URL:
    """``httpx2.URL(url)``, parsed once per URL: the endpoints of a client are few, and
    parsing is half the cost of building a request (``httpx2.URL`` is immutable)."""
    return httpx2.URL(url)


# --------------------------------------------------------------------------- the store


def blocking(
    core: Core, fn: Callable[[], T], afn: Callable[[], Awaitable[object]] | None = None
) -> Flow[T]:
    """Run ``fn`` through the driver (in a thread for the async clients, which await
    ``afn`` instead when there is one: a store with an async client)."""
    outcome = yield Call(fn, afn)
    assert isinstance(outcome, Returned | Raised), "a Call is answered with its outcome"
    if isinstance(outcome, Raised):
        error = outcome.error
        if isinstance(error, ATHError):
            raise error
        raise ATHClientError(
            "STORE_UNAVAILABLE",
            f"the credential store failed ({type(error).__name__}: {error}); nothing "
            "acknowledged was lost. Check the store, then retry.",
        ) from None
    return cast(T, outcome.value)  # what ``fn`` returned


def refresh(core: Core, *, force: bool) -> Flow[None]:
    """Adopt the store's entry if it moved. A periodic check that finds the store
    unreachable keeps the local copy (logged); a forced one raises."""
    try:
        yield from blocking(core, *core.state.refresh_calls(core.user, force=force))
    except ATHError as exc:
        if force or exc.code == "STORE_MODE_MISMATCH" or not exc.code.startswith("STORE_"):
            raise
        log.warning("ATH credential store check failed, using the local copy: %s", logged(exc))


def share(
    core: Core,
    fn: Callable[[], object],
    what: str,
    afn: Callable[[], Awaitable[object]] | None = None,
) -> Flow[None]:
    """A store write whose failure must not hide the protocol outcome (logged)."""
    try:
        yield from blocking(core, fn, afn)
    except ATHError as exc:
        log.warning("ATH credential store: could not %s: %s", what, logged(exc))


def logged(exc: BaseException) -> str:
    """What a log record says of ``exc``, an error the flow goes on after: its text
    only. The exception itself stays out of the record (handlers keep records, and
    error reporters render an exception's frames), and its frames are cleared now: it
    never leaves a sealed entry point (:mod:`ath._frames`) that would clear them."""
    seal(exc)
    return str(exc)


def guard(core: Core, flow: Generator[S, R, T]) -> Generator[S, R, T]:
    """``flow`` as the shells drive it: an ATHError leaving it carries no secret.

    Every credential the client holds, and every one the flow put on the wire
    (attestations, Basic credentials, secret body fields), is redacted from the
    error's message, details and headers, and the exception chain (which may quote the
    server's answer) is cut: a redacted copy of the same class is raised instead. This
    is the one place secrets are gathered and removed: the flows build their errors
    from the server's answer as it came.
    """
    sent: list[httpx2.Request] = []  # inspected only when an error leaves the flow
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
        secrets = (
            *core.state.secrets(core.user),
            *(s for r in sent for s in request_secrets(r)),
        )
        clean = redacted(exc, secrets).with_traceback(exc.__traceback__)
        del secrets, sent, exc
    raise clean  # outside ``except``: the unredacted error is not linked as its context


# --------------------------------------------------------------------------- transport


def send(core: Core, request: httpx2.Request, *, idempotent: bool) -> Flow[httpx2.Response]:
    """Send with the retry policy; transport faults become ATHError."""
    attempt = 0
    config = core.config
    total = config.total_timeout
    call_deadline = None if total is None else time.monotonic() + total
    while True:
        deadline = call_deadline
        if config.attempt_timeout is not None:
            own = time.monotonic() + config.attempt_timeout
            deadline = own if deadline is None else min(own, deadline)
        outcome = yield Send(request, deadline, attempt + 1)
        assert isinstance(outcome, Outcome), "a Send is answered with its outcome"
        if isinstance(outcome, ATHError):
            raise outcome
        delay = config.retry.delay_for(attempt, outcome, idempotent=idempotent)
        if delay is None:
            break
        if call_deadline is not None and time.monotonic() + delay >= call_deadline:
            break  # no time left for another attempt: report this one
        attempt += 1
        yield Sleep(delay)
    if isinstance(outcome, BaseException):
        raise transport_error(outcome, request) from None
    return outcome


def _pairs(headers: Mapping[str, str] | httpx2.Headers) -> list[tuple[bytes, bytes]]:
    # a dict (what the flows pass) is told apart without asking the Headers ABC
    if type(headers) is not dict and isinstance(headers, httpx2.Headers):
        return headers.raw
    # as httpx2.Headers encodes them (a name or value that is not ASCII: a ValueError)
    return [(k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()]


def _merged(
    base: list[tuple[bytes, bytes]],
    extra: httpx2.Headers | None,
    headers: Mapping[str, str] | None,
) -> list[tuple[bytes, bytes]]:
    """``base`` (the client's headers, raw) updated with ``extra``, then ``headers``, as
    ``httpx2.Headers.update`` does (a name given replaces every header of that name,
    whatever its case), built as one list of raw pairs rather than through two Headers
    copies."""
    merged = base
    for layer in (extra, headers):
        if layer:
            pairs = _pairs(layer)
            names = {k.lower() for k, _ in pairs}
            merged = [(k, v) for k, v in merged if k.lower() not in names]
            merged += pairs
    return merged


_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "QUERY"})
#: httpx2's ``json=`` encoding (``json.dumps(ensure_ascii=False, separators=(",", ":"),
#: allow_nan=False)``), its encoder built once rather than per request
_BODY_JSON: Final = jsonlib.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_C_ENCODER: Final = getattr(jsonlib.encoder, "c_make_encoder", None)


def _json_body(value: Any) -> bytes:
    """``_BODY_JSON.encode(value)`` as UTF-8: the C encoder ``encode`` would make (with a
    fresh circular-reference memo, as ``encode`` gives it) called directly, without the
    two Python layers ``encode`` goes through to reach it."""
    if _C_ENCODER is None or isinstance(value, str):
        return _BODY_JSON.encode(value).encode("utf-8")
    encode = _C_ENCODER(
        {},
        _BODY_JSON.default,
        jsonlib.encoder.encode_basestring,
        None,
        ":",
        ",",
        False,  # sort_keys
        False,  # skipkeys
        False,  # allow_nan
    )
    return "".join(encode(value, 0)).encode("utf-8")


def plain_request(
    method: str,
    url: httpx2.URL,
    headers: list[tuple[bytes, bytes]],
    json: Any,
    content: bytes | None,
    extensions: dict[str, Any],
    memo: HeadersMemo | None = None,
) -> httpx2.Request:
    """The request ``httpx2.Request(method, url, headers=..., json=... or content=...)``
    builds, byte for byte (the same body encoding, the same headers in the same order:
    ``Host`` and a bodiless POST's ``Content-Length: 0`` first, the body's
    ``Content-Length`` and ``Content-Type`` last unless given), built through
    ``Request(stream=...)``, which skips the generic encoding and header preparation
    (most of what a request costs). ``tests/transport/test_plain_request.py`` holds
    the two constructions equal. ``memo``: the client's last request headers, reused
    when this request's are the same (encoding headers into ``httpx2.Headers`` and
    the allocations it makes are a large part of a request's cost under load)."""
    data = _json_body(json) if json is not None else content or b""
    names = {k.lower() for k, _ in headers}
    framed = b"content-length" in names or b"transfer-encoding" in names
    tail: list[tuple[bytes, bytes]] = []
    if data and not framed:  # (JSON text is never empty)
        tail.append((b"Content-Length", str(len(data)).encode()))
    if json is not None and b"content-type" not in names:
        tail.append((b"Content-Type", _JSON))
    head: list[tuple[bytes, bytes]] = []
    if b"host" not in names and url.host:
        head.append((b"Host", url.netloc))
    if not (framed or data) and method.upper() in _BODY_METHODS:
        head.append((b"Content-Length", b"0"))
    pairs = (*head, *headers, *tail)
    last = None if memo is None else memo.last
    if last is not None and last[0] == pairs:
        built = last[1]  # the same headers as the last request: copied, not re-encoded
    else:
        built = httpx2.Headers(pairs)
        if memo is not None:
            memo.last = (pairs, built)
    return _read_request(method, url, built, data, extensions)


def _read_request(
    method: str,
    url: httpx2.URL,
    headers: httpx2.Headers,
    data: bytes,
    extensions: dict[str, Any],
) -> httpx2.Request:
    """``httpx2.Request`` with its body given as read (``headers`` copied by the request:
    a memo's ``Headers`` passed here is never changed)."""
    request = httpx2.Request(
        method, url, headers=headers, stream=httpx2.ByteStream(data), extensions=extensions
    )
    request.read()
    return request


#: The header that differs between a client's users (and tokens) on the same call.
_AUTH: Final = "Authorization"


def _bodiless(
    core: Core,
    method: str,
    url: str | httpx2.URL,
    headers: Mapping[str, str] | None,
    extensions: dict[str, Any],
) -> httpx2.Request:
    """:func:`plain_request` for a request without a body or query parameters to merge,
    its headers taken from the client's last such request when they were built from
    the same method, URL, flow headers and client headers (a client's calls mostly
    are: merging and encoding them again is a large part of a call's cost). When only
    the ``Authorization`` value differs (another user's or a new token), the last
    headers are copied with that value replaced, in its place."""
    memo = core.memo
    base = core.http.headers.raw
    auth = None
    rest = headers
    if headers is not None and _AUTH in headers:
        auth = headers[_AUTH]
        rest = {k: v for k, v in headers.items() if k != _AUTH}
    key: BodilessKey = (method, url, rest, core.extra_headers, auth is None)
    last = memo.bodiless
    parsed = _parsed_url(url) if isinstance(url, str) else url
    if last[0] == key and last[1] == base:
        built = last[2]
        if auth is not None and auth != last[3]:
            auth.encode("ascii")  # a value a full build refuses (ValueError) is refused here
            built = httpx2.Headers(built)
            built[_AUTH] = auth  # replaced where it was: the order a full build gives
            memo.bodiless = (last[0], base, built, auth)
        return _read_request(method, parsed, built, b"", extensions)
    merged = _merged(base, core.extra_headers, headers)
    request = plain_request(method, parsed, merged, None, None, extensions)
    # the flow's headers as they are now: a caller changing its mapping afterwards
    # must not make a later call match what was built from the old content
    kept: BodilessKey = (method, url, None if rest is None else dict(rest), key[3], key[4])
    memo.bodiless = (kept, base, httpx2.Headers(request.headers), auth)
    return request


def build_request(
    core: Core,
    method: str,
    url: str | httpx2.URL,
    *,
    json: Any = None,
    content: bytes | None = None,
    data: Mapping[str, str] | None = None,
    params: Any = None,
    headers: Mapping[str, str] | None = None,
) -> httpx2.Request:
    """The request ``http.build_request`` would build for an absolute ``url``,
    without its per-call merging of what the SDK never sets (base URL, client
    params, cookies when there are none): the client's headers, the SDK's, then
    ``headers``; the client's timeout; its cookies, if it holds any."""
    http = core.http
    # httpx2.Request copies the extensions it is given: the core's dict is never shared
    extensions = core.traced if header_logging() else core.extensions
    if data is None and params is None and json is None and not content and not http.params:
        request = _bodiless(core, method, url, headers, extensions)
    else:
        request = _with_body(core, method, url, json, content, data, params, headers, extensions)
    if not core.owns_http and len(http.cookies.jar):  # an injected client's cookies
        httpx2.Cookies(http.cookies).set_cookie_header(request)
    return request


def _with_body(
    core: Core,
    method: str,
    url: str | httpx2.URL,
    json: Any,
    content: bytes | None,
    data: Mapping[str, str] | None,
    params: Any,
    headers: Mapping[str, str] | None,
    extensions: dict[str, Any],
) -> httpx2.Request:
    """:func:`build_request` for a request with a body or query parameters."""
    http = core.http
    if isinstance(url, str):
        url = _parsed_url(url)
    merged = _merged(http.headers.raw, core.extra_headers, headers)
    if http.params:
        params = http.params.merge(params)
    if data is None and params is None and isinstance(content, bytes | None):
        return plain_request(method, url, merged, json, content, extensions, core.memo)
    return httpx2.Request(
        method,
        url,
        json=json,
        content=content,
        data=data,
        params=params,
        headers=merged,
        extensions=extensions,
    )


def generated_request(
    core: Core, request: Request, *, headers: Mapping[str, str] | None = None
) -> httpx2.Request:
    """The httpx2 request for a generated operation's neutral request description
    (its ``build_request``): the one place the flows' ATH requests meet httpx2.
    ``headers`` (credentials) are added to the operation's own."""
    merged = {**request.headers, **headers} if headers else request.headers  # never changed
    try:
        return build_request(
            core,
            request.method,
            core.config.base_url + request.url,
            json=request.json,
            content=request.content,
            params=request.params or None,
            headers=merged,
        )
    except (TypeError, ValueError, RecursionError, httpx2.InvalidURL) as exc:
        # an encoding error's args carry the whole body: never let it out
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"cannot build the request to {request.url} ({type(exc).__name__}); "
            "check that every string argument is valid Unicode.",
        ) from None


def call(
    core: Core,
    request: Request,
    action: str,
    *,
    idempotent: bool,
    headers: Mapping[str, str] | None = None,
) -> Flow[httpx2.Response]:
    response = yield from send(
        core, generated_request(core, request, headers=headers), idempotent=idempotent
    )
    if not 200 <= response.status_code < 300:  # is_success, without its status-code lookup
        raise error_from_response(response, action)
    return response


def credentials(core: Core) -> Flow[tuple[str, str]]:
    """The client credentials; with a store, a client that holds none yet (a new
    process of the fleet) first reads the registration another one stored."""
    if core.state.store is not None and not core.state.registered():
        yield from refresh(core, force=True)
    return core.state.credentials()
