"""The command line is a user of the SDK: it imports only public names of ``ath``.

Read from the sources (AST), so that an import inside a function or under
``if TYPE_CHECKING:`` counts as much as one at the top. ``ath.cli``'s own modules
(``ath.cli._output``, ...) are the command line's business and allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "ath" / "cli"


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _reaches_private(module: str, names: list[str]) -> list[str]:
    """The private ``ath`` names that ``from module import names`` (or ``import module``)
    reaches; the command line's own package is exempt."""
    parts = module.split(".")
    if parts[0] != "ath" or parts[:2] == ["ath", "cli"]:
        return []
    if any(_private(p) for p in parts[1:]):
        return [module]
    return [f"{module}.{n}" for n in names if _private(n)]


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = ["ath", *path.relative_to(CLI.parent).parent.parts]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def violations(source: str, path: Path) -> list[str]:
    """Every private ``ath`` module or name that ``source`` (the text of ``path``) imports."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found += _reaches_private(alias.name, [])
        elif isinstance(node, ast.ImportFrom):
            found += _reaches_private(_absolute(node, path), [a.name for a in node.names])
    return sorted(set(found))


SOURCES = sorted(CLI.rglob("*.py"))


def test_the_cli_sources_were_found() -> None:
    names = {p.name for p in SOURCES}
    assert "__init__.py" in names and len(SOURCES) >= 5


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(CLI).as_posix())
def test_no_cli_module_imports_a_private_ath_name(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert violations(source, path) == [], f"{path.name} imports private SDK names"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ath._errors import ATHError", ["ath._errors"]),
        ("import ath._client", ["ath._client"]),
        ("import ath._client as c", ["ath._client"]),
        ("from ath import _compat", ["ath._compat"]),
        ("from ath.stores import _file", ["ath.stores._file"]),
        ("from ath.testing._local_stack import LocalStack", ["ath.testing._local_stack"]),
        ("def f():\n    from ath._attestation import public_jwk", ["ath._attestation"]),
        ("from ... import _core", ["ath._core"]),
        ("from ...stores._redis import RedisStore", ["ath.stores._redis"]),
        ("from ath import ATHError, public_jwk", []),
        ("from ath.cli._output import Output", []),
        ("from . import _output", []),
        ("from .. import _output", []),
        ("from ath.testing.__main__ import main", []),
        ("import click", []),
    ],
)
def test_the_check_sees_every_spelling(source: str, expected: list[str]) -> None:
    probe = CLI / "_commands" / "probe.py"  # relative imports resolve from two levels down
    assert violations(source, probe) == expected


def test_no_cli_module_keeps_mutable_state_in_globals() -> None:
    """The state of a run lives on click's context object (``ath.cli._context.Run``); module
    globals are constants: no list, dict, set or bytearray at module level."""
    import importlib

    mutable = (list, dict, set, bytearray)
    found = []
    for path in SOURCES:
        parts = path.relative_to(CLI.parent.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if not attr.startswith("__") and isinstance(value, mutable):
                found.append(f"{name}.{attr}")
    assert found == []
