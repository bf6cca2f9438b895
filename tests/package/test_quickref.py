"""Every snippet of the quick reference our users were promised, run as written.

The snippets below are the quick reference's code, character for character, except
for the values it leaves to the reader (URLs, agent_id, the consent's code and
session id), which ``fill`` substitutes. They run in order in one namespace,
against the local stack over real HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ath.testing import LocalStack, follow_consent

IMPORTS = """
from ath import ATHGatewayClient, ATHNativeClient, AsyncATHGatewayClient, ATHError
"""

CREATE_CLIENT = """
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization

key = ec.generate_private_key(ec.SECP256R1())
pem = key.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()

# 使用上下文管理器(自动关闭 HTTP 连接)
with ATHGatewayClient(
    url="http://gateway.example.com",
    agent_id="https://your-agent.com/.well-known/agent.json",
    private_key=pem,
    key_id="my-key-2024",  # 可选
    timeout=60.0,           # 可选
) as client:
    ...
"""

DISCOVER_GATEWAY = """
# 网关
doc = client.discover()
for p in doc.supported_providers:
    print(p.provider_id, p.available_scopes)
"""

DISCOVER_NATIVE = """
# 原生
doc = client.discover()  # 同时设置内部 api_base
print(doc.app_id, doc.auth.scopes_supported)
"""

REGISTER = """
reg = client.register(
    developer={"name": "Acme", "id": "acme"},
    providers=[{"provider_id": "github", "scopes": ["read:user", "repo"]}],
    purpose="Code review assistant",
)
print(reg.client_id, reg.agent_status)
"""

AUTHORIZE = """
auth = client.authorize("github", ["read:user"])
print("Send user to:", auth.authorization_url)
print("Session:", auth.ath_session_id)
"""

EXCHANGE = """
token = client.exchange_token("auth-code", "ath_sess_...")
print(token.access_token, token.effective_scopes)
"""

PROXY = """
# 网关
user = client.proxy("github", "GET", "/user")
repos = client.proxy("github", "POST", "/user/repos", {"name": "new-repo"})
"""

NATIVE_API = """
# 原生
products = client.api("GET", "/products")
order = client.api("POST", "/orders", {"shippingAddress": "..."})
"""

REVOKE = """
client.revoke()
"""

PERSISTENCE = """
# 注册后——保存
client.save_credentials("creds.json")

# 之后的会话——恢复
client.load_credentials("creds.json")

# 或手动设置
client.set_credentials(client_id="ath_abc", client_secret="ath_secret_xyz")
client.set_token("ath_tk_...")
"""

ASYNC = """
import asyncio
from ath import AsyncATHGatewayClient

async def main():
    async with AsyncATHGatewayClient(url=..., agent_id=..., private_key=pem) as client:
        await client.discover()
        await client.register(...)
        auth = await client.authorize("github", ["read:user"])
        token = await client.exchange_token(code, auth.ath_session_id)
        data = await client.proxy("github", "GET", "/user")
        await client.revoke()

asyncio.run(main())
"""

ERRORS = """
from ath import ATHError

try:
    data = client.proxy("github", "GET", "/user")
except ATHError as e:
    print(f"[{e.code}] {e.message}")
    if e.code == "TOKEN_EXPIRED":
        # 重新授权
        pass
    elif e.code == "NOT_REGISTERED":
        # 先注册
        pass
