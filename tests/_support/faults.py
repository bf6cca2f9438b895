"""The fault catalogue and the harness that runs one public method against one fault.

Shared by the fault matrix (``test_faults.py``) and the secrets suite, which runs every
fault again with logging at DEBUG and looks for secrets in everything the SDK produced.
"""

from __future__ import annotations

import copy
import email.utils
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2

from ath import CLIENT_CODES, PROTOCOL_CODES, ATHError, RetryPolicy

from .servers import DEVELOPER, NATIVE_APP, BrokenStream, FakeATH, SwitchTransport, callback_url
from .shells import call, client_class, close

AGENT_ID = "https://agent.localhost/.well-known/agent.json"
#: Every mock request goes to this loopback URL (nothing listens: the transport answers).
MOCK_URL = "https://127.0.0.1:9"
LIMIT = 1024
FAST = RetryPolicy(max_retries=1, backoff_base=0.001, backoff_max=0.002)
TIMEOUT = httpx2.Timeout(0.15, connect=3.0)
HTTP_OR_UPSTREAM = frozenset({"HTTP_ERROR", "UPSTREAM_ERROR"})

Responder = Callable[[httpx2.Request, int, Any], httpx2.Response]


@dataclass(frozen=True)
class Fault:
    """One way a server (or the network) can misbehave."""

    name: str
    respond: Responder | None = None
    real: str | None = None  # a real loopback server: refused, tls_plain, tls_self_signed, ...
    status: int | None = None  # the status of the complete answer, if there was one
    codes: frozenset[str] = frozenset()  # the acceptable codes (empty: any documented one)
    shape: bool = False  # a 2xx answer whose body is wrong for the endpoint
    token_gone: bool = False  # the server says the token is gone
    server_code: str | None = None  # a code the server sent, to be passed through
    timeout: httpx2.Timeout | None = None  # the client's timeout, when the default would not do


def answer(
    status: int,
    content: bytes = b"",
    ctype: str | None = None,
    headers: dict[str, str] | None = None,
) -> Responder:
    def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
        all_headers = dict(headers or {})
        if ctype:
            all_headers["Content-Type"] = ctype
        return httpx2.Response(status, content=content, headers=all_headers)

    return respond


def json_body(status: int, body: Any, headers: dict[str, str] | None = None) -> Responder:
    return answer(status, json.dumps(body).encode(), "application/json", headers)


def broken(first: bytes, make_error: Callable[[], Exception]) -> Responder:
    def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
        return httpx2.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Length": "4096"},
            stream=BrokenStream(first, make_error),
        )

    return respond


def raises(make_error: Callable[[httpx2.Request], Exception]) -> Responder:
    def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
        raise make_error(request)

    return respond


HTML_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>"
)
PAST_DATE = email.utils.formatdate(time.time() - 60, usegmt=True)

