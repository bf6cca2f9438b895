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
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

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

__all__ = ["ATHTool", "ATHToolInput"]

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

    def _finish(self, result: Any) -> str:
        if isinstance(result, dict | list):
            return json.dumps(result, ensure_ascii=False)
        return "" if result is None else str(result)

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
        try:
            return self._finish(call(*args, **kwargs))
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
        try:
            return self._finish(await call(*args, **kwargs))
        except ATHError as exc:
            raise ToolException(str(exc)) from exc
