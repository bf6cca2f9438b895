"""Secrets out of traceback frames, and redaction that cannot fail.

Error reporters (Sentry, ``pytest --showlocals``, rich) render the locals of every frame
of an exception and of its ``__cause__``/``__context__`` chain. For every public method,
sync and async, against every mock fault and a few real-socket ones, the raised
``ATHError`` is examined twice: rendered with ``TracebackException(capture_locals=True)``
and by walking ``tb_frame.f_locals`` directly. No frame of the SDK (or of the libraries
under it) may hold a secret, as a plain value or inside a container or a repr.
"""

from __future__ import annotations

import base64
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx2
import pytest

from ath import ATHError
from ath._redaction import request_secrets
from tests._support.faults import BASE_FAULTS, CALLS, MOCK_URL, Call, json_body, prepared
from tests._support.servers import RawServer, reset, stall
from tests._support.shells import call

from .._report import tally

TESTS = str(Path(__file__).resolve().parent.parent)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]


def _holds(value: Any, secrets: list[str], depth: int = 0) -> bool:
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("latin-1")
    if isinstance(value, str):
        return any(s in value for s in secrets)
    if depth < 6 and isinstance(value, dict):
        return any(
            _holds(k, secrets, depth + 1) or _holds(v, secrets, depth + 1) for k, v in value.items()
        )
    if depth < 6 and isinstance(value, list | tuple | set | frozenset):
        return any(_holds(v, secrets, depth + 1) for v in value)
    try:
        text = repr(value)
    except Exception:  # a repr that fails shows nothing
        return False
    return any(s in text for s in secrets)


def _frames(tb: TracebackType | None) -> Iterator[Any]:
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def secrets_in_frames(exc: BaseException, secrets: list[str]) -> list[str]:
    """Where ``secrets`` appear in the frames of ``exc`` and its chain (test frames aside)."""
    found = []
    for link in _chain(exc):
        for frame in _frames(link.__traceback__):
            if frame.f_code.co_filename.startswith(TESTS):
                continue
            for name, value in frame.f_locals.items():
                if _holds(value, secrets):
                    found.append(f"f_locals {frame.f_code.co_name}.{name}")
    rendered = traceback.TracebackException.from_exception(exc, capture_locals=True)
    for te in _te_chain(rendered):
        for summary in te.stack:
            if summary.filename.startswith(TESTS):
                continue
            for name, text in (summary.locals or {}).items():
                if any(s in text for s in secrets):
                    found.append(f"capture_locals {summary.name}.{name}")
    return found


def _te_chain(te: traceback.TracebackException) -> Iterator[traceback.TracebackException]:
    seen: set[int] = set()
    pending = [te]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]


def _secrets_of(p: Any, pem: str) -> list[str]:
    found = {p.secrets["client_secret"], p.secrets["access_token"], pem, "oauth-client-secret"}
    found.update(p.fake.issued)
    for request in p.fake.requests:
        found.update(request_secrets(request))
        if request.content and any(s in request.content.decode() for s in found if s):
            found.add(request.content.decode())
    return sorted(s for s in found if s and len(s) >= 8)


MOCK_FAULTS = [f for f in BASE_FAULTS if f.real is None]


async def _error_paths(shell: str, c: Call, pem: str, url: str, target: Any) -> list[str]:
    """Run ``c`` once per fault; return where secrets were found in frame locals."""
    counts = tally("frames")
    problems: list[str] = []
    cases: list[Any] = MOCK_FAULTS if target is None else [None]
    for fault in cases:
        async with prepared(shell, c.mode, pem=pem, url=url) as p:
            if target is None:

                def recording(
                    request: httpx2.Request,
                    status: int,
                    good: Any,
                    respond: Any = fault.respond,
                    fake: Any = p.fake,
                ) -> httpx2.Response:
                    fake.requests.append(request)
                    response: httpx2.Response = respond(request, status, good)
                    return response

                p.fake.respond = recording
            else:
                p.switch.target = target
            args, kwargs = c.args(p.ctx)
            try:
                await call(p.client, c.method, *args, **kwargs)
            except ATHError as exc:
                counts["paths"] += 1
                where = secrets_in_frames(exc, _secrets_of(p, pem))
                counts["found"] += len(where)
                if where:
                    problems.append(f"{getattr(fault, 'name', 'real')}: {where[:3]}")
    return problems