BASE_FAULTS: tuple[Fault, ...] = (
    Fault("non_json_200", answer(200, b"OK, not JSON", "text/plain"), status=200, shape=True),
    Fault(
        "truncated_json_200",
        answer(200, b'{"client_id": "ab', "application/json"),
        status=200,
        shape=True,
    ),
    Fault("html_200", answer(200, HTML_502, "text/html"), status=200, shape=True),
    Fault("empty_200", answer(200), status=200, shape=True),
    Fault("empty_204", answer(204), status=204, shape=True),
    Fault("json_array_200", json_body(200, [1, 2, 3]), status=200, shape=True),
    Fault("json_string_200", json_body(200, "just a string"), status=200, shape=True),
    Fault("json_null_200", answer(200, b"null", "application/json"), status=200, shape=True),
    Fault("json_number_200", json_body(200, 42), status=200, shape=True),
    Fault("missing_all_fields_200", json_body(200, {}), status=200, shape=True),
    Fault(
        "error_body_with_200",
        json_body(200, {"code": "TOKEN_INVALID", "message": "not really"}),
        status=200,
        shape=True,
    ),
    Fault("html_502", answer(502, HTML_502, "text/html"), status=502, codes=HTTP_OR_UPSTREAM),
    Fault("empty_500", answer(500), status=500, codes=HTTP_OR_UPSTREAM),
    Fault(
        "text_500",
        answer(500, b"Internal Server Error", "text/plain"),
        status=500,
        codes=HTTP_OR_UPSTREAM,
    ),
    Fault(
        "unknown_error_code",
        json_body(400, {"code": "FROBNICATED", "message": "the frob failed"}),
        status=400,
        codes=frozenset({"FROBNICATED", "UPSTREAM_ERROR", "GATEWAY_ERROR"}),
        server_code="FROBNICATED",
    ),
    Fault(
        "error_without_code",
        json_body(400, {"message": "bad request", "details": {"field": "x"}}),
        status=400,
        codes=HTTP_OR_UPSTREAM,
    ),
    Fault(
        "error_code_not_a_string",
        json_body(400, {"code": 42, "message": "x"}),
        status=400,
        codes=HTTP_OR_UPSTREAM,
    ),
    Fault(
        "error_message_not_a_string",
        json_body(403, {"code": "AGENT_UNAPPROVED", "message": {"nested": True}}),
        status=403,
        codes=frozenset({"AGENT_UNAPPROVED"}),
    ),
    Fault(
        "error_details_not_an_object",
        json_body(400, {"code": "SCOPE_NOT_APPROVED", "message": "m", "details": [1, 2]}),
        status=400,
        codes=frozenset({"SCOPE_NOT_APPROVED"}),
    ),
    Fault("empty_401", answer(401), status=401, codes=HTTP_OR_UPSTREAM),
    Fault("empty_403", answer(403), status=403, codes=HTTP_OR_UPSTREAM),
    Fault("empty_404", answer(404), status=404, codes=HTTP_OR_UPSTREAM),
    Fault("status_499", answer(499), status=499, codes=HTTP_OR_UPSTREAM),
    Fault(
        "status_520",
        answer(520, b"Web server is returning an unknown error", "text/plain"),
        status=520,
        codes=HTTP_OR_UPSTREAM,
    ),
    Fault(
        "status_599", answer(599, b"network connect timeout"), status=599, codes=HTTP_OR_UPSTREAM
    ),
    Fault(
        "429_retry_after",
        answer(429, b"slow down", "text/plain", {"Retry-After": "0"}),
        status=429,
        codes=frozenset({"RATE_LIMITED", "UPSTREAM_ERROR"}),
    ),
    Fault(
        "429_retry_after_date",
        answer(429, headers={"Retry-After": PAST_DATE}),
        status=429,
        codes=frozenset({"RATE_LIMITED", "UPSTREAM_ERROR"}),
    ),
    Fault(
        "429_retry_after_garbage",
        answer(429, headers={"Retry-After": "soon"}),
        status=429,
        codes=frozenset({"RATE_LIMITED", "UPSTREAM_ERROR"}),
    ),
    Fault(
        "503_retry_after",
        answer(503, HTML_502, "text/html", {"Retry-After": "0"}),
        status=503,
        codes=HTTP_OR_UPSTREAM,
    ),
    Fault(
        "503_retry_after_beyond_bound",
        answer(503, headers={"Retry-After": "86400"}),
        status=503,
        codes=HTTP_OR_UPSTREAM,
    ),
    Fault(
        "too_large_200",
        answer(200, b'{"x": "' + b"a" * 4096 + b'"}', "application/json"),
        status=200,
        codes=frozenset({"RESPONSE_TOO_LARGE"}),
    ),
    Fault(
        "too_large_500",
        answer(500, b"E" * 8192, "text/plain"),
        status=500,
        codes=frozenset({"RESPONSE_TOO_LARGE"}),
    ),
    Fault(
        "token_revoked",
        json_body(401, {"code": "TOKEN_REVOKED", "message": "the token was revoked"}),
        status=401,
        codes=frozenset({"TOKEN_REVOKED"}),
        token_gone=True,
    ),
    Fault(
        "stalled_body",
        broken(b'{"client_id": "a', lambda: httpx2.ReadTimeout("read timed out")),
        codes=frozenset({"TIMEOUT"}),
    ),
    Fault(
        "reset_mid_body",
        broken(b'{"client_id": "a', lambda: httpx2.ReadError("[Errno 104] Connection reset")),
        codes=frozenset({"CONNECTION_ERROR"}),
    ),
    Fault(
        "peer_closed_mid_body",
        broken(
            b'{"client_id"',
            lambda: httpx2.RemoteProtocolError("peer closed connection without sending body"),
        ),
        codes=frozenset({"CONNECTION_ERROR"}),
    ),
    Fault(
        "connect_error",
        raises(lambda r: httpx2.ConnectError("[Errno 111] Connection refused", request=r)),
        codes=frozenset({"CONNECTION_ERROR"}),
    ),
    Fault(
        "connect_timeout",
        raises(lambda r: httpx2.ConnectTimeout("timed out", request=r)),
        codes=frozenset({"TIMEOUT"}),
    ),
    Fault(
        "read_timeout_before_headers",
        raises(lambda r: httpx2.ReadTimeout("timed out", request=r)),
        codes=frozenset({"TIMEOUT"}),
    ),
    Fault(
        "write_error",
        raises(lambda r: httpx2.WriteError("[Errno 32] Broken pipe", request=r)),
        codes=frozenset({"CONNECTION_ERROR"}),
    ),
    Fault(
        "pool_timeout",
        raises(lambda r: httpx2.PoolTimeout("no free connection", request=r)),
        codes=frozenset({"TIMEOUT"}),
    ),
    Fault(
        "bad_status_line",
        raises(lambda r: httpx2.RemoteProtocolError("illegal status line", request=r)),
        codes=frozenset({"CONNECTION_ERROR"}),
    ),
    Fault("connection_refused", real="refused", codes=frozenset({"CONNECTION_ERROR"})),
    Fault("tls_to_plain_tcp", real="tls_plain", codes=frozenset({"TLS_ERROR"})),
    Fault("tls_self_signed", real="tls_self_signed", codes=frozenset({"TLS_ERROR"})),
    Fault("stalled_body_real", real="stall", codes=frozenset({"TIMEOUT"})),
    Fault(
        "reset_mid_body_real",
        real="reset",
        codes=frozenset({"CONNECTION_ERROR"}),
        timeout=httpx2.Timeout(10.0),  # a slow machine must not turn the reset into a timeout
    ),
)

