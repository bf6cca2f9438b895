"""ATH as an MCP server (extra ``mcp``): every API the gateway reaches as MCP tools,
consent through MCP URL-mode elicitation, tokens per MCP user.

::

    from ath import ATHGatewayClient
    from ath.mcp import ATHMCPServer

    client = ATHGatewayClient(url, agent_id, pem, store=store)   # registered
    ATHMCPServer(client).run_stdio()                             # or: ath mcp serve

The tools come from :mod:`ath.tools` (one generic call tool per provider from
discovery; typed tools per operation from an OpenAPI description), with its argument
checks, rendering and redaction. A call whose user has no token (or not the scopes)
starts an authorization for that user and asks the MCP client, by URL-mode elicitation
(spec 2025-11-25), to send its user to the consent page; the server then polls for the
token (``wait_for_token``) and retries the call. A client without URL elicitation gets
a result that carries the link and says to call again. Every fault is a tool result
with ``isError`` and ``[ATH_CODE] message``; no token, client secret or attestation is
ever part of an MCP message.

Users: over stdio the server acts for ``user`` (or the client's default user); over
streamable HTTP each MCP client authenticates with a bearer token of ``users`` (token →
user id) and acts through ``client.for_user(user)``; a pending consent belongs to the
user who started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Final

try:
    from mcp.server.auth.middleware.auth_context import get_access_token
    from mcp.server.auth.provider import AccessToken
    from mcp.server.auth.settings import AuthSettings
    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.transport_security import TransportSecuritySettings
    from mcp.types import CallToolResult, TextContent
    from mcp.types import Tool as MCPTool
except ImportError as _missing:  # pragma: no cover - exercised in a venv without the extra
    from ath._extras import missing_extra

    raise missing_extra("ath.mcp", "mcp", _missing) from _missing

from ath._errors import ATHClientError, ATHError
from ath._redaction import redact
from ath.tools import ConsentRequired, ToolCore, ToolSpec, build_specs, render_error

__all__ = ["ATHMCPServer", "BearerUsers"]

#: How long a tool call waits for the user to finish consent after the client accepted.
CONSENT_TIMEOUT: Final = 300.0
_CATALOGUE: Final = "ath://providers"


class BearerUsers:
    """Authenticates MCP clients over HTTP: each configured bearer token names one user
    (compared in constant time). A token maps to an ``AccessToken`` whose ``client_id``
    is the user id; an unknown token is refused (the transport answers 401)."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        for token, user in tokens.items():
            if len(token) < 16 or not user:
                raise ATHClientError(
                    "INVALID_ARGUMENT", "each MCP bearer token needs 16+ characters and a user"
                )
        self._tokens = dict(tokens)

    def __repr__(self) -> str:
        return f"BearerUsers(users={sorted(set(self._tokens.values()))!r})"

    async def verify_token(self, token: str) -> AccessToken | None:
        found = None
        for known, user in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = user
        if found is None:
            return None
        return AccessToken(token=token, client_id=found, scopes=[], subject=found)


class _Server(MCPServer[Any]):
    """``MCPServer`` whose tools are the ATH specs (JSON schemas as given)."""

    ath: ATHMCPServer

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        spec = self.ath.specs.get(name)
        return None if spec is None else dict(spec.parameters)

    async def list_tools(self) -> list[MCPTool]:
        return [
            MCPTool(name=s.name, description=s.description, input_schema=dict(s.parameters))
            for s in self.ath.specs.values()
        ]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult:
        return await self.ath.call(name, arguments, context)


