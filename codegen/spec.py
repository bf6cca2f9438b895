"""``python -m codegen spec``: validate, lint and publish spec/openapi.yaml.

1. openapi-spec-validator (OpenAPI 3.1 schema and semantics) plus project rules: unique
   operationIds and only local ``$ref`` pointers, so the source is already self-contained.
2. Redocly CLI lint (pinned in codegen/package.json) with codegen/redocly.yaml: zero errors and
   zero warnings.
3. spec/dist/openapi.yaml and spec/dist/openapi.json, the published single-file bundle. They are
   written by Python so their bytes are reproducible without Node (``check`` compares them); the
   command also runs ``redocly bundle`` and fails unless its result is the same document.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from codegen._config import (
    CODEGEN_DIR,
    DIST_DIR,
    DIST_JSON,
    DIST_YAML,
    GENERATED_HEADER,
    NODE_BIN,
    REDOCLY_CONFIG,
    SPEC_PATH,
)
from codegen._util import (
    CodegenError,
    check_operation_ids,
    load_spec,
    rel,
    run,
    tool_env,
    yaml_safe,
)

# Redocly prints a framed banner (e.g. a Node.js deprecation notice); drop it from our output.
_BANNER = re.compile(r"^\s*[╔║╚].*$", re.MULTILINE)


def _iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iter_refs(item)


def validate_document(document: dict[str, Any]) -> None:
    """OpenAPI validation plus the project's own structural rules."""
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        raise CodegenError(f"{rel(SPEC_PATH)} is not a valid OpenAPI document: {exc}") from exc
    if not str(document.get("openapi", "")).startswith("3.1."):
        raise CodegenError(f"{rel(SPEC_PATH)} must be OpenAPI 3.1")
    check_operation_ids(document)
    external = sorted({ref for ref in _iter_refs(document) if not ref.startswith("#/")})
    if external:
        raise CodegenError("only local $ref pointers are allowed, found: " + ", ".join(external))


def render_dist(document: dict[str, Any]) -> tuple[str, str]:
    """The published YAML and JSON texts for ``document`` (deterministic)."""
    buffer = io.StringIO()
    yaml_safe().dump(document, buffer)
    yaml_text = f"# {GENERATED_HEADER}\n{buffer.getvalue()}"
    json_text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml_text, json_text


def expected_dist() -> dict[Path, str]:
    """What spec/dist/ must contain for the current source spec."""
    yaml_text, json_text = render_dist(load_spec(SPEC_PATH))
    return {DIST_YAML: yaml_text, DIST_JSON: json_text}


def _node_tool(name: str) -> Path:
    """A tool from codegen/node_modules, installing the locked packages with npm ci if needed."""
    tool = NODE_BIN / name
    if not tool.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise CodegenError("npm is not on PATH; install Node.js 20.19+ to lint the spec")
        print("codegen/node_modules missing: running npm ci")
        run([npm, "ci"], cwd=CODEGEN_DIR, what="npm ci")
    if not tool.exists():
        raise CodegenError(f"{rel(tool)} not found after npm ci")
    return tool


def _redocly(*args: str) -> str:
    env = tool_env()
    env["REDOCLY_TELEMETRY"] = "off"
    env["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true"
    env["NO_COLOR"] = "1"
    output = run(
        [str(_node_tool("redocly")), *args, "--config", str(REDOCLY_CONFIG)],
        cwd=CODEGEN_DIR,
        what="redocly " + args[0],
        env=env,
    )
    return _BANNER.sub("", output).strip()


def lint() -> None:
    """Redocly lint: errors fail (exit status), and so do warnings (parsed from the summary)."""
    output = _redocly("lint", os.path.relpath(SPEC_PATH, CODEGEN_DIR), "--format", "stylish")
    problems = [line for line in output.splitlines() if re.search(r"\b(error|warning)\b", line)]
    problems = [line for line in problems if not line.startswith("You have")]
    if problems:
        raise CodegenError("redocly lint reported problems:\n" + "\n".join(problems))
    print("redocly lint: no errors, no warnings")


def compare_with_redocly_bundle(document: dict[str, Any]) -> None:
    """Our dist must be exactly what ``redocly bundle`` produces, up to serialisation."""
    with tempfile.TemporaryDirectory(prefix="ath-bundle-") as tmp:
        target = Path(tmp) / "bundle.json"
        _redocly("bundle", os.path.relpath(SPEC_PATH, CODEGEN_DIR), "-o", str(target))
        bundled = json.loads(target.read_text(encoding="utf-8"))
    if bundled != document:
        raise CodegenError("redocly bundle output differs from spec/openapi.yaml")


def spec(*, write: bool = True) -> int:
    document = load_spec(SPEC_PATH)
    validate_document(document)
    print(f"openapi-spec-validator: {rel(SPEC_PATH)} is valid OpenAPI {document['openapi']}")
    lint()
    compare_with_redocly_bundle(document)
    if not write:
        return 0
    DIST_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in expected_dist().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {rel(path)}")
    return 0
