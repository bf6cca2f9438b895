"""The gateway handshake with the async client, then concurrent proxied calls.

Run as is against the embedded local stack (``pip install 'ath-sdk[testing]'``).
"""

from __future__ import annotations

import asyncio
import sys

from ath import AsyncATHGatewayClient, generate_private_key
from ath.testing import LocalStack, afollow_consent

DEVELOPER = {"name": "Example Co", "id": "example-co"}


async def main() -> int:
    with LocalStack() as stack:
        key = generate_private_key()
        agent_id = stack.host_agent(key, name="async-example")
        async with AsyncATHGatewayClient(stack.gateway_url, agent_id, key) as client:
            await client.discover()
            await client.register(
                developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
            )
            auth = await client.authorize("github", ["read:user"])
            consent = await afollow_consent(auth.authorization_url)
            await client.exchange_token(consent.granted_code, auth.ath_session_id)
            users = await asyncio.gather(
                *(client.proxy("github", "GET", "/user") for _ in range(10))
            )
            print("concurrent calls:", len(users), "as", users[0]["login"])
            print("revoked:", ", ".join(await client.revoke()))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
