"""The full ATH handshake against the embedded local stack, sync and async.

Run it with ``make demo`` or ``python -m ath.demo``. It starts the local stack on
loopback, then walks an agent through discover → register → authorize → consent →
exchange_token → proxy (gateway) / api (native) → save and load credentials →
revoke, printing each step; then an agent with no redirect at all (registered without
``redirect_uris``) that waits for the user's consent with ``wait_for_token``. It exits
non-zero if any step fails.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    Token,
    generate_private_key,
)
from ath.testing import LocalStack, follow_consent

__all__ = ["main"]


DEVELOPER = {"name": "Acme", "id": "acme"}


def step(title: str, detail: str = "") -> None:
    print(f"  ✓ {title}" + (f" — {detail}" if detail else ""), flush=True)


def scopes(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "(none)"


def show_token(token: Token) -> None:
    si = token.scope_intersection
    if si is not None:
        step(
            "scope intersection",
            f"approved [{scopes(si.agent_approved)}] ∩ consented [{scopes(si.user_consented)}]"
            f" → effective [{scopes(si.effective)}]",
        )
    step("ATH token", f"provider {token.provider_id}, expires in {token.expires_in}s")


def gateway_sync(stack: LocalStack, pem: str, agent_id: str, folder: Path) -> None:
    print("\n== Gateway mode, ATHGatewayClient (sync) ==")
    with ATHGatewayClient(url=stack.gateway_url, agent_id=agent_id, private_key=pem) as client:
        doc = client.discover()
        for p in doc.supported_providers:
            step(f"discover: provider {p.provider_id}", f"scopes [{scopes(p.available_scopes)}]")
        reg = client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "github", "scopes": ["read:user", "repo"]}],
            purpose="Code review assistant",
        )
        for approval in reg.approved_providers:
            step(
                f"register: {reg.agent_status}",
                f"client_id {reg.client_id}; {approval.provider_id} approved "
                f"[{scopes(approval.approved_scopes)}]",
            )
        auth = client.authorize("github", ["read:user", "repo"])
        step("authorize", f"session {auth.ath_session_id}; PKCE S256 and state checked")
        consent = follow_consent(auth.authorization_url)
        step("user consent", "followed authorization_url with a cookie-keeping HTTP client")
        token = client.exchange_token(consent.code or "", auth.ath_session_id)
        show_token(token)
        user = client.proxy("github", "GET", "/user")
        step("proxy GET /user", f"{user}")
        repo = client.proxy("github", "POST", "/user/repos", {"name": "new-repo"})
        step("proxy POST /user/repos", f"{repo}")
        creds = folder / "gateway-creds.json"
        client.save_credentials(creds)
        step("save_credentials", f"{creds.name} written with mode 0600")
    with ATHGatewayClient(url=stack.gateway_url, agent_id=agent_id, private_key=pem) as again:
        again.load_credentials(creds)
        step("load_credentials", f"new client restored client_id {again.client_id}")
        again.proxy("github", "GET", "/user")
        step("proxy with restored token", "ok")
        revoked = again.revoke()
        step("revoke", f"revoked tokens for {revoked}")
        try:
            again.proxy("github", "GET", "/user")
        except ATHError as exc:
            step("after revoke", f"[{exc.code}] as expected")


def native_sync(stack: LocalStack, pem: str, agent_id: str) -> None:
    print("\n== Native mode, ATHNativeClient (sync) ==")
    with ATHNativeClient(url=stack.native_url, agent_id=agent_id, private_key=pem) as client:
        doc = client.discover()
        step(f"discover: {doc.app_id}", f"api_base {client.api_base}")
        all_scopes = list(doc.auth.scopes_supported)
        reg = client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": doc.app_id, "scopes": all_scopes}],
            purpose="Shopping assistant",
        )
        step(f"register: {reg.agent_status}", f"client_id {reg.client_id}")
        auth = client.authorize(doc.app_id, all_scopes)
        consent = follow_consent(auth.authorization_url)
        token = client.exchange_token(consent.code or "", auth.ath_session_id)
        show_token(token)
        products = client.api("GET", "/products")
        step("api GET /products", f"{products}")
        order = client.api("POST", "/orders", {"shippingAddress": "1 Loopback Way"})
        step("api POST /orders", f"{order}")
        step("revoke", f"{client.revoke()}")


async def both_async(stack: LocalStack, pem: str, agent_id: str) -> None:
    print("\n== Gateway and native, async clients ==")
    async with AsyncATHGatewayClient(
        url=stack.gateway_url, agent_id=agent_id, private_key=pem
    ) as client:
        await client.discover()
        reg = await client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "mail", "scopes": ["mail:read"]}],
            purpose="Inbox summariser",
        )
        step(f"register: {reg.agent_status}", f"client_id {reg.client_id}")
        auth = await client.authorize("mail", ["mail:read"])
        consent = await asyncio.to_thread(follow_consent, auth.authorization_url)
        token = await client.exchange_token(consent.code or "", auth.ath_session_id)
        show_token(token)
        messages = await client.proxy("mail", "GET", "/messages")
        step("proxy GET /messages", f"{messages}")
        step("revoke", f"{await client.revoke()}")
    async with AsyncATHNativeClient(
        url=stack.native_url, agent_id=agent_id, private_key=pem
    ) as native:
        doc = await native.discover()
        step(f"discover: {doc.app_id}", f"api_base {native.api_base}")
        request = [{"provider_id": doc.app_id, "scopes": ["products:read"]}]
        reg = await native.register(developer=DEVELOPER, providers=request)
        step(f"register: {reg.agent_status}", f"client_id {reg.client_id}")
        auth = await native.authorize(doc.app_id, ["products:read"])
        consent = await asyncio.to_thread(follow_consent, auth.authorization_url)
        show_token(await native.exchange_token(consent.code or "", auth.ath_session_id))
        products = await native.api("GET", "/products")
        step("api GET /products", f"{len(products['products'])} products")
        try:
            await native.register(developer=DEVELOPER, providers=request)
        except ATHError as exc:
            step("register again", f"[{exc.code}] — the SDK says to reuse saved credentials")
        step("revoke", f"{await native.revoke()}")


def no_redirect(stack: LocalStack, pem: str, agent_id: str) -> None:
    print("\n== No redirect: the user consents elsewhere, the agent waits (wait_for_token) ==")
    with ATHGatewayClient(url=stack.gateway_url, agent_id=agent_id, private_key=pem) as client:
        reg = client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            purpose="Headless worker",
        )  # no redirect_uris: the gateway completes the OAuth callback itself
        step(f"register: {reg.agent_status}", "without redirect_uris (none sent)")
        auth = client.authorize("github", ["read:user"])
        step("authorize", "no user_redirect_uri; the URL goes to the user on another device")

        def user_consents_later() -> None:
            time.sleep(1.0)
            result = follow_consent(auth.authorization_url)
            page = "completion page of the gateway" if result.page else "no page"
            step("user consent (another device, 1 s later)", f"browser lands on the {page}")

        user = threading.Thread(target=user_consents_later)
        user.start()
        token = client.wait_for_token(auth.ath_session_id, timeout=60, poll_interval=0.25)
        user.join()
        asked = stack.token_requests(auth.ath_session_id)
        step("wait_for_token", f"token after {asked} polls of POST /ath/token")
        show_token(token)
        step("proxy GET /user", f"{client.proxy('github', 'GET', '/user')}")
        step("revoke", f"{client.revoke()}")


def main() -> int:
    print("ATH handshake demo against the embedded local stack (loopback only)")
    with LocalStack() as stack, tempfile.TemporaryDirectory() as tmp:
        print(f"  gateway {stack.gateway_url}  native {stack.native_url}  oauth {stack.oauth_url}")
        pem = generate_private_key()
        agent_id = stack.host_agent(pem, name="demo-agent")
        step("agent key", f"EC P-256; identity document served at {agent_id}")
        try:
            gateway_sync(stack, pem, agent_id, Path(tmp))
            native_sync(stack, pem, agent_id)
            # a second agent for the async run (an agent registers once per server)
            pem2 = generate_private_key()
            agent2 = stack.host_agent(pem2, name="demo-agent-async")
            asyncio.run(both_async(stack, pem2, agent2))
            pem3 = generate_private_key()
            no_redirect(stack, pem3, stack.host_agent(pem3, name="demo-agent-headless"))
        except ATHError as exc:
            print(f"\nFAILED: {exc}", file=sys.stderr)
            return 1
    print("\nDemo complete: both modes, sync and async, and consent without a redirect.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
