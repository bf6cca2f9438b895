"""OpenTelemetry: the handshake and a proxy call as spans (names, parent/child links,
HTTP semantic-convention attributes), audit events on them, metrics, the W3C trace
context reaching the upstream API through the gateway, a failing call's ATH code and
exception, and no secret anywhere in what was exported or logged.

The providers are OpenTelemetry's SDK with its in-memory span exporter and metric
reader; the servers are the local stack on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from ath import AsyncATHGatewayClient, ATHError, ATHGatewayClient, generate_private_key
from ath.testing import LocalStack, follow_consent
from tests._support.servers import RawServer, read_request, wait_for_peer_close
from tests._support.shells import MakeClient
from tests.conftest import Agent

from ._capture import Records, Secrets, Telemetry

DEVELOPER = {"name": "Acme", "id": "acme"}
SCOPES = ["read:user", "repo"]


@pytest.fixture(scope="module")
def agent_pem() -> str:
    return generate_private_key()


async def _handshake(client: Any, secrets: Secrets) -> Any:
    await client.discover()
    registration = await client.register(
        DEVELOPER, [{"provider_id": "github", "scopes": SCOPES}], purpose="observability test"
    )
    secrets.add(registration.client_secret, "client secret")
    auth = await client.authorize("github", SCOPES)
    consent = follow_consent(auth.authorization_url)
    secrets.add(consent.granted_code, "consent code")
    token = await client.exchange_token(consent.granted_code, auth.ath_session_id)
    secrets.add(token.access_token, "ATH token")
    return token


async def test_the_handshake_and_a_proxy_call_as_spans(
    make_client: MakeClient,
    otel: Telemetry,
    records: Records,
    secrets: Secrets,
    stack: LocalStack,
    agent: Agent,
) -> None:
    client = make_client()
    secrets.scanner.add_pem(agent.pem)
    tracer = trace.get_tracer("the-agent")
    with tracer.start_as_current_span("agent.task") as task:
        await _handshake(client, secrets)
        received = await client.proxy("github", "GET", "/trace")
        try:
            await client.proxy("github", "GET", "/repos/nobody/missing")
        except ATHError as exc:
            failed = exc
        await client.revoke()
    spans: list[Any] = otel.finished()
    by_name: dict[str, list[Any]] = {}
    for span in spans:
        by_name.setdefault(span.name, []).append(span)
    for name in ("ath.discover", "ath.register", "ath.authorize", "ath.token", "ath.revoke"):
        assert len(by_name[name]) == 1, name
    assert len(by_name["ath.proxy"]) == 2
    task_id = task.get_span_context().span_id
    trace_id = task.get_span_context().trace_id
    calls = [s for s in spans if s.name.startswith("ath.")]
    assert len(calls) == 7
    agent_id = client.agent_id
    for call in calls:
        # every call a child of the agent's own span, in its trace, with one HTTP child
        assert call.kind == SpanKind.INTERNAL
        assert call.parent is not None and call.parent.span_id == task_id
        assert call.context.trace_id == trace_id
        assert call.attributes["ath.agent_id"] == agent_id
        children = [s for s in spans if s.parent and s.parent.span_id == call.context.span_id]
        assert len(children) == 1, call.name
        http = children[0]
        assert http.kind == SpanKind.CLIENT
        assert http.context.trace_id == trace_id
        attrs = http.attributes
        assert attrs["http.request.method"] in ("GET", "POST")
        assert attrs["server.address"] == "127.0.0.1"
        assert isinstance(attrs["server.port"], int)
        assert str(attrs["url.full"]).startswith(stack.gateway_url)
        assert "?" not in str(attrs["url.full"])
        assert isinstance(attrs["http.response.status_code"], int)
        assert http.name == f"{attrs['http.request.method']} {attrs['url.template']}"
    for name in ("ath.authorize", "ath.token", "ath.proxy"):
        assert by_name[name][0].attributes["ath.provider"] == "github"
    proxy_ok, proxy_failed = sorted(by_name["ath.proxy"], key=lambda s: s.start_time)
    attempt = next(s for s in spans if s.parent and s.parent.span_id == proxy_ok.context.span_id)
    assert attempt.attributes["url.template"] == "/ath/proxy/{provider}/{path}"
    assert attempt.attributes["url.full"] == f"{stack.gateway_url}/ath/proxy/github/trace"
    # the upstream API saw the proxy attempt's span as its parent: one trace end to end
    ctx = attempt.context
    flags = int(ctx.trace_flags)
    assert received["traceparent"] == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{flags:02x}"
    assert set(received) == {"traceparent", "tracestate"}
    # the failing call: its ATH code, error status, the exception without the server's text
    assert isinstance(failed, ATHError)
    assert proxy_failed.status.status_code == StatusCode.ERROR
    assert proxy_failed.attributes["ath.error.code"] == failed.code
    assert proxy_failed.attributes["error.type"] == failed.code
    (exception,) = [e for e in proxy_failed.events if e.name == "exception"]
    assert exception.attributes["exception.type"] == "ath._errors.ATHServerError"
    assert failed.code in str(exception.attributes["exception.message"])
    assert "Not Found" in failed.message  # the server's text is in the error ...
    assert "Not Found" not in str(dict(exception.attributes))  # ... and not in the span
    # audit events on the call spans
    events = {(s.name, e.name) for s in calls for e in s.events}
    assert {
        ("ath.register", "agent.registered"),
        ("ath.authorize", "consent.started"),
        ("ath.token", "consent.completed"),
        ("ath.token", "token.issued"),
        ("ath.revoke", "token.revoked"),
    } <= events
    # metrics: one duration per call, by call and outcome
    points = otel.metric_points()
    durations = points["ath.client.call.duration"]
    counted = {(p.attributes["ath.call"], p.attributes["ath.outcome"]): p.count for p in durations}
    assert counted[("ath.proxy", "ok")] == 1
    assert counted[("ath.proxy", failed.code)] == 1
    assert counted[("ath.register", "ok")] == 1
    assert sum(p.count for p in points["http.client.request.duration"]) == 7
    # and not one secret in any span, event, metric or record
    assert secrets.scanner.secrets >= 5
    assert secrets.leaks([*otel.texts(), *records.texts()]) == []


def test_consent_waits_and_a_denial(
    stack: LocalStack, agent: Agent, otel: Telemetry, records: Records, secrets: Secrets
) -> None:
    """``wait_for_token`` feeds the consent-wait histogram and ends with the token's audit
    events; partial consent is a ``scope.refused``; a denial is ``consent.denied``."""
    pauses: list[float] = []
    secrets.scanner.add_pem(agent.pem)
    redirect = stack.gateway_url + "/cb"
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem, sleep=pauses.append) as c:
        registration = c.register(
            DEVELOPER, [{"provider_id": "github", "scopes": SCOPES}], redirect_uris=[redirect]
        )
        secrets.add(registration.client_secret, "client secret")
        stack.consent.approve(["read:user"])  # the user grants one of the two scopes
        auth = c.authorize("github", SCOPES)
        follow_consent(auth.authorization_url)  # consent given elsewhere; the agent polls
        token = c.wait_for_token(auth.ath_session_id, timeout=30, poll_interval=1)
        secrets.add(token.access_token, "ATH token")
        stack.consent.deny()
        auth = c.authorize("github", ["read:user"], redirect_uri=redirect)
        consent = follow_consent(auth.authorization_url)
        with pytest.raises(ATHError) as denied:
            c.finish_authorization(consent.url)
    assert denied.value.code == "USER_DENIED"
    spans = {s.name: s for s in otel.finished()}
    waited = spans["ath.wait_for_token"]
    assert waited.attributes is not None and waited.attributes["ath.provider"] == "github"
    events = {e.name: e for e in waited.events}
    assert set(events) == {"consent.completed", "token.issued", "scope.refused"}
    refused = events["scope.refused"].attributes
    assert refused is not None and refused["ath.scopes"] == ("repo",)
    failed = spans["ath.finish_authorization"]
    assert [e.name for e in failed.events] == ["consent.denied", "exception"]
    assert failed.status.status_code == StatusCode.ERROR
    (wait,) = [
        p
        for p in otel.metric_points()["ath.client.consent.wait"]
        if p.attributes["ath.call"] == "ath.wait_for_token"
    ]
    assert wait.count == 1 and wait.attributes["ath.outcome"] == "ok"
    assert [r.getMessage() for r in records.events("consent.denied")] == [
        "audit consent.denied error.code=USER_DENIED"
    ]
    assert secrets.leaks([*otel.texts(), *records.texts()]) == []


async def test_a_cancelled_call_ends_its_spans(otel: Telemetry, agent_pem: str) -> None:
    """A task cancelled while its request is out: the attempt's span and the call's end
    (nothing left open), the call's marked failed."""
    received = threading.Event()

    def hang(conn: socket.socket) -> None:
        read_request(conn)
        received.set()
        wait_for_peer_close(conn)

    with RawServer(hang) as server:
        async with AsyncATHGatewayClient(server.url, "https://agent.example/a", agent_pem) as c:
            c.set_token("ath_tk_" + "c" * 30, "github")
            task = asyncio.ensure_future(c.proxy("github", "GET", "/user"))
            while not received.is_set():
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    spans = {s.name: s for s in otel.finished()}
    assert set(spans) == {"ath.proxy", "GET /ath/proxy/{provider}/{path}"}
    attempt = spans["GET /ath/proxy/{provider}/{path}"]
    assert attempt.parent is not None
    assert attempt.parent.span_id == spans["ath.proxy"].context.span_id
    assert spans["ath.proxy"].status.status_code == StatusCode.ERROR
    assert attempt.attributes is not None and "error.type" in attempt.attributes