"""


def run(snippet: str, ns: dict[str, Any], **fills: str) -> None:
    code = textwrap.dedent(snippet)
    for old, new in fills.items():
        assert old in code, f"fill-in {old!r} not in snippet"
        code = code.replace(old, new)
    out = ns.setdefault("__out__", io.StringIO())
    # The snippets print tokens; keep that out of the test log.
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<quickref>", "exec"), ns)  # noqa: S102 - the snippets are ours


def consent_code(ns: dict[str, Any]) -> str:
    result = follow_consent(ns["auth"].authorization_url)
    assert result.error is None
    return result.code or ""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def gateway_fills(stack: LocalStack, agent_id: str) -> dict[str, str]:
    return {
        '"http://gateway.example.com"': repr(stack.gateway_url),
        '"https://your-agent.com/.well-known/agent.json"': repr(agent_id),
    }


def test_gateway_snippets(stack: LocalStack, in_tmp: Path) -> None:
    ns: dict[str, Any] = {}
    run(IMPORTS, ns)
    # the key is made inside the snippet; host its public half, then run it as written
    run(CREATE_CLIENT.split("# 使用上下文管理器")[0], ns)
    agent_id = stack.host_agent(ns["pem"], name="quickref")
    _, with_part = CREATE_CLIENT.split("# 使用上下文管理器")
    run("# 使用上下文管理器" + with_part, ns, **gateway_fills(stack, agent_id))
    client = ns["client"]
    # the context manager closed it; reopen the same client for the following snippets
    run(
        "client = ATHGatewayClient(url=URL, agent_id=AGENT, private_key=pem, "
        'key_id="my-key-2024", timeout=60.0)',
        ns,
        URL=repr(stack.gateway_url),
        AGENT=repr(agent_id),
    )
    client = ns["client"]
    run(DISCOVER_GATEWAY, ns)
    run(REGISTER, ns)
    run(AUTHORIZE, ns)
    code = consent_code(ns)
    run(EXCHANGE, ns, **{'"auth-code"': repr(code), '"ath_sess_..."': "auth.ath_session_id"})
    assert ns["token"].effective_scopes == ["read:user"]
    # PROXY's write needs the 'repo' scope: authorize both, as a user of the snippet would
    run(AUTHORIZE, ns, **{'["read:user"]': '["read:user", "repo"]'})
    code = consent_code(ns)
    run(EXCHANGE, ns, **{'"auth-code"': repr(code), '"ath_sess_..."': "auth.ath_session_id"})
    run(PROXY, ns)
    assert ns["user"] and ns["repos"]["name"] == "new-repo"
    run(REVOKE, ns)
    assert ns["client"].tokens == {}
    run(PERSISTENCE, ns)
    assert (in_tmp / "creds.json").exists()
    run(ERRORS, ns)
    out = ns["__out__"].getvalue()
    assert "github" in out and "approved" in out and "Send user to:" in out
    assert "[" in out.splitlines()[-1]  # the error snippet printed "[CODE] message"
    client.close()


def test_native_snippets(stack: LocalStack) -> None:
    ns: dict[str, Any] = {}
    run(IMPORTS, ns)
    run(CREATE_CLIENT.split("# 使用上下文管理器")[0], ns)
    agent_id = stack.host_agent(ns["pem"], name="quickref-native")
    ns["client"] = ns["ATHNativeClient"](
        url=stack.native_url, agent_id=agent_id, private_key=ns["pem"]
    )
    run(DISCOVER_NATIVE, ns)
    doc = ns["doc"]
    client = ns["client"]
    client.register(
        developer={"name": "Acme", "id": "acme"},
        providers=[{"provider_id": doc.app_id, "scopes": list(doc.auth.scopes_supported)}],
    )
    ns["auth"] = client.authorize(doc.app_id, list(doc.auth.scopes_supported))
    code = consent_code(ns)
    run(EXCHANGE, ns, **{'"auth-code"': repr(code), '"ath_sess_..."': "auth.ath_session_id"})
    run(NATIVE_API, ns)
    assert ns["products"] is not None and ns["order"] is not None
    run(REVOKE, ns)
    assert doc.app_id in ns["__out__"].getvalue()
    client.close()


def test_async_snippet(stack: LocalStack) -> None:
    ns: dict[str, Any] = {}
    run(CREATE_CLIENT.split("# 使用上下文管理器")[0], ns)
    agent_id = stack.host_agent(ns["pem"], name="quickref-async")

    async def fetch_code(url: str) -> str:
        return (await asyncio.to_thread(follow_consent, url)).code or ""

    ns["fetch_code"] = fetch_code
    run(
        ASYNC,
        ns,
        **{
            "url=..., agent_id=...": f"url={stack.gateway_url!r}, agent_id={agent_id!r}",
            "client.register(...)": (
                'client.register(developer={"name": "Acme", "id": "acme"}, '
                'providers=[{"provider_id": "github", "scopes": ["read:user"]}])'
            ),
            "token = await client.exchange_token(code,": (
                "code = await fetch_code(auth.authorization_url)\n"
                "        token = await client.exchange_token(code,"
            ),
        },
    )
