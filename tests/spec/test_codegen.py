"""Code generation: generated/ and spec/dist/ are current, deterministic and usable."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import pydantic
import pytest

import ath_sdk_models
from codegen._config import (
    CLIENT_CONFIG,
    CODEGEN_DIR,
    DEFAULT_CLIENT_TIMEOUT_SECONDS,
    GENERATED_DIR,
    PACKAGES,
    REPO_ROOT,
    RUFF_CHECK_ARGS,
    RUFF_FORMAT_ARGS,
    SPEC_PATH,
)
from codegen._util import CodegenError, check_operation_ids, load_spec, load_yaml_text
from codegen.check import compare_trees, dist_drift, generated_drift
from codegen.cli import main
from codegen.generate import build_all
from codegen.spec import expected_dist

#: One pytest-xdist worker runs this module, so its session fixtures run once.
pytestmark = pytest.mark.xdist_group("codegen")

OPERATION_MODULES = {
    "shared": (
        "register_agent",
        "get_agent_status",
        "authorize",
        "oauth_callback",
        "exchange_token",
        "revoke_token",
    ),
    "gateway": (
        "get_gateway_discovery",
        "proxy_get",
        "proxy_post",
        "proxy_put",
        "proxy_patch",
        "proxy_delete",
        "proxy_head",
        "proxy_options",
    ),
    "native": ("get_service_discovery",),
}
# HEAD responses have no body, so openapi-python-client emits only the *_detailed functions.
BODYLESS = frozenset({"proxy_head"})
# The operations whose documented answers include a raw body (`*/*`): a body that is not JSON
# is handed over as bytes, as their 2xx answers are.
RAW = frozenset({"oauth_callback"} | set(OPERATION_MODULES["gateway"][1:]))


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec(SPEC_PATH)


def _examples(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, example)
        for name, schema in spec["components"]["schemas"].items()
        if schema.get("type") == "object"
        for example in schema.get("examples", [])
    ]


# --- freshness and determinism ------------------------------------------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one generation of the test run; every freshness check compares with it."""
    out = tmp_path_factory.mktemp("fresh-generation")
    build_all(out)
    return out


def test_generated_dir_is_up_to_date(fresh: Path) -> None:
    drift = generated_drift(fresh=fresh)
    assert not drift, "run `make generate`:\n" + drift.report()


def test_spec_dist_is_up_to_date_and_equals_source(spec: dict[str, Any]) -> None:
    drift = dist_drift()
    assert not drift, "run `make spec`:\n" + drift.report()
    dist = expected_dist()
    (yaml_path, yaml_text), (json_path, json_text) = dist.items()
    assert yaml_path.name == "openapi.yaml"
    assert json_path.name == "openapi.json"
    assert load_yaml_text(yaml_text) == spec
    assert load_yaml_text(json_text) == spec


def test_generation_is_deterministic(fresh: Path) -> None:
    # generated/ was written by an earlier run, often on another machine: this run's
    # generation must equal it byte for byte.
    drift = compare_trees(GENERATED_DIR, fresh)
    assert not drift, drift.report()
    for package in PACKAGES:
        assert (fresh / package / "py.typed").is_file()
        assert not list((fresh / package).rglob(".ruff_cache"))


