"""ath.openai_agents with the real OpenAI Agents SDK and a scripted Model subclass (no
network: tracing off), on the local stack: consent as an interruption with its URL, the
run resumed after consent, a refusal the model can relay, errors kept inside the run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from agents import Agent, ModelResponse, Runner, Usage, set_tracing_disabled
from agents.models.interface import Model
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from ath import AsyncATHGatewayClient, ATHGatewayClient
from ath.openai_agents import ATHAgentTools
from ath.testing import LocalStack, follow_consent
from tests.conftest import DEVELOPER
from tests.conftest import Agent as AgentKey

set_tracing_disabled(True)  # the SDK would export traces to the network otherwise


class Scripted(Model):
    """Calls ath_github once, then answers with the tool's output."""

    def __init__(self, path: str = "/user") -> None:
        self.path = path

    async def get_response(self, system_instructions: Any, input: Any, *args: Any,
                           **kwargs: Any) -> ModelResponse:  # fmt: skip
        items = input if isinstance(input, list) else []
        outputs = [i for i in items if isinstance(i, dict) and i.get("type") ==
                   "function_call_output"]  # fmt: skip
        if outputs:
            text = ResponseOutputText(
                type="output_text", text=f"tool said: {outputs[-1]['output']}", annotations=[]
            )
            message = ResponseOutputMessage(
                id="m1", type="message", role="assistant", status="completed", content=[text]
            )
            return ModelResponse(output=[message], usage=Usage(), response_id=None)
        call = ResponseFunctionToolCall(
            type="function_call", call_id="call-1", name="ath_github",
            arguments=json.dumps({"path": self.path}), id="fc1", status="completed",
        )  # fmt: skip
        return ModelResponse(output=[call], usage=Usage(), response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError


def _register(client: ATHGatewayClient) -> None:
    client.register(
        developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
    )


async def _run_with_consent(kit: ATHAgentTools, agent: Agent[Any], approve: bool) -> str:
    result = await Runner.run(agent, "Who am I on GitHub?")
    assert result.interruptions, "the run should pause for consent"
    state = result.to_state()
    for item in result.interruptions:
        consent = kit.consent_for(item)
        assert consent is not None and consent.provider == "github"
        assert follow_consent(consent.authorization_url).ok is approve
        state.approve(item)
    done = await Runner.run(agent, state)
    assert not done.interruptions
    return str(done.final_output)


async def test_interruption_then_resume(stack: LocalStack, agent: AgentKey) -> None:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        _register(client)
        kit = ATHAgentTools(client)
        bot: Agent[Any] = Agent(name="assistant", model=Scripted(), tools=list(kit.tools))
        out = await _run_with_consent(kit, bot, approve=True)
        assert json.loads(out.removeprefix("tool said: "))["login"] == "local-user"
        # a token is held now: no interruption
        again = await Runner.run(bot, "again")
        assert not again.interruptions and "local-user" in str(again.final_output)


async def test_refusal_is_a_message(stack: LocalStack, agent: AgentKey) -> None:
    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        await client.register(
            developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
        )
        kit = ATHAgentTools(client, discovery=await client.discover())
        bot: Agent[Any] = Agent(name="assistant", model=Scripted(), tools=list(kit.tools))
        stack.consent.deny()
        out = await _run_with_consent(kit, bot, approve=False)
        assert out.startswith("tool said: [USER_DENIED]")


@pytest.mark.parametrize(("path", "code"), [("/outage", "[UPSTREAM_ERROR]"),
                                            ("/../ath/revoke", "[INVALID_ARGUMENT]")])  # fmt: skip
async def test_errors_stay_in_the_run(
    stack: LocalStack, agent: AgentKey, path: str, code: str
) -> None:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        _register(client)
        auth = client.authorize("github", ["read:user"])
        client.exchange_token(
            follow_consent(auth.authorization_url).granted_code, auth.ath_session_id
        )
        kit = ATHAgentTools(client)
        bot: Agent[Any] = Agent(name="assistant", model=Scripted(path), tools=list(kit.tools))
        result = await Runner.run(bot, "go")
        assert str(result.final_output).startswith(f"tool said: {code}")
