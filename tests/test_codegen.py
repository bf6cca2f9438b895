"""Code generation: generated/ and spec/dist/ are current, deterministic and usable."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
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
from codegen.generate import NON_JSON_ERROR_GUARD, _patch_non_json_errors, build_all
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
            expected = ["sync_detailed", "asyncio_detailed", "_get_kwargs"]
            if name not in BODYLESS:
                expected += ["sync", "asyncio"]
            for attribute in expected:
                assert callable(getattr(module, attribute, None)), f"{name}.{attribute}"


def test_client_get_kwargs_match_the_spec(spec: dict[str, Any]) -> None:
    from ath_sdk_client.api.gateway import proxy_get, proxy_post
    from ath_sdk_client.api.shared import get_agent_status, oauth_callback, register_agent
    from ath_sdk_client.models import AgentRegistrationRequest

    example = spec["components"]["schemas"]["AgentRegistrationRequest"]["examples"][0]
    kwargs = register_agent._get_kwargs(body=AgentRegistrationRequest.from_dict(example))
    assert kwargs["method"] == "post"
    assert kwargs["url"] == "/ath/agents/register"
    assert kwargs["json"] == example
    assert get_agent_status._get_kwargs("ath c/1")["url"] == "/ath/agents/ath%20c%2F1"
    agent = "https://agent.example/.well-known/agent.json"
    proxied = proxy_get._get_kwargs("example-mail", "v1/messages", x_ath_agent_id=agent)
    # The generator encodes the multi-segment path whole (one segment): see the spec's
    # per-language notes; the agent header is a required parameter, not a credential.
    assert proxied["url"] == "/ath/proxy/example-mail/v1%2Fmessages"
    assert proxied["headers"] == {"X-ATH-Agent-ID": agent}
    posted = proxy_post._get_kwargs("p", "x", body={"a": [1]}, x_ath_agent_id=agent)
    assert posted["json"] == {"a": [1]}
    params = oauth_callback._get_kwargs(state="s" * 16, code="c")["params"]
    assert params == {"state": "s" * 16, "code": "c"}


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
    assert client.get_httpx_client().timeout == httpx.Timeout(DEFAULT_CLIENT_TIMEOUT_SECONDS)
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


def test_every_error_branch_returns_non_json_bodies() -> None:
    """No generated operation calls ``response.json()`` on an error answer unguarded."""
    api = GENERATED_DIR / "ath_sdk_client" / "api"
    branches = 0
    for module in sorted(api.glob("*/*.py")):
        lines = module.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if re.match(
                r" +response_([45]\d\d|default) = \w+\.from_dict\(response\.json\(\)\)", line
            ):
                guard, back = lines[number - 2].strip(), lines[number - 1].strip()
                assert guard == NON_JSON_ERROR_GUARD, f"{module.name}:{number + 1}"
                assert back in ("return response.text", "return response.content")
                branches += 1
    assert branches >= 14 * 9  # every error status of every operation but HEAD (no body)


def test_non_json_patch_refuses_a_changed_template(tmp_path: Path) -> None:
    module = tmp_path / "api" / "shared" / "op.py"
    module.parent.mkdir(parents=True)
    module.write_text("def _parse_response(): pass\n", encoding="utf-8")
    with pytest.raises(CodegenError, match="no error branch"):
        _patch_non_json_errors(tmp_path)
