"""Drop-in upgrade from the public ath-sdk 0.1.0: its whole public surface still works.

The surface is read from the real 0.1.0 package (installed in ``.peer-venv/`` by the
bench's venv helper) by parsing its sources, so nothing is forgotten: every public
module, every public name, every public method with its parameters (by name, and by
position where 0.1.0 took them positionally), every model field and enum member.
Then a 0.1.0-style program runs the whole flow against the local stack.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import operator
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest

import ath
from ath.testing import LocalStack, follow_consent
from bench._venvs import ensure_peer

#: 0.1.0 field names spelled differently now (none: ``ServiceAuthConfig.type`` is back, with
#: 0.2.0's ``type_`` beside it).
RENAMED_FIELDS: dict[tuple[str, str], str] = {}


@dataclass
class PeerClass:
    name: str
    methods: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name -> params
    properties: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)  # enum member -> value


@dataclass
class PeerModule:
    name: str
    names: list[str]
    classes: dict[str, PeerClass]


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, str]]:
    a = fn.args
    out = [(p.arg, "positional") for p in [*a.posonlyargs, *a.args] if p.arg != "self"]
    out += [(p.arg, "keyword") for p in a.kwonlyargs]
    if a.vararg:
        out.append(("*" + a.vararg.arg, "var"))
    if a.kwarg:
        out.append(("**" + a.kwarg.arg, "var"))
    return out


def _peer_class(node: ast.ClassDef) -> PeerClass:
    cls = PeerClass(node.name)
    is_enum = any(isinstance(b, ast.Name) and b.id == "Enum" for b in node.bases)
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            if any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list):
                cls.properties.append(item.name)
            elif not item.name.startswith("_") or item.name == "__init__":
                cls.methods[item.name] = _params(item)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if not item.target.id.startswith("_"):
                cls.fields.append(item.target.id)
        elif isinstance(item, ast.Assign) and is_enum:
            target = item.targets[0]
            if isinstance(target, ast.Name) and isinstance(item.value, ast.Constant):
                cls.members[target.id] = str(item.value.value)
        elif isinstance(item, ast.Assign):
            target = item.targets[0]
            if isinstance(target, ast.Name) and target.id == "__slots__":
                assert isinstance(item.value, ast.Tuple)
                cls.fields += [str(e.value) for e in item.value.elts if isinstance(e, ast.Constant)]
    return cls


def _peer_module(name: str, source: str) -> PeerModule:
    tree = ast.parse(source)
    names: set[str] = set()
    classes: dict[str, PeerClass] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            names.add(node.name)
            classes[node.name] = _peer_class(node)
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "__all__":
                    assert isinstance(node.value, ast.List)
                    names |= {str(e.value) for e in node.value.elts if isinstance(e, ast.Constant)}
                elif isinstance(target, ast.Name) and not target.id.startswith("_"):
                    names.add(target.id)
    return PeerModule(name, sorted(names), classes)


@cache
def peer_surface() -> dict[str, PeerModule]:
    """Every public module of the real ath-sdk 0.1.0, parsed (never imported here)."""
    python, versions = ensure_peer()
    assert versions["ath-sdk"] == "0.1.0"
    where = subprocess.run(  # noqa: S603 - the peer venv's interpreter, locating its package
        [
            str(python),
            "-I",
            "-c",
            "import importlib.util as u; print(u.find_spec('ath').submodule_search_locations[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    root = Path(where.stdout.strip())
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = ["ath", *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        if any(p.startswith("_") for p in parts):
            continue
        name = ".".join(parts)
        modules[name] = _peer_module(name, path.read_text(encoding="utf-8"))
    return modules


def _import(name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module(name)


def _get(module: Any, name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(module, name)


def test_the_peer_surface_was_read() -> None:
    surface = peer_surface()
    # a floor, so that a parsing slip cannot make the walk below vacuous
    assert {"ath", "ath.types", "ath.exceptions", "ath.meta", "ath.client", "ath.langchain"} <= set(
        surface
    )
    assert sum(len(m.names) for m in surface.values()) > 60
    assert "ATHGatewayClient" in surface["ath"].names
    assert "exchange_token" in surface["ath.client.base"].classes["ATHClientBase"].methods


def _cases() -> list[tuple[str, str]]:
    return [(m.name, n) for m in peer_surface().values() for n in m.names]


@pytest.mark.parametrize(("module", "name"), _cases())
def test_every_public_name_resolves(module: str, name: str) -> None:
    assert _get(_import(module), name) is not None


def _our_fields(cls: Any) -> set[str]:
    names: set[str] = {n for n in dir(cls) if not n.startswith("__")}
    if attrs.has(cls):
        names |= {a.name for a in attrs.fields(cls)}
    if dataclasses.is_dataclass(cls):
        names |= {f.name for f in dataclasses.fields(cls)}
    names |= set(getattr(cls, "model_fields", {}))
    return names


def _class_cases() -> list[tuple[str, str]]:
    return [(m.name, c) for m in peer_surface().values() for c in m.classes]


@pytest.mark.parametrize(("module", "name"), _class_cases())
def test_every_class_keeps_its_methods_parameters_fields_and_members(
    module: str, name: str
) -> None:
    peer = peer_surface()[module].classes[name]
    ours = _get(_import(module), name)
    assert inspect.isclass(ours)
    for method, params in peer.methods.items():
        target = ours if method == "__init__" else getattr(ours, method)
        signature = inspect.signature(target)
        accepted = signature.parameters
        has_kwargs = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        positional = [
            p.name
            for p in accepted.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        if positional and positional[0] in ("self", "cls"):
            positional = positional[1:]
        for index, (param, kind) in enumerate(params):
            if kind == "var":
                continue
            assert param in accepted or has_kwargs, f"{name}.{method}() lost {param!r}"
            if kind == "positional" and all(k == "positional" for _, k in params[:index]):
                assert index < len(positional) and positional[index] == param, (
                    f"{name}.{method}(): {param!r} is no longer positional argument {index}"
                )
    fields = _our_fields(ours)
    for prop in peer.properties:
        assert prop in fields, f"{name}.{prop} is gone"
    for peer_field in peer.fields:
        spelled = RENAMED_FIELDS.get((name, peer_field), peer_field)
        assert spelled in fields, f"{name}.{peer_field} is gone"
    for member, value in peer.members.items():
        ours_member = getattr(ours, member)
        assert isinstance(ours_member, Enum) and ours_member.value == value
        assert operator.eq(ours_member, value)  # str-enum: equal to its string


def test_renamed_names_warn_and_first_class_names_do_not() -> None:
    with pytest.warns(DeprecationWarning, match=r"use ath\.Token"):
        token_response = ath.types.TokenResponse
    assert token_response is ath.Token
    with pytest.warns(DeprecationWarning, match="ath.client is the ath-sdk 0.1.0"):
        importlib.reload(_import("ath.client"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ath.types.AgentStatus is ath.AgentStatus
        assert ath.ATHErrorCode.TOKEN_EXPIRED == "TOKEN_EXPIRED"
        assert ath.ENDPOINTS["token"] == {"method": "POST", "path": "/ath/token"}
        assert ath.ATH_VERSION == "0.1"


def test_ath_error_keeps_the_0_1_0_signature() -> None:
    error = ath.ATHError("TOKEN_EXPIRED", "expired", status=401, details={"k": "v"})
    assert (error.code, error.message, error.status, error.details) == (
        "TOKEN_EXPIRED",
        "expired",
        401,
        {"k": "v"},
    )
    assert "expired" in str(error)
    assert ath.exceptions.ATHError is ath.ATHError


def test_a_0_1_0_program_runs_the_whole_flow(stack: LocalStack) -> None:
    with pytest.warns(DeprecationWarning):  # the 0.1.0 spelling still works
        from ath.types import DeveloperInfo, ProviderScopeRequest

    pem = ath.generate_private_key()
    agent_id = stack.host_agent(pem, name="old-program")
    client = ath.ATHGatewayClient(stack.gateway_url, agent_id, pem)  # positional, as in 0.1.0
    try:
        assert isinstance(client, ath.ATHClientBase)
        assert client.access_token is None and client.get_client_id() is None
        doc = client.discover()
        assert "github" in [p.provider_id for p in doc.supported_providers]
        reg = client.register(
            developer=DeveloperInfo(name="Old", id="old"),
            providers=[ProviderScopeRequest(provider_id="github", scopes=["read:user", "repo"])],
            purpose="upgrade test",
        )
        assert reg.agent_status.value == "approved"
        assert reg.agent_status == "approved"
        assert reg.agent_status is ath.AgentStatus.APPROVED
        assert client.get_client_id() == reg.client_id == client.client_id
        auth = client.authorize("github", ["read:user"], redirect_uri=None)
        consent = follow_consent(auth.authorization_url)
        assert consent.code is not None
        token = client.exchange_token(consent.code, auth.ath_session_id)
        assert client.access_token == token.access_token
        assert token.scope_intersection is not None
        assert client.proxy("github", "GET", "/user")["login"]
        client.revoke()
        assert client.access_token is None
    finally:
        client.close()


def test_discover_returns_the_sdks_own_types(stack: LocalStack) -> None:
    """discover() answers with the SDK's result family (like every other method), keeping
    0.1.0's attribute names and 0.2.0's ``to_dict()``, ``additional_properties`` and
    ``type_``; ``to_dict()`` gives back the document the server served."""
    import httpx2

    pem = ath.generate_private_key()
    agent_id = stack.host_agent(pem, name="discovers")
    with ath.ATHGatewayClient(stack.gateway_url, agent_id, pem) as gateway:
        doc = gateway.discover()
    assert type(doc) is ath.types.DiscoveryDocument
    assert type(doc).__module__ == "ath._models"
    provider = doc.supported_providers[0]
    assert type(provider) is ath.types.ProviderInfo
    assert isinstance(provider.categories, list)  # 0.1.0: a list, [] when absent
    assert provider.available_scopes and provider.auth_mode
    served = httpx2.get(stack.gateway_url + "/.well-known/ath.json").json()
    assert doc.to_dict() == served
    with ath.ATHNativeClient(stack.native_url, agent_id, pem) as native:
        service = native.discover()
    assert type(service) is ath.types.ServiceDiscoveryDocument
    assert type(service.auth) is ath.types.ServiceAuthConfig
    assert service.auth.type == service.auth.type_ == "oauth2"
    assert service.auth.agent_attestation_required is True
    assert service.app_id == stack.native_app_id
    assert service.to_dict() == httpx2.get(stack.native_url + "/.well-known/ath-app.json").json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        service.app_id = "other"  # type: ignore[misc]


def test_access_token_is_the_most_recent_provider(stack: LocalStack) -> None:
    pem = ath.generate_private_key()
    agent_id = stack.host_agent(pem, name="two-providers")
    with ath.ATHGatewayClient(stack.gateway_url, agent_id, pem) as client:
        client.set_token("tok-older", provider="github")
        client.set_token("tok-newer", provider="mail")
        assert client.access_token == "tok-newer"
        client.set_token("tok-again", provider="github")
        assert client.access_token == "tok-again"


def test_import_ath_alone_reaches_the_0_1_0_submodules() -> None:
    """0.1.0's ``import ath`` imported ``ath.client``, ``ath.exceptions``, ``ath.meta`` and
    ``ath.types``, so programs used them as attributes without importing them."""
    code = (
        "import sys, ath\n"
        "assert ath.exceptions.ATHError is ath.ATHError\n"
        "assert ath.types.AgentStatus is ath.AgentStatus\n"
        "assert ath.meta.ATH_VERSION == ath.ATH_VERSION\n"
        "assert ath.client.ATHGatewayClient is ath.ATHGatewayClient\n"
        "print('ok')\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


# --------------------------------------------------------------------------- 0.1.0's model API
# 0.1.0's types were pydantic models; its users call model_validate / model_dump on them.
# The cases below restate, in this project's words, what 0.1.0's own tests/test_types.py and
# tests/test_meta.py check (both pass unchanged against this package: see the README).


class _QuietTypes:
    """``ath.types`` with the renamed names' DeprecationWarning silenced (tested above)."""

    def __getattr__(self, name: str) -> Any:
        return _get(_import("ath.types"), name)


