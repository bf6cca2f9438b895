"""An OpenAI Agents SDK agent with ATH tools: consent as a run interruption.

Run it as is (``pip install 'ath-sdk[testing,openai-agents]'``): it starts the embedded
local ATH stack and runs an agent whose model (scripted here: no OpenAI account needed;
any model of the SDK in real use) asks for the user's GitHub profile. Without a token
the run stops with an interruption; ``ATHAgentTools.consent_for`` gives its consent URL,
the user approves (here: automatically), the app approves the interruption and the run
goes on: the tool waits for the token and the model receives the data.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

from agents import Agent, ModelResponse, Runner, Usage, set_tracing_disabled
from agents.models.interface import Model
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from ath import ATHGatewayClient, generate_private_key
from ath.openai_agents import ATHAgentTools
from ath.testing import LocalStack, follow_consent


class ScriptedModel(Model):
    """Stands in for a model: asks for /user, then reports what the tool said."""

    async def get_response(
        self, system_instructions: Any, input: Any, *args: Any, **kwargs: Any
    ) -> ModelResponse:
        items = input if isinstance(input, list) else []
        done = [i for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]
        if done:
            text = f"The tool said: {done[-1]['output']}"
            part = ResponseOutputText(type="output_text", text=text, annotations=[])
            reply: Any = ResponseOutputMessage(
                id="m1", type="message", role="assistant", status="completed", content=[part]
            )
        else:
            reply = ResponseFunctionToolCall(
                type="function_call",
                call_id="call-1",
                name="ath_github",
                arguments=json.dumps({"path": "/user"}),
                id="fc1",
                status="completed",
            )
        return ModelResponse(output=[reply], usage=Usage(), response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError


async def run() -> int:
    set_tracing_disabled(True)  # this example sends nothing beyond the local stack
    with LocalStack() as stack:
        key = generate_private_key()
        agent_id = stack.host_agent(key, name="openai-agents-example")
        with ATHGatewayClient(stack.gateway_url, agent_id, key) as client:
            client.register(
                developer={"name": "Example Co", "id": "example-co"},
                providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            )
            kit = ATHAgentTools(client)
            agent: Agent[Any] = Agent(name="assistant", model=ScriptedModel(), tools=[*kit.tools])
            result = await Runner.run(agent, "Who am I on GitHub?")
            while result.interruptions:
                state = result.to_state()
                for item in result.interruptions:
                    consent = kit.consent_for(item)
                    if consent is not None:
                        print("interrupted for consent:", consent.provider, list(consent.scopes))
                        follow_consent(consent.authorization_url)  # the user approves
                    state.approve(item)
                result = await Runner.run(agent, state)
            print("the model said:", str(result.final_output)[:80])
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
