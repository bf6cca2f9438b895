"""A fleet of worker processes sharing one agent identity through a FileStore.

Four processes start together and all call ``register()``: the store's lock lets
one of them register and the others read its credentials, so the gateway sees a
single registration. The user consents once; every worker then calls the API with
that token. After a revoke, no worker can use it any more.

Run it as is and it starts the embedded local ATH stack (``pip install
'ath-sdk[testing]'``) and approves consent automatically. ``ATH_STORE`` picks the
store file (default: a temporary folder); for machines that share no disk, use
``ath.stores.RedisStore`` the same way.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from ath import ATHError, ATHGatewayClient, generate_private_key
from ath.stores import FileStore

WORKERS = 4
DEVELOPER = {"name": "Example Co", "id": "example-co"}
PROVIDERS = [{"provider_id": "github", "scopes": ["read:user"]}]


def _client(url: str, agent_id: str, key: str, store_path: str) -> ATHGatewayClient:
    return ATHGatewayClient(url, agent_id, key, store=FileStore(store_path))


def register_worker(url: str, agent_id: str, key: str, store_path: str) -> str:
    """One worker's start-up: register (single flight across the fleet)."""
    with _client(url, agent_id, key, store_path) as client:
        return client.register(developer=DEVELOPER, providers=PROVIDERS, purpose="fleet").client_id


def call_worker(url: str, agent_id: str, key: str, store_path: str) -> str:
    """One worker's job: call the API with whatever token the fleet holds."""
    with _client(url, agent_id, key, store_path) as client:
        try:
            return str(client.proxy("github", "GET", "/user")["login"])
        except ATHError as exc:
            return exc.code


def main() -> int:
    with ExitStack() as cleanup:
        from ath.testing import LocalStack, follow_consent

        stack = cleanup.enter_context(LocalStack())
        key = generate_private_key()
        agent_id = stack.host_agent(key, name="fleet-example")
        url = stack.gateway_url
        store_path = os.environ.get("ATH_STORE") or str(
            Path(cleanup.enter_context(tempfile.TemporaryDirectory())) / "store.json"
        )
        args = (url, agent_id, key, store_path)
        pool = cleanup.enter_context(multiprocessing.get_context("spawn").Pool(WORKERS))

        client_ids = pool.starmap(register_worker, [args] * WORKERS)
        print(f"registrations sent: {stack.registration_requests()} for {WORKERS} workers")
        print("same client_id in every worker:", "yes" if len(set(client_ids)) == 1 else "no")

        # The user consents once, in whichever process starts the authorization.
        client = cleanup.enter_context(_client(*args))
        auth = client.authorize("github", ["read:user"])
        consent = follow_consent(auth.authorization_url)
        client.exchange_token(consent.granted_code, auth.ath_session_id)
        logins = pool.starmap(call_worker, [args] * WORKERS)
        print(f"workers calling with the shared token: {len(logins)} x {', '.join(set(logins))}")

        client.revoke()
        after = pool.starmap(call_worker, [args] * WORKERS)
        print("after revoke:", ", ".join(sorted(set(after))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
