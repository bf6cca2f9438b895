"""The ``ath`` logger's records: one per call (INFO), one per HTTP attempt (DEBUG) with its
path template, status, attempt, elapsed time and retry reason, the audit events, every
field also a record attribute; ``ath.enable_logging`` and ``ATH_LOG``; and what
``ATH_LOG=debug python examples/gateway_agent.py`` prints, scanned for secrets."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import SpanKind

import ath
from ath import ATHError, ATHGatewayClient
from ath.testing import LocalStack, follow_consent
from tests.conftest import Agent

from ._capture import Records, Secrets, Telemetry

ROOT = Path(__file__).resolve().parents[2]
DEVELOPER = {"name": "Acme", "id": "acme"}


def _ready(
    stack: LocalStack, agent: Agent, secrets: Secrets, **options: object
) -> ATHGatewayClient:
    client = ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem, **options)  # type: ignore[arg-type]
    secrets.scanner.add_pem(agent.pem)
    registration = client.register(DEVELOPER, [{"provider_id": "github", "scopes": ["read:user"]}])
    secrets.add(registration.client_secret, "client secret")
    auth = client.authorize("github", ["read:user"])
    consent = follow_consent(auth.authorization_url)
    secrets.add(consent.granted_code, "consent code")
    secrets.add(
        client.exchange_token(consent.granted_code, auth.ath_session_id).access_token, "token"
    )
    return client


def _started(span: Any) -> int:
    return int(span.start_time or 0)


def test_a_record_per_attempt_with_the_retry_reason_and_one_per_call(
    stack: LocalStack, agent: Agent, records: Records, secrets: Secrets, otel: Telemetry
) -> None:
    pauses: list[float] = []
    with _ready(stack, agent, secrets, max_retries=2, sleep=pauses.append) as client:
        records.records.clear()
        otel.spans.clear()
        with pytest.raises(ATHError) as failed:
            client.proxy("github", "GET", "/outage")  # 503 each time: retried twice
    assert failed.value.code == "UPSTREAM_ERROR" and len(pauses) == 2
    attempts = records.events("http.attempt")
    assert [getattr(r, "ath.attempt") for r in attempts] == [1, 2, 3]
    assert [getattr(r, "ath.retry.reason", None) for r in attempts] == [None, "503", "503"]
    for record in attempts:
        assert record.levelno == logging.DEBUG
        assert getattr(record, "ath.call") == "ath.proxy"
        assert getattr(record, "http.request.method") == "GET"
        assert getattr(record, "url.template") == "/ath/proxy/{provider}/{path}"
        assert getattr(record, "http.response.status_code") == 503
        assert getattr(record, "ath.duration_ms") >= 0
        assert "/outage" not in record.getMessage()  # the template, not the path
    (call,) = records.events("call")
    assert call.levelno == logging.INFO
    assert getattr(call, "ath.outcome") == "UPSTREAM_ERROR"
    assert getattr(call, "ath.error.code") == "UPSTREAM_ERROR"
    assert getattr(call, "ath.attempts") == 3 and getattr(call, "ath.retries") == 2
    assert getattr(call, "ath.provider") == "github"
    assert "503 Service Unavailable" not in " ".join(records.texts())  # no body
    retried = otel.metric_points()["ath.client.retries"]
    assert sum(p.value for p in retried) == 2
    assert {p.attributes["ath.retry.reason"] for p in retried} == {"503"}
    spans = sorted((s for s in otel.finished() if s.kind == SpanKind.CLIENT), key=_started)
    assert [dict(s.attributes or {}).get("http.request.resend_count") for s in spans] == [
        None,
        1,
        2,
    ]
    assert [dict(s.attributes or {}).get("ath.retry.reason") for s in spans] == [
        None,
        "503",
        "503",
    ]
    assert secrets.leaks([*records.texts(), *otel.texts()]) == []


def test_audit_events_carry_a_stable_event_field(
    stack: LocalStack, agent: Agent, records: Records, secrets: Secrets
) -> None:
    with _ready(stack, agent, secrets) as client:
        with pytest.raises(ATHError, match="SCOPE_NOT_APPROVED"):
            client.proxy("github", "GET", "/user/repos")  # needs "repo": not approved
        client.revoke()
    names = [getattr(r, "event", None) for r in records.records]
    for event in ("agent.registered", "consent.started", "consent.completed", "token.issued"):
        assert names.count(event) == 1, event
    (refused,) = records.events("scope.refused")
    assert getattr(refused, "ath.error.code") == "SCOPE_NOT_APPROVED"
    (revoked,) = records.events("token.revoked")
    assert getattr(revoked, "ath.provider") == "github"
    (issued,) = records.events("token.issued")
    assert getattr(issued, "ath.scopes") == ["read:user"]
    assert getattr(issued, "ath.agent_id") == agent.agent_id
    assert all(r.name == "ath" for r in records.records)
    assert secrets.leaks(records.texts()) == []


def test_nothing_is_watched_when_nobody_listens(
    stack: LocalStack, agent: Agent, secrets: Secrets
) -> None:
    logger = logging.getLogger("ath")
    level, logger.level = logger.level, logging.WARNING
    try:
        with _ready(stack, agent, secrets) as client:
            assert client._core.otel is None  # no provider set: decided once, at build
            from ath._telemetry import observed

            nothing: list[Any] = []
            flow: Any = observed(client._core, (x for x in nothing))
            assert flow.gi_code.co_name == "guard"
            received = client.proxy("github", "GET", "/trace")
    finally:
        logger.setLevel(level)
    assert received == {"traceparent": None, "tracestate": None}


def test_propagate_trace_off(
    stack: LocalStack, agent: Agent, secrets: Secrets, otel: Telemetry
) -> None:
    with _ready(stack, agent, secrets, propagate_trace=False) as client:
        assert client.proxy("github", "GET", "/trace") == {"traceparent": None, "tracestate": None}
    assert any(s.name == "ath.proxy" for s in otel.finished())  # traced, not propagated
    with pytest.raises(ATHError) as bad:
        ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem, propagate_trace="no")  # type: ignore[arg-type]
    assert bad.value.code == "INVALID_ARGUMENT" and bad.value.details["option"] == "propagate_trace"


def test_enable_logging_acts_on_the_ath_logger_only() -> None:
    logger = logging.getLogger("ath")
    before = list(logger.handlers), logger.level
    root = list(logging.getLogger().handlers)
    try:
        ath.enable_logging("info")
        ath.enable_logging("DEBUG")
        added = [h for h in logger.handlers if h not in before[0]]
        assert len(added) == 1 and logger.level == logging.DEBUG
        assert logging.getLogger().handlers == root
        with pytest.raises(ATHError) as bad:
            ath.enable_logging("loud")
        assert bad.value.code == "INVALID_ARGUMENT"
    finally:
        logger.handlers[:] = before[0]
        logger.setLevel(before[1])


RUN_EXAMPLE = textwrap.dedent(
    """
    # examples/gateway_agent.py as `ATH_LOG=debug python examples/gateway_agent.py` runs it,
    # with spies (not stand-ins) writing every secret it makes to argv[2] for the scanner
    import json, runpy, sys
    import ath
    from ath import ATHGatewayClient, AttestationSigner
    import ath.testing

    found = {"pem": [], "jwt": [], "plain": []}
    generate = ath.generate_private_key
    def spy_key(*a, **k):
        pem = generate(*a, **k); found["pem"].append(pem); return pem
    ath.generate_private_key = spy_key
    mint = AttestationSigner.mint
    def spy_mint(self, *a, **k):
        jwt = mint(self, *a, **k); found["jwt"].append(jwt); return jwt
    AttestationSigner.mint = spy_mint
    register, exchange = ATHGatewayClient.register, ATHGatewayClient.exchange_token
    def spy_register(self, *a, **k):
        reg = register(self, *a, **k); found["plain"].append(reg.client_secret); return reg
    def spy_exchange(self, code, session_id):
        token = exchange(self, code, session_id)
        found["plain"] += [code, token.access_token]
        return token
    ATHGatewayClient.register, ATHGatewayClient.exchange_token = spy_register, spy_exchange
    try:
        runpy.run_path(sys.argv[1], run_name="__main__")
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    with open(sys.argv[2], "w") as out:
        json.dump(found, out)
    sys.exit(code)
    """
)


def test_ath_log_debug_prints_the_example_s_steps_and_no_secret(tmp_path: Path) -> None:
    found = tmp_path / "secrets.json"
    env = {**os.environ, "ATH_LOG": "debug"}
    done = subprocess.run(  # noqa: S603 (this interpreter, our own script)
        [
            sys.executable,
            "-c",
            RUN_EXAMPLE,
            str(ROOT / "examples" / "gateway_agent.py"),
            str(found),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    steps = [line for line in done.stderr.splitlines() if " ath " in line]
    for expected in (
        "ath DEBUG ath.discover GET /.well-known/ath.json -> 200",
        "ath INFO ath.register ok",
        "ath DEBUG ath.authorize POST /ath/authorize -> 200",
        "ath INFO audit token.issued provider=github",
        "ath DEBUG ath.proxy POST /ath/proxy/{provider}/{path} -> 201",
        "ath INFO ath.proxy failed: [UPSTREAM_ERROR] (HTTP 404)",
        "ath INFO audit token.revoked provider=github",
    ):
        assert any(expected in line for line in steps), expected
    made = json.loads(found.read_text())
    scanner = Secrets().scanner
    for pem in made["pem"]:
        scanner.add_pem(pem)
    for jwt in made["jwt"]:
        scanner.add_jwt(jwt)
    for value in made["plain"]:
        scanner.add(value, "secret")
    assert scanner.secrets >= 6
    assert [hit for text in (done.stderr, done.stdout) if (hit := scanner.find(text))] == []