class ATHMCPServer:
    """An MCP server fronting one ATH gateway (or native service) with ``client``.

    ``client``: a sync or async ATH client, registered (or registering through its
    store). ``discovery``/``openapi``/``providers``/``methods``/``scopes``: as
    :func:`ath.tools.build_specs` and :class:`ath.tools.ToolCore`. ``user``: the user of
    the stdio transport. ``users``: bearer token → user id for the HTTP transport.
    ``consent_timeout``/``poll_interval``: how long a call waits for consent, and how
    often it polls.
    """

    def __init__(
        self,
        client: Any,
        *,
        discovery: Any = None,
        openapi: Mapping[str, Mapping[str, Any]] | None = None,
        providers: Sequence[str] | None = None,
        methods: Sequence[str] = ("GET",),
        scopes: Mapping[str, Sequence[str]] | None = None,
        specs: Sequence[ToolSpec] | None = None,
        user: str | None = None,
        users: Mapping[str, str] | None = None,
        consent_timeout: float = CONSENT_TIMEOUT,
        poll_interval: float = 1.0,
        name: str = "ath",
    ) -> None:
        self.client = client
        if specs is None:
            if discovery is None:
                discovery = client.discover()
            specs = build_specs(discovery, openapi=openapi, providers=providers, methods=methods)
        self.discovery = discovery
        self.app_id = getattr(discovery, "app_id", None)
        self.specs: dict[str, ToolSpec] = {s.name: s for s in specs}
        self.scopes = dict(scopes or {})
        self.user = user
        self.verifier = BearerUsers(users) if users else None
        self.consent_timeout = consent_timeout
        self.poll_interval = poll_interval
        self._cores: dict[str | None, ToolCore] = {}
        self._adopted: dict[ToolCore, set[str]] = {}  # providers resumed from the store
        self._lock = threading.Lock()
        self.name = name
        self.server = self._make_server(None)

    def _make_server(self, auth: AuthSettings | None) -> _Server:
        """The MCP server object: with ``auth``, bearer users checked by ``verifier``."""
        server = _Server(
            self.name,
            instructions=_INSTRUCTIONS,
            auth=auth,
            token_verifier=self.verifier if auth is not None else None,
        )
        server.ath = self
        server.resource(_CATALOGUE, name="providers", mime_type="application/json")(self.catalogue)
        return server

    def __repr__(self) -> str:
        return f"ATHMCPServer(tools={sorted(self.specs)!r}, user={self.user!r})"

    # ------------------------------------------------------------ users

    def _current_user(self) -> str | None:
        if self.verifier is None:
            return self.user
        token = get_access_token()
        if token is None:  # the transport lets no unauthenticated request through
            raise ATHClientError("UNAUTHORIZED", "the MCP client is not authenticated")
        return token.client_id

    def core(self, user: str | None) -> ToolCore:
        """The tool core acting for ``user`` (its own tokens and pending consents)."""
        with self._lock:
            core = self._cores.get(user)
            if core is None:
                caller = self.client if user is None else self.client.for_user(user)
                core = ToolCore(caller, list(self.specs.values()), scopes=self.scopes,
                                user=user, app_id=self.app_id)  # fmt: skip
                self._adopted[core] = _adopt_pending(core)
                self._cores[user] = core
            return core

    def catalogue(self) -> str:
        """The providers of the discovery document and their tools (JSON)."""
        rows = [_row(s) for s in self.specs.values()]
        return json.dumps({"tools": rows}, ensure_ascii=False)

    # ------------------------------------------------------------ calls

    async def call(
        self, name: str, arguments: Mapping[str, Any], ctx: Context[Any, Any] | None
    ) -> CallToolResult:
        """Run tool ``name`` for the current MCP user; every fault is a tool error."""
        core: ToolCore | None = None
        try:
            core = self.core(self._current_user())
            call = core.prepare(name, dict(arguments))
            try:
                return _ok(await self._send(core, call))
            except ConsentRequired as consent:
                if consent.call is None:  # a consent adopted from the store
                    consent = core.with_call(consent, call)
                return await self._consent(core, consent, ctx)
        except ATHError as exc:
            return _error(render_error(exc, core.secrets() if core else []))
        except Exception as exc:  # never a crashed server, never a secret in the text
            return _error(render_error(exc, core.secrets() if core else []))

    async def _send(self, core: ToolCore, call: Any) -> str:
        """``core.asend``; a consent adopted from the store that turns out refused or
        expired (from before a restart) is dropped and the call asks afresh, once."""
        try:
            return await core.asend(call)
        except ATHError as exc:
            adopted = self._adopted.get(core, set())
            if exc.code not in _STALE or call.provider not in adopted:
                raise
            adopted.discard(call.provider)
            return await core.asend(call)

    async def _consent(
        self, core: ToolCore, consent: ConsentRequired, ctx: Context[Any, Any] | None
    ) -> CallToolResult:
        if ctx is None or not _url_elicitation(ctx):
            return _consent_result(consent)
        elicitation_id = secrets.token_urlsafe(16)
        message = (
            f"Approve access to {consent.provider} ({', '.join(consent.scopes)}) for this "
            "agent on the page that opens; the tool call continues once you have."
        )
        try:
            answer = await ctx.elicit_url(message, consent.authorization_url, elicitation_id)
        except Exception:  # the client could not ask its user: hand over the link instead
            return _consent_result(consent)
        if getattr(answer, "action", "accept") != "accept":  # declined or dismissed
            return _consent_result(consent)  # the link stays valid; a later call resumes
        await self._wait(core, consent)
        core.forget(consent)
        with contextlib.suppress(Exception):  # a courtesy notification; the result follows
            await ctx.session.send_elicit_complete(elicitation_id)
        assert consent.call is not None
        return _ok(await core.asend(consent.call))

    async def _wait(self, core: ToolCore, consent: ConsentRequired) -> None:
        wait = core.client.wait_for_token
        kwargs = {"timeout": self.consent_timeout, "poll_interval": self.poll_interval}
        try:
            if core.is_async:
                await wait(consent.session_id, **kwargs)
            else:
                await asyncio.to_thread(wait, consent.session_id, **kwargs)
        except ATHError:
            core.forget(consent)
            raise

    # ------------------------------------------------------------ transports

    def run_stdio(self) -> None:
        """Serve one local user over stdin/stdout until the client closes them."""
        self.server.run("stdio")

    def http_app(
        self, *, host: str = "127.0.0.1", port: int = 8000, allowed_origins: Sequence[str] = ()
    ) -> Any:
        """The streamable HTTP app (Starlette), at ``/mcp``: bearer users required, Host
        and Origin checked against the bound address (DNS rebinding)."""
        if self.verifier is None:
            raise ATHClientError(
                "INVALID_ARGUMENT", "the HTTP transport needs users= (bearer token -> user)"
            )
        here = f"http://{_hostport(host, port)}"
        self.server = self._make_server(
            AuthSettings.model_validate(
                {"issuer_url": here, "resource_server_url": f"{here}/mcp",
                 "validate_token_resource": False}
            )
        )  # fmt: skip
        hosts = [_hostport(host, port)]
        if host in ("127.0.0.1", "localhost", "::1"):
            hosts += [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"]
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=sorted(set(hosts)),
            allowed_origins=[*(f"http://{h}" for h in sorted(set(hosts))), *allowed_origins],
        )
        return self.server.streamable_http_app(transport_security=security, host=host)

    def run_http(
        self, *, host: str = "127.0.0.1", port: int = 8000, allowed_origins: Sequence[str] = ()
    ) -> None:
        """Serve streamable HTTP on ``host:port`` (loopback by default) until stopped."""
        import uvicorn

        app = self.http_app(host=host, port=port, allowed_origins=allowed_origins)
        uvicorn.run(app, host=host, port=port, log_level="warning")


