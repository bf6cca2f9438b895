"""ath.pydantic_ai with a real PydanticAI agent and a scripted FunctionModel, on the local
stack: consent as a deferred call, resumed after consent (in a fresh toolset, as another
process would), a refusal the model can relay, and errors that never escape the run."""

from __future__ import annotations

import json
from typing import Any

from pydantic_ai import Agent, DeferredToolRequests
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from ath import AsyncATHGatewayClient, ATHGatewayClient
from ath.pydantic_ai import ATHToolset
from ath.testing import LocalStack, follow_consent
from tests.conftest import DEVELOPER
from tests.conftest import Agent as AgentKey

OUTPUT: Any = [str, DeferredToolRequests]


def scripted(path: str = "/user") -> FunctionModel:
    """Calls ath_github once, then answers with what the tool returned."""

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        if isinstance(last, ModelRequest):
            for part in last.parts:
                if isinstance(part, ToolReturnPart):
                    return ModelResponse(parts=[TextPart(f"tool said: {part.content}")])
        return ModelResponse(parts=[ToolCallPart("ath_github", {"path": path}, "call-1")])

    return FunctionModel(reply)


def _register(client: ATHGatewayClient) -> None:
    client.register(
        developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
    )


def test_deferred_consent_then_resume(stack: LocalStack, agent: AgentKey) -> None:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        _register(client)
        run = Agent(scripted(), toolsets=[ATHToolset(client).toolset], output_type=OUTPUT)
        first = run.run_sync("who am I?")
        assert isinstance(first.output, DeferredToolRequests)
        consent = ATHToolset(client).consents(first.output)[0]
        assert (consent.provider, consent.scopes) == ("github", ("read:user",))
        assert follow_consent(consent.authorization_url).ok
        fresh = ATHToolset(client)  # nothing kept in memory: resumable in another process
        done = run.run_sync(
            message_history=first.all_messages(), deferred_tool_results=fresh.resume(first.output)
        )
        assert isinstance(done.output, str)
        assert json.loads(done.output.removeprefix("tool said: "))["login"] == "local-user"


async def test_async_client_refusal_is_a_message(stack: LocalStack, agent: AgentKey) -> None:
    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        await client.register(
            developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
        )
        toolset = ATHToolset(client, discovery=await client.discover())
        run = Agent(scripted(), toolsets=[toolset.toolset], output_type=OUTPUT)
        first = await run.run("who am I?")
        assert isinstance(first.output, DeferredToolRequests)
        stack.consent.deny()
        assert not follow_consent(toolset.consents(first.output)[0].authorization_url).ok
        done = await run.run(
            message_history=first.all_messages(),
            deferred_tool_results=await toolset.aresume(first.output),
        )
        assert isinstance(done.output, str) and "[USER_DENIED]" in done.output


def test_errors_reach_the_model_not_the_caller(stack: LocalStack, agent: AgentKey) -> None:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        _register(client)
        auth = client.authorize("github", ["read:user"])
        client.exchange_token(
            follow_consent(auth.authorization_url).granted_code, auth.ath_session_id
        )
        toolset = ATHToolset(client)
        for path, code in [("/outage", "[UPSTREAM_ERROR]"), ("//evil.example", "[INVALID_")]:
            run = Agent(scripted(path), toolsets=[toolset.toolset], output_type=OUTPUT)
            out = run.run_sync("go").output
            assert isinstance(out, str) and out.startswith(f"tool said: {code}"), out
