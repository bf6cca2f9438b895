"""ATHToolkit in a LangGraph prebuilt agent with a scripted model, on the local stack:
consent as interrupt() with a checkpointer (granted and denied), as a relayed message
without one, and the errors a model must survive (NO_TOKEN, TOKEN_EXPIRED,
SCOPE_NOT_APPROVED, a gateway 5xx, an upstream 5xx) without an exception leaving the graph.
The run that resumes in a new process is examples/langgraph_agent.py (tests/package)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.prebuilt import create_react_agent
from langgraph.types import Command

from ath import ATHGatewayClient
from ath.langchain import ATHToolkit
from ath.testing import LocalStack, follow_consent
from ath.tools import generic_spec
from tests.conftest import DEVELOPER, Agent

from ._chat import Scripted
from ._servers import echo_server

pytestmark = pytest.mark.filterwarnings("ignore::langgraph.warnings.LangGraphDeprecatedSinceV10")
THREAD: RunnableConfig = {"configurable": {"thread_id": "t1"}}


def _client(stack: LocalStack, agent: Agent, scopes: list[str]) -> ATHGatewayClient:
    client = ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem)
    client.register(developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": scopes}])
    return client


def _tool_text(result: dict[str, Any]) -> str:
    tools = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    return str(tools[-1].content)


def test_interrupt_then_resume_gives_the_model_upstream_data(
    stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    with _client(stack, agent, ["read:user"]) as client:
        tools = ATHToolkit(client, scopes={"github": ["read:user"]}).get_tools()
        with SqliteSaver.from_conn_string(str(tmp_path / "cp.db")) as saver:
            graph = create_react_agent(Scripted(), tools, checkpointer=saver)
            paused = graph.invoke({"messages": [("user", "who am I?")]}, THREAD)
            payload = paused["__interrupt__"][0].value
            assert payload["type"] == "ath_consent_required"
            assert payload["provider"] == "github" and payload["scopes"] == ["read:user"]
            assert follow_consent(payload["authorization_url"]).ok
            done = graph.invoke(Command(resume=payload), THREAD)
        assert json.loads(_tool_text(done))["login"] == "local-user"
        assert "local-user" in done["messages"][-1].content


def test_denied_consent_is_a_message_not_a_crash(
    stack: LocalStack, agent: Agent, tmp_path: Path
) -> None:
    with _client(stack, agent, ["read:user"]) as client:
        tools = ATHToolkit(client, scopes={"github": ["read:user"]}).get_tools()
        with SqliteSaver.from_conn_string(str(tmp_path / "cp.db")) as saver:
            graph = create_react_agent(Scripted(), tools, checkpointer=saver)
            payload = graph.invoke({"messages": [("user", "me?")]}, THREAD)["__interrupt__"]
            stack.consent.deny()
            assert not follow_consent(payload[0].value["authorization_url"]).ok
            done = graph.invoke(Command(resume=payload[0].value), THREAD)
        text = _tool_text(done)
        assert text.startswith("[USER_DENIED]") and "do not retry" in text
        # the app may also say "denied" itself, without waiting for the gateway
        with SqliteSaver.from_conn_string(str(tmp_path / "cp2.db")) as saver:
            graph = create_react_agent(Scripted(), tools, checkpointer=saver)
            graph.invoke({"messages": [("user", "me?")]}, THREAD)
            done = graph.invoke(Command(resume={"approved": False}), THREAD)
        assert _tool_text(done).startswith("[USER_DENIED]")


def test_without_a_checkpointer_the_model_relays_the_link(stack: LocalStack, agent: Agent) -> None:
    with _client(stack, agent, ["read:user"]) as client:
        tools = ATHToolkit(client, scopes={"github": ["read:user"]}).get_tools()
        graph = create_react_agent(Scripted(), tools)
        first = _tool_text(graph.invoke({"messages": [("user", "me?")]}))
        assert first.startswith("[CONSENT_REQUIRED]")
        url = first.split("open this link and approve: ")[1].split(" ")[0]
        assert follow_consent(url).ok
        second = _tool_text(graph.invoke({"messages": [("user", "me?")]}))
        assert json.loads(second)["login"] == "local-user"


def _survives(graph: Any) -> str:
    result = graph.invoke({"messages": [("user", "go")]})  # nothing escapes
    return _tool_text(result)


def test_prebuilt_agent_survives_what_a_model_meets(stack: LocalStack, agent: Agent) -> None:
    with _client(stack, agent, ["read:user"]) as client:
        default = ATHToolkit(client).get_tools()  # the default toolkit: every provider
        assert {t.name for t in default} >= {"ath_github"}
        no_token = _survives(create_react_agent(Scripted(), default))
        assert no_token.startswith("[CONSENT_REQUIRED]")  # NO_TOKEN, as the model reads it

        kit = ATHToolkit(client, scopes={"github": ["read:user"]}, consent="message")
        auth = client.authorize("github", ["read:user"])
        client.exchange_token(follow_consent(auth.authorization_url).granted_code,
                              auth.ath_session_id)  # fmt: skip
        outage = Scripted(args={"path": "/outage"})
        upstream = _survives(create_react_agent(outage, kit.get_tools()))
        assert upstream.startswith("[UPSTREAM_ERROR]") and "unavailable" in upstream

        held = client.tokens["github"].access_token
        client.set_token(held, "github", expires_in=0)  # TOKEN_EXPIRED (held, not sent)
        expired = _survives(create_react_agent(Scripted(), kit.get_tools()))
        assert expired.startswith("[CONSENT_REQUIRED]") and held not in expired

        wider = ATHToolkit(client, scopes={"github": ["repo"]}).get_tools()
        client.set_token(held, "github", expires_in=0)
        scope = _survives(create_react_agent(Scripted(), wider))
        assert scope.startswith("[SCOPE_NOT_APPROVED]") and "administrator" in scope


def test_prebuilt_agent_survives_a_gateway_5xx(agent: Agent) -> None:
    with echo_server() as server, ATHGatewayClient(server.url, agent.agent_id, agent.pem) as c:
        c.set_token("ath_tk_FiveHundredToken0123456789", "broken")
        tools = ATHToolkit(c, specs=[generic_spec("broken")]).get_tools()
        text = _survives(create_react_agent(Scripted(tool="ath_broken"), tools))
        assert text.startswith("[INTERNAL_ERROR]") and "unavailable" in text
        assert "ath_tk_" not in text


@pytest.mark.parametrize("consent", ["interrupt", "auto"])
async def test_async_graph_interrupts_too(
    stack: LocalStack, agent: Agent, tmp_path: Path, consent: Any
) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    with _client(stack, agent, ["read:user"]) as client:
        kit = ATHToolkit(client, scopes={"github": ["read:user"]}, consent=consent)
        graph = create_react_agent(Scripted(), kit.get_tools(), checkpointer=InMemorySaver())
        paused = await graph.ainvoke({"messages": [("user", "me?")]}, THREAD)
        payload = paused["__interrupt__"][0].value
        assert follow_consent(payload["authorization_url"]).ok
        done = await graph.ainvoke(Command(resume=payload), THREAD)
        assert json.loads(_tool_text(done))["login"] == "local-user"
