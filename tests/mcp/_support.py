"""What the MCP tests share: an agent registered in a store file, the environment that
points `ath mcp serve` at it, and streams that record every JSON-RPC message."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.types import ElicitRequestURLParams, ElicitResult

from ath import ATHGatewayClient
from ath.stores import CredentialStore, FileStore, RedisStore
from ath.testing import LocalStack, follow_consent
from ath.tools import held_secrets
from tests.conftest import DEVELOPER
from tests.conftest import Agent as AgentKey
from tests.secrets.test_secrets import Scanner


class Recorded:
    """A stream wrapper keeping the JSON of each message that passes."""

    def __init__(self, inner: Any, log: list[str]) -> None:
        self.inner = inner
        self.log = log

    def _keep(self, item: Any) -> Any:
        message = getattr(item, "message", None)
        if message is not None:
            self.log.append(message.model_dump_json(by_alias=True))
        return item

    async def send(self, item: Any) -> None:
        await self.inner.send(self._keep(item))

    async def receive(self) -> Any:
        return self._keep(await self.inner.receive())

    def __aiter__(self) -> Recorded:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Recorded:
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self.inner.__aexit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Setup:
    """An agent registered for github in a store file, and the `ath` environment."""

    def __init__(
        self,
        stack: LocalStack,
        agent: AgentKey,
        folder: Path,
        store: str | None = None,
        *,
        register: bool = True,
    ) -> None:
        self.stack = stack
        self.agent = agent
        self.folder = folder
        self.key = folder / "agent.pem"
        self.key.write_text(agent.pem)
        self.key.chmod(0o600)
        self.store = store or str(folder / "store.json")
        if not register:
            return
        with self.client() as client:
            client.register(DEVELOPER, [{"provider_id": "github", "scopes": ["read:user"]}])

    def client(self) -> ATHGatewayClient:
        return ATHGatewayClient(self.stack.gateway_url, self.agent.agent_id, self.agent.pem,
                                store=self._open_store())  # fmt: skip

    def _open_store(self) -> CredentialStore:
        if self.store.startswith("redis://"):
            return RedisStore(self.store)
        return FileStore(Path(self.store))

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "ATH_URL": self.stack.gateway_url,
            "ATH_AGENT_ID": self.agent.agent_id,
            "ATH_KEY": str(self.key),
            "ATH_STORE": self.store,
            "XDG_CONFIG_HOME": str(self.folder / "config"),
            "XDG_DATA_HOME": str(self.folder / "data"),
            **extra,
        }

    def scanner(self, users: tuple[str | None, ...] = (None,)) -> Scanner:
        """Every secret the store holds now (client secret, each user's tokens)."""
        scanner = Scanner()
        with self.client() as client:
            client.refresh()
            for user in users:
                view = client if user is None else client.for_user(user)
                view.refresh()
                for secret in held_secrets(view):
                    scanner.add(secret, "secret")
        scanner.add_pem(self.agent.pem)
        return scanner


class Elicitations:
    """A client's URL-mode elicitation callback that follows consent like a browser."""

    def __init__(self, approve: bool = True, action: str = "accept") -> None:
        self.seen: list[ElicitRequestURLParams] = []
        self.approve = approve
        self.action = action

    async def __call__(self, context: Any, params: Any) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams), params
        self.seen.append(params)
        if self.action != "accept":
            return ElicitResult(action=self.action)  # type: ignore[arg-type]
        done = await anyio.to_thread.run_sync(follow_consent, params.url)
        assert done.ok is self.approve
        return ElicitResult(action="accept")


@asynccontextmanager
async def stdio_session(
    env: dict[str, str],
    log: list[str],
    *args: str,
    elicitation: Any = None,
    errlog: Any = None,
) -> AsyncIterator[ClientSession]:
    """`ath mcp serve` over stdio (stopped on exit by the mcp client), initialized."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "ath", "mcp", "serve", *args], env=env
    )
    async with (
        stdio_client(params, errlog=errlog or sys.stderr) as (read, write),
        ClientSession(
            Recorded(read, log), Recorded(write, log), elicitation_callback=elicitation
        ) as session,
    ):
        await session.initialize()
        yield session