#: Fields a schema allows to be absent; removing them is no fault.
OPTIONAL_FIELDS = frozenset(
    {"agent_attestation_required", "denial_reason", "categories", "registration_endpoint"}
)

Path = tuple[str | int, ...]


def _paths(body: dict[str, Any], prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    for key, value in body.items():
        yield (*prefix, key), value
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield from _paths(value[0], (*prefix, key, 0))


def _edit(body: Any, path: Path, value: Any, *, remove: bool = False) -> Any:
    edited = copy.deepcopy(body)
    target = edited
    for part in path[:-1]:
        target = target[part]
    if remove:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return edited


def _swapped(value: Any) -> Any:
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return "not-a-list"
    if isinstance(value, dict):
        return ["not", "an", "object"]
    return "unexpected"


def _edited(path: Path, value: Any, *, remove: bool = False) -> Responder:
    def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
        body = _edit(good, path, value, remove=remove)
        return httpx2.Response(good_status, json=body)

    return respond


def schema_faults(good: dict[str, Any], status: int) -> list[Fault]:
    """Per field of a correct answer: the field missing, of a wrong type, wrong items."""
    faults = []
    for path, value in _paths(good):
        label = ".".join(str(p) for p in path)
        if path[-1] not in OPTIONAL_FIELDS:
            faults.append(
                Fault(
                    f"missing:{label}",
                    _edited(path, None, remove=True),
                    status=status,
                    shape=True,
                )
            )
        faults.append(
            Fault(f"wrong_type:{label}", _edited(path, _swapped(value)), status=status, shape=True)
        )
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            faults.append(
                Fault(f"wrong_items:{label}", _edited(path, [7, None]), status=status, shape=True)
            )
    return faults


# --------------------------------------------------------------------------- the calls


@dataclass(frozen=True)
class Call:
    """A public method, as a test calls it once the client is set up."""

    mode: str
    method: str
    endpoint: str | None  # the path of a schema'd endpoint; None for proxy/api/revoke
    kind: str  # "schema", "passthrough" (proxy/api) or "revoke"
    args: Callable[[Context], tuple[Sequence[Any], dict[str, Any]]]
    safe: bool = False  # idempotent (retried on 429/5xx and transport errors)

    @property
    def id(self) -> str:
        verb = self.args(Context("s", "st", None))[0][0] if self.kind == "passthrough" else ""
        return f"{self.mode}.{self.method}" + (f"[{verb}]" if verb else "")


@dataclass
class Context:
    session_id: str
    state: str
    provider: str | None
    oauth: Any = None  # native mode: an OAuthRequest from oauth_start()


def _none(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return (), {}


def _register(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    provider = ctx.provider or NATIVE_APP
    scopes = ["read:user"] if provider == "github" else ["read"]
    return (), {
        "developer": DEVELOPER,
        "providers": [{"provider_id": provider, "scopes": scopes}],
        "purpose": "fault matrix",
    }


def _authorize(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    provider = ctx.provider or NATIVE_APP
    return (provider, ["read:user"] if provider == "github" else ["read"]), {}


def _exchange(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return ("code-1", ctx.session_id), {}


def _finish(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return (callback_url(ctx.state),), {}


def _wait(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return (ctx.session_id,), {"timeout": 0.0, "poll_interval": 0.01}  # one request


def _approval(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return (), {"timeout": 0.0, "poll_interval": 0.01}  # one request


def _login(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    args, _ = _authorize(ctx)
    return args, {"open_browser": False, "timeout": 0.0, "on_authorization_url": _ignore}


def _ignore(url: str) -> None:
    pass


def api_args(method: str, path: str, body: Any = None) -> Callable[[Context], Any]:
    def args(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
        if ctx.provider is None:
            return (method, path, body), {}
        return (ctx.provider, method, path, body), {}

    return args


def _oauth_finish(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return (ctx.oauth, callback_url(ctx.oauth.state)), {"client_secret": "oauth-client-secret"}


def _revoke(ctx: Context) -> tuple[Sequence[Any], dict[str, Any]]:
    return ((ctx.provider,) if ctx.provider else ()), {}


def _calls(mode: str) -> list[Call]:
    discovery = "/.well-known/ath.json" if mode == "gateway" else "/.well-known/ath-app.json"
    api, api_raw = ("proxy", "proxy_raw") if mode == "gateway" else ("api", "api_raw")
    return [
        Call(mode, "discover", discovery, "schema", _none, safe=True),
        Call(mode, "register", "/ath/agents/register", "schema", _register),
        Call(mode, "registration_status", "/ath/agents/cid-1", "schema", _none, safe=True),
        Call(mode, "wait_for_approval", "/ath/agents/cid-1", "schema", _approval, safe=True),
        Call(mode, "authorize", "/ath/authorize", "schema", _authorize),
        Call(mode, "exchange_token", "/ath/token", "schema", _exchange),
        Call(mode, "finish_authorization", "/ath/token", "schema", _finish),
        Call(mode, "wait_for_token", "/ath/token", "schema", _wait),
        Call(mode, "login", "/ath/authorize", "schema", _login),
        Call(mode, api, None, "passthrough", api_args("GET", "/user"), safe=True),
        Call(mode, api_raw, None, "passthrough", api_args("POST", "/user/repos", {"name": "x"})),
        Call(mode, api_raw, None, "passthrough", api_args("HEAD", "/user"), safe=True),
        Call(mode, api, None, "passthrough", api_args("DELETE", "/user/repos/x")),
        Call(mode, "revoke", None, "revoke", _revoke),
    ] + ([Call(mode, "oauth_finish", None, "schema", _oauth_finish)] if mode == "native" else [])


CALLS: tuple[Call, ...] = (*_calls("gateway"), *_calls("native"))


def faults_for(c: Call) -> list[Fault]:
    faults = list(BASE_FAULTS)
    if c.endpoint is not None:
        fake = FakeATH(AGENT_ID, MOCK_URL)
        method = "GET" if c.safe else "POST"
        body = b'{"provider_id": "github", "scopes": ["read:user"], "state": "s"}'
        status, good = fake.good(httpx2.Request(method, MOCK_URL + c.endpoint, content=body))
        faults += schema_faults(good, status)
    return faults


# --------------------------------------------------------------------------- the harness


@dataclass
class Outcome:
    """What one (call, fault) case produced."""

    problems: list[str] = field(default_factory=list)
    error: ATHError | None = None
    result: Any = None
    texts: list[str] = field(default_factory=list)  # everything a user could see or log
    secrets: dict[str, str] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # secrets the scripted server handed out


def snapshot(client: Any) -> dict[str, Any]:
    state = client._core.state
    with state.lock:
        return {
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "agent_status": state.agent_status,
            "api_base": state.api_base,
            "tokens": {k: (id(v), v.access_token) for k, v in state.tokens.items()},
            "sessions": {k: id(v) for k, v in state.sessions.items()},
        }


def without_token(state: dict[str, Any], key: str | None) -> dict[str, Any]:
    changed = copy.deepcopy(state)
    changed["tokens"].pop(key or "", None)  # a token for any provider is held under ""
    return changed


RealTransports = Callable[[str], Any]


@dataclass
class Prepared:
    """A client set up against the scripted server: credentials, a token, a pending session."""

    client: Any
    fake: FakeATH
    switch: SwitchTransport
    ctx: Context
    secrets: dict[str, str]


@asynccontextmanager
async def prepared(
    shell: str,
    mode: str,
    *,
    pem: str,
    url: str = MOCK_URL,
    retry: RetryPolicy | None = FAST,
    timeout: httpx2.Timeout = TIMEOUT,
    max_response_bytes: int = LIMIT,
    **options: Any,
) -> AsyncIterator[Prepared]:
    fake = FakeATH(AGENT_ID, url)
    switch = SwitchTransport(fake.transport())
    client = client_class(mode, shell)(
        url=url,
        agent_id=AGENT_ID,
        private_key=pem,
        transport=switch,
        retry=retry,
        max_response_bytes=max_response_bytes,
        timeout=timeout,
        **options,
    )
    try:
        provider = "github" if mode == "gateway" else None
        secret = "cs_matrix_" + "s3cr3t" * 4
        token = "ath_tk_matrix_" + "t0k3n" * 4
        if mode == "native":
            await call(client, "discover")
        await call(client, "set_credentials", "cid-1", secret)
        await call(client, "set_token", token, provider)
        pending = await call(client, "authorize", provider or NATIVE_APP, ["read:user"])
        ctx = Context(pending.ath_session_id, pending.state, provider)
        if mode == "native":
            ctx.oauth = client.oauth_start("oauth-client", "https://127.0.0.1:9/cb", ["read"])
        fake.requests.clear()
        yield Prepared(client, fake, switch, ctx, {"client_secret": secret, "access_token": token})
    finally:
        await close(client)


async def run_case(
    shell: str,
    c: Call,
    fault: Fault,
    *,
    url: str,
    pem: str,
    real_transport: RealTransports,
    respond_override: Responder | None = None,
) -> Outcome:
    """Set a fresh client up against the correct server, inject ``fault``, call ``c``."""
    out = Outcome()
    async with prepared(shell, c.mode, pem=pem, url=url, timeout=fault.timeout or TIMEOUT) as p:
        client, ctx = p.client, p.ctx
        out.secrets = dict(p.secrets)
        before = snapshot(client)
        served: list[httpx2.Response] = []
        if fault.real is not None:
            p.switch.target = real_transport(fault.real)
        else:
            responder = respond_override or fault.respond
            assert responder is not None

            def recording(request: httpx2.Request, status: int, good: Any) -> httpx2.Response:
                response = responder(request, status, good)
                served.append(response)
                return response

            p.fake.respond = recording
        args, kwargs = c.args(ctx)
        try:
            out.result = await call(client, c.method, *args, **kwargs)
        except ATHError as exc:
            out.error = exc
            out.texts += [str(exc), repr(exc), exc.message, repr(exc.args), repr(exc.details)]
            out.problems += check_error(exc, c, fault)
        except Exception as exc:  # every other type is an escape
            out.problems.append(f"escaped {type(exc).__name__}: {exc}")
        else:
            if c.kind != "passthrough":  # a pass-through answer is the API's own data
                out.texts += [repr(out.result), str(out.result)]
            out.problems += check_result(out.result, c, fault, served)
        after = snapshot(client)
        expected = before
        raw = c.method.endswith("_raw")  # raw calls return the answer, and still forget
        token_gone = (
            fault.token_gone and c.kind == "passthrough" and (out.error is not None or raw)
        ) or (out.error is None and c.kind == "revoke")
        if token_gone:
            expected = without_token(before, ctx.provider)
        if after != expected:
            out.problems.append(f"client state changed: {before} -> {after}")
        out.texts += [repr(client), str(client)]
        out.issued = list(p.fake.issued)
    return out


def _is_head(c: Call) -> bool:
    return c.kind == "passthrough" and c.args(Context("s", "st", None))[0][0] == "HEAD"


def check_error(exc: ATHError, c: Call, fault: Fault) -> list[str]:
    if _is_head(c) and fault.real in ("stall", "reset") and exc.code == "CONNECTION_ERROR":
        # The stalled and resetting servers send body bytes after a HEAD answer: httpx2
        # hands the answer over (check_result), aiohttp reads those bytes as the next
        # answer's status line and refuses the connection. Both are documented outcomes.
        return []
    problems = []
    documented = exc.code in CLIENT_CODES or exc.code in PROTOCOL_CODES
    if not documented and exc.code != fault.server_code:
        problems.append(f"undocumented code {exc.code!r}")
    if fault.codes and exc.code not in fault.codes:
        problems.append(f"code {exc.code!r}, expected one of {sorted(fault.codes)}")
    if not isinstance(exc.message, str) or not exc.message.strip():
        problems.append("empty message")
    if fault.status is not None and exc.status != fault.status:
        problems.append(f"status {exc.status!r}, the server answered {fault.status}")
    if fault.status is None and fault.real is not None and exc.status is not None:
        problems.append(f"status {exc.status!r} without any answer")
    if not isinstance(exc.details, dict):
        problems.append("details is not a dict")
    return problems


def check_result(result: Any, c: Call, fault: Fault, served: list[httpx2.Response]) -> list[str]:
    """A call that did not raise: only a 2xx answer on a pass-through endpoint may do that."""
    if _is_head(c) and fault.real in ("stall", "reset"):
        return [] if result.status_code == 200 else [f"HEAD answered {result.status_code}"]
    if c.method.endswith("_raw") and fault.status is not None and served:
        # the raw view hands back any complete answer, non-2xx included, as it came
        last = served[-1]
        if (result.status_code, result.content) != (last.status_code, last.content):
            return [f"raw answer {result.status_code} differs from what the server sent"]
        return []
    if not (fault.shape and c.kind in ("passthrough", "revoke")):
        return [f"no error raised (returned {result!r})"]
    if c.kind == "revoke":
        return [] if result in (["github"], [""]) else [f"revoke returned {result!r}"]
    if c.method.endswith("_raw"):
        last = served[-1]
        if (result.status_code, result.content) != (last.status_code, last.content):
            return [f"raw answer {result.status_code} differs from what the server sent"]
    return []
