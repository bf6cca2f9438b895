"""spec/openapi.yaml: valid, complete, and faithful to the ATH 0.1 protocol schema.

The protocol facts below were transcribed by hand from the public ATH v0.1 JSON Schema
(``schema/0.1/schema.json``, at the protocol commit named in the spec's
``info.x-ath-protocol-source`` plus the later revisions listed there): for every component
its fields with their types, the required fields, enum and const values and the constraints.
No network access is needed at test time.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from openapi_spec_validator import validate

from codegen._config import SPEC_PATH
from codegen._util import load_spec
from codegen.spec import validate_document

# Field type notation: "string", "string/uri" (type/format), "[string]" (array of),
# "@Name" (reference to the component Name), "jwk|pem" (object or string).
# component -> (required fields, {field: type})
PROTOCOL: dict[str, tuple[frozenset[str], dict[str, str]]] = {
    "DiscoveryDocument": (
        frozenset(
            {"ath_version", "gateway_id", "agent_registration_endpoint", "supported_providers"}
        ),
        {
            "ath_version": "string",
            "gateway_id": "string",
            "agent_registration_endpoint": "string/uri",
            "supported_providers": "[@ProviderInfo]",
        },
    ),
    "ServiceDiscoveryDocument": (
        frozenset({"ath_version", "app_id", "name", "auth", "api_base"}),
        {
            "ath_version": "string",
            "app_id": "string",
            "name": "string",
            "auth": "@ServiceAuthConfig",
            "api_base": "string/uri",
        },
    ),
    "ServiceAuthConfig": (
        frozenset({"type", "authorization_endpoint", "token_endpoint", "scopes_supported"}),
        {
            "type": "string",
            "authorization_endpoint": "string/uri",
            "token_endpoint": "string/uri",
            "registration_endpoint": "string/uri",
            "scopes_supported": "[string]",
            "agent_attestation_required": "boolean",
        },
    ),
    "ProviderInfo": (
        frozenset(
            {
                "provider_id",
                "display_name",
                "available_scopes",
                "auth_mode",
                "agent_approval_required",
            }
        ),
        {
            "provider_id": "string",
            "display_name": "string",
            "categories": "[string]",
            "available_scopes": "[string]",
            "auth_mode": "string",
            "agent_approval_required": "boolean",
        },
    ),
    "AgentIdentityDocument": (
        frozenset({"ath_version", "agent_id", "name", "developer", "public_key"}),
        {
            "ath_version": "string",
            "agent_id": "string/uri",
            "name": "string",
            "developer": "@DeveloperInfo",
            "capabilities": "[string]",
            "public_key": "jwk|pem",
        },
    ),
    "DeveloperInfo": (
        frozenset({"name", "id"}),
        {"name": "string", "id": "string", "contact": "string/email"},
    ),
    "AgentRegistrationRequest": (
        frozenset({"agent_id", "agent_attestation", "developer", "requested_providers"}),
        {
            "agent_id": "string/uri",
            "agent_attestation": "string",
            "developer": "@DeveloperInfo",
            "requested_providers": "[@ProviderScopeRequest]",
            "purpose": "string",
            "redirect_uris": "[string/uri]",
        },
    ),
    "ProviderScopeRequest": (
        frozenset({"provider_id", "scopes"}),
        {"provider_id": "string", "scopes": "[string]"},
    ),
    "AgentRegistrationResponse": (
        frozenset(
            {"client_id", "client_secret", "agent_status", "approved_providers", "approval_expires"}
        ),
        {
            "client_id": "string",
            "client_secret": "string",
            "agent_status": "@AgentStatus",
            "approved_providers": "[@ProviderApproval]",
            "approval_expires": "string/date-time",
        },
    ),
    "ProviderApproval": (
        frozenset({"provider_id", "approved_scopes", "denied_scopes"}),
        {
            "provider_id": "string",
            "approved_scopes": "[string]",
            "denied_scopes": "[string]",
            "denial_reason": "string",
        },
    ),
    "AuthorizationRequest": (
        frozenset({"client_id", "agent_attestation", "provider_id", "scopes", "state"}),
        {
            "client_id": "string",
            "agent_attestation": "string",
            "provider_id": "string",
            "scopes": "[string]",
            "user_redirect_uri": "string/uri",
            "state": "string",
            "resource": "string/uri",
        },
    ),
    "AuthorizationResponse": (
        frozenset({"authorization_url", "ath_session_id"}),
        {"authorization_url": "string/uri", "ath_session_id": "string"},
    ),
    "TokenExchangeRequest": (
        frozenset(
            {
                "grant_type",
                "client_id",
                "client_secret",
                "agent_attestation",
                "code",
                "ath_session_id",
            }
        ),
        {
            "grant_type": "string",
            "client_id": "string",
            "client_secret": "string",
            "agent_attestation": "string",
            "code": "string",
            "ath_session_id": "string",
        },
    ),
    "TokenResponse": (
        frozenset(
            {
                "access_token",
                "token_type",
                "expires_in",
                "effective_scopes",
                "provider_id",
                "agent_id",
                "scope_intersection",
            }
        ),
        {
            "access_token": "string",
            "token_type": "string",
            "expires_in": "integer",
            "effective_scopes": "[string]",
            "provider_id": "string",
            "agent_id": "string/uri",
            "scope_intersection": "@ScopeIntersection",
        },
    ),
    "ScopeIntersection": (
        frozenset({"agent_approved", "user_consented", "effective"}),
        {"agent_approved": "[string]", "user_consented": "[string]", "effective": "[string]"},
    ),
    "TokenRevocationRequest": (
        frozenset({"token"}),
        {"client_id": "string", "client_secret": "string", "token": "string"},
    ),
    "ATHError": (
        frozenset({"code", "message"}),
        {
            "code": "@ATHErrorCode|@ATHExtensionErrorCode|string",
            "message": "string",
            "details": "object",
        },
    ),
}

ENUMS: dict[str, tuple[str, ...]] = {
    "AgentStatus": ("approved", "pending", "denied"),
    "ATHErrorCode": (
        "INVALID_ATTESTATION",
        "AGENT_NOT_REGISTERED",
        "AGENT_UNAPPROVED",
        "PROVIDER_NOT_APPROVED",
        "SCOPE_NOT_APPROVED",
        "SESSION_NOT_FOUND",
        "SESSION_EXPIRED",
        "STATE_MISMATCH",
        "TOKEN_INVALID",
        "TOKEN_EXPIRED",
        "TOKEN_REVOKED",
        "AGENT_IDENTITY_MISMATCH",
        "PROVIDER_MISMATCH",
        "USER_DENIED",
        "OAUTH_ERROR",
        "INTERNAL_ERROR",
    ),
    # not ATH 0.1's: the documented codes for client mistakes 0.1 names none for
    "ATHExtensionErrorCode": (
        "INVALID_REQUEST",
        "AGENT_ALREADY_REGISTERED",
        "NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "RATE_LIMITED",
    ),
}

# (component, field) -> {keyword: value} for const, minLength, minItems, default, ...
CONSTRAINTS: dict[tuple[str, str], dict[str, Any]] = {
    ("ServiceAuthConfig", "type"): {"const": "oauth2"},
    ("ServiceAuthConfig", "agent_attestation_required"): {"default": True},
    ("TokenExchangeRequest", "grant_type"): {"const": "authorization_code"},
    ("TokenResponse", "token_type"): {"const": "Bearer"},
    ("AuthorizationRequest", "state"): {"minLength": None},
    ("AgentRegistrationRequest", "requested_providers"): {"minItems": 1},
    ("ATHError", "details"): {"additionalProperties": True},
}

# operationId -> (method, path, tag)
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "get_gateway_discovery": ("get", "/.well-known/ath.json", "gateway"),
    "get_service_discovery": ("get", "/.well-known/ath-app.json", "native"),
    "register_agent": ("post", "/ath/agents/register", "shared"),
    "get_agent_status": ("get", "/ath/agents/{client_id}", "shared"),
    "authorize": ("post", "/ath/authorize", "shared"),
    "oauth_callback": ("get", "/ath/callback", "shared"),
    "exchange_token": ("post", "/ath/token", "shared"),
    "revoke_token": ("post", "/ath/revoke", "shared"),
    "proxy_get": ("get", "/ath/proxy/{provider_id}/{path}", "gateway"),
    "proxy_post": ("post", "/ath/proxy/{provider_id}/{path}", "gateway"),
    "proxy_put": ("put", "/ath/proxy/{provider_id}/{path}", "gateway"),
    "proxy_patch": ("patch", "/ath/proxy/{provider_id}/{path}", "gateway"),
    "proxy_delete": ("delete", "/ath/proxy/{provider_id}/{path}", "gateway"),
    "proxy_head": ("head", "/ath/proxy/{provider_id}/{path}", "gateway"),
    "proxy_options": ("options", "/ath/proxy/{provider_id}/{path}", "gateway"),
}

# Request and success bodies: operationId -> (request schema or None, {status: schema})
BODIES: dict[str, tuple[str | None, dict[str, str]]] = {
    "get_gateway_discovery": (None, {"200": "DiscoveryDocument"}),
    "get_service_discovery": (None, {"200": "ServiceDiscoveryDocument"}),
    "register_agent": (
        "AgentRegistrationRequest",
        {"201": "AgentRegistrationResponse", "200": "AgentRegistrationResponse"},
    ),
    "get_agent_status": (None, {"200": "AgentStatusResponse"}),
    "authorize": ("AuthorizationRequest", {"200": "AuthorizationResponse"}),
    "exchange_token": ("TokenExchangeRequest", {"200": "TokenResponse"}),
    "revoke_token": ("TokenRevocationRequest", {"200": "RevocationResponse"}),
}

ERROR_STATUSES = ("400", "401", "403", "404", "429", "500", "502", "503", "default")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec(SPEC_PATH)


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _describe(schema: dict[str, Any]) -> str:
    """Compress a property schema into the notation of PROTOCOL."""
    if "$ref" in schema:
        return "@" + str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return "|".join(_describe(branch) for branch in schema["anyOf"])
    if "oneOf" in schema:
        kinds = sorted(branch.get("type", "?") for branch in schema["oneOf"])
        return "jwk|pem" if kinds == ["object", "string"] else "oneOf:" + ",".join(kinds)
    kind = schema.get("type")
    if kind == "array":
        return "[" + _describe(schema["items"]) + "]"
    assert isinstance(kind, str), f"property without a single type: {schema}"
    return f"{kind}/{schema['format']}" if "format" in schema else kind


def _schema_of(spec: dict[str, Any], content_owner: dict[str, Any]) -> str | None:
    owner = _deref(spec, content_owner)
    media = owner.get("content", {}).get("application/json")
    if media is None:
        return None
    schema = media["schema"]
    return str(schema["$ref"]).rsplit("/", 1)[-1] if "$ref" in schema else "<inline>"


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


def test_spec_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    validate(spec)
    validate_document(spec)
    assert spec["openapi"].startswith("3.1.")


def test_info_versions_and_servers(spec: dict[str, Any]) -> None:
    info = spec["info"]
    assert info["version"] == "0.3.0"
    assert info["x-ath-protocol-version"] == "0.1"
    assert "protocol, version 0.1" in info["description"]
    default, template = spec["servers"]
    # Generators take the first server as their default base URL: it must be concrete.
    assert default["url"] == "http://127.0.0.1:8080"
    assert "variables" not in default
    assert "{" in template["url"]
    assert template["variables"]["host"]["default"] == "127.0.0.1"


PROTOCOL_COMMIT = "7b9b64134c628d6b26b37ada7d348e06658ba59a"


def test_protocol_source_is_recorded(spec: dict[str, Any]) -> None:
    source = spec["info"]["x-ath-protocol-source"]
    assert source["repository"] == "ath-protocol/agent-trust-handshake-protocol"
    assert source["commit"] == PROTOCOL_COMMIT
    assert "redirect_uris" in source["later-revisions"]


def test_error_code_is_an_open_set(spec: dict[str, Any]) -> None:
    """Known codes are documented, any other string is accepted (no enum on the field)."""
    code = spec["components"]["schemas"]["ATHError"]["properties"]["code"]
    assert code["type"] == "string" and {"type": "string"} in code["anyOf"]
    assert {"$ref": "#/components/schemas/ATHErrorCode"} in code["anyOf"]
    assert "enum" not in code


def test_registration_without_redirect_uris_and_short_states(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    redirect = schemas["AgentRegistrationRequest"]["properties"]["redirect_uris"]
    assert "MUST reject" in redirect["description"]
    callback = spec["paths"]["/ath/callback"]["get"]
    state = next(p for p in callback["parameters"] if p["name"] == "state")
    assert "minLength" not in state["schema"]
    token = spec["paths"]["/ath/token"]["post"]["description"]
    assert "SESSION_NOT_FOUND" in token and "not consumed" in token


def test_every_operation_id_present_unique_and_in_place(spec: dict[str, Any]) -> None:
    found = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(found) == len(set(found)), "duplicate operationIds"
    assert set(found) == set(OPERATIONS)
    for path, method, op in _operations(spec):
        assert OPERATIONS[op["operationId"]] == (method, path, op["tags"][0])
        assert len(op["tags"]) == 1


def test_security_schemes(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["athBearer"] == schemes["athBearer"] | {"type": "http", "scheme": "bearer"}
    # X-ATH-Agent-ID is a non-secret identifier: a required header parameter, not a credential
    # that generators may silently leave out.
    assert set(schemes) == {"athBearer", "clientBasic"}
    assert schemes["clientBasic"]["scheme"] == "basic"
    header = spec["components"]["parameters"]["AgentIdHeader"]
    assert header | {"in": "header", "name": "X-ATH-Agent-ID", "required": True} == header
    for path, method, op in _operations(spec):
        if op["operationId"].startswith("proxy_"):
            assert op["security"] == [{"athBearer": []}], op["operationId"]
        elif op["operationId"] == "get_agent_status":
            assert op["security"] == [{"clientBasic": []}]
        else:
            assert op.get("security", spec["security"]) == [], f"{method} {path}"


def test_protocol_components_match_schema_json(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name, (required, fields) in PROTOCOL.items():
        component = schemas[name]
        assert component["type"] == "object", name
        assert component.get("description"), name
        assert set(component["required"]) == required, name
        described = {key: _describe(value) for key, value in component["properties"].items()}
        assert described == fields, name
        for key, value in component["properties"].items():
            assert value.get("description") or "$ref" in value, f"{name}.{key} lacks a description"


def test_protocol_enums_and_constraints(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name, values in ENUMS.items():
        assert schemas[name]["type"] == "string"
        assert tuple(schemas[name]["enum"]) == values, name
    assert len(ENUMS["ATHErrorCode"]) == 16
    for (name, field), expected in CONSTRAINTS.items():
        prop = schemas[name]["properties"][field]
        for keyword, value in expected.items():
            assert prop.get(keyword) == value, f"{name}.{field}: {keyword}"


def test_agent_status_response_shape(spec: dict[str, Any]) -> None:
    component = spec["components"]["schemas"]["AgentStatusResponse"]
    fields = ("client_id", "agent_id", "agent_status", "approved_providers", "approval_expires")
    assert set(component["required"]) == set(fields)
    assert "client_secret" not in component["properties"]
    assert _describe(component["properties"]["agent_status"]) == "@AgentStatus"


def test_request_and_success_bodies(spec: dict[str, Any]) -> None:
    by_id = {op["operationId"]: op for _, _, op in _operations(spec)}
    for op_id, (request, successes) in BODIES.items():
        op = by_id[op_id]
        if request is None:
            assert "requestBody" not in op, op_id
        else:
            assert op["requestBody"]["required"] is True
            assert _schema_of(spec, op["requestBody"]) == request, op_id
        for status, schema in successes.items():
            assert _schema_of(spec, op["responses"][status]) == schema, f"{op_id} {status}"
    assert "200" in by_id["revoke_token"]["responses"]
    for op_id in ("proxy_post", "proxy_put", "proxy_patch"):
        body = _deref(spec, by_id[op_id]["requestBody"])
        assert body["required"] is False
        assert _deref(spec, body["content"]["application/json"]["schema"]) == _deref(
            spec, {"$ref": "#/components/schemas/UpstreamPayload"}
        )


def test_every_operation_documents_ath_errors(spec: dict[str, Any]) -> None:
    for _, _, op in _operations(spec):
        op_id, responses = op["operationId"], op["responses"]
        for status in ERROR_STATUSES:
            assert status in responses, f"{op_id} lacks {status}"
            if op_id == "proxy_head":
                continue  # HEAD answers carry no body
            content = _deref(spec, responses[status])["content"]
            schema = _deref(spec, content["application/json"]["schema"])
            schemas = spec["components"]["schemas"]
            if op_id.startswith("proxy_") and status == "401":
                # Only the gateway answers 401 (a provider's 401 becomes 502): typed exactly.
                assert schema is schemas["ATHError"], op_id
                assert set(content) == {"application/json"}
            elif op_id.startswith("proxy_"):
                # The gateway's ATHError or the provider's own body in any content type.
                assert schema is schemas["ProxyErrorBody"], f"{op_id} {status}"
                assert _deref(spec, content["*/*"]["schema"]) is schemas["UpstreamPayload"]
                assert "anyOf" not in schema and "oneOf" not in schema
                assert set(schema["properties"]) == {"code", "message", "details"}
            else:
                assert schema is schemas["ATHError"], f"{op_id} {status}"
    register = next(op for _, _, op in _operations(spec) if op["operationId"] == "register_agent")
    assert _schema_of(spec, register["responses"]["409"]) == "ATHError"


def test_callback_parameters_and_redirect(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/ath/callback"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert {"state", "code", "error", "error_description", "session_id", "success"} <= set(params)
    assert all(p["in"] == "query" for p in params.values())
    # Not required: the completion page (session_id) is reached without the provider's state.
    assert params["state"]["required"] is False
    redirect = op["responses"]["302"]
    assert redirect["headers"]["Location"]["required"] is True
    assert "content" not in redirect
    page = op["responses"]["200"]["content"]
    assert set(page) == {"application/json", "text/html"}
    assert _schema_of(spec, op["responses"]["200"]) == "ConsentCompletion"
    statuses = spec["components"]["schemas"]["ConsentCompletion"]["properties"]["status"]
    assert statuses["enum"] == ["authorized", "denied", "failed"]
    assert _schema_of(spec, op["responses"]["400"]) == "ATHError"


def test_proxy_path_item(spec: dict[str, Any]) -> None:
    item = spec["paths"]["/ath/proxy/{provider_id}/{path}"]
    names = [_deref(spec, p)["name"] for p in item["parameters"]]
    assert names == ["provider_id", "path", "X-ATH-Agent-ID"]
    path = _deref(spec, item["parameters"][1])
    assert path["x-ath-multi-segment"] is True
    assert "%2F" in path["description"]
    for generator in ("Python", "@hey-api/openapi-ts", "openapi-fetch"):
        assert generator in item["description"], generator
    for method in HTTP_METHODS:
        if method in item and method != "head":
            success = _deref(spec, item[method]["responses"]["200"])
            assert set(success["content"]) == {"*/*"}, method
    assert {m for m in item if m in HTTP_METHODS} == {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
    }


def _component_examples(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (name, example)
        for name, schema in spec["components"]["schemas"].items()
        for example in schema.get("examples", [])
    ]


def test_every_protocol_component_has_an_example(spec: dict[str, Any]) -> None:
    with_examples = {name for name, _ in _component_examples(spec)}
    missing = (set(PROTOCOL) | set(ENUMS) | {"AgentStatusResponse"}) - with_examples
    assert not missing


def test_examples_validate_against_their_schemas(spec: dict[str, Any]) -> None:
    """Each component example is valid JSON Schema 2020-12 against its (resolved) schema."""
    # jsonschema ships without type information (types-jsonschema is not a pinned dev tool).
    validator_class: Any = importlib.import_module("jsonschema").Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource(
        "urn:ath-spec", DRAFT202012.create_resource(spec)
    )
    checked = 0
    for name, example in _component_examples(spec):
        schema = {"$ref": f"urn:ath-spec#/components/schemas/{name}"}
        validator = validator_class(schema, registry=registry)
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, f"{name}: {errors}"
        checked += 1
    assert checked >= len(PROTOCOL)
    bad = {"client_id": "c", "agent_attestation": "j", "provider_id": "p", "scopes": []}
    authorize = validator_class(
        {"$ref": "urn:ath-spec#/components/schemas/AuthorizationRequest"}, registry=registry
    )
    assert not authorize.is_valid(bad), "state stays required"
    assert authorize.is_valid(bad | {"state": "short"}), "state has no minLength any more"
    error = validator_class(
        {"$ref": "urn:ath-spec#/components/schemas/ATHError"}, registry=registry
    )
    assert error.is_valid({"code": "SOME_FUTURE_CODE", "message": "m"})
    assert not error.is_valid({"code": 7, "message": "m"})
    revoke = validator_class(
        {"$ref": "urn:ath-spec#/components/schemas/TokenRevocationRequest"}, registry=registry
    )
    assert revoke.is_valid({"token": "t"}) and not revoke.is_valid({"client_id": "c"})
