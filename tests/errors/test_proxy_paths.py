"""Proxy and API paths (and provider ids) never leave ``/ath/proxy/{provider}/`` or the
``api_base``: traversal refused before anything is sent, ordinary paths kept, as unit tests
and as properties (hypothesis; every example counts in the ``properties`` tally).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ath import ATHError, ATHGatewayClient, ATHNativeClient
from ath._validation import check_relative_path
from tests._support.faults import AGENT_ID, MOCK_URL
from tests._support.props import ANY_TEXT, PROPS, example
from tests._support.servers import FakeATH


@pytest.mark.parametrize(
    "path",
    [
        "/../admin",
        "..",
        "/a/../../b",
        "//evil.example.com/x",
        "/a?x=1",
        "/a#frag",
        "/a\\..\\b",
        "/%2e%2e/admin",
        "/%252e%252e/admin",
        "/a%3Fb",
        "/a b",
        "/a\r\nX: y",
    ],
)
def test_proxy_paths_cannot_escape(path: str) -> None:
    with pytest.raises(ATHError) as info:
        check_relative_path(path)
    assert info.value.code == "INVALID_ARGUMENT"


def test_proxy_paths_kept() -> None:
    assert check_relative_path("/user/repos") == "user/repos"
    assert check_relative_path("repos/o/r/issues") == "repos/o/r/issues"
    assert check_relative_path("/files/a%20b") == "files/a%20b"


# --------------------------------------------------------------------------- properties

TRICKY = st.lists(
    st.sampled_from(
        [
            "..",
            ".",
            "/",
            "%2e",
            "%2E",
            "%252e",
            "%25252e",
            "%2f",
            "%2F",
            "%5c",
            "\\",
            ";",
            "..;",
            ";x",
            "?",
            "#",
            "%3f",
            "%23",
            "%00",
            "\x00",
            "//",
            "@",
            ":",
            "http:",
            "evil.example",
            "%",
            "%%",
            "~",
            "user",
            "\ud800",
            "é",
            " ",
            "\t",
            "\n",
            "ath",
            "proxy",
            "%2e%2e",
            "%u002e",
            ".%2e",
            "%c0%ae",
        ]
    )
    | st.text(max_size=3),
    max_size=12,
).map("".join)


@dataclass
class Proxies:
    gateway: Any
    native: Any
    gateway_server: FakeATH
    native_server: FakeATH


@pytest.fixture(scope="module")
def proxies(pem: str) -> Iterator[Proxies]:
    servers = FakeATH(AGENT_ID, MOCK_URL), FakeATH(AGENT_ID, MOCK_URL)
    gateway = ATHGatewayClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=servers[0].transport()
    )
    native = ATHNativeClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=servers[1].transport()
    )
    native.discover()
    gateway.set_token("ath_tk_paths_" + "x" * 20, "github")
    native.set_token("ath_tk_paths_" + "y" * 20)
    yield Proxies(gateway, native, *servers)
    gateway.close()
    native.close()


def fully_decoded(raw: bytes) -> str:
    """Percent-decode until nothing changes, as the most eager server would."""
    for _ in range(len(raw) + 1):
        decoded = unquote_to_bytes(raw)
        if decoded == raw:
            break
        raw = decoded
    return raw.decode("latin-1")


def check_stays_under(request: httpx2.Request, prefix: str) -> None:
    assert (request.url.scheme, request.url.host, request.url.port) == ("https", "127.0.0.1", 9)
    raw_path = request.url.raw_path.split(b"?", 1)[0]
    assert raw_path.startswith(prefix.encode()), raw_path
    path = fully_decoded(raw_path).replace("\\", "/")
    assert path.startswith(prefix), path
    segments = [segment.split(";", 1)[0] for segment in path[len(prefix) :].split("/")]
    assert ".." not in segments and "." not in segments, path


@PROPS
@given(path=ANY_TEXT | TRICKY, native=st.booleans())
def test_no_path_leaves_the_proxy_prefix(path: str, native: bool, proxies: Proxies) -> None:
    example()
    sent = proxies.native_server if native else proxies.gateway_server
    before = len(sent.requests)
    try:
        if native:
            proxies.native.api_raw("GET", path)
        else:
            proxies.gateway.proxy_raw("github", "GET", path)
    except ATHError as exc:
        assert exc.code == "INVALID_ARGUMENT", exc
        assert len(sent.requests) == before  # nothing was sent
        return
    assert len(sent.requests) == before + 1
    check_stays_under(sent.requests[-1], "/api/" if native else "/ath/proxy/github/")


@pytest.mark.parametrize(
    "path",
    [
        "../admin",
        "..",
        "a/../../b",
        "..;/admin",
        "a/..;x/b",
        "%2e%2e/admin",
        ".%2E/admin",
        "%252e%252e/admin",
        "%2525252e%2525252e/admin",
        "a%2f..%2f..%2fadmin",
        "a%5c..%5cadmin",
        "/./x",
        "//evil.example/x",
        "\\evil.example\\x",
        "../x?y=1",
        "x%3fy=1",
        "x#frag",
        "x%23frag",
        "\ud800/x",
        "a\x00b",
        "a b",
    ],
)
def test_known_traversals_are_refused(path: str, proxies: Proxies) -> None:
    before = len(proxies.gateway_server.requests)
    with pytest.raises(ATHError) as info:
        proxies.gateway.proxy_raw("github", "GET", path)
    assert info.value.code == "INVALID_ARGUMENT"
    assert len(proxies.gateway_server.requests) == before
    example()


@PROPS
@given(provider=ANY_TEXT | TRICKY)
def test_no_provider_id_leaves_the_proxy_prefix(provider: str, proxies: Proxies) -> None:
    example()
    gateway, sent = proxies.gateway, proxies.gateway_server
    gateway.set_token("ath_tk_any_" + "z" * 20)  # serves any provider
    before = len(sent.requests)
    try:
        gateway.proxy_raw(provider, "GET", "/user")
    except ATHError as exc:
        assert exc.code == "INVALID_ARGUMENT" and len(sent.requests) == before
        return
    check_stays_under(sent.requests[-1], f"/ath/proxy/{provider}/")
    assert sent.requests[-1].url.raw_path == f"/ath/proxy/{provider}/user".encode()


# --------------------------------------------------------------------------- query in the path


@pytest.mark.parametrize("native", [False, True])
def test_a_query_string_in_the_path_is_sent_as_params(native: bool, proxies: Proxies) -> None:
    """ath-sdk 0.1.0 accepted ``"/user?per_page=5"``; the query moves into params."""
    sent = proxies.native_server if native else proxies.gateway_server
    path = "/user?per_page=5&sort=up%20dated&tag=a&tag=b"
    if native:
        proxies.native.api_raw("GET", path, params={"page": 2})
    else:
        proxies.gateway.proxy_raw("github", "get", path, params={"page": 2})
    url = sent.requests[-1].url
    assert url.path == ("/api/user" if native else "/ath/proxy/github/user")
    assert url.params.multi_items() == [
        ("per_page", "5"),
        ("sort", "up dated"),
        ("tag", "a"),
        ("tag", "b"),
        ("page", "2"),
    ]


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/user?per_page=5", {"per_page": 6}, "'per_page'"),
        ("/user?a=1?b=2", None, "second '?'"),
        ("/user?a=1#frag", None, "'#'"),
    ],
)
def test_an_ambiguous_query_is_refused_before_sending(
    path: str, params: dict[str, Any] | None, named: str, proxies: Proxies
) -> None:
    before = len(proxies.gateway_server.requests)
    with pytest.raises(ATHError) as info:
        proxies.gateway.proxy_raw("github", "GET", path, params=params)
    assert info.value.code == "INVALID_ARGUMENT"
    assert named in info.value.message
    assert len(proxies.gateway_server.requests) == before