_INSTRUCTIONS: Final = (
    "Tools that call APIs on the user's behalf through the Agent Trust Handshake. When a "
    "user has not granted access yet, the server asks them to approve it (or the result "
    "gives a link to open, then call the tool again)."
)


_STALE: Final = frozenset({"USER_DENIED", "SESSION_EXPIRED", "SESSION_NOT_FOUND"})


def _adopt_pending(core: ToolCore) -> set[str]:
    """A restart mid-consent: the user's authorizations still pending in the store are
    offered again (and resumed by polling), so the user is not asked a second time."""
    caller = core.client
    if getattr(caller, "store", None) is not None and not core.is_async:
        with contextlib.suppress(ATHError):
            caller.refresh()
    providers = {s.provider for s in core.specs.values() if s.provider is not None}
    adopted: set[str] = set()
    for auth in getattr(caller, "pending_authorizations", None) or ():
        if auth.provider_id not in providers:
            continue
        core.scopes.setdefault(auth.provider_id, tuple(auth.scopes))
        if tuple(auth.scopes) != core.scopes[auth.provider_id]:
            continue
        consent = ConsentRequired(
            auth.provider_id,
            auth.scopes,
            auth.authorization_url,
            auth.ath_session_id,
            user=core.user,
        )
        core.offer(consent)
        adopted.add(auth.provider_id)
    return adopted


def _row(spec: ToolSpec) -> dict[str, Any]:
    return {"provider": spec.provider, "tool": spec.name, "methods": list(spec.methods),
            "path": spec.path, "scopes": list(spec.scopes)}  # fmt: skip


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _url_elicitation(ctx: Context[Any, Any]) -> bool:
    try:
        caps = ctx.client_capabilities
    except Exception:
        return False
    elicitation = getattr(caps, "elicitation", None)
    return getattr(elicitation, "url", None) is not None


def _ok(text: str) -> CallToolResult:
    """A rendered (redacted) answer; JSON objects also as structured content."""
    structured: Any = None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        structured = data
    elif isinstance(data, list):
        structured = {"items": data}
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=structured
    )


def _error(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=redact(text, []))], is_error=True)


def _consent_result(consent: ConsentRequired) -> CallToolResult:
    data = consent.to_dict()
    data.pop("session_id", None)
    return CallToolResult(
        content=[TextContent(type="text", text=consent.message())],
        structured_content=data,
        is_error=True,
    )
