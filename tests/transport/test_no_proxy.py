"""Which route the SDK's own transport picks for a destination (ath._wire._Routes):
the environment's proxy by scheme, never for loopback, not for what NO_PROXY names.

httpx2 reads the environment only when it builds its own transport; the SDK builds
its own transport (httpcore2's public pools), so it reads HTTP(S)_PROXY, ALL_PROXY
and NO_PROXY itself. These checks pin that reading to httpx2's semantics.
"""

from __future__ import annotations

import httpx2
import pytest

from ath._wire import _Routes

PROXY = "http://proxy.corp:3128"


def route(monkeypatch: pytest.MonkeyPatch, url: str, no_proxy: str, trust_env: bool = True) -> str:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        for spelling in (name, name.lower()):
            monkeypatch.delenv(spelling, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("HTTP_PROXY", "proxy.plain:8080")  # no scheme: http:// assumed
    if no_proxy:
        monkeypatch.setenv("NO_PROXY", no_proxy)
    routes = _Routes(trust_env, lambda proxy: "direct" if proxy is None else str(proxy))
    chosen: str = routes.pool(httpx2.URL(url))
    return chosen


@pytest.mark.parametrize(
    ("url", "no_proxy", "expected"),
    [
        ("https://api.example.com/x", "", PROXY),
        ("http://api.example.com/x", "", "http://proxy.plain:8080"),
        ("https://api.example.com/x", "*", "direct"),
        ("https://api.example.com/x", "api.example.com", "direct"),
        ("https://api.example.com/x", "example.com", "direct"),
        ("https://api.example.com/x", ".example.com", "direct"),
        ("https://api.example.com/x", "other.org, example.com", "direct"),
        ("https://badexample.com/x", "example.com", PROXY),
        ("https://example.com.evil.org/x", "example.com", PROXY),
        ("https://10.1.2.3/x", "10.0.0.0/8", "direct"),
        ("https://10.1.2.3/x", "10.1.2.3", "direct"),
        ("https://11.1.2.3/x", "10.0.0.0/8", PROXY),
        ("https://[2001:db8::1]/x", "2001:db8::/32", "direct"),
        # loopback never goes through a proxy, whatever NO_PROXY says
        ("https://127.0.0.1:8443/x", "", "direct"),
        ("http://localhost:8080/x", "", "direct"),
        ("http://[::1]:8080/x", "", "direct"),
        ("http://127.5.6.7/x", "other.org", "direct"),
    ],
)
def test_routes_follow_the_environment_except_for_loopback(
    monkeypatch: pytest.MonkeyPatch, url: str, no_proxy: str, expected: str
) -> None:
    assert route(monkeypatch, url, no_proxy) == expected.rstrip("/")


def test_trust_env_false_never_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    assert route(monkeypatch, "https://api.example.com/x", "", trust_env=False) == "direct"
