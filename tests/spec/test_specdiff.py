"""The spec's breaking-change check (``make spec-diff``): each breaking kind is caught, other
changes are counted as other, and the version bump rule decides whether the check fails."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen._util import CodegenError, load_spec, yaml_safe
from codegen.specdiff import (
    RELEASED_DIR,
    breaking_bump,
    diff,
    diff_specs,
    latest_release,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = RELEASED_DIR / "0.2.0.yaml"
_RELEASED = load_spec(BASE)

Edit = Callable[[dict[str, Any]], None]


def released() -> dict[str, Any]:
    return copy.deepcopy(_RELEASED)


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = doc["components"]["schemas"]
    return found


def edited(edit: Edit, version: str | None = None) -> dict[str, Any]:
    doc = released()
    edit(doc)
    if version is not None:
        doc["info"]["version"] = version
    return doc


def kinds(doc: dict[str, Any], *, breaking: bool) -> list[str]:
    report = diff_specs(_RELEASED, doc)
    return sorted(c.kind for c in report.changes if c.breaking is breaking)


# -- one edit per breaking kind ---------------------------------------------------------------


def drop_path(doc: dict[str, Any]) -> None:
    del doc["paths"]["/ath/revoke"]


def drop_operation(doc: dict[str, Any]) -> None:
    del doc["paths"]["/ath/proxy/{provider_id}/{path}"]["patch"]


def drop_required_response_field(doc: dict[str, Any]) -> None:
    token = schemas(doc)["TokenResponse"]
    token["required"].remove("provider_id")
    del token["properties"]["provider_id"]


def require_request_field(doc: dict[str, Any]) -> None:
    schemas(doc)["AuthorizationRequest"]["required"].append("user_redirect_uri")


def add_required_request_field(doc: dict[str, Any]) -> None:
    request = schemas(doc)["TokenRevocationRequest"]
    request["properties"]["reason"] = {"type": "string"}
    request["required"].append("reason")


def narrow_request_type(doc: dict[str, Any]) -> None:
    schemas(doc)["AuthorizationRequest"]["properties"]["state"]["type"] = "integer"


def drop_enum_value(doc: dict[str, Any]) -> None:
    schemas(doc)["ATHErrorCode"]["enum"].remove("USER_DENIED")


def add_required_parameter(doc: dict[str, Any]) -> None:
    operation = doc["paths"]["/.well-known/ath.json"]["get"]
    operation["parameters"] = [
        {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
    ]


def make_response_field_optional(doc: dict[str, Any]) -> None:
    schemas(doc)["TokenResponse"]["required"].remove("expires_in")


def add_response_enum_value(doc: dict[str, Any]) -> None:
    schemas(doc)["AgentStatus"]["enum"].append("suspended")


def drop_success_response(doc: dict[str, Any]) -> None:
    del doc["paths"]["/ath/token"]["post"]["responses"]["200"]


BREAKING: dict[str, tuple[Edit, str]] = {
    "removed path": (drop_path, "removed-path"),
    "removed operation": (drop_operation, "removed-operation"),
    "removed response field": (drop_required_response_field, "removed-response-field"),
    "request field made required": (require_request_field, "new-required-request-field"),
    "new required request field": (add_required_request_field, "new-required-request-field"),
    "narrowed request type": (narrow_request_type, "narrowed-type"),
    "removed enum value": (drop_enum_value, "removed-enum-value"),
    "new required parameter": (add_required_parameter, "new-required-parameter"),
    "response field made optional": (make_response_field_optional, "response-field-optional"),
    "new response enum value": (add_response_enum_value, "added-response-enum-value"),
    "removed success response": (drop_success_response, "removed-success-response"),
}


def test_released_spec_against_itself_has_no_change() -> None:
    report = diff_specs(_RELEASED, released())
    assert report.changes == []
    assert report.summary() == "spec diff vs 0.2.0: 0 breaking, 0 other changes"


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_each_breaking_kind_is_found(name: str) -> None:
    edit, kind = BREAKING[name]
    assert kinds(edited(edit), breaking=True) == [kind]


def test_breaking_change_in_a_shared_schema_names_where_it_is_used() -> None:
    report = diff_specs(_RELEASED, edited(drop_required_response_field))
    (change,) = report.breaking
    assert change.where == "POST /ath/token response 200 application/json: provider_id"


def test_non_breaking_changes_are_counted_as_other() -> None:
    def grow(doc: dict[str, Any]) -> None:
        doc["paths"]["/ath/ping"] = {
            "get": {"operationId": "ping", "responses": {"200": {"description": "pong"}}}
        }
        schemas(doc)["TokenRevocationRequest"]["properties"]["hint"] = {"type": "string"}
        schemas(doc)["TokenResponse"]["properties"]["refresh_hint"] = {"type": "string"}
        schemas(doc)["AuthorizationRequest"]["properties"]["state"]["minLength"] = 1
        doc["paths"]["/.well-known/ath.json"]["get"]["summary"] = "Discovery (reworded)"

    report = diff_specs(_RELEASED, edited(grow))
    assert report.breaking == []
    assert sorted(c.kind for c in report.other) == [
        "added-field",
        "added-field",
        "added-path",
        "changed-limit",
        "operation-edited",
    ]
    assert report.summary() == "spec diff vs 0.2.0: 0 breaking, 5 other changes"
    assert report.ok


def test_widening_a_request_type_is_not_breaking() -> None:
    def widen(doc: dict[str, Any]) -> None:
        schemas(doc)["AuthorizationRequest"]["properties"]["state"]["type"] = ["string", "null"]

    assert kinds(edited(widen), breaking=True) == []
    assert kinds(edited(widen), breaking=False) == ["changed-type"]


def test_an_open_enum_in_a_response_is_breaking() -> None:
    def open_codes(doc: dict[str, Any]) -> None:
        schemas(doc)["ATHError"]["properties"]["code"] = {
            "anyOf": [{"$ref": "#/components/schemas/ATHErrorCode"}, {"type": "string"}]
        }

    report = diff_specs(_RELEASED, edited(open_codes))
    assert [c.kind for c in report.breaking] == ["response-enum-lifted"]
    assert [c.kind for c in report.other] == ["now-alternatives"]


def test_an_alternative_added_to_a_response_is_breaking_and_a_removed_one_is_not() -> None:
    def add_branch(doc: dict[str, Any]) -> None:
        schemas(doc)["ProxyErrorBody"]["anyOf"].append({"type": "string"})

    def drop_branch(doc: dict[str, Any]) -> None:
        schemas(doc)["ProxyErrorBody"]["anyOf"].pop()

    assert kinds(edited(add_branch), breaking=True) == ["added-alternative"]
    assert kinds(edited(drop_branch), breaking=True) == []
    # the payload branch admitted any JSON type; without it only objects remain (narrower)
    assert kinds(edited(drop_branch), breaking=False) == ["changed-type", "removed-alternative"]


def test_wildcard_media_types_cover_what_they_replace() -> None:
    def wildcards(doc: dict[str, Any]) -> None:
        success = doc["components"]["responses"]["UpstreamSuccess"]["content"]
        success["*/*"] = success.pop("application/json")
        body = doc["components"]["requestBodies"]["UpstreamBody"]["content"]
        body["*/*"] = body.pop("application/json")

    report = diff_specs(_RELEASED, edited(wildcards))
    widened = {c.kind for c in report.breaking}
    assert widened == {"response-media-type-widened"}
    assert "POST /ath/proxy/{provider_id}/{path} response 200" in {c.where for c in report.breaking}
    assert "request-media-type-widened" in {c.kind for c in report.other}
    assert not any(c.kind.startswith("removed") for c in report.changes)


def test_relaxed_requests_and_stricter_responses_are_other() -> None:
    def relax(doc: dict[str, Any]) -> None:
        schemas(doc)["TokenRevocationRequest"]["required"].remove("client_id")
        schemas(doc)["ProviderInfo"]["required"].append("categories")

    report = diff_specs(_RELEASED, edited(relax))
    assert report.breaking == []
    assert sorted(c.kind for c in report.other) == [
        "request-field-made-optional",
        "response-field-made-required",
    ]


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("0.2.0", "0.2.0", False),
        ("0.2.0", "0.2.1", False),
        ("0.2.0", "0.3.0", True),
        ("0.2.0", "1.0.0", True),
        ("1.4.2", "1.5.0", False),
        ("1.4.2", "2.0.0", True),
    ],
)
def test_version_bump_rule(old: str, new: str, allowed: bool) -> None:
    assert breaking_bump(old, new) is allowed


def write(doc: dict[str, Any], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        yaml_safe().dump(doc, handle)
    return path


def test_breaking_edit_without_a_bump_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(edited(drop_required_response_field), tmp_path / "openapi.yaml")
    with pytest.raises(CodegenError, match=r"bump info\.version to 0\.3\.0"):
        diff(spec, BASE)
    out = capsys.readouterr().out
    assert "spec diff vs 0.2.0: 1 breaking, 0 other changes" in out
    assert "removed-response-field: POST /ath/token response 200" in out


def test_breaking_edit_with_a_minor_bump_on_0x_passes_and_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(edited(drop_required_response_field, "0.3.0"), tmp_path / "openapi.yaml")
    assert diff(spec, BASE) == 0
    out = capsys.readouterr().out
    assert "spec diff vs 0.2.0: 1 breaking, 1 other changes" in out
    assert "breaking  removed-response-field" in out
    assert "allowed by the version bump 0.2.0 -> 0.3.0" in out


def test_a_version_older_than_the_release_is_refused(tmp_path: Path) -> None:
    spec = write(edited(lambda doc: None, "0.1.9"), tmp_path / "openapi.yaml")
    with pytest.raises(CodegenError, match=r"older than the released 0\.2\.0"):
        diff(spec, BASE)


def test_latest_release_compares_versions_numerically(tmp_path: Path) -> None:
    for version in ("0.2.0", "0.10.0", "0.9.1"):
        (tmp_path / f"{version}.yaml").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("{}", encoding="utf-8")
    assert latest_release(tmp_path).name == "0.10.0.yaml"


def test_every_released_spec_carries_its_own_version() -> None:
    releases = sorted(RELEASED_DIR.glob("*.yaml"))
    assert [p.name for p in releases][:1] == ["0.2.0.yaml"]
    for path in releases:
        assert load_spec(path)["info"]["version"] == path.stem


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "codegen", "diff", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_cli_fails_on_a_fixture_with_a_breaking_edit(tmp_path: Path) -> None:
    spec = write(edited(drop_required_response_field), tmp_path / "openapi.yaml")
    done = run_cli("--spec", str(spec), "--base", str(BASE))  # the fixtures edit 0.2.0
    assert done.returncode == 1
    assert "spec diff vs 0.2.0: 1 breaking, 0 other changes" in done.stdout.splitlines()
    assert "breaking change(s) against released 0.2.0" in done.stderr


def test_cli_on_the_repository_spec_passes() -> None:
    done = run_cli()
    assert done.returncode == 0, done.stdout + done.stderr
    # the working spec is the released one until the next change (released with 0.3.0)
    assert "spec diff vs 0.3.0: 0 breaking" in done.stdout
    assert re.search(
        r"^spec diff vs \d+\.\d+\.\d+: \d+ breaking, \d+ other changes$",
        done.stdout,
        flags=re.MULTILINE,
    )