def _types() -> Any:
    return _QuietTypes()


def test_a_gateway_document_validates_and_dumps_back_to_the_same_data() -> None:
    types = _types()
    data = {
        "ath_version": "0.1",
        "gateway_id": "gw.test",
        "agent_registration_endpoint": "https://gw.test/ath/agents/register",
        "supported_providers": [
            {
                "provider_id": "mail",
                "display_name": "Mail",
                "categories": ["email"],
                "available_scopes": ["mail:read"],
                "auth_mode": "OAUTH2",
                "agent_approval_required": False,
            }
        ],
    }
    doc = types.DiscoveryDocument.model_validate(data)
    assert type(doc.supported_providers[0]) is types.ProviderInfo
    assert doc.supported_providers[0].categories == ["email"]
    assert doc.model_dump() == data
    assert types.DiscoveryDocument.model_validate(doc) is doc
    assert json.loads(doc.model_dump_json()) == data


def test_a_service_document_keeps_its_nested_auth_config() -> None:
    types = _types()
    service = types.ServiceDiscoveryDocument.model_validate(
        {
            "ath_version": "0.1",
            "app_id": "app.test",
            "name": "App",
            "auth": {
                "type": "oauth2",
                "authorization_endpoint": "https://app.test/authorize",
                "token_endpoint": "https://app.test/token",
                "scopes_supported": ["x"],
            },
            "api_base": "https://app.test/api",
        }
    )
    assert type(service.auth) is types.ServiceAuthConfig
    assert service.auth.type == "oauth2" and service.auth.agent_attestation_required is True
    assert service.model_dump()["auth"]["registration_endpoint"] is None  # every 0.1.0 field


