"""An agent that calls GitHub through an ATH gateway: the whole handshake, sync.

Run it as is and it starts the embedded local ATH stack (``pip install
'ath-sdk[testing]'``) and approves consent automatically. Against a real gateway,
set ATH_GATEWAY_URL, ATH_AGENT_ID and ATH_PRIVATE_KEY (a PEM file path); the script
then prints the consent URL and waits for the URL the user's browser was sent to.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack

from ath import ATHError, ATHGatewayClient, generate_private_key

DEVELOPER = {"name": "Example Co", "id": "example-co"}
SCOPES = ["read:user", "repo"]


def main() -> int:
    with ExitStack() as cleanup:
        url = os.environ.get("ATH_GATEWAY_URL")
        if url:
            agent_id, key = os.environ["ATH_AGENT_ID"], os.environ["ATH_PRIVATE_KEY"]
            stack = None
        else:
            from ath.testing import LocalStack

            stack = cleanup.enter_context(LocalStack())
            key = generate_private_key()
            agent_id = stack.host_agent(key, name="gateway-example")
            url = stack.gateway_url
        client = cleanup.enter_context(ATHGatewayClient(url, agent_id, key))

        doc = client.discover()
        print("providers:", ", ".join(p.provider_id for p in doc.supported_providers))
        reg = client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "github", "scopes": SCOPES}],
            purpose="Example: list and create repositories",
        )
        print("registered:", reg.client_id, reg.agent_status)

        auth = client.authorize("github", SCOPES)
        if stack is not None:
            from ath.testing import follow_consent

            consent = follow_consent(auth.authorization_url)  # the user says yes
            token = client.exchange_token(consent.granted_code, auth.ath_session_id)
        else:
            print("Open this URL and approve:", auth.authorization_url)
            token = client.finish_authorization(input("URL you were redirected to: ").strip())
        print("effective scopes:", " ".join(token.effective_scopes))

        user = client.proxy("github", "GET", "/user")
        print("signed in as:", user["login"])
        repo = client.proxy("github", "POST", "/user/repos", {"name": "ath-example"})
        print("created repo:", repo["full_name"])
        try:
            client.proxy("github", "GET", "/repos/nobody/missing")
        except ATHError as exc:
            print("expected failure:", exc.code, exc.status)
        print("revoked:", ", ".join(client.revoke()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
