"""A non-2xx answer turned into an ATHError (``ath/_errormap.py``): the server's own code
when it sent one, ``HTTP_ERROR`` or ``RATE_LIMITED`` otherwise, never the page it sent."""

from __future__ import annotations

import httpx2
import pytest

from ath._errormap import error_from_response


@pytest.mark.parametrize(
    ("status", "content", "ctype", "code"),
    [
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", "HTTP_ERROR"),
        (500, b"", "text/plain", "HTTP_ERROR"),
        (403, b'{"code": "SCOPE_NOT_APPROVED", "message": "no"}', "application/json", None),
        (400, b'{"code": "SOMETHING_NEW", "message": "x"}', "application/json", "SOMETHING_NEW"),
        (400, b'{"message": "no code"}', "application/json", "HTTP_ERROR"),
        (429, b"", "text/plain", "RATE_LIMITED"),
        (499, b"[1, 2]", "application/json", "HTTP_ERROR"),
    ],
)
def test_error_mapping(status: int, content: bytes, ctype: str, code: str | None) -> None:
    response = httpx2.Response(status, content=content, headers={"content-type": ctype})
    err = error_from_response(response, "discover")
    assert err.code == (code or "SCOPE_NOT_APPROVED")
    assert err.status == status
    assert "<html>" not in err.message
    assert err.message.startswith("discover")


def test_only_code_shaped_values_count_as_ath_errors() -> None:
    echo = httpx2.Response(400, json={"code": "code-1", "message": "echo"})
    assert error_from_response(echo, "x").code == "HTTP_ERROR"
    real = httpx2.Response(400, json={"code": "TOKEN_EXPIRED", "message": "gone"})
    assert error_from_response(real, "x").code == "TOKEN_EXPIRED"
