"""The generated raw client (ath_sdk_client) types every error answer, also those no ATH
implementer wrote: a text/HTML error page (a gateway client pointed at another server, a
proxy or load balancer in front of the service) and an error code outside the spec."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest

from ath import ATHError as SDKError
from ath import ATHGatewayClient, generate_private_key
from ath.testing import LocalStack
from ath_sdk_client import AuthenticatedClient, Client
from ath_sdk_client.api.gateway import get_gateway_discovery, proxy_get
from ath_sdk_client.api.native import get_service_discovery
from ath_sdk_client.api.shared import register_agent
from ath_sdk_client.models import (
    AgentRegistrationRequest,
    ATHError,
    ATHExtensionErrorCode,
    DeveloperInfo,
    ProviderScopeRequest,
)
from tests.stack.stack_helpers import make_agent

TEXT_404 = "404 page not found\n"
HTML_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"
CONFLICT = {"code": "CONFLICT", "message": "agent exists", "details": {"client_id": "c-1"}}
BLOCKED = {"code": "REGION_BLOCKED", "message": "not served here", "details": {"region": "xx"}}


class _Foreign(BaseHTTPRequestHandler):
    """A server that is no ATH implementer. Under /text it answers a text 404, under /html
    an HTML 502; elsewhere JSON errors with codes of its own (409 CONFLICT to a POST)."""

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/html/"):
            self._send(502, "text/html; charset=utf-8", HTML_502.encode())
        elif self.path.startswith("/text/"):
            self._send(404, "text/plain; charset=utf-8", TEXT_404.encode())
        else:
            self._send(403, "application/json", json.dumps(BLOCKED).encode())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(409, "application/json", json.dumps(CONFLICT).encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def foreign() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Foreign)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _registration() -> AgentRegistrationRequest:
    return AgentRegistrationRequest(
        agent_id="https://agent.example/agent.json",
        agent_attestation="a.b.c",
        developer=DeveloperInfo(name="Dev", id="dev"),
        requested_providers=[ProviderScopeRequest(provider_id="github", scopes=["read:user"])],
    )


def test_text_error_pages_are_returned_as_text(foreign: str) -> None:
    with Client(base_url=f"{foreign}/text", httpx_args={"trust_env": False}) as raw:
        missing = get_gateway_discovery.sync_detailed(client=raw)
    assert missing.status_code == 404 and missing.parsed == TEXT_404
    with Client(base_url=f"{foreign}/html", httpx_args={"trust_env": False}) as raw:
        outage = get_service_discovery.sync_detailed(client=raw)
    assert outage.status_code == 502 and outage.parsed == HTML_502


async def test_text_error_pages_are_returned_as_text_asyncio(foreign: str) -> None:
    async with Client(base_url=f"{foreign}/text", httpx_args={"trust_env": False}) as raw:
        assert await get_gateway_discovery.asyncio(client=raw) == TEXT_404


def test_unknown_error_code_is_kept_as_a_string(foreign: str) -> None:
    with Client(base_url=foreign, httpx_args={"trust_env": False}) as raw:
        answer = register_agent.sync_detailed(client=raw, body=_registration())
    assert answer.status_code == 409 and isinstance(answer.parsed, ATHError)
    assert answer.parsed.code == "CONFLICT" and not isinstance(
        answer.parsed.code, ATHExtensionErrorCode
    )
    assert answer.parsed.to_dict() == CONFLICT


def test_proxied_html_error_is_returned_as_bytes(ath_stack: LocalStack) -> None:
    with httpx2.Client(trust_env=False, timeout=10.0) as http:
        agent = make_agent(ath_stack, http)
        agent.register({"github": ["read:user"]})
        token = agent.token("github", ["read:user"])["access_token"]
    with AuthenticatedClient(
        base_url=ath_stack.gateway_url, token=token, httpx_args={"trust_env": False}
    ) as raw:
        outage = proxy_get.sync_detailed(
            "github", "outage", client=raw, x_ath_agent_id=agent.agent_id
        )
    assert outage.status_code == 503 and isinstance(outage.parsed, bytes)
    assert b"<h1>503" in outage.parsed


def test_sdk_passes_an_unknown_server_code_through(foreign: str) -> None:
    with ATHGatewayClient(
        url=foreign,
        agent_id="https://agent.example/agent.json",
        private_key=generate_private_key(),
        max_retries=0,
    ) as client:
        with pytest.raises(SDKError) as failed:
            client.discover()
        # a code outside ATH v0.1 passes through unchanged, as the server's
        assert failed.value.code == "REGION_BLOCKED" and failed.value.origin == "server"
        assert failed.value.status == 403 and failed.value.details["region"] == "xx"
        # register: a 409 is ALREADY_REGISTERED whatever code the server used; it keeps them
        with pytest.raises(SDKError) as again:
            client.register(
                developer={"name": "Dev", "id": "dev"},
                providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            )
    assert again.value.code == "ALREADY_REGISTERED" and again.value.origin == "server"
    assert again.value.details["server_code"] == "CONFLICT"
    assert again.value.details["client_id"] == "c-1"
