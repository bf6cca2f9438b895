"""A LangGraph agent with ATH tools: consent pauses the run, a new process resumes it.

Run it as is (``pip install 'ath-sdk[testing,langgraph]'``): it starts the embedded
local ATH stack, builds ``ATHToolkit(client).get_tools()`` from the gateway's catalogue
and runs a prebuilt ReAct agent with a SQLite checkpointer. The model (scripted here,
any tool-calling chat model in real use) asks for the user's GitHub profile; there is no
token yet, so the graph stops with an ``interrupt()`` carrying the consent URL. The user
approves (here: automatically), and a second process, with a new client and a new graph
on the same checkpoint file, resumes the run with ``Command(resume=payload)``: the tool
waits for the token and the model receives the data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.prebuilt import create_react_agent
from langgraph.types import Command
from langgraph.warnings import LangGraphDeprecatedSinceV10

from ath import ATHGatewayClient, generate_private_key
from ath.langchain import ATHToolkit

DEVELOPER = {"name": "Example Co", "id": "example-co"}
SCOPES = ["read:user"]
THREAD: RunnableConfig = {"configurable": {"thread_id": "user-42"}}
# create_react_agent works on; its successor lives in the separate `langchain` package.
warnings.filterwarnings("ignore", category=LangGraphDeprecatedSinceV10)


class ScriptedModel(BaseChatModel):
    """Stands in for a chat model: asks for /user, then reports what the tool said."""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        last = messages[-1]
        if isinstance(last, ToolMessage):
            reply = AIMessage(content=f"The tool said: {last.content}")
        else:
            call = {"name": "ath_github", "args": {"path": "/user"}, "id": "call-1"}
            reply = AIMessage(content="", tool_calls=[call])
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    @property
    def _llm_type(self) -> str:
        return "scripted"


def agent(client: ATHGatewayClient, checkpointer: SqliteSaver) -> Any:
    tools = ATHToolkit(client, scopes={"github": SCOPES}).get_tools()
    return create_react_agent(ScriptedModel(), tools, checkpointer=checkpointer)


def start(folder: Path) -> int:
    from ath.testing import LocalStack, follow_consent

    with LocalStack() as stack:
        key = generate_private_key()
        agent_id = stack.host_agent(key, name="langgraph-example")
        with ATHGatewayClient(stack.gateway_url, agent_id, key) as client:
            client.register(
                developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": SCOPES}]
            )
            client.save_credentials(folder / "creds.json")
            (folder / "key.pem").write_text(key)
            with SqliteSaver.from_conn_string(str(folder / "checkpoints.db")) as saver:
                result = agent(client, saver).invoke(
                    {"messages": [("user", "Who am I on GitHub?")]}, THREAD
                )
            payload = result["__interrupt__"][0].value
            print("paused for consent:", payload["provider"], payload["scopes"])
            print("consent URL:", payload["authorization_url"][:60] + "...")
            follow_consent(payload["authorization_url"])  # the user approves
            (folder / "resume.json").write_text(json.dumps(payload))
            args = [str(folder), stack.gateway_url, agent_id]
            done = subprocess.run(  # noqa: S603 - this interpreter running this script
                [sys.executable, __file__, "resume", *args], check=False
            )
            return done.returncode


def resume(folder: Path, url: str, agent_id: str) -> int:
    key = (folder / "key.pem").read_text()
    with ATHGatewayClient(url, agent_id, key) as client:
        client.load_credentials(folder / "creds.json")
        payload = json.loads((folder / "resume.json").read_text())
        with SqliteSaver.from_conn_string(str(folder / "checkpoints.db")) as saver:
            result = agent(client, saver).invoke(Command(resume=payload), THREAD)
    print("resumed in a new process; the model said:", result["messages"][-1].content[:80])
    print("signed in as:", json.loads(result["messages"][-2].content)["login"])
    return 0


def main() -> int:
    if sys.argv[1:2] == ["resume"]:
        return resume(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    with tempfile.TemporaryDirectory() as folder:
        return start(Path(folder))


if __name__ == "__main__":
    sys.exit(main())
