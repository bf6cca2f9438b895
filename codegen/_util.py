"""Small helpers shared by the codegen commands: errors, subprocesses, spec loading."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from codegen._config import REPO_ROOT

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class CodegenError(Exception):
    """A failure that the command line reports as one readable message (exit status 1)."""


def rel(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (for messages)."""
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name if path.is_absolute() else path.as_posix()


def ruff_bin() -> str:
    """The ruff executable installed with this interpreter (the pinned one), else from PATH."""
    name = "ruff.exe" if os.name == "nt" else "ruff"
    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("ruff")
    if found is None:
        raise CodegenError("ruff is not installed; run `make venv`")
    return found


def tool_env() -> dict[str, str]:
    """Environment for child tools: the pinned ruff and this interpreter's scripts first."""
    env = dict(os.environ)
    dirs = [str(Path(ruff_bin()).parent), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join([*dirs, env.get("PATH", "")])
    # Keep tool output byte-for-byte reproducible regardless of the caller's locale.
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(args: Sequence[str], *, cwd: Path, what: str, env: Mapping[str, str] | None = None) -> str:
    """Run a tool; on failure raise CodegenError with its output. Returns stdout."""
    proc = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
        list(args),
        cwd=cwd,
        env=dict(env) if env is not None else tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        output = "\n".join(part for part in (proc.stdout.strip(), proc.stderr.strip()) if part)
        raise CodegenError(f"{what} failed (exit status {proc.returncode}):\n{output}")
    return proc.stdout


def yaml_safe() -> YAML:
    """A YAML 1.2 safe loader/dumper (pure Python, so output does not depend on a C build)."""
    handler = YAML(typ="safe", pure=True)
    handler.default_flow_style = False
    handler.allow_unicode = True
    handler.width = 100
    handler.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    handler.representer.add_representer(str, _represent_str)
    return handler


def _represent_str(representer: Any, value: str) -> Any:
    """Write multi-line strings as literal blocks so the published YAML stays readable."""
    style = "|" if "\n" in value else None
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def load_yaml_text(text: str) -> Any:
    """Parse YAML text into plain Python data (dict, list, str, int, float, bool, None)."""
    return yaml_safe().load(text)


def load_spec(path: Path) -> dict[str, Any]:
    """Parse the OpenAPI YAML document into plain Python data."""
    try:
        document = load_yaml_text(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise CodegenError(f"cannot read {rel(path)}: {exc}") from exc
    if not isinstance(document, dict):
        raise CodegenError(f"{rel(path)} is not a YAML mapping")
    return document


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, method, operation) for every operation, in document order."""
    for path, item in (document.get("paths") or {}).items():
        for method in item:
            if method in HTTP_METHODS:
                yield path, method, item[method]


def check_operation_ids(document: Mapping[str, Any]) -> list[str]:
    """Every operation needs a unique operationId.

    openapi-python-client silently lets a later operation overwrite an earlier one with the same
    operationId, so duplicates are refused here before it runs.
    """
    seen: dict[str, str] = {}
    problems: list[str] = []
    for path, method, operation in iter_operations(document):
        where = f"{method.upper()} {path}"
        op_id = operation.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            problems.append(f"{where}: missing operationId")
        elif op_id in seen:
            problems.append(f"{where}: operationId {op_id!r} already used by {seen[op_id]}")
        else:
            seen[op_id] = where
    if problems:
        raise CodegenError("invalid operationIds:\n  " + "\n  ".join(problems))
    return list(seen)