@pytest.mark.parametrize("shell", ["sync", "async"])
@pytest.mark.parametrize("c", CALLS, ids=[c.id for c in CALLS])
async def test_no_secret_in_the_frames_of_any_error_path(shell: str, c: Call, pem: str) -> None:
    problems = await _error_paths(shell, c, pem, MOCK_URL, None)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("shell", ["sync", "async"])
@pytest.mark.parametrize("behaviour", [stall, reset], ids=["stall", "reset"])
async def test_no_secret_in_the_frames_over_real_sockets(
    shell: str, behaviour: Any, pem: str
) -> None:
    posts = [c for c in CALLS if c.method in ("exchange_token", "register", "proxy_raw")]
    with RawServer(behaviour) as server:
        for c in posts:
            transport: Any = (
                httpx2.AsyncHTTPTransport() if shell == "async" else httpx2.HTTPTransport()
            )
            try:
                problems = await _error_paths(shell, c, pem, server.url, transport)
            finally:
                if isinstance(transport, httpx2.AsyncHTTPTransport):
                    await transport.aclose()
                else:
                    transport.close()
            assert not problems, "\n".join(problems)


async def test_constructor_and_local_methods_keep_secrets_out_of_frames(pem: str) -> None:
    """Errors raised before any I/O: a bad key, bad credentials, a bad token argument."""
    from ath import ATHGatewayClient

    counts = tally("frames")
    broken_pem = pem.replace("A", "B", 3)
    with pytest.raises(ATHError) as bad_key:
        ATHGatewayClient(url=MOCK_URL, agent_id="https://a.example/agent", private_key=broken_pem)
    client = ATHGatewayClient(url=MOCK_URL, agent_id="https://a.example/agent", private_key=pem)
    with pytest.raises(ATHError) as bad_creds:
        client.set_credentials("", "cs_local_secret_value")
    with pytest.raises(ATHError) as bad_token:
        client.set_token("ath_tk_local_secret_value", "not a provider!")
    for info, secrets in (
        (bad_key, [broken_pem, pem]),
        (bad_creds, ["cs_local_secret_value"]),
        (bad_token, ["ath_tk_local_secret_value"]),
    ):
        counts["paths"] += 1
        where = secrets_in_frames(info.value, secrets)
        counts["found"] += len(where)
        assert not where, where


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize("shell", ["sync", "async"])
@pytest.mark.parametrize("depth", [40, 600, 5000])
async def test_redaction_is_total_on_deep_details(shell: str, depth: int, pem: str) -> None:
    """An error body echoing the bearer token in details nested ``depth`` levels deep."""
    proxy = next(c for c in CALLS if c.id == "gateway.proxy[GET]")
    async with prepared(shell, "gateway", pem=pem) as p:
        token = p.secrets["access_token"]
        text = _deep_error(f"Bearer {token}", depth)

        def respond(request: httpx2.Request, status: int, good: Any) -> httpx2.Response:
            return httpx2.Response(
                403, content=text.encode(), headers={"Content-Type": "application/json"}
            )

        p.fake.respond = respond
        args, kwargs = proxy.args(p.ctx)
        with pytest.raises(ATHError) as info:
            await call(p.client, proxy.method, *args, **kwargs)
        exc = info.value
        assert exc.__context__ is None and exc.__cause__ is None
        assert token not in repr(exc.details) and token not in str(exc)
        assert not secrets_in_frames(exc, [token])


def _deep_error(echo: str, depth: int) -> str:
    nested: Any = {"echo": echo}
    for _ in range(depth):
        nested = {"d": [nested]}
    return '{"code": "SCOPE_NOT_APPROVED", "message": "no", "details": ' + _dumps(nested) + "}"


