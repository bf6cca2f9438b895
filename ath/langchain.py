"""``ATHTool``: one ATH-authorized API call as a LangChain tool (extra ``langchain``).

::

    from ath.langchain import ATHTool

    tool = ATHTool(
        name="list_repos",
        description="List the user's GitHub repositories",
        client=client,                 # any of the four clients, holding a token
        provider_id="github",          # gateway clients; native clients ignore it
        endpoint="/user/repos",
        method="GET",
    )
    tool.invoke({"query": {"per_page": 5}})          # sync
    await tool.ainvoke({"query": {"per_page": 5}})   # async (async or sync client)

The tool's arguments are typed (``tool.args``): ``query``, a dict of query
parameters, and for POST/PUT/PATCH/DELETE ``body``, the JSON body. A failed call
raises ``langchain_core.tools.ToolException`` carrying the ``ATHError`` (as
``__cause__``) and its ``[CODE] message``; set ``handle_tool_error=True`` to hand
that text to the model instead. A string input, as ath-sdk 0.1.0's tool took, is
still accepted: a JSON object is read as ``{"query": ..., "body": ...}`` when it has
only those keys, otherwise as the body (or, for GET/HEAD/OPTIONS, the query).

By default a failed call gives the model a short message (``[CODE] ... what next``)
instead of raising, so a LangGraph ``ToolNode`` keeps running; ``handle_tool_error=False``
raises the ``ToolException`` as before. The answer is redacted of every secret the
client holds (an API that echoes request headers does not hand the model the token).

``ATHToolkit(client).get_tools()``: the tools of a gateway's catalogue (one generic call
tool per provider, or typed tools per operation from an OpenAPI description), built on
:mod:`ath.tools`. When the user has not consented yet, a tool inside a LangGraph graph
with a checkpointer pauses the run with ``interrupt()`` (the payload:
``ConsentRequired.to_dict()``: provider, scopes, authorization_url, session_id, user);
resume it with ``Command(resume=payload)`` after the user consented (or
``Command(resume={"approved": False})`` when they refused). Elsewhere the tool answers
with a message the model relays (the consent link), and the next call after consent
proceeds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

try:
    from langchain_core.tools import BaseTool, ToolException
except ImportError as _missing:  # pragma: no cover - exercised in a venv without the extra
    raise ImportError(
        "ath.langchain needs the 'langchain' extra (langchain-core is not installed): "
        "pip install 'ath-sdk[langchain]'",
        name=getattr(_missing, "name", None),
    ) from _missing
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from ath._client import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHGatewayClient,
    ATHNativeClient,
)
from ath._errors import ATHError
from ath._frames import sealed
from ath._models import HTTPMethod
from ath._validation import check_provider_id, check_relative_path
from ath.tools import (
    ConsentRequired,
    ToolCore,
    ToolSpec,
    build_specs,
    held_secrets,
    render_error,
    render_result,
)

__all__ = ["ATHCallTool", "ATHTool", "ATHToolInput", "ATHToolkit"]

Scalar = str | int | float | bool
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})
_QUERY_HELP = "Query parameters of the request, as a JSON object of names to values."
_BODY_HELP = "The JSON body of the request."


class ATHToolInput(BaseModel):
    """The arguments of an ATHTool whose method sends no body (GET, HEAD, OPTIONS)."""

    model_config = ConfigDict(extra="forbid")

    query: dict[str, Scalar | list[Scalar]] | None = Field(default=None, description=_QUERY_HELP)


ATHToolBodyInput = create_model(
    "ATHToolBodyInput",
    __base__=ATHToolInput,
    __doc__="The arguments of an ATHTool whose method sends a JSON body.",
    body=(dict[str, Any] | list[Any] | None, Field(default=None, description=_BODY_HELP)),
)


def _tool_error_text(error: ToolException) -> str:
    """A ToolException as the model reads it (the ATH code and what happens next)."""
    cause = error.__cause__
    return render_error(cause) if isinstance(cause, ATHError) else str(error)


class ATHTool(BaseTool):
    """An API call through an ATH gateway (``proxy``) or to an ATH-native service (``api``).

    ``ATHTool(name, description, client, provider_id, endpoint, method)``: the
    arguments are checked when the tool is built (a ``ValueError`` names the bad one).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = "ath_tool"
    description: str = "Call an API the user authorized through the Agent Trust Handshake."
    client: Any = Field(exclude=True)
    provider_id: str = ""
    endpoint: str = "/"
    method: HTTPMethod = "GET"
    #: ath-sdk 0.1.0's name for ``provider_id``.
    service_id: str = ""
    #: A failed call gives the model a message (a ToolNode keeps running); False: raise.
    handle_tool_error: Any = _tool_error_text

    def __init__(
        self,
        name: str | None = None,
        description: str | None = None,
        client: Any = None,
        provider_id: str | None = None,
        endpoint: str | None = None,
        method: str | None = None,
        **kwargs: Any,
    ) -> None:
        given = {
            "name": name,
            "description": description,
            "client": client,
            "provider_id": provider_id,
            "endpoint": endpoint,
            "method": method.upper() if isinstance(method, str) else method,
        }
        super().__init__(**{k: v for k, v in given.items() if v is not None}, **kwargs)

    @model_validator(mode="after")
    def _check(self) -> ATHTool:
        if not isinstance(
            self.client,
            ATHGatewayClient | AsyncATHGatewayClient | ATHNativeClient | AsyncATHNativeClient,
        ):
            raise ValueError(
                "client must be an ATHGatewayClient, AsyncATHGatewayClient, ATHNativeClient "
                f"or AsyncATHNativeClient, got {type(self.client).__name__}"
            )
        if not self.provider_id and self.service_id:
            self.provider_id = self.service_id
        try:
            if self._gateway:
                if not self.provider_id:
                    raise ValueError("provider_id is required with a gateway client")
                check_provider_id(self.provider_id)
            check_relative_path(self.endpoint)
        except ATHError as exc:
            raise ValueError(exc.message) from None
        if self.args_schema is None:
            self.args_schema = ATHToolInput if self.method in _NO_BODY else ATHToolBodyInput
        return self

    @property
    def _gateway(self) -> bool:
        return isinstance(self.client, ATHGatewayClient | AsyncATHGatewayClient)

    @property
    def _is_async(self) -> bool:
        return isinstance(self.client, AsyncATHGatewayClient | AsyncATHNativeClient)

    # ------------------------------------------------------------ ath-sdk 0.1.0 input

    def _legacy(self, tool_input: Any) -> Any:
        """A string input (ath-sdk 0.1.0's tools took one) as the typed arguments."""
        if not isinstance(tool_input, str):
            return tool_input
        text = tool_input.strip()
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        if isinstance(parsed, dict) and parsed and set(parsed) <= {"query", "body"}:
            return parsed
        if self.method in _NO_BODY:
            return {"query": parsed} if isinstance(parsed, dict) else {}
        return {"body": parsed if isinstance(parsed, dict | list) else text}

    def run(self, tool_input: Any, *args: Any, **kwargs: Any) -> Any:
        return super().run(self._legacy(tool_input), *args, **kwargs)

    async def arun(self, tool_input: Any, *args: Any, **kwargs: Any) -> Any:
        return await super().arun(self._legacy(tool_input), *args, **kwargs)

    # ------------------------------------------------------------ the call

    def _call_args(
        self, query: dict[str, Any] | None, body: Any
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        head: tuple[Any, ...] = (self.method, self.endpoint, body)
        if self._gateway:
            head = (self.provider_id, *head)
        return head, {"params": query or None}

    def _finish(self, result: Any, before: Sequence[str]) -> str:
        """The answer as text, every secret the client holds (before or after) redacted."""
        return render_result(result, [*before, *held_secrets(self.client)], limit=10**9) \
            if result is not None else ""  # fmt: skip

    @sealed  # what leaves the tool carries no secret in its frames
    def _run(
        self,
        query: dict[str, Any] | None = None,
        body: Any = None,
        run_manager: Any = None,
    ) -> str:
        if self._is_async:
            raise ToolException(
                f"{self.name}: the tool holds an async client; call it with ainvoke()/arun()"
            )
        args, kwargs = self._call_args(query, body)
        call = self.client.proxy if self._gateway else self.client.api
        before = held_secrets(self.client)
        try:
            return self._finish(call(*args, **kwargs), before)
        except ATHError as exc:
            raise ToolException(str(exc)) from exc

    @sealed
    async def _arun(
        self,
        query: dict[str, Any] | None = None,
        body: Any = None,
        run_manager: Any = None,
    ) -> str:
        if not self._is_async:  # a sync client: keep the event loop free
            return await asyncio.to_thread(self._run, query, body)
        args, kwargs = self._call_args(query, body)
        call = self.client.proxy if self._gateway else self.client.api
        before = held_secrets(self.client)
        try:
            return self._finish(await call(*args, **kwargs), before)
        except ATHError as exc:
            raise ToolException(str(exc)) from exc


# --------------------------------------------------------------------------- toolkit

ConsentMode = Literal["auto", "interrupt", "message"]


def _in_graph_with_checkpointer() -> bool:
    try:
        from langgraph.config import get_config
    except ImportError:
        return False
    try:
        config = get_config()
    except RuntimeError:  # not inside a runnable context
        return False
    return config.get("configurable", {}).get("__pregel_checkpointer") is not None


def _denied(answer: Any) -> bool:
    if answer is False:
        return True
    if isinstance(answer, Mapping):
        return answer.get("approved") is False
    return isinstance(answer, str) and answer.strip().lower() in {"denied", "deny", "no"}


_DENIED_TEXT = (
    "[USER_DENIED] The user declined access to {provider}. Tell them; do not retry unless "
    "they ask to."
)


class ATHCallTool(BaseTool):
    """One tool of an :class:`ATHToolkit` (a :class:`~ath.tools.ToolSpec` run by a
    :class:`~ath.tools.ToolCore`). Never raises for an ATH error: the model reads it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    core: Any = Field(exclude=True)
    spec: Any = Field(exclude=True)
    #: "interrupt": LangGraph ``interrupt()``; "message": a tool message with the link;
    #: "auto": interrupt inside a graph with a checkpointer, else a message.
    consent: ConsentMode = "auto"
    #: How long a resumed call waits for the token (the user consented already).
    resume_timeout: float = 30.0

    def _interrupts(self) -> bool:
        if self.consent == "message":
            return False
        return self.consent == "interrupt" or _in_graph_with_checkpointer()

    def _pause(self, consent: ConsentRequired) -> tuple[ConsentRequired | None, str | None]:
        """Interrupt the graph (or answer with the link): the consent to resume, or the
        text to hand the model."""
        if not self._interrupts():
            return None, consent.message()
        from langgraph.types import interrupt

        answer = interrupt(consent.to_dict())
        if _denied(answer):
            self.core.forget(consent)
            return None, _DENIED_TEXT.format(provider=consent.provider)
        if isinstance(answer, Mapping) and isinstance(answer.get("session_id"), str):
            consent = self.core.with_session(consent, answer["session_id"])
        return consent, None

    def _run(self, run_manager: Any = None, **kwargs: Any) -> str:
        try:
            return str(self.core.call(self.spec.name, kwargs))
        except ConsentRequired as needed:
            consent, text = self._pause(needed)
        if consent is None:
            return str(text)
        return str(self.core.resume(consent, timeout=self.resume_timeout))

    async def _arun(self, run_manager: Any = None, **kwargs: Any) -> str:
        try:
            return str(await self.core.acall(self.spec.name, kwargs))
        except ConsentRequired as needed:
            consent, text = self._pause(needed)
        if consent is None:
            return str(text)
        return str(await self.core.aresume(consent, timeout=self.resume_timeout))


class ATHToolkit:
    """LangChain tools for what a gateway offers (or a native service's API).

    ``ATHToolkit(client).get_tools()``: ``client`` is any of the four clients or a
    per-user view (``for_user``); ``discovery`` (the client's ``discover()`` answer) is
    fetched when not given (sync clients; pass it with an async one); ``openapi``: an
    OpenAPI description by provider id, for typed tools per operation; ``providers``:
    only these; ``methods``: the HTTP methods the tools may use (GET only by default);
    ``scopes``: the scopes to ask consent for, by provider; ``user``: named in consent
    messages; ``consent``: see :class:`ATHCallTool`.
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
        user: str | None = None,
        consent: ConsentMode = "auto",
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
        self.consent: ConsentMode = consent

    def get_tools(self) -> list[BaseTool]:
        return [
            ATHCallTool(
                name=spec.name,
                description=spec.description,
                args_schema=dict(spec.parameters),
                core=self.core,
                spec=spec,
                consent=self.consent,
            )
            for spec in self.core.specs.values()
        ]
