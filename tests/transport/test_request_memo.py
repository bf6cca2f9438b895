"""A client reuses its last bodiless request's headers only when they would be built
from the same inputs: each request on the wire carries exactly the headers its call
asked for, whatever changed since the last one (a token, a caller's header, the
method, the client's own headers, an event hook's edits)."""

from __future__ import annotations

import httpx2
import pytest

from ath import ATHGatewayClient
from ath._flows._transport import build_request
from tests._support.faults import AGENT_ID
from tests._support.servers import RawServer, recording


def _headers(request: bytes) -> dict[str, str]:
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in head)}


def test_every_request_carries_its_own_headers(pem: str) -> None:
    seen: list[bytes] = []

    def hook(request: httpx2.Request) -> None:
        if request.url.path.endswith("/hooked"):
            request.headers["X-Hooked"] = "yes"
            request.headers["Authorization"] = "Bearer changed-by-hook"

    with RawServer(recording(seen)) as server:
        own = httpx2.Client(headers={"X-Env": "a"}, event_hooks={"request": [hook]})
        with ATHGatewayClient(server.url, AGENT_ID, pem, http_client=own) as client:
            client.set_token("ath_tk_one", "github")
            client.proxy("github", "GET", "/hooked")
            client.proxy("github", "GET", "/hooked")
            client.proxy("github", "GET", "/user")
            client.proxy("github", "DELETE", "/user")
            client.proxy("github", "GET", "/user", headers={"X-Trace": "t1"})
            client.proxy("github", "GET", "/user")
            own.headers["X-Env"] = "b"
            client.proxy("github", "GET", "/user")
            client.set_token("ath_tk_two", "github")
            client.proxy("github", "GET", "/user")
        own.close()
    got = [_headers(r) for r in seen]
    first = seen[0].split(b" ", 2)[:2]
    assert first == [b"GET", b"/ath/proxy/github/hooked"]
    assert [h["authorization"] for h in got] == ["Bearer changed-by-hook"] * 2 + [
        "Bearer ath_tk_one"
    ] * 5 + ["Bearer ath_tk_two"]
    assert [h.get("x-hooked") for h in got] == ["yes", "yes"] + [None] * 6
    assert [r.split(b" ", 1)[0] for r in seen] == [b"GET"] * 3 + [b"DELETE"] + [b"GET"] * 4
    assert [h.get("x-trace") for h in got] == [None] * 4 + ["t1"] + [None] * 3
    assert [h["x-env"] for h in got] == ["a"] * 6 + ["b"] * 2
    assert all(h["x-ath-agent-id"] == AGENT_ID for h in got)


def test_a_mapping_changed_after_a_call_is_not_taken_for_the_old_one(pem: str) -> None:
    """The memo keeps the flow's headers as they were: a mapping changed in place after
    a request was built gets requests built from its new content."""
    with ATHGatewayClient("http://127.0.0.1:9", AGENT_ID, pem) as client:
        core = client._core
        url = "http://127.0.0.1:9/ath/proxy/github/user"
        headers = {"Authorization": "Bearer first"}
        one = build_request(core, "GET", url, headers=headers)
        headers["Authorization"] = "Bearer second"
        two = build_request(core, "GET", url, headers=headers)
        one.headers["Authorization"] = "Bearer edited"
        three = build_request(core, "GET", url, headers=headers)
    assert two.headers["Authorization"] == "Bearer second"
    assert three.headers["Authorization"] == "Bearer second"
    expected = httpx2.Client(headers=client._core.http.headers).build_request(
        "GET", url, headers=headers
    )
    assert three.headers.raw == expected.headers.raw


def test_users_taking_turns_each_send_their_own_token_in_the_same_place(pem: str) -> None:
    """Calls alternating between users reuse the last headers with the token replaced:
    each request carries its user's token, with every header where a client building
    that request afresh puts it."""
    seen: list[bytes] = []

    def head(request: bytes) -> list[str]:
        return request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")

    with RawServer(recording(seen)) as server:
        with ATHGatewayClient(server.url, AGENT_ID, pem) as client:
            for name in ("alice", "bob", "carol"):
                client.for_user(name).set_token(f"ath_tk_{name}", "github")
            for name in ("alice", "bob", "alice", "carol", "carol", "bob"):
                client.for_user(name).proxy("github", "GET", "/user")
        taking_turns = [head(r) for r in seen]
        seen.clear()
        for name in ("alice", "bob", "alice", "carol", "carol", "bob"):
            with ATHGatewayClient(server.url, AGENT_ID, pem) as fresh:
                fresh.for_user(name).set_token(f"ath_tk_{name}", "github")
                fresh.for_user(name).proxy("github", "GET", "/user")
        afresh = [head(r) for r in seen]
    assert taking_turns == afresh
    tokens = [next(x for x in h if x.startswith("Authorization:")) for h in taking_turns]
    assert tokens == [f"Authorization: Bearer ath_tk_{n}"
                      for n in ("alice", "bob", "alice", "carol", "carol", "bob")]  # fmt: skip


def test_a_token_a_full_build_refuses_is_refused_after_a_reuse_too(pem: str) -> None:
    """A token that cannot be sent (not ASCII) is refused the same way whether the
    request's headers are built afresh or from the last ones."""
    with ATHGatewayClient("http://127.0.0.1:9", AGENT_ID, pem) as client:
        core = client._core
        url = "http://127.0.0.1:9/ath/proxy/github/user"
        build_request(core, "GET", url, headers={"Authorization": "Bearer ascii"})
        with pytest.raises(ValueError) as reused:
            build_request(core, "GET", url, headers={"Authorization": "Bearer caf\u00e9"})
    with (
        ATHGatewayClient("http://127.0.0.1:9", AGENT_ID, pem) as fresh,
        pytest.raises(ValueError) as afresh,
    ):
        build_request(fresh._core, "GET", url, headers={"Authorization": "Bearer caf\u00e9"})
    assert type(reused.value) is type(afresh.value)


def test_a_request_with_authorization_after_one_without_is_built_afresh(pem: str) -> None:
    """Headers built without ``Authorization`` are not the template of a request with
    one: it comes where a full build puts it, not appended."""
    with ATHGatewayClient("http://127.0.0.1:9", AGENT_ID, pem) as client:
        core = client._core
        url = "http://127.0.0.1:9/ath/proxy/github/user"
        build_request(core, "GET", url, headers={"X-ATH-Agent-ID": AGENT_ID})
        both = {"Authorization": "Bearer t", "X-ATH-Agent-ID": AGENT_ID}
        built = build_request(core, "GET", url, headers=both)
        expected = httpx2.Client(headers=core.http.headers).build_request("GET", url, headers=both)
    assert built.headers.raw == expected.headers.raw
