"""An agent that calls an ATH-native service directly: discover, register, consent, API.

A native service is its own provider: its provider id is the ``app_id`` from its
discovery document. Run as is against the embedded local stack (``pip install
'ath-sdk[testing]'``), or set ATH_SERVICE_URL, ATH_AGENT_ID and ATH_PRIVATE_KEY.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack

from ath import ATHNativeClient, generate_private_key

DEVELOPER = {"name": "Example Co", "id": "example-co"}


def main() -> int:
    with ExitStack() as cleanup:
        url = os.environ.get("ATH_SERVICE_URL")
        if url:
            agent_id, key = os.environ["ATH_AGENT_ID"], os.environ["ATH_PRIVATE_KEY"]
            stack = None
        else:
            from ath.testing import LocalStack

            stack = cleanup.enter_context(LocalStack())
            key = generate_private_key()
            agent_id = stack.host_agent(key, name="native-example")
            url = stack.native_url
        client = cleanup.enter_context(ATHNativeClient(url, agent_id, key))

        doc = client.discover()
        scopes = list(doc.auth.scopes_supported)
        print("service:", doc.app_id, "api_base:", client.api_base)
        client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": doc.app_id, "scopes": scopes}],
            purpose="Example: browse products",
        )
        auth = client.authorize(doc.app_id, scopes)
        if stack is not None:
            from ath.testing import follow_consent

            consent = follow_consent(auth.authorization_url)
            client.exchange_token(consent.granted_code, auth.ath_session_id)
        else:
            print("Open this URL and approve:", auth.authorization_url)
            client.finish_authorization(input("URL you were redirected to: ").strip())

        products = client.api("GET", "/products")
        print("products:", len(products["products"]))
        raw = client.api_raw("GET", "/products/does-not-exist")
        print("raw status for a missing product:", raw.status_code)
        client.revoke()
        print("revoked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
