"""The polling flow of wait_for_token, driven step by step: the pauses it asks for.

The generator is the shared core (no I/O); this test plays the driver, answering each
``Send`` with a server answer and recording each ``Sleep``, so the interval rules are
checked without any real waiting and without patching a sleep function.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx2
import pytest

from ath import ATHError, ATHGatewayClient, generate_private_key
from ath._flows._consent import MAX_POLL_INTERVAL, POLL_GROWTH, wait_for_token_flow
from ath._steps import Send, Sleep

AGENT = "http://127.0.0.1:9/.well-known/agent.json"
PENDING = {
    "code": "SESSION_NOT_FOUND",
    "message": "authorization not completed",
    "details": {"reason": "authorization_pending"},
}
TOKEN = {
    "access_token": "ath_tk_polled",
    "token_type": "Bearer",
    "expires_in": 3600,
    "effective_scopes": ["read:user"],
    "provider_id": "github",
    "agent_id": AGENT,
    "scope_intersection": {
        "agent_approved": ["read:user"],
        "user_consented": ["read:user"],
        "effective": ["read:user"],
    },
}


@pytest.fixture
def client() -> Any:
    with ATHGatewayClient(
        url="http://127.0.0.1:9", agent_id=AGENT, private_key=generate_private_key()
    ) as made:
        made.set_credentials("ath_client_x", "ath_secret_x")
        yield made


def drive(flow: Any, answers: list[httpx2.Response]) -> tuple[Any, list[float], int]:
    """Run ``flow``, answering Sends in order; returns (result, sleeps, requests)."""
    sleeps: list[float] = []
    sent = 0
    step = next(flow)
    try:
        while True:
            if isinstance(step, Sleep):
                sleeps.append(step.seconds)
                step = flow.send(None)
            else:
                assert isinstance(step, Send)
                assert step.request.url.path == "/ath/token"
                answer = answers[sent]
                sent += 1
                step = flow.send(
                    httpx2.Response(
                        answer.status_code,
                        headers=answer.headers,
                        content=answer.content,
                        request=step.request,
                    )
                )
    except StopIteration as done:
        return done.value, sleeps, sent


def pending(**headers: str) -> httpx2.Response:
    return httpx2.Response(400 if not headers else 429, json=PENDING, headers=headers)


def test_interval_grows_politely_up_to_its_cap(client: Any) -> None:
    answers = [pending() for _ in range(12)] + [httpx2.Response(200, json=TOKEN)]
    flow = wait_for_token_flow(client._core, "ath_sess_1", 600.0, 2.0)
    token, sleeps, sent = drive(flow, answers)
    assert token.access_token == "ath_tk_polled" and client.tokens["github"] is token
    assert sent == 13 and len(sleeps) == 12, "one request per pause, no more"
    assert sleeps[0] == 2.0 and sleeps[1] == pytest.approx(2.0 * POLL_GROWTH)
    assert all(b >= a for a, b in itertools.pairwise(sleeps)), "never shrinks"
    assert max(sleeps) == pytest.approx(min(MAX_POLL_INTERVAL, 5 * 2.0)), "capped"


def test_retry_after_is_honoured(client: Any) -> None:
    answers = [
        pending(),
        pending(**{"Retry-After": "7"}),
        pending(),
        httpx2.Response(200, json=TOKEN),
    ]
    _, sleeps, _ = drive(wait_for_token_flow(client._core, "ath_sess_1", 600.0, 1.0), answers)
    assert sleeps[0] == 1.0
    assert sleeps[1] == 7.0, "Retry-After wins over the interval"
    assert sleeps[2] >= 7.0, "and the interval does not drop below it afterwards"


def test_zero_timeout_asks_once_then_gives_up(client: Any) -> None:
    with pytest.raises(ATHError) as late:
        drive(wait_for_token_flow(client._core, "ath_sess_1", 0.0, 1.0), [pending()])
    assert late.value.code == "CONSENT_TIMEOUT"
    assert late.value.details == {"session_id": "ath_sess_1", "token_requests": 1}


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (403, {"code": "USER_DENIED", "message": "the user refused consent"}, "USER_DENIED"),
        (400, {"code": "SESSION_EXPIRED", "message": "expired"}, "SESSION_EXPIRED"),
        (400, {"code": "SESSION_NOT_FOUND", "message": "no such session"}, "SESSION_NOT_FOUND"),
        (401, {"code": "AGENT_NOT_REGISTERED", "message": "bad secret"}, "AGENT_NOT_REGISTERED"),
    ],
)
def test_final_answers_end_the_wait_at_once(
    client: Any, status: int, body: dict[str, Any], code: str
) -> None:
    with pytest.raises(ATHError) as ended:
        drive(
            wait_for_token_flow(client._core, "ath_sess_1", 600.0, 1.0),
            [httpx2.Response(status, json=body)],
        )
    assert ended.value.code == code


def test_wait_needs_credentials_and_a_session_id() -> None:
    with ATHGatewayClient(
        url="http://127.0.0.1:9", agent_id=AGENT, private_key=generate_private_key()
    ) as bare:
        with pytest.raises(ATHError) as none:
            bare.wait_for_token("ath_sess_1")
        assert none.value.code == "NOT_REGISTERED"
        with pytest.raises(ATHError) as empty:
            bare.wait_for_token("")
        assert empty.value.code == "INVALID_ARGUMENT"