def test_results_validate_with_enums_nested_models_and_times() -> None:
    types = _types()
    reg = types.AgentRegistrationResponse.model_validate(
        {
            "client_id": "cid",
            "client_secret": "never-shown",
            "agent_status": "pending",
            "approved_providers": [
                {"provider_id": "mail", "approved_scopes": [], "denied_scopes": ["mail:send"]}
            ],
            "approval_expires": "2030-05-01T12:00:00Z",
        }
    )
    assert reg.agent_status is types.AgentStatus.PENDING
    assert reg.approved_providers[0].denied_scopes == ["mail:send"]
    assert reg.approval_expires == datetime(2030, 5, 1, 12, tzinfo=UTC)
    assert reg.model_dump(mode="json")["approval_expires"] == "2030-05-01T12:00:00Z"
    token = types.TokenResponse.model_validate(
        {
            "access_token": "tok",
            "expires_in": 60,
            "provider_id": "mail",
            "agent_id": "https://agent.test",
            "scope_intersection": {"agent_approved": ["a"], "user_consented": ["a", "b"]},
        }
    )
    assert token.token_type == "Bearer" and token.effective_scopes == []
    assert token.scope_intersection.user_consented == ["a", "b"]
    assert token.scope_intersection.effective == []
    assert not token.is_expired()
    auth = types.AuthorizationResponse.model_validate(
        {"authorization_url": "https://idp.test/a", "ath_session_id": "s-1"}
    )
    assert auth.model_dump() == {"authorization_url": "https://idp.test/a", "ath_session_id": "s-1"}


