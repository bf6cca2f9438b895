"""ATH tools for PydanticAI (extra ``pydantic-ai``): consent as a deferred tool call.

::

    from pydantic_ai import Agent, DeferredToolRequests
    from ath.pydantic_ai import ATHToolset

    toolset = ATHToolset(client)                       # sync or async client, or for_user()
    agent = Agent(model, toolsets=[toolset.toolset], output_type=[str, DeferredToolRequests])
    result = await agent.run("Who am I on GitHub?")
    if isinstance(result.output, DeferredToolRequests):
        for consent in toolset.consents(result.output):
            show(consent.authorization_url)            # the user approves (or refuses)
        results = await toolset.aresume(result.output)  # waits for the token, calls again
        result = await agent.run(message_history=result.all_messages(),
                                 deferred_tool_results=results)

A call without a token raises ``CallDeferred`` whose metadata is
``ConsentRequired.to_dict()`` (provider, scopes, authorization_url, session_id, user):
the run ends with ``DeferredToolRequests``. ``aresume``/``resume`` rebuild everything from
those requests, so the run may resume in another process. A refusal reaches the model
as a message (``[USER_DENIED] ...``). Every other failure is a message too, never an
exception out of the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

try:
    from pydantic_ai import DeferredToolRequests, DeferredToolResults, Tool
    from pydantic_ai.exceptions import CallDeferred
    from pydantic_ai.toolsets import FunctionToolset
except ImportError as _missing:  # pragma: no cover - exercised in a venv without the extra
    from ath._extras import missing_extra

    raise missing_extra("ath.pydantic_ai", "pydantic-ai", _missing) from _missing

from ath._client import AsyncATHGatewayClient, AsyncATHNativeClient
from ath._errors import ATHError
from ath.tools import ConsentRequired, ToolCore, ToolSpec, build_specs, render_error

__all__ = ["ATHToolset"]


class ATHToolset:
    """PydanticAI tools for what a gateway offers; ``toolset`` is the
    ``FunctionToolset`` to give an ``Agent``. Arguments as :class:`ath.langchain.ATHToolkit`."""

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
    ) -> None:
        if specs is None:
            if discovery is None:
                if isinstance(client, AsyncATHGatewayClient | AsyncATHNativeClient):
                    raise ValueError("pass discovery=await client.discover() with an async client")
                discovery = client.discover()
            specs = build_specs(discovery, openapi=openapi, providers=providers, methods=methods)
        app_id = getattr(discovery, "app_id", None)
        self.core = ToolCore(client, specs, scopes=scopes, user=user, app_id=app_id)
        self.toolset: FunctionToolset[Any] = FunctionToolset(
            [self._tool(spec) for spec in self.core.specs.values()]
        )

    def _tool(self, spec: ToolSpec) -> Tool[Any]:
        core = self.core

        async def run(**kwargs: Any) -> str:
            try:
                return await core.acall(spec.name, kwargs)
            except ConsentRequired as consent:
                raise CallDeferred(metadata=consent.to_dict()) from None

        return Tool.from_schema(run, spec.name, spec.description, dict(spec.parameters))

    def consents(self, requests: DeferredToolRequests) -> list[ConsentRequired]:
        """The consents the deferred calls wait for (one per call; a provider asked twice
        shares its link)."""
        return [self._consent(requests, part) for part in requests.calls]

    def _consent(self, requests: DeferredToolRequests, part: Any) -> ConsentRequired:
        data = requests.metadata.get(part.tool_call_id) or {}
        call = self.core.prepare(part.tool_name, part.args_as_dict())
        return ConsentRequired(
            str(data.get("provider", "")),
            list(data.get("scopes") or ()),
            str(data.get("authorization_url", "")),
            str(data.get("session_id", "")),
            user=data.get("user"),
            call=call,
        )

    def resume(
        self, requests: DeferredToolRequests, *, denied: bool = False, timeout: float = 30.0
    ) -> DeferredToolResults:
        """After the user's decision (sync client): each deferred call's answer, for
        ``deferred_tool_results=``. ``denied``: the app knows the user refused."""
        calls: dict[str, Any] = {}
        for part in requests.calls:
            calls[part.tool_call_id] = self._one(requests, part, denied, timeout)
        return DeferredToolResults(calls=calls)

    def _one(self, requests: DeferredToolRequests, part: Any, denied: bool, timeout: float) -> str:
        try:
            consent = self._consent(requests, part)
        except ATHError as exc:
            return render_error(exc, self.core.secrets())
        if denied:
            self.core.forget(consent)
            return _denied(consent)
        return self.core.resume(consent, timeout=timeout)

    async def aresume(
        self, requests: DeferredToolRequests, *, denied: bool = False, timeout: float = 30.0
    ) -> DeferredToolResults:
        """Async :meth:`resume` (a sync client runs in a worker thread)."""
        calls: dict[str, Any] = {}
        for part in requests.calls:
            try:
                consent = self._consent(requests, part)
            except ATHError as exc:
                calls[part.tool_call_id] = render_error(exc, self.core.secrets())
                continue
            if denied:
                self.core.forget(consent)
                calls[part.tool_call_id] = _denied(consent)
            else:
                calls[part.tool_call_id] = await self.core.aresume(consent, timeout=timeout)
        return DeferredToolResults(calls=calls)


def _denied(consent: ConsentRequired) -> str:
    return (
        f"[USER_DENIED] The user declined access to {consent.provider}. Tell them; do not "
        "retry unless they ask to."
    )