def _dumps(value: Any) -> str:
    """``json.dumps`` without recursion (the payload is deeper than Python recurses)."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and item.startswith("\x00"):
            out.append(item[1:])
        elif isinstance(item, dict):
            ((key, inner),) = item.items()
            out.append('{"' + key + '": ')
            stack += ["\x00}", inner]
        elif isinstance(item, list):
            out.append("[")
            stack += ["\x00]", item[0]]
        else:
            out.append('"' + str(item) + '"')
    return "".join(out)


@pytest.mark.parametrize("shell", ["sync", "async"])
async def test_oauth_client_secret_is_redacted_when_the_token_endpoint_echoes_it(
    shell: str, pem: str
) -> None:
    oauth_finish = next(c for c in CALLS if c.method == "oauth_finish")
    async with prepared(shell, "native", pem=pem) as p:

        def respond(request: httpx2.Request, status: int, good: Any) -> httpx2.Response:
            basic = request.headers["authorization"].partition(" ")[2]
            decoded = base64.b64decode(basic).decode()
            body = {"error": "invalid_client", "error_description": f"bad credentials {decoded}"}
            return json_body(401, body)(request, status, good)

        p.fake.respond = respond
        args, kwargs = oauth_finish.args(p.ctx)
        with pytest.raises(ATHError) as info:
            await call(p.client, "oauth_finish", *args, **kwargs)
        assert info.value.code == "OAUTH_ERROR"
        text = f"{info.value} {info.value!r} {info.value.details!r}"
        assert "bad credentials" in text and kwargs["client_secret"] not in text


# --------------------------------------------------------------------------- whose frames


def _client_classes() -> list[Any]:
    import ath

    return [
        ath.ATHGatewayClient,
        ath.AsyncATHGatewayClient,
        ath.ATHNativeClient,
        ath.AsyncATHNativeClient,
    ]


@pytest.mark.parametrize("cls", _client_classes(), ids=lambda c: c.__name__)
def test_a_users_subclass_keeps_its_own_frames(cls: Any, pem: str) -> None:
    """Frame clearing is the SDK's, on the SDK's entry points: a user's own method on a
    subclass keeps its locals for the user's debugger."""

    class Mine(cls):  # type: ignore[misc]
        def helper(self, value: str) -> None:
            mine = f"local:{value}"
            raise ValueError(mine)

    client = Mine(url=MOCK_URL, agent_id="https://a.example/agent", private_key=pem)
    with pytest.raises(ValueError) as info:
        client.helper("kept")
    frames = [f for f in _frames(info.value.__traceback__) if f.f_code.co_name == "helper"]
    assert frames and frames[0].f_locals.get("mine") == "local:kept"
    # the SDK's own methods, inherited by the subclass, still clear theirs
    with pytest.raises(ATHError) as sdk:
        client.set_credentials("", "cs_subclass_secret_value")
    assert not secrets_in_frames(sdk.value, ["cs_subclass_secret_value"])


def _stores(tmp_path: Path) -> list[Any]:
    from ath.stores import FileStore, MemoryStore

    return [MemoryStore(), FileStore(tmp_path / "store.json")]


def test_no_secret_in_the_frames_of_a_store_error(tmp_path: Path) -> None:
    """A store's error (here: the caller's change function fails while the entry with
    the client secret is held) leaves no secret in the SDK's frames."""
    from dataclasses import replace

    from ath.stores import StoreEntry

    counts = tally("frames")
    secret = "cs_store_frame_secret_value"
    url, agent = "https://gw.example", "https://a.example/agent"
    for store in _stores(tmp_path):
        seed = StoreEntry(base_url=url, agent_id=agent, mode="gateway")
        store.update(
            url, agent, lambda _, seed=seed: replace(seed, client_id="c1", client_secret=secret)
        )

        def broken(entry: Any) -> Any:
            raise RuntimeError("the change failed")

        with pytest.raises(RuntimeError) as info:
            store.update(url, agent, broken)
        counts["paths"] += 1
        where = [
            w
            for w in secrets_in_frames(info.value, [secret])
            if not w.endswith(("broken.entry",))  # the caller's own function's argument
        ]
        counts["found"] += len(where)
        assert not where, f"{type(store).__name__}: {where}"
