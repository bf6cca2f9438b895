"""The framework-neutral core on its own: specs from discovery and OpenAPI, ConsentRequired
(no secret, safe repr), rendering, and the consent -> resume cycle on the local stack
with a sync and an async client."""

from __future__ import annotations

import json

import pytest

from ath import AsyncATHGatewayClient, ATHError, ATHGatewayClient, ATHServerError
from ath.testing import LocalStack, follow_consent
from ath.tools import (
    ConsentRequired,
    ToolCore,
    build_specs,
    render_error,
    render_result,
    specs_from_discovery,
    specs_from_openapi,
)
from tests.conftest import DEVELOPER, Agent

OPENAPI = {
    "openapi": "3.1.0",
    "components": {
        "schemas": {"Repo": {"type": "object", "properties": {"name": {"type": "string"}}}}
    },
    "paths": {
        "/repos/{owner}/{repo}": {
            "parameters": [{"name": "owner", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": {"operationId": "get_repo", "summary": "Get a repository",
                    "parameters": [{"name": "repo", "in": "path", "required": True,
                                    "schema": {"type": "string"}}]},
        },
        "/user/repos": {
            "get": {"operationId": "list_repos", "parameters": [
                {"name": "per_page", "in": "query", "schema": {"type": "integer"}}]},
            "post": {"operationId": "create_repo", "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Repo"}}}}},
        },
    },
}  # fmt: skip


def test_specs_from_discovery_one_generic_tool_per_provider(
    stack: LocalStack, agent: Agent
) -> None:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        specs = specs_from_discovery(client.discover())
    names = {s.name: s for s in specs}
    assert set(names) == {f"ath_{p}" for p in stack.providers}
    github = names["ath_github"]
    assert github.provider == "github" and github.methods == ("GET",)
    assert set(github.parameters["properties"]) == {"method", "path", "query"}
    assert github.parameters["additionalProperties"] is False
    assert "read:user" in github.scopes


def test_specs_from_openapi_typed_per_operation() -> None:
    specs = {s.name: s for s in specs_from_openapi("github", OPENAPI)}
    assert set(specs) == {"github_get_repo", "github_list_repos", "github_create_repo"}
    get = specs["github_get_repo"]
    assert get.parameters["required"] == ["repo", "owner"] and get.path == "/repos/{owner}/{repo}"
    create = specs["github_create_repo"]
    assert create.methods == ("POST",) and create.parameters["required"] == ["body"]
    assert create.parameters["properties"]["body"]["properties"]["name"] == {"type": "string"}
    only_get = specs_from_openapi("github", OPENAPI, methods=["GET"])
    assert {s.name for s in only_get} == {"github_get_repo", "github_list_repos"}


def test_consent_required_carries_no_secret() -> None:
    consent = ConsentRequired("github", ["read:user"], "https://gw.example/consent?s=1",
                              "ath_sess_1", user="alice")  # fmt: skip
    assert repr(consent) == ("ConsentRequired(provider='github', scopes=['read:user'], "
                             "session_id='ath_sess_1', user='alice')")  # fmt: skip
    data = consent.to_dict()
    assert data["authorization_url"] == "https://gw.example/consent?s=1"
    assert set(data) == {"type", "provider", "scopes", "authorization_url", "session_id",
                         "user", "reason", "message"}  # fmt: skip
    assert "alice" in consent.message() and "open this link" in consent.message()


def test_rendering_is_short_redacted_and_says_what_next() -> None:
    secret = "ath_tk_RenderSecret0123456789"
    text = render_result({"echo": f"Bearer {secret}", "n": 1}, [secret])
    assert secret not in text and json.loads(text)["n"] == 1
    assert render_result("x" * 50_000).endswith("more characters]")
    error = ATHServerError("INTERNAL_ERROR", f"boom {secret}", status=500)
    rendered = render_error(error, [secret])
    assert rendered.startswith("[INTERNAL_ERROR]") and secret not in rendered
    assert "Try again later" in rendered and len(rendered) <= 600
    assert render_error(ValueError(secret)) == (
        "[TOOL_ERROR] The tool failed (ValueError). Try again later."
    )


def _register(client: ATHGatewayClient) -> None:
    client.register(developer=DEVELOPER,
                    providers=[{"provider_id": "github", "scopes": ["read:user"]}])  # fmt: skip


def test_sync_consent_then_resume(stack: LocalStack, agent: Agent) -> None:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        _register(client)
        core = ToolCore(client, build_specs(client.discover()), user="alice")
        with pytest.raises(ConsentRequired) as caught:
            core.call("ath_github", {"path": "/user"})
        consent = caught.value
        assert consent.scopes == ("read:user",)  # the registration's approved scopes
        assert consent.call is not None and consent.call.path == "/user"
        # a second call while consent is pending offers the same link
        with pytest.raises(ConsentRequired) as again:
            core.call("ath_github", {"path": "/user"})
        assert again.value.session_id == consent.session_id
        assert follow_consent(consent.authorization_url).ok
        assert json.loads(core.resume(consent))["login"] == "local-user"


def test_a_token_for_another_provider_still_asks_consent(stack: LocalStack, agent: Agent) -> None:
    """Holding a github token only, a mail call needs the user's consent for mail (the
    client says PROVIDER_MISMATCH there, as ath-sdk 0.1.0's gateway did)."""
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        client.register(developer=DEVELOPER, providers=[
            {"provider_id": "github", "scopes": ["read:user"]},
            {"provider_id": "mail", "scopes": ["mail:read"]}])  # fmt: skip
        core = ToolCore(client, build_specs(client.discover()))
        with pytest.raises(ConsentRequired) as github:
            core.call("ath_github", {"path": "/user"})
        assert follow_consent(github.value.authorization_url).ok
        assert json.loads(core.resume(github.value))["login"] == "local-user"
        with pytest.raises(ConsentRequired) as mail:
            core.call("ath_mail", {"path": "/messages"})
        assert (mail.value.provider, mail.value.scopes) == ("mail", ("mail:read",))
        with pytest.raises(ATHError) as direct:
            client.proxy("mail", "GET", "/messages")
        assert direct.value.code == "PROVIDER_MISMATCH"
        assert "[PROVIDER_MISMATCH]" in render_error(direct.value)
        assert "consent link" in render_error(direct.value)


async def test_async_consent_denied_reads_as_a_message(stack: LocalStack, agent: Agent) -> None:
    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        await client.register(
            developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
        )
        core = ToolCore(client, build_specs(await client.discover()))
        with pytest.raises(ConsentRequired) as caught:
            await core.acall("ath_github", {"path": "/user"})
        stack.consent.deny()
        assert not follow_consent(caught.value.authorization_url).ok
        text = await core.aresume(caught.value)
        assert text.startswith("[USER_DENIED]") and "do not retry" in text


async def test_sync_call_with_async_client_is_refused(stack: LocalStack, agent: Agent) -> None:
    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        _refuse_sync(client)


def _refuse_sync(client: AsyncATHGatewayClient) -> None:
    core = ToolCore(client, specs_from_discovery({"supported_providers": [
        {"provider_id": "github", "available_scopes": ["read:user"]}]}))  # fmt: skip
    assert core.call("ath_github", {"path": "/user"}).startswith("[INVALID_ARGUMENT]")
    with pytest.raises(ATHError):
        core.send(core.prepare("ath_github", {"path": "/user"}))