def test_check_detects_drift(tmp_path: Path) -> None:
    copy = tmp_path / "generated"
    for package in PACKAGES:
        shutil.copytree(GENERATED_DIR / package, copy / package)
    assert not compare_trees(GENERATED_DIR, copy)
    client_py = copy / "ath_sdk_client" / "client.py"
    client_py.write_text(client_py.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (copy / "ath_sdk_models" / "py.typed").unlink()
    (copy / "ath_sdk_models" / "stray.py").write_text("", encoding="utf-8")
    drift = compare_trees(copy, GENERATED_DIR)
    assert list(drift.changed) == ["ath_sdk_client/client.py"]
    assert "-# edited" in drift.changed["ath_sdk_client/client.py"]
    assert drift.missing == ["ath_sdk_models/py.typed"]
    assert drift.unexpected == ["ath_sdk_models/stray.py"]
    assert "changed: ath_sdk_client/client.py" in drift.report()


def test_cli_check_passes_and_reports(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--fresh", str(fresh)]) == 0
    out = capsys.readouterr().out
    assert "generated/ is up to date" in out
    assert "spec/dist/ is up to date" in out


def test_cli_check_fails_on_drift_from_the_fresh_tree(
    fresh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = tmp_path / "fresh"
    shutil.copytree(fresh, edited)
    client_py = edited / "ath_sdk_client" / "client.py"
    client_py.write_text(client_py.read_text(encoding="utf-8") + "# newer\n", encoding="utf-8")
    assert main(["check", "--fresh", str(edited)]) == 1
    assert "changed: ath_sdk_client/client.py" in capsys.readouterr().out


def test_cli_spec_check_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    dist = sorted(path for path in (SPEC_PATH.parent / "dist").iterdir())
    before = {path: path.stat().st_mtime_ns for path in dist}
    assert main(["spec", "--check"]) == 0
    assert {path: path.stat().st_mtime_ns for path in dist} == before
    assert "wrote" not in capsys.readouterr().out


def test_cli_module_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "codegen", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    for command in ("generate", "check", "spec"):
        assert command in proc.stdout


def test_duplicate_operation_ids_are_refused(spec: dict[str, Any]) -> None:
    assert len(check_operation_ids(spec)) == 15
    broken = {"paths": {"/a": {"get": {"operationId": "x"}}, "/b": {"post": {"operationId": "x"}}}}
    with pytest.raises(CodegenError, match="already used"):
        check_operation_ids(broken)


def test_ruff_post_hooks_match_codegen_settings() -> None:
    config = load_yaml_text(CLIENT_CONFIG.read_text(encoding="utf-8"))
    assert config["package_name_override"] == "ath_sdk_client"
    assert config["post_hooks"] == [
        " ".join(("ruff", *RUFF_CHECK_ARGS, ".")),
        " ".join(("ruff", *RUFF_FORMAT_ARGS, ".")),
    ]
    assert "--isolated" in RUFF_CHECK_ARGS
    assert "--isolated" in RUFF_FORMAT_ARGS


def test_node_tools_are_pinned_exactly() -> None:
    package = load_yaml_text((CODEGEN_DIR / "package.json").read_text(encoding="utf-8"))
    wanted: dict[str, str] = package["devDependencies"]
    expected = {
        "@hey-api/openapi-ts": "0.90.9",
        "@redocly/cli": "2.77.0",
        "openapi-typescript": "7.13.0",
        # the TypeScript client of make spec-ts: runtime, ES256 signing, Node types for tsc
        "openapi-fetch": "0.17.0",
        "jose": "6.2.17",
        "@types/node": "20.19.25",
        # the second generator's validators
        "zod": "4.6.7",
    }
    assert {name: wanted.get(name) for name in expected} == expected
    assert set(wanted) == {*expected, "typescript"}
    lock = load_yaml_text((CODEGEN_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_no_machine_paths_or_registry_hosts_in_outputs() -> None:
    # host names assembled here so that this file does not name them either
    forbidden = (
        str(REPO_ROOT),
        ".".join(("registry", "npmjs", "org")),
        ".".join(("pypi", "org")),
        ".".join(("pythonhosted", "org")),
    )
    roots = [GENERATED_DIR, SPEC_PATH.parent, CODEGEN_DIR]
    files = [
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file()
        and "node_modules" not in path.parts
        and "__pycache__" not in path.parts
        and path.suffix not in {".pyc"}
    ]
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in forbidden:
            assert needle not in text, f"{path.relative_to(REPO_ROOT)} contains {needle!r}"


# --- the generated client -------------------------------------------------------------------


def test_client_modules_grouped_by_tag_with_all_entry_points() -> None:
    for tag, names in OPERATION_MODULES.items():
        for name in names:
            module = importlib.import_module(f"ath_sdk_client.api.{tag}.{name}")
            expected = ["sync_detailed", "asyncio_detailed", "build_request", "parse_response"]
            if name not in BODYLESS:
                expected += ["sync", "asyncio"]
            for attribute in expected:
                assert callable(getattr(module, attribute, None)), f"{name}.{attribute}"


def test_client_build_request_matches_the_spec(spec: dict[str, Any]) -> None:
    from ath_sdk_client.api.gateway import proxy_get, proxy_post
    from ath_sdk_client.api.shared import get_agent_status, oauth_callback, register_agent
    from ath_sdk_client.models import AgentRegistrationRequest
    from ath_sdk_client.types import Request

    example = spec["components"]["schemas"]["AgentRegistrationRequest"]["examples"][0]
    request = register_agent.build_request(body=AgentRegistrationRequest.from_dict(example))
    assert isinstance(request, Request)
    assert (request.method, request.url) == ("POST", "/ath/agents/register")
    assert request.json == example
    assert request.content is None
    assert request.headers == {"Content-Type": "application/json"}
    # a neutral description may carry credentials: none of them in its repr
    assert "agent_attestation" not in repr(request)
    assert example["agent_attestation"] not in repr(request)
    assert get_agent_status.build_request("ath c/1").url == "/ath/agents/ath%20c%2F1"
    agent = "https://agent.example/.well-known/agent.json"
    proxied = proxy_get.build_request("example-mail", "v1/messages", x_ath_agent_id=agent)
    # The generator encodes the multi-segment path whole (one segment): see the spec's
    # per-language notes; the agent header is a required parameter, not a credential.
    assert proxied.url == "/ath/proxy/example-mail/v1%2Fmessages"
    assert proxied.headers == {"X-ATH-Agent-ID": agent}
    posted = proxy_post.build_request("p", "x", body={"a": [1]}, x_ath_agent_id=agent)
    assert posted.json == {"a": [1]}
    assert oauth_callback.build_request(state="s" * 16, code="c").params == {
        "state": "s" * 16,
        "code": "c",
    }


def test_sans_io_modules_import_no_http_library() -> None:
    """build_request/parse_response, the models, types and errors load without httpx2 (the
    raw client's send() loads it with the first request), so the HTTP engine can change."""
    modules = [
        f"ath_sdk_client.api.{tag}.{name}"
        for tag, names in OPERATION_MODULES.items()
        for name in names
    ]
    code = (
        "import sys\n"
        f"for name in {modules!r} + ['ath_sdk_client.models', 'ath_sdk_client.types',"
        " 'ath_sdk_client.errors']:\n"
        "    __import__(name)\n"
        "engines = ('httpx', 'httpcore', 'httpx2', 'httpcore2', 'h11')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in engines))\n"
        "import ath_sdk_client\n"
        "ath_sdk_client.Client\n"
        "print('httpx2' in sys.modules)\n"
    )
    proc = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.split() == ["[]", "True"]
    for module in (GENERATED_DIR / "ath_sdk_client").rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            name.split(".")[0]
            for node in ast.walk(tree)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
        }
        if module.name != "client.py":
            assert not imported & {"httpx2", "httpcore2", "h11", "requests"}, module.name


def test_parse_response_checks_success_answers_once(spec: dict[str, Any]) -> None:
    import ath._parsing
    from ath_sdk_client import errors, types
    from ath_sdk_client.api.gateway import get_gateway_discovery
    from ath_sdk_client.models import DiscoveryDocument

    assert types.MAX_JSON_DEPTH == ath._parsing.MAX_ANSWER_DEPTH
    example = spec["components"]["schemas"]["DiscoveryDocument"]["examples"][0]
    json_headers = {"Content-Type": "application/json"}

    def parse(body: bytes, status: int = 200) -> Any:
        return get_gateway_discovery.parse_response(
            status_code=status, headers=json_headers, content=body
        )

    doc = parse(json.dumps(example).encode())
    assert isinstance(doc, DiscoveryDocument)
    assert doc.to_dict() == example
    assert isinstance(parse(json.dumps(example).encode(), 203), DiscoveryDocument)  # any 2xx
    provider = example["supported_providers"][0]
    bad_values = [
        ("gateway_id", 7, "gateway_id is int, expected str"),
        ("supported_providers", "github", "supported_providers is str, expected a list"),
        ("supported_providers", [provider | {"available_scopes": "read"}], "expected a list"),
        ("supported_providers", [provider | {"agent_approval_required": 1}], "expected bool"),
        ("supported_providers", [[["provider_id", "x"]]], "ProviderInfo is list"),
    ]
    for key, value, message in bad_values:
        with pytest.raises(errors.InvalidAnswer) as schema:
            parse(json.dumps(example | {key: value}).encode())
        assert schema.value.reason == "schema"
        assert message in str(schema.value), key
    for body, reason in [
        (b"<html>", "not_json"),
        (b"[1]", "not_json"),
        (b"", "not_json"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "unsafe"),
        (b'{"gateway_id": "\\ud800"}', "unsafe"),
    ]:
        with pytest.raises(errors.InvalidAnswer) as refused:
            parse(body)
        assert refused.value.reason == reason, body[:20]


@pytest.mark.parametrize("tag,name", [(t, n) for t, ns in OPERATION_MODULES.items() for n in ns])
def test_parse_response_reports_error_answers(tag: str, name: str) -> None:
    """A non-2xx answer raises ErrorAnswer: the ATHError model for a JSON body, the text (the
    raw operations: the bytes) of a body that is not JSON (a web server's 502 page)."""
    from ath_sdk_client import errors
    from ath_sdk_client.models import ATHError, ProxyErrorBody

    module = importlib.import_module(f"ath_sdk_client.api.{tag}.{name}")
    page = b"<html>bad gateway</html>"
    with pytest.raises(errors.ErrorAnswer) as html:
        module.parse_response(status_code=502, headers={"content-type": "text/html"}, content=page)
    assert html.value.status_code == 502
    assert html.value.content == page
    if name in BODYLESS:
        assert html.value.parsed is None
        return
    assert html.value.parsed == (page if name in RAW else page.decode())
    body = json.dumps({"code": "TOKEN_EXPIRED", "message": "m"}).encode()
    with pytest.raises(errors.ErrorAnswer) as ath_error:
        module.parse_response(
            status_code=401, headers={"Content-Type": "application/json"}, content=body
        )
    assert isinstance(ath_error.value.parsed, ATHError | ProxyErrorBody)
    assert ath_error.value.parsed.code == "TOKEN_EXPIRED"


def test_client_models_round_trip_spec_examples(spec: dict[str, Any]) -> None:
    models = importlib.import_module("ath_sdk_client.models")
    checked = 0
    for name, example in _examples(spec):
        cls = getattr(models, name, None)
        if cls is None:
            continue
        restored = cls.from_dict(example).to_dict()
        assert restored == example or _same_instants(restored, example), name
        checked += 1
    assert checked >= 18
    # An open set: codes outside protocol 0.1 are kept as plain strings, known ones as enum.
    assert models.ATHError.from_dict({"code": "NOT_A_CODE", "message": "m"}).code == "NOT_A_CODE"
    known = models.ATHError.from_dict({"code": "USER_DENIED", "message": "m"}).code
    assert isinstance(known, models.ATHErrorCode)


def _same_instants(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """to_dict() writes datetimes with +00:00 where the example says Z."""
    if left.keys() != right.keys():
        return False
    for key, value in left.items():
        other = right[key]
        if isinstance(value, str) and isinstance(other, str) and value != other:
            try:
                if datetime.fromisoformat(value) != datetime.fromisoformat(other):
                    return False
            except ValueError:
                return False
        elif not isinstance(value, str) and value != other:
            return False
    return True


def test_client_has_default_timeout_and_hides_secrets() -> None:
    from ath_sdk_client import AuthenticatedClient, Client

    client = Client(base_url="http://127.0.0.1:8080")
    assert client.get_httpx_client().timeout == httpx2.Timeout(DEFAULT_CLIENT_TIMEOUT_SECONDS)
    authed = AuthenticatedClient(
        base_url="http://127.0.0.1:8080",
        token="ath_tk_secret_value",
        headers={"Authorization": "Basic c2VjcmV0"},
    )
    assert "ath_tk_secret_value" not in repr(authed)
    assert "c2VjcmV0" not in repr(authed)
    assert authed.get_httpx_client().headers["Authorization"] == "Bearer ath_tk_secret_value"


# --- the generated pydantic models ----------------------------------------------------------


def test_pydantic_models_cover_every_component(spec: dict[str, Any]) -> None:
    for name in spec["components"]["schemas"]:
        assert hasattr(ath_sdk_models, name), name


def test_pydantic_models_accept_spec_examples(spec: dict[str, Any]) -> None:
    examples = _examples(spec)
    assert len(examples) >= 19
    for name, example in examples:
        model = getattr(ath_sdk_models, name)
        parsed = model.model_validate(example)
        assert parsed.model_dump(mode="json", exclude_unset=True).keys() == example.keys(), name
    for response in spec["components"]["responses"].values():
        media = response.get("content", {}).get("application/json", {})
        if "example" in media and media["schema"]["$ref"].endswith("/ATHError"):
            ath_sdk_models.ATHError.model_validate(media["example"])


def test_pydantic_models_reject_missing_required_fields(spec: dict[str, Any]) -> None:
    checked = 0
    for name, example in _examples(spec):
        model = getattr(ath_sdk_models, name)
        for field in spec["components"]["schemas"][name].get("required", []):
            body = {key: value for key, value in example.items() if key != field}
            with pytest.raises(pydantic.ValidationError, match=field):
                model.model_validate(body)
            checked += 1
    assert checked >= 60


def test_pydantic_models_enforce_protocol_constraints(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    authorize = schemas["AuthorizationRequest"]["examples"][0]
    token = schemas["TokenExchangeRequest"]["examples"][0]
    register = schemas["AgentRegistrationRequest"]["examples"][0]
    registration = schemas["AgentRegistrationResponse"]["examples"][0]
    models = ath_sdk_models
    invalid: list[tuple[type[pydantic.BaseModel], dict[str, Any]]] = [
        (models.AuthorizationRequest, {k: v for k, v in authorize.items() if k != "state"}),
        (models.TokenExchangeRequest, token | {"grant_type": "client_credentials"}),
        (models.AgentRegistrationRequest, register | {"requested_providers": []}),
        (models.AgentRegistrationResponse, registration | {"agent_status": "maybe"}),
        (models.AgentRegistrationResponse, registration | {"approval_expires": "2027-01-01"}),
        (models.ATHError, {"code": 42, "message": "m"}),
        (models.ServiceAuthConfig, {**schemas["ServiceAuthConfig"]["examples"][0], "type": "x"}),
    ]
    for model, body in invalid:
        with pytest.raises(pydantic.ValidationError):
            model.model_validate(body)
    assert models.AuthorizationRequest.model_validate(authorize | {"state": "short"})
    # The error code is an open set: a code outside v0.1 parses in both generated packages.
    assert models.ATHError.model_validate({"code": "NEW_CODE", "message": "m"}).code == "NEW_CODE"
    from ath_sdk_client.models import ATHError as ClientATHError

    assert ClientATHError.from_dict({"code": "NEW_CODE", "message": "m"}).code == "NEW_CODE"
    assert ClientATHError.from_dict({"code": "USER_DENIED", "message": "m"}).code == "USER_DENIED"
    pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"
    identity = schemas["AgentIdentityDocument"]["examples"][0]
    assert models.AgentIdentityDocument.model_validate(identity | {"public_key": pem})
    with pytest.raises(pydantic.ValidationError):
        models.AgentIdentityDocument.model_validate(identity | {"public_key": 42})
    config = models.ServiceAuthConfig.model_validate(
        {k: v for k, v in schemas["ServiceAuthConfig"]["examples"][0].items()}
    )
    assert config.agent_attestation_required is True
    codes = {member.value for member in models.ATHErrorCode}
    assert len(codes) == 16
    assert {member.value for member in models.AgentStatus} == {"approved", "pending", "denied"}
