"""ATH tools for the OpenAI Agents SDK (extra ``openai-agents``): consent as a run
interruption the app resumes.

::

    from agents import Agent, Runner
    from ath.openai_agents import ATHAgentTools

    kit = ATHAgentTools(client)                      # sync or async client, or for_user()
    agent = Agent(name="assistant", model=model, tools=kit.tools)
    result = await Runner.run(agent, "Who am I on GitHub?")
    while result.interruptions:
        state = result.to_state()
        for item in result.interruptions:
            consent = kit.consent_for(item)          # ConsentRequired, or None
            if consent is not None:
                show(consent.authorization_url)      # the user approves (or refuses)
            state.approve(item)                      # or state.reject(item)
        result = await Runner.run(agent, state)

A tool whose provider has no token yet asks for approval (``needs_approval``): the SDK
stops the run with an interruption, and :meth:`ATHAgentTools.consent_for` gives its
consent URL. Once approved, the tool waits for the token and calls; a refusal at the
consent page reaches the model as ``[USER_DENIED] ...``. Every failure is a message to
the model, never an exception out of the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

try:
    from agents import FunctionTool, RunContextWrapper, ToolApprovalItem
    from agents.tool_context import ToolContext
except ImportError as _missing:  # pragma: no cover - exercised in a venv without the extra
    from ath._extras import missing_extra

    raise missing_extra("ath.openai_agents", "openai-agents", _missing) from _missing

from ath._client import AsyncATHGatewayClient, AsyncATHNativeClient
from ath._errors import ATHError
from ath.tools import ConsentRequired, ToolCore, ToolSpec, build_specs, render_error

__all__ = ["ATHAgentTools"]


class ATHAgentTools:
    """OpenAI Agents SDK function tools for what a gateway offers (``tools``).
    Arguments as :class:`ath.langchain.ATHToolkit`; ``resume_timeout``: how long an
    approved call waits for the token."""

    def __init__(
        self,
        client: Any,
        *,
        discovery: Any = None,
        openapi: Mapping[str, Mapping[str, Any]] | None = None,
        providers: Sequence[str] | None = None,
        methods: Sequence[str] = ("GET",),
        scopes: Mapping[str, Sequence[str]] | None = None,
        user: str | None = None,
        specs: Sequence[ToolSpec] | None = None,
        resume_timeout: float = 30.0,
    ) -> None:
        if specs is None:
            if discovery is None:
                if isinstance(client, AsyncATHGatewayClient | AsyncATHNativeClient):
                    raise ValueError("pass discovery=await client.discover() with an async client")
                discovery = client.discover()
            specs = build_specs(discovery, openapi=openapi, providers=providers, methods=methods)
        app_id = getattr(discovery, "app_id", None)
        self.core = ToolCore(client, specs, scopes=scopes, user=user, app_id=app_id)
        self.resume_timeout = resume_timeout
        self._consents: dict[str, ConsentRequired] = {}
        self.tools: list[FunctionTool] = [self._tool(s) for s in self.core.specs.values()]

    def consent_for(self, item: ToolApprovalItem) -> ConsentRequired | None:
        """The consent an interruption waits for (None: an approval of another kind)."""
        return self._consents.get(str(item.call_id))

    def _has_token(self, spec: ToolSpec) -> bool:
        tokens = self.core.client.tokens
        key = spec.provider or ""
        return key in tokens or "" in tokens or (spec.provider is None and bool(tokens))

    def _tool(self, spec: ToolSpec) -> FunctionTool:
        core = self.core

        async def needs_approval(
            ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str
        ) -> bool:
            if self._has_token(spec):
                return False
            try:
                await core.aconsent(spec.name, params)
            except ConsentRequired as consent:
                self._consents[call_id] = consent
                return True
            except ATHError:
                return False  # the call itself will tell the model what went wrong
            return False

        async def invoke(ctx: ToolContext[Any], arguments: str) -> str:
            consent = self._consents.pop(str(getattr(ctx, "tool_call_id", "")), None)
            try:
                if consent is not None:
                    return await core.aresume(consent, timeout=self.resume_timeout)
                return await core.acall(spec.name, arguments)
            except ConsentRequired as needed:
                return needed.message()
            except ATHError as exc:  # pragma: no cover - acall/aresume render their errors
                return render_error(exc, core.secrets())

        return FunctionTool(
            name=spec.name,
            description=spec.description,
            params_json_schema=dict(spec.parameters),
            on_invoke_tool=invoke,
            strict_json_schema=False,
            needs_approval=needs_approval,
        )