async def test_repeated_attempts_report_each_its_own_outcome(
    make_client: MakeClient,
    otel: Telemetry,
    records: Records,
    secrets: Secrets,
    stack: LocalStack,
    agent: Agent,
) -> None:
    """An attempt to a URL an earlier attempt failed on (the watcher keeps what attempts
    to one URL share) reports its own outcome, not the earlier one's; and a query is never
    in ``url.full``, also for a URL seen before without one."""
    client = make_client()
    secrets.scanner.add_pem(agent.pem)
    token = await _handshake(client, secrets)
    bogus = "ath_tk_" + "b" * 30
    secrets.add(bogus, "bogus token")
    otel.spans.clear()
    records.records.clear()
    await client.set_token(bogus, "github")
    with pytest.raises(ATHError):
        await client.proxy("github", "GET", "/trace")  # the gateway refuses the token
    await client.set_token(token.access_token, "github")
    for path in ("/trace", "/trace?page=2", "/trace"):
        await client.proxy("github", "GET", path)
    spans: list[Any] = otel.finished()
    attempts = sorted((s for s in spans if s.kind == SpanKind.CLIENT), key=lambda s: s.start_time)
    full = f"{stack.gateway_url}/ath/proxy/github/trace"
    assert [s.attributes["url.full"] for s in attempts] == [full] * 4
    statuses = [s.attributes["http.response.status_code"] for s in attempts]
    assert statuses[0] >= 400
    assert statuses[1:] == [200, 200, 200]
    assert [s.attributes.get("error.type") for s in attempts] == [str(statuses[0])] + [None] * 3
    logged = records.events("http.attempt")
    assert [getattr(r, "http.response.status_code") for r in logged] == statuses
    assert [getattr(r, "error.type", None) for r in logged] == [str(statuses[0])] + [None] * 3
    assert [getattr(r, "ath.attempt") for r in logged] == [1] * 4
    assert not secrets.leaks(otel.texts() + records.texts())
