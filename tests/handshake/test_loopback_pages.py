"""What the person's browser shows when it lands on ``login()``'s loopback listener
(issue 24): what happened, in their terms, never the code, state or session id of
the redirect; a strict Content-Security-Policy; the redirect still ends the login."""

from __future__ import annotations

import html
import re

import pytest

from ath._loopback import answer

ORIGIN = "http://127.0.0.1:53111"
STATE = "st4te-0123456789abcdefghijklmnopqrstu"
CODE = "ath_code_s3cret0123456789"
SESSION = "ath_sess_0123456789abcdef"


def _get(query: str) -> tuple[str, dict[str, str], str, str | None]:
    head = f"GET /callback?{query} HTTP/1.1\r\nHost: 127.0.0.1:53111".encode()
    reply = answer(head, origin=ORIGIN, path="/callback", state=STATE)
    raw_head, _, body = reply.data.decode().partition("\r\n\r\n")
    status, *lines = raw_head.split("\r\n")
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines)}
    return status, headers, body, reply.callback_url


def _title(body: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", body)
    assert found is not None
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("query", "title", "says"),
    [
        (f"code={CODE}&state={STATE}&session_id={SESSION}", "You're signed in", "close this tab"),
        (
            f"error=access_denied&state={STATE}&session_id={SESSION}",
            "Access was denied",
            "not given access",
        ),
        (f"error=server_error&state={STATE}", "Sign-in did not complete", "failed"),
        (f"success=false&state={STATE}&session_id={SESSION}", "Sign-in did not complete", "failed"),
    ],
)
def test_the_landing_page_speaks_to_the_person(query: str, title: str, says: str) -> None:
    status, headers, body, callback = _get(query)
    assert status == "HTTP/1.1 200 OK"
    assert callback == f"{ORIGIN}/callback?{query}"  # the login still gets the redirect
    assert _title(body) == title and says in body
    for secret in (CODE, STATE, SESSION):
        assert secret not in body
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'sha256-" in csp
    assert "frame-ancestors 'none'" in csp and "script" not in body
    assert headers["referrer-policy"] == "no-referrer"
    assert int(headers["content-length"]) == len(body.encode())


def test_a_stray_request_is_not_the_sign_in() -> None:
    status, headers, body, callback = _get(f"code={CODE}&state=another-state")
    assert status.startswith("HTTP/1.1 400") and callback is None
    assert _title(body) == "Not the pending sign-in" and CODE not in body
    assert "content-security-policy" in headers
