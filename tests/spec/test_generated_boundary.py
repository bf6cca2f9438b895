"""The boundary between the facade and the generated client, checked on the source (AST).

What is checked, precisely:

1. **ath/ uses only public names of the generated packages.** In every module under
   ``ath/`` (``TYPE_CHECKING`` imports and function-local imports included):

   - no import names an underscore module or attribute of ``ath_sdk_client`` or
     ``ath_sdk_models`` (``from ath_sdk_client.api.x import _get_kwargs``,
     ``import ath_sdk_client._y``);
   - no attribute starting with one underscore (dunders such as ``__name__`` aside) is
     read from a name bound to something of the generated packages, whether imported
     from them directly or through the facade's re-export module ``ath._generated``
     (``register_agent._get_kwargs``, ``op._parse_response``, ``client._client``);
   - no ``getattr(x, "_name")`` with such a name and a literal underscore name.

2. **codegen/ customises the generators only by their supported means** (configuration,
   ``--custom-template-path`` templates, post-hooks), never by editing their output:

   - no function in ``codegen/`` both reads a file (``read_text``, ``read_bytes``) and
     writes one (``write_text``, ``write_bytes``): a generated file is never read back
     and rewritten;
   - the generation driver ``codegen/generate.py`` performs no text substitution
     (``str.replace``, ``re.sub``/``re.subn`` or a compiled pattern's ``sub``/``subn``);
   - no module-level name in ``codegen/`` mentions a patch (``CLIENT_PATCHES``,
     ``_patch_client``, ``_patch_non_json_errors``, ...).

Run it alone with ``python -m tests.spec.test_generated_boundary`` (exit status 1 and the
findings printed when a rule is broken).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATED_PACKAGES = ("ath_sdk_client", "ath_sdk_models")
#: The facade's module that re-exports generated operations and models.
REEXPORTS = ("ath._generated",)
READS = frozenset({"read_text", "read_bytes"})
WRITES = frozenset({"write_text", "write_bytes"})
SUBSTITUTIONS = frozenset({"replace", "sub", "subn"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_generated(module: str) -> bool:
    return module.split(".")[0] in GENERATED_PACKAGES or module in REEXPORTS


def _modules(folder: str) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT).as_posix()
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def facade_findings() -> list[str]:
    """Every use by ath/ of an underscore name of the generated packages."""
    findings: list[str] = []
    for rel, tree in _modules("ath"):
        bound: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_generated(alias.name):
                        if any(_private(part) for part in alias.name.split(".")):
                            findings.append(f"{rel}:{node.lineno}: import {alias.name}")
                        bound.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and _is_generated(node.module):
                parts = [] if node.module in REEXPORTS else node.module.split(".")
                if any(_private(part) for part in parts):
                    findings.append(f"{rel}:{node.lineno}: from {node.module} import ...")
                for alias in node.names:
                    if _private(alias.name):
                        findings.append(
                            f"{rel}:{node.lineno}: from {node.module} import {alias.name}"
                        )
                    bound.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                root: ast.expr = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in bound:
                    findings.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in bound
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and _private(node.args[1].value)
            ):
                findings.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return findings


def _called_methods(node: ast.AST) -> set[str]:
    return {
        call.func.attr
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
    }


def codegen_findings() -> list[str]:
    """Every place codegen/ edits a generator's output instead of configuring it."""
    findings: list[str] = []
    for rel, tree in _modules("codegen"):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                methods = _called_methods(node)
                if methods & READS and methods & WRITES:
                    findings.append(f"{rel}:{node.lineno}: {node.name}() reads and writes files")
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            findings += [
                f"{rel}:{node.lineno}: {name}" for name in names if "patch" in name.lower()
            ]
        if rel == "codegen/generate.py":
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SUBSTITUTIONS
                ):
                    findings.append(f"{rel}:{node.lineno}: {ast.unparse(node.func)}()")
    return findings


def test_ath_uses_no_underscore_name_of_the_generated_packages() -> None:
    assert facade_findings() == []


def test_codegen_does_not_patch_generated_output() -> None:
    assert codegen_findings() == []


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """Each rule, on a small source that breaks it (so a passing run is not vacuous)."""
    global ROOT
    saved = ROOT
    (tmp_path / "ath").mkdir()
    (tmp_path / "ath" / "m.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from ath._generated import register_agent\n"
        "if TYPE_CHECKING:\n"
        "    from ath_sdk_client.api.shared.authorize import _get_kwargs\n"
        "def f():\n"
        "    import ath_sdk_client.api.shared.revoke_token as op\n"
        "    register_agent._get_kwargs(body=None)\n"
        "    getattr(op, '_parse_response')\n"
        "    return op.build_request, register_agent.__name__\n",
        encoding="utf-8",
    )
    (tmp_path / "codegen").mkdir()
    (tmp_path / "codegen" / "generate.py").write_text(
        "import re\n"
        "CLIENT_PATCHES = ()\n"
        "def fix(path):\n"
        "    text = path.read_text()\n"
        "    path.write_text(re.sub('a', 'b', text).replace('x', 'y'))\n",
        encoding="utf-8",
    )
    try:
        ROOT = tmp_path
        facade, codegen = sorted(facade_findings()), sorted(codegen_findings())
    finally:
        ROOT = saved
    assert facade == [
        "ath/m.py:4: from ath_sdk_client.api.shared.authorize import _get_kwargs",
        "ath/m.py:7: register_agent._get_kwargs",
        "ath/m.py:8: getattr(op, '_parse_response')",
    ]
    assert codegen == [
        "codegen/generate.py:2: CLIENT_PATCHES",
        "codegen/generate.py:3: fix() reads and writes files",
        "codegen/generate.py:5: re.sub('a', 'b', text).replace()",
        "codegen/generate.py:5: re.sub()",
    ]


def main() -> int:
    findings = facade_findings() + codegen_findings()
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
