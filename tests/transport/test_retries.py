"""Retries: which calls are retried on what, how long the client waits, and what it never replays.

Requests are counted where they reach the transport; "seen" counts those that got past
the connection (a server could have acted on them). Sleeps are recorded instead of slept
(every client gets ``sleep=`` a recorder) and the jitter is seeded (``RetryPolicy(rng=...)``),
so the policy's waits are measured exactly and the suite stays fast; nothing is patched.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx2
import pytest

from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    RetryPolicy,
)
from tests._support.faults import CALLS, MOCK_URL, Call, api_args, prepared
from tests._support.shells import call

from .._report import tally

POLICY = RetryPolicy(max_retries=3, backoff_base=0.5, backoff_max=1.5, max_retry_after=30.0)
SHELLS = ("sync", "async")

Make = Callable[[httpx2.Request], httpx2.Response]


def status(code: int, headers: dict[str, str] | None = None) -> Make:
    return lambda request: httpx2.Response(code, text=f"HTTP {code}", headers=headers)


def exc(kind: type[httpx2.TransportError]) -> Make:
    def make(request: httpx2.Request) -> httpx2.Response:
        raise kind(f"injected {kind.__name__}", request=request)

    return make


def mid_body(kind: type[httpx2.TransportError]) -> Make:
    from tests._support.servers import BrokenStream

    def make(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, stream=BrokenStream(b"{", lambda: kind("injected")))

    return make


NEVER_SENT = {
    "connect_error": exc(httpx2.ConnectError),
    "connect_timeout": exc(httpx2.ConnectTimeout),
}
AFTER_SEND = {
    "read_error": exc(httpx2.ReadError),
    "read_timeout": exc(httpx2.ReadTimeout),
    "write_error": exc(httpx2.WriteError),
    "remote_protocol_error": exc(httpx2.RemoteProtocolError),
    "reset_mid_body": mid_body(httpx2.ReadError),
}
RETRYABLE_STATUS = {f"http_{s}": status(s) for s in (429, 502, 503, 504)}
NOT_RETRYABLE = {f"http_{s}": status(s) for s in (400, 401, 403, 404, 409, 500, 501, 499, 520, 599)}
RETRYABLE = {**NEVER_SENT, **AFTER_SEND, **RETRYABLE_STATUS}


def _extra_calls() -> list[Call]:
    extra = []
    for mode, name in (("gateway", "proxy_raw"), ("native", "api_raw")):
        extra += [
            Call(mode, name, None, "passthrough", api_args("OPTIONS", "/user"), safe=True),
            Call(mode, name, None, "passthrough", api_args("PUT", "/user/x", {"a": 1})),
            Call(mode, name, None, "passthrough", api_args("PATCH", "/user/x", {"a": 1})),
        ]
    return extra


ALL_CALLS = [*CALLS, *_extra_calls()]
IDEMPOTENT = [c for c in ALL_CALLS if c.safe]
# login() is authorize + token polling, two requests: each is covered on its own here
# (authorize, and wait_for_token with timeout=0, which polls exactly once).
NON_IDEMPOTENT = [c for c in ALL_CALLS if not c.safe and c.method != "login"]


@dataclass
class Run:
    requests: int = 0
    seen: int = 0
    sleeps: list[float] = field(default_factory=list)
    code: str | None = None
    status: int | None = None

    def key(self) -> tuple[Any, ...]:
        return (self.requests, self.seen, len(self.sleeps), self.code, self.status)


@pytest.fixture
def sleeps() -> list[float]:
    """The pauses the clients of one test asked for (see :func:`sleeper`)."""
    return []


def sleeper(shell: str, recorded: list[float]) -> Callable[[float], Any]:
    """The ``sleep=`` of a ``shell`` client: records the seconds instead of sleeping."""
    if shell == "sync":
        return recorded.append

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)

    return sleep


def real_pauses_counted(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """``time.sleep`` and ``asyncio.sleep`` of this process replaced for the test by
    recorders of every pause longer than zero (``asyncio.sleep(0)`` only yields, and
    the event loop uses it); the list they fill is returned."""
    slept: list[float] = []
    real_async_sleep = asyncio.sleep

    def blocking(seconds: float) -> None:
        slept.append(seconds)

    async def non_blocking(seconds: float, result: Any = None) -> Any:
        if seconds > 0:
            slept.append(seconds)
        return await real_async_sleep(0, result)

    monkeypatch.setattr(time, "sleep", blocking)
    monkeypatch.setattr(asyncio, "sleep", non_blocking)
    return slept


async def run(
    shell: str,
    c: Call,
    script: list[Make | None],
    pem: str,
    sleeps: list[float],
    policy: RetryPolicy = POLICY,
    seed: int = 7,
) -> Run:
    """Call ``c`` once while the server follows ``script`` (None: the correct answer);
    the jitter comes from ``random.Random(seed)``."""
    result = Run()
    seeded = replace(policy, rng=random.Random(seed))
    async with prepared(shell, c.mode, pem=pem, retry=seeded, sleep=sleeper(shell, sleeps)) as p:
        sleeps.clear()

        def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
            step = script[min(result.requests, len(script) - 1)]
            result.requests += 1
            if step not in NEVER_SENT.values():
                result.seen += 1
            if step is None:
                return httpx2.Response(good_status, json=good)
            return step(request)

        p.fake.respond = respond
        args, kwargs = c.args(p.ctx)
        try:
            answer = await call(p.client, c.method, *args, **kwargs)
        except ATHError as error:
            result.code, result.status = error.code, error.status
        else:  # proxy_raw / api_raw return the answer, whatever its status
            result.status = getattr(answer, "status_code", None)
    result.sleeps = list(sleeps)
    counts = tally("retries")
    counts["scenarios"] += 1
    counts["requests"] += result.requests
    counts["sleeps"] += len(result.sleeps)
    return result


def ceiling(policy: RetryPolicy, attempt: int) -> float:
    return min(policy.backoff_max, policy.backoff_base * 2.0**attempt)


def expect(condition: bool, what: str, problems: list[str]) -> None:
    if not condition:
        tally("retries")["mismatches"] += 1
        problems.append(what)


async def test_idempotent_calls_retry_transport_errors_and_retryable_statuses(
    pem: str, sleeps: list[float]
) -> None:
    problems: list[str] = []
    for c in IDEMPOTENT:
        for name, fault in RETRYABLE.items():
            runs = {}
            for shell in SHELLS:
                r = await run(shell, c, [fault], pem, sleeps)
                runs[shell] = r
                where = f"{shell} {c.id} {name}"
                expect(
                    r.requests == POLICY.max_retries + 1,
                    f"{where}: {r.requests} requests",
                    problems,
                )
                expect(len(r.sleeps) == POLICY.max_retries, f"{where}: sleeps {r.sleeps}", problems)
                expect(
                    all(0 <= s <= ceiling(POLICY, i) for i, s in enumerate(r.sleeps)),
                    f"{where}: sleeps {r.sleeps} exceed the capped backoff",
                    problems,
                )
                if c.method.endswith("_raw") and name in RETRYABLE_STATUS:
                    # the raw view returns the last answer, whatever its status
                    expect(r.code is None, f"{where}: raw call raised {r.code}", problems)
                else:
                    expect(r.code is not None, f"{where}: no error after the last retry", problems)
                # two failures, then the right answer: the call succeeds on the third request
                ok = await run(shell, c, [fault, fault, None], pem, sleeps)
                expect(
                    (ok.requests, ok.code) == (3, None), f"{where}: recovery {ok.key()}", problems
                )
            expect(
                runs["sync"].key() == runs["async"].key()
                and runs["sync"].sleeps == runs["async"].sleeps,
                f"{c.id} {name}: sync {runs['sync']} != async {runs['async']}",
                problems,
            )
    assert not problems, "\n".join(problems)


async def test_nothing_retried_on_other_statuses(pem: str, sleeps: list[float]) -> None:
    problems: list[str] = []
    for c in ALL_CALLS:
        for name, fault in NOT_RETRYABLE.items():
            for shell in SHELLS:
                r = await run(shell, c, [fault], pem, sleeps)
                where = f"{shell} {c.id} {name}"
                expect((r.requests, r.sleeps) == (1, []), f"{where}: {r}", problems)
                expect(r.status == int(name[5:]), f"{where}: status {r.status}", problems)
    assert not problems, "\n".join(problems)


async def test_non_idempotent_calls_retry_only_connect_failures(
    pem: str, sleeps: list[float]
) -> None:
    problems: list[str] = []
    for c in NON_IDEMPOTENT:
        for shell in SHELLS:
            for name, fault in {**AFTER_SEND, **RETRYABLE_STATUS}.items():
                r = await run(shell, c, [fault], pem, sleeps)
                where = f"{shell} {c.id} {name}"
                expect((r.requests, r.seen, r.sleeps) == (1, 1, []), f"{where}: {r}", problems)
                if c.method.endswith("_raw") and name in RETRYABLE_STATUS:
                    expect(r.status == int(name[5:]), f"{where}: status {r.status}", problems)
                else:
                    expect(r.code is not None, f"{where}: no error", problems)
            for name, fault in NEVER_SENT.items():
                r = await run(shell, c, [fault], pem, sleeps)
                where = f"{shell} {c.id} {name}"
                expect(
                    (r.requests, r.seen) == (POLICY.max_retries + 1, 0), f"{where}: {r}", problems
                )
                ok = await run(shell, c, [fault, fault, None], pem, sleeps)
                expect(
                    (ok.requests, ok.seen, ok.code) == (3, 1, None),
                    f"{where}: recovery {ok}",
                    problems,
                )
    assert not problems, "\n".join(problems)


async def test_token_exchange_session_is_never_replayed(pem: str, sleeps: list[float]) -> None:
    """Whatever goes wrong after the request left, ``/ath/token`` is seen at most once."""
    problems: list[str] = []
    exchanges = [
        c for c in CALLS if c.method in ("exchange_token", "finish_authorization", "wait_for_token")
    ]
    faults = {**AFTER_SEND, **RETRYABLE_STATUS, **NOT_RETRYABLE}
    for c in exchanges:
        for shell in SHELLS:
            for name, fault in faults.items():
                scripts: list[list[Make | None]] = [[fault], [fault, None]]
                for script in scripts:
                    r = await run(shell, c, script, pem, sleeps, policy=RetryPolicy(max_retries=5))
                    where = f"{shell} {c.id} {name} {len(script)}"
                    expect(r.seen == 1, f"{where}: /ath/token seen {r.seen} times", problems)
                    expect(r.code is not None, f"{where}: replayed into a success", problems)
            r = await run(shell, c, [NEVER_SENT["connect_error"], None], pem, sleeps)
            expect(
                (r.requests, r.seen, r.code) == (2, 1, None),
                f"{shell} {c.id}: connect retry {r}",
                problems,
            )
    assert not problems, "\n".join(problems)


async def test_exchange_uses_a_fresh_session_only_from_authorize(pem: str) -> None:
    """A failed exchange leaves the pending session for the caller, and sends nothing more."""
    async with prepared("sync", "gateway", pem=pem) as p:
        p.fake.respond = lambda request, s, good: httpx2.Response(503)
        with pytest.raises(ATHError) as info:
            await call(p.client, "exchange_token", "code-1", p.ctx.session_id)
        assert info.value.status == 503
        assert [r.url.path for r in p.fake.requests] == ["/ath/token"]
        assert [a.ath_session_id for a in p.client.pending_authorizations] == [p.ctx.session_id]


async def test_max_retries_zero_disables_retries(pem: str, sleeps: list[float]) -> None:
    problems: list[str] = []
    for policy in (RetryPolicy(max_retries=0), None):
        for c in ALL_CALLS:
            for name, fault in RETRYABLE.items():
                for shell in SHELLS:
                    if policy is None:  # the max_retries argument of the clients
                        r = await run_max_retries_zero(shell, c, fault, pem, sleeps)
                    else:
                        r = await run(shell, c, [fault], pem, sleeps, policy=policy)
                    where = f"{shell} {c.id} {name} policy={policy}"
                    expect((r.requests, r.sleeps) == (1, []), f"{where}: {r}", problems)
    assert not problems, "\n".join(problems)


async def run_max_retries_zero(
    shell: str, c: Call, fault: Make, pem: str, sleeps: list[float]
) -> Run:
    result = Run()
    async with prepared(
        shell, c.mode, pem=pem, retry=None, max_retries=0, sleep=sleeper(shell, sleeps)
    ) as p:
        sleeps.clear()

        def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
            result.requests += 1
            return fault(request)

        p.fake.respond = respond
        args, kwargs = c.args(p.ctx)
        try:
            answer = await call(p.client, c.method, *args, **kwargs)
        except ATHError as error:
            result.code, result.status = error.code, error.status
        else:  # only the raw view may return, and only a complete answer
            assert c.method.endswith("_raw"), f"{c.id} did not raise"
            result.status = answer.status_code
    result.sleeps = list(sleeps)
    tally("retries")["scenarios"] += 1
    tally("retries")["requests"] += result.requests
    return result


async def test_retry_after_is_honoured_up_to_the_bound(pem: str, sleeps: list[float]) -> None:
    discover = next(c for c in CALLS if c.id == "gateway.discover")
    proxy_get = next(c for c in CALLS if c.id == "gateway.proxy[GET]")
    register = next(c for c in CALLS if c.id == "gateway.register")
    soon = email.utils.formatdate(time.time() + 10, usegmt=True)
    late = email.utils.formatdate(time.time() + 3600, usegmt=True)
    for shell in SHELLS:
        for c in (discover, proxy_get):
            for code in (429, 503):
                r = await run(shell, c, [status(code, {"Retry-After": "2"})], pem, sleeps)
                assert (r.requests, r.sleeps) == (4, [2.0, 2.0, 2.0]), r
                r = await run(shell, c, [status(code, {"Retry-After": "30"}), None], pem, sleeps)
                assert (r.requests, r.sleeps, r.code) == (2, [30.0], None), r
                # beyond max_retry_after: no retry at all rather than a wait of an hour
                r = await run(shell, c, [status(code, {"Retry-After": "31"})], pem, sleeps)
                assert (r.requests, r.sleeps, r.status) == (1, [], code), r
                r = await run(shell, c, [status(code, {"Retry-After": late})], pem, sleeps)
                assert (r.requests, r.sleeps) == (1, []), r
                r = await run(shell, c, [status(code, {"Retry-After": soon}), None], pem, sleeps)
                assert r.requests == 2 and len(r.sleeps) == 1 and 0 < r.sleeps[0] <= 10, r
                # unusable values fall back to the capped, jittered backoff
                for bad in ("soon", "-1", "1.5", ""):
                    r = await run(shell, c, [status(code, {"Retry-After": bad})], pem, sleeps)
                    assert r.requests == 4, (bad, r)
                    assert all(0 <= s <= ceiling(POLICY, i) for i, s in enumerate(r.sleeps)), r
        # a write is not retried even when the server names a wait
        r = await run(shell, register, [status(503, {"Retry-After": "1"})], pem, sleeps)
        assert (r.requests, r.sleeps) == (1, []), r


def test_backoff_is_capped_exponential_with_full_jitter() -> None:
    policy = RetryPolicy(max_retries=10, backoff_base=0.25, backoff_max=8.0)
    rng = random.Random(3)
    for attempt in range(12):
        cap = ceiling(policy, attempt)
        samples = [policy.backoff(attempt, rng) for _ in range(2000)]
        assert all(0.0 <= s <= cap for s in samples)
        assert max(samples) > 0.95 * cap and min(samples) < 0.05 * cap  # full jitter
        assert len(set(samples)) > 1900
        tally("retries")["scenarios"] += 1
    assert ceiling(policy, 11) == 8.0 and ceiling(policy, 2) == 1.0


def test_policy_decisions_are_shared_and_pure() -> None:
    """The policy alone decides; the same inputs give the same decision for both shells."""
    policy = RetryPolicy(max_retries=2)
    request = httpx2.Request("GET", "https://127.0.0.1:9/")
    cases: list[tuple[httpx2.Response | BaseException, bool, bool]] = [
        (httpx2.ConnectError("x", request=request), False, True),
        (httpx2.ConnectTimeout("x", request=request), False, True),
        (httpx2.ReadError("x", request=request), False, False),
        (httpx2.ReadError("x", request=request), True, True),
        (httpx2.Response(503), True, True),
        (httpx2.Response(503), False, False),
        (httpx2.Response(500), True, False),
        (httpx2.Response(200), True, False),
        (ValueError("not a transport error"), True, False),
    ]
    for outcome, idempotent, retried in cases:
        delays = [policy.delay_for(a, outcome, idempotent=idempotent) for a in range(3)]
        assert (delays[0] is not None) == retried, (outcome, idempotent)
        assert delays[2] is None  # attempt 2 of max_retries=2: stop
        tally("retries")["scenarios"] += 1
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


async def test_the_shells_only_perform_the_steps_of_a_flow(pem: str) -> None:
    """The retry loop lives in the core; a shell's driver does what a flow yields and no
    more. A hand-written flow answered 503 and then a connection failure gets exactly
    one request per Send from either shell (no retry of its own, although the policy
    would retry both), its one Sleep and nothing else, and the same answers back."""
    from ath._steps import Call as CallStep
    from ath._steps import Flow, Raised, Send, Sleep

    def failing() -> str:
        raise OSError("the store is down")

    def script(received: list[Any]) -> Flow[str]:
        request = httpx2.Request("GET", MOCK_URL + "/.well-known/ath.json")
        received.append((yield Send(request)))  # answered 503
        received.append((yield Sleep(0.75)))
        received.append((yield Send(request)))  # the connection fails
        received.append((yield CallStep(lambda: "stored")))
        received.append((yield CallStep(failing)))
        return "done"

    def shown(value: Any) -> Any:
        if isinstance(value, httpx2.Response):
            return ("response", value.status_code)
        if isinstance(value, Raised):
            return ("call raised", type(value.error).__name__)
        if isinstance(value, BaseException):
            return ("exception", type(value).__name__)
        return getattr(value, "value", value)  # a Call's result

    seen = {}
    for shell in SHELLS:
        slept: list[float] = []
        policy = RetryPolicy(max_retries=5, rng=random.Random(1))
        async with prepared(
            shell, "gateway", pem=pem, retry=policy, sleep=sleeper(shell, slept)
        ) as p:
            answers: list[Make] = [status(503), exc(httpx2.ConnectError)]
            p.fake.respond = lambda request, s, good, answers=answers: answers.pop(0)(request)
            received: list[Any] = []
            result = await call(p.client, "_run", script(received))
            requests = [(r.method, r.url.path) for r in p.fake.requests]
        seen[shell] = (result, requests, slept, [shown(v) for v in received])
    assert (
        seen["sync"]
        == seen["async"]
        == (
            "done",
            [("GET", "/.well-known/ath.json")] * 2,
            [0.75],
            [
                ("response", 503),
                None,
                ("exception", "ConnectError"),
                "stored",
                ("call raised", "OSError"),
            ],
        )
    )


# --------------------------------------------------------------------------- the seams
# Randomness and sleeping are constructor arguments (RetryPolicy(rng=...), sleep=...);
# these tests check the seams themselves and add nothing to the RETRIES tally.

PENDING = {
    "code": "SESSION_NOT_FOUND",
    "message": "authorization not completed",
    "details": {"reason": "authorization_pending"},
}


def test_an_injected_rng_makes_the_backoff_deterministic() -> None:
    def waits(seed: int) -> list[float]:
        policy = RetryPolicy(max_retries=8, rng=random.Random(seed))
        return [policy.backoff(attempt) for attempt in range(8)]

    assert waits(5) == waits(5)
    assert waits(5) != waits(6)
    reference = random.Random(5)
    assert waits(5) == [RetryPolicy(max_retries=8).backoff(a, reference) for a in range(8)]
    # a generator is no part of what the policy is or shows
    assert RetryPolicy(rng=random.Random(1)) == RetryPolicy(rng=random.Random(2)) == RetryPolicy()
    assert "rng" not in repr(RetryPolicy(rng=random.Random(1)))
    with pytest.raises(ATHError) as bad:
        RetryPolicy(rng=7)  # type: ignore[arg-type]
    assert bad.value.code == "INVALID_ARGUMENT" and "rng" in bad.value.message


@pytest.mark.parametrize("shell", SHELLS)
async def test_sleep_receives_the_backoff_of_a_retried_call(shell: str, pem: str) -> None:
    def policy() -> RetryPolicy:
        return RetryPolicy(max_retries=3, backoff_base=0.5, backoff_max=1.5, rng=random.Random(9))

    seconds: list[float] = []
    async with prepared(
        shell, "gateway", pem=pem, retry=policy(), sleep=sleeper(shell, seconds)
    ) as p:
        answers = iter([httpx2.Response(503), httpx2.Response(502)])
        p.fake.respond = lambda request, s, good: (
            next(answers, None) or httpx2.Response(s, json=good)
        )
        await call(p.client, "discover")
        assert len(p.fake.requests) == 3
    expected = policy()
    assert seconds == [expected.backoff(0), expected.backoff(1)]
    assert all(0 < s <= ceiling(expected, i) for i, s in enumerate(seconds))


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("method", ["wait_for_token", "login"])
async def test_sleep_receives_the_polling_pauses(
    shell: str, method: str, pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ath._flows._consent import LOGIN_POLL_INTERVAL, POLL_GROWTH

    # Every real pause of this process is counted instead of slept: the injected sleep
    # must receive every pause, and nothing else may pause (no timing involved).
    slept = real_pauses_counted(monkeypatch)
    seconds: list[float] = []
    async with prepared(shell, "gateway", pem=pem, sleep=sleeper(shell, seconds)) as p:
        polls = 0

        def respond(request: httpx2.Request, good_status: int, good: Any) -> httpx2.Response:
            nonlocal polls
            if request.url.path == "/ath/token":
                polls += 1
                if polls <= 2:
                    return httpx2.Response(400, json=PENDING)
            return httpx2.Response(good_status, json=good)

        p.fake.respond = respond
        if method == "wait_for_token":
            await call(p.client, method, p.ctx.session_id, timeout=600.0, poll_interval=1.5)
            interval, first = 1.5, []
        else:
            await call(
                p.client,
                method,
                "github",
                ["read:user"],
                open_browser=False,
                on_authorization_url=lambda url: None,
            )
            interval, first = LOGIN_POLL_INTERVAL, [LOGIN_POLL_INTERVAL]  # login waits first
        assert slept == [], "the pauses were recorded by the injected sleep, not slept"
        assert polls == 3
    assert seconds == [*first, interval, interval * POLL_GROWTH]


CLIENTS = [ATHGatewayClient, ATHNativeClient, AsyncATHGatewayClient, AsyncATHNativeClient]


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("value", [5, "time.sleep", object()])
def test_a_sleep_that_is_not_callable_is_refused(cls: Any, value: Any, pem: str) -> None:
    with pytest.raises(ATHError) as bad:
        cls("https://gw.example", "https://agent.example/agent.json", pem, sleep=value)
    assert bad.value.code == "INVALID_ARGUMENT"
    assert "sleep" in bad.value.message and bad.value.details == {"option": "sleep"}


@pytest.mark.parametrize("cls", CLIENTS[:2], ids=lambda c: c.__name__)
def test_a_sync_client_refuses_an_async_sleep(cls: Any, pem: str) -> None:
    import asyncio

    with pytest.raises(ATHError) as bad:
        cls("https://gw.example", "https://agent.example/agent.json", pem, sleep=asyncio.sleep)
    assert bad.value.code == "INVALID_ARGUMENT" and bad.value.details == {"option": "sleep"}


async def test_an_async_client_refuses_a_sleep_that_returns_no_awaitable(pem: str) -> None:
    seconds: list[float] = []
    async with prepared("async", "gateway", pem=pem, sleep=seconds.append) as p:
        p.fake.respond = lambda request, s, good: httpx2.Response(503)
        with pytest.raises(ATHError) as bad:
            await call(p.client, "discover")
    assert bad.value.code == "INVALID_ARGUMENT" and bad.value.details == {"option": "sleep"}
    assert len(seconds) == 1, "refused at the first pause, before a second request"
