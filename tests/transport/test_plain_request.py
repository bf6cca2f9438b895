"""The SDK's own request construction (``ath._flows._transport.plain_request``) builds,
byte for byte, what ``httpx2.Request`` builds from the same arguments: method, URL,
every header in order, body."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ath._flows._transport import plain_request

URLS = ("http://127.0.0.1:9/ath/proxy/github/user", "https://gw.example:8443/a/b?x=1&y=%20z")
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "post", "QUERY")
NAMES = ("Accept", "Content-Type", "content-length", "Transfer-Encoding", "Host", "X-A", "x-a")
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def _wire(request: httpx2.Request) -> tuple[Any, ...]:
    return (request.method, str(request.url), request.headers.raw, request.content)


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(METHODS),
    url=st.sampled_from(URLS),
    headers=st.lists(
        st.tuples(st.sampled_from(NAMES), st.text(alphabet="abc 0123456789/", max_size=8)),
        max_size=4,
    ),
    body=st.one_of(
        st.tuples(st.just("json"), JSON),
        st.tuples(st.just("content"), st.binary(max_size=16)),
        st.tuples(st.just("none"), st.none()),
    ),
)
def test_plain_request_is_what_httpx2_builds(
    method: str, url: str, headers: list[tuple[str, str]], body: tuple[str, Any]
) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers]
    kind, value = body
    json = value if kind == "json" else None
    content = value if kind == "content" else None
    parsed = httpx2.URL(url)
    expected = httpx2.Request(method, parsed, headers=raw, json=json, content=content)
    built = plain_request(method, parsed, raw, json, content, {"timeout": {}})
    assert _wire(built) == _wire(expected)
    assert built.extensions == {"timeout": {}}


@pytest.mark.parametrize("bad", [{1, 2}, float("nan"), float("inf"), object()])
def test_plain_request_refuses_what_httpx2_refuses(bad: Any) -> None:
    url = httpx2.URL(URLS[0])
    with pytest.raises((TypeError, ValueError)) as expected:
        httpx2.Request("POST", url, json=bad)
    with pytest.raises(type(expected.value)):
        plain_request("POST", url, [], bad, None, {})


def test_headers_memo_reuses_only_equal_headers_and_is_never_changed() -> None:
    """A client's memo of its last request headers: the same headers are reused, other
    headers (another token) are not, and changing a request's headers (an event hook
    does) changes neither the memo nor the next request."""
    from ath._core import HeadersMemo

    memo = HeadersMemo()
    url = httpx2.URL(URLS[0])
    alice = [(b"Authorization", b"Bearer alice"), (b"Accept", b"*/*")]
    bob = [(b"Authorization", b"Bearer bob"), (b"Accept", b"*/*")]
    first = plain_request("GET", url, list(alice), None, None, {}, memo)
    first.headers["Authorization"] = "Bearer changed"
    again = plain_request("GET", url, list(alice), None, None, {}, memo)
    other = plain_request("GET", url, list(bob), None, None, {}, memo)
    plain = httpx2.Request("GET", url, headers=alice)
    assert again.headers.raw == plain.headers.raw
    assert other.headers["Authorization"] == "Bearer bob"
    assert memo.last[1]["Authorization"] == "Bearer bob"
