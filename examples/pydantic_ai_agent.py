"""A PydanticAI agent with ATH tools: consent as a deferred tool call.

Run it as is (``pip install 'ath-sdk[testing,pydantic-ai]'``): it starts the embedded
local ATH stack and runs an agent whose model (scripted here; any PydanticAI model in
real use) asks for the user's GitHub profile. Without a token the run ends with
``DeferredToolRequests`` carrying the consent URL; the user approves (here:
automatically), ``ATHToolset.resume`` waits for the token and makes the call, and the
run continues with the results.
"""

from __future__ import annotations

import sys
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

from ath import ATHGatewayClient, generate_private_key
from ath.pydantic_ai import ATHToolset
from ath.testing import LocalStack, follow_consent

OUTPUT: Any = [str, DeferredToolRequests]


def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Stands in for a model: asks for /user, then reports what the tool said."""
    last = messages[-1]
    if isinstance(last, ModelRequest):
        for part in last.parts:
            if isinstance(part, ToolReturnPart):
                return ModelResponse(parts=[TextPart(f"The tool said: {part.content}")])
    return ModelResponse(parts=[ToolCallPart("ath_github", {"path": "/user"}, "call-1")])


def main() -> int:
    with LocalStack() as stack:
        key = generate_private_key()
        agent_id = stack.host_agent(key, name="pydantic-ai-example")
        with ATHGatewayClient(stack.gateway_url, agent_id, key) as client:
            client.register(
                developer={"name": "Example Co", "id": "example-co"},
                providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            )
            toolset = ATHToolset(client)
            agent = Agent(FunctionModel(model), toolsets=[toolset.toolset], output_type=OUTPUT)
            result = agent.run_sync("Who am I on GitHub?")
            assert isinstance(result.output, DeferredToolRequests)
            for consent in toolset.consents(result.output):
                print("deferred for consent:", consent.provider, list(consent.scopes))
                follow_consent(consent.authorization_url)  # the user approves
            result = agent.run_sync(
                message_history=result.all_messages(),
                deferred_tool_results=toolset.resume(result.output),
            )
            print("the model said:", str(result.output)[:80])
    return 0


if __name__ == "__main__":
    sys.exit(main())