def test_an_error_body_validates_with_its_code_enum_and_details_dict() -> None:
    types = _types()
    body = types.ATHErrorResponse.model_validate(
        {"code": "TOKEN_REVOKED", "message": "gone", "details": {"why": "user"}}
    )
    assert body.code is types.ATHErrorCode.TOKEN_REVOKED
    assert body.details == {"why": "user"}
    other = types.ATHErrorResponse.model_validate({"code": "X_LATER_CODE", "message": "m"})
    assert other.code == "X_LATER_CODE" and other.details is None
    protocol = {c.value for c in types.ATHErrorCode}
    assert len(protocol) == 16 and {"USER_DENIED", "OAUTH_ERROR"} <= protocol


def test_the_wire_models_get_the_model_api_too() -> None:
    types = _types()
    developer = types.DeveloperInfo.model_validate({"name": "Dev", "id": "dev-1"})
    assert developer.model_dump() == {"name": "Dev", "id": "dev-1"}
    schema = types.DeveloperInfo.model_json_schema()
    assert schema["required"] == ["name", "id"]
    assert schema["properties"]["contact"] == {"type": "string"}


def test_model_json_schema_describes_0_1_0_fields_with_nested_defs() -> None:
    schema = _types().TokenResponse.model_json_schema()
    assert list(schema["properties"]) == [
        "access_token",
        "token_type",
        "expires_in",
        "effective_scopes",
        "provider_id",
        "agent_id",
        "scope_intersection",
    ]
    assert schema["$defs"]["ScopeIntersection"]["properties"]["effective"] == {
        "type": "array",
        "items": {"type": "string"},
    }


@pytest.mark.parametrize(
    ("model", "data", "field_name"),
    [
        ("TokenResponse", {"access_token": 12345}, "access_token"),
        ("DiscoveryDocument", {"ath_version": "0.1"}, "gateway_id"),
        (
            "AgentRegistrationResponse",
            {"client_id": "c", "client_secret": "s3cr3t-value", "agent_status": "maybe"},
            "agent_status",
        ),
        ("DeveloperInfo", {"id": "d"}, "name"),
    ],
)
def test_bad_data_is_invalid_argument_naming_the_field_not_its_value(
    model: str, data: dict[str, Any], field_name: str
) -> None:
    with pytest.raises(ath.ATHClientError) as caught:
        getattr(_types(), model).model_validate(data)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert field_name in caught.value.message
    assert "s3cr3t" not in str(caught.value) and "12345" not in str(caught.value)


def test_the_0_1_0_meta_constants() -> None:
    meta = importlib.import_module("ath.meta")
    assert meta.ATH_VERSION == "0.1"
    assert set(meta.ENDPOINTS) == {
        "discovery",
        "service_discovery",
        "register",
        "get_agent",
        "authorize",
        "callback",
        "token",
        "proxy",
        "revoke",
    }
    assert meta.ENDPOINTS["proxy"] == {"method": "ANY", "path": "/ath/proxy/{provider_id}/{path}"}
    assert meta.ENDPOINTS["discovery"]["path"] == "/.well-known/ath.json"
