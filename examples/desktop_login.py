"""A desktop agent: ``login()`` opens the user's browser and catches the loopback redirect.

The agent registers a loopback redirect URI (``http://127.0.0.1:PORT/callback``);
``login()`` authorizes, shows the consent URL, opens a browser and listens on that
port for the redirect (or polls the gateway), then exchanges the code itself. Run as
is, the embedded local stack (``pip install 'ath-sdk[testing]'``) plays the user: its
automatic consent stands in for the browser. For a real gateway, set ATH_GATEWAY_URL,
ATH_AGENT_ID and ATH_PRIVATE_KEY; the browser then opens for real.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from contextlib import ExitStack

import httpx2

from ath import ATHGatewayClient, generate_private_key

DEVELOPER = {"name": "Example Co", "id": "example-co"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def play_the_user(url: str) -> None:
    """What a browser does: consent, then follow the redirect to the agent's loopback."""
    from ath.testing import follow_consent

    def walk() -> None:
        result = follow_consent(url)  # stops at the redirect aimed at the agent
        httpx2.get(result.url, timeout=10.0)  # the browser lands on login()'s listener

    threading.Thread(target=walk, daemon=True).start()


def main() -> int:
    with ExitStack() as cleanup:
        url = os.environ.get("ATH_GATEWAY_URL")
        if url:
            agent_id, key = os.environ["ATH_AGENT_ID"], os.environ["ATH_PRIVATE_KEY"]
            show = None  # login() prints the URL and opens the browser
        else:
            from ath.testing import LocalStack

            stack = cleanup.enter_context(LocalStack())
            key = generate_private_key()
            agent_id = stack.host_agent(key, name="desktop-example")
            url = stack.gateway_url
            show = play_the_user
        redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
        client = cleanup.enter_context(ATHGatewayClient(url, agent_id, key))
        client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            redirect_uris=[redirect_uri],
        )
        token = client.login(
            "github",
            ["read:user"],
            redirect_uri=redirect_uri,
            open_browser=show is None,
            on_authorization_url=show,
            timeout=60.0,
        )
        print("logged in with scopes:", " ".join(token.effective_scopes))
        print("signed in as:", client.proxy("github", "GET", "/user")["login"])
        print("revoked:", ", ".join(client.revoke()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
