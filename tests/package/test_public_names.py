"""One table of public names: ``ath/__init__``'s ``_LAZY`` (first-class names) and
``ath._compat.NAMES_010`` (the 0.1.0 names), against what the modules declare.

For ``ath``: ``__all__`` is exactly the table's names plus ``__version__``, and the
``if TYPE_CHECKING:`` block imports exactly those names, each from the module the table
names (what a type checker sees is what ``__getattr__`` returns). For ``ath.types`` and
``ath.client``: their 0.1.0 names are in ``__all__`` and imported for type checkers from
where the table says. Read from the sources (AST); then checked at run time.
"""

from __future__ import annotations

import ast
import importlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import ath
from ath._compat import NAMES_010

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {
    "ath": ROOT / "ath" / "__init__.py",
    "ath.types": ROOT / "ath" / "types.py",
    "ath.client": ROOT / "ath" / "client" / "__init__.py",
}


@dataclass
class Declared:
    """What a module's source declares."""

    all: list[str] = field(default_factory=list)
    lazy: dict[str, str] = field(default_factory=dict)  # ath's _LAZY table
    for_types: dict[str, tuple[str, str]] = field(default_factory=dict)  # TYPE_CHECKING
    defined: set[str] = field(default_factory=set)  # bound at run time at module level


def _literal(node: ast.expr | None) -> Any:
    assert node is not None
    return ast.literal_eval(node)


def declared(source: str) -> Declared:
    out = Declared()
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for item in node.body:
                assert isinstance(item, ast.ImportFrom) and item.module, ast.dump(item)
                for alias in item.names:
                    name = alias.asname or alias.name
                    assert name not in out.for_types, f"{name} imported twice for type checkers"
                    out.for_types[name] = (item.module, alias.name)
            continue
        target: str | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        if target == "__all__":
            out.all = list(_literal(value))
        elif target == "_LAZY":
            out.lazy = dict(_literal(value))
        elif target is not None:
            out.defined.add(target)
        elif isinstance(node, ast.ImportFrom):
            out.defined |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            out.defined.add(node.name)
    return out


def _compare(what: str, got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems = [f"{what}: {n} is missing" for n in sorted(expected.keys() - got.keys())]
    problems += [f"{what}: {n} is not in the table" for n in sorted(got.keys() - expected.keys())]
    problems += [
        f"{what}: {n} comes from {got[n]}, the table says {expected[n]}"
        for n in sorted(got.keys() & expected.keys())
        if got[n] != expected[n]
    ]
    return problems


def problems(module: str, source: str) -> list[str]:
    """How ``source`` (the text of ``module``) drifted from the table; [] when it did not."""
    found = declared(source)
    legacy = {n: (row.home, row.attribute) for n, row in NAMES_010[module].items()}
    out: list[str] = []
    if len(set(found.all)) != len(found.all):
        out.append(f"{module}.__all__ lists a name twice")
    if module == "ath":
        both = sorted(found.lazy.keys() & legacy.keys())
        out += [f"{n} is both first-class (_LAZY) and a 0.1.0 name" for n in both]
        table = {n: (m, n) for n, m in found.lazy.items()} | legacy
        out += _compare(
            "ath.__all__", dict.fromkeys(found.all), dict.fromkeys([*table, "__version__"])
        )
        out += _compare("ath's TYPE_CHECKING imports", found.for_types, table)
    else:
        out += [f"{module}.__all__: {n} is missing" for n in sorted(legacy.keys() - {*found.all})]
        out += [
            f"{module}.__all__: {n} is not defined"
            for n in found.all
            if n not in legacy and n not in found.defined
        ]
        out += _compare(f"{module}'s TYPE_CHECKING imports", found.for_types, legacy)
    return sorted(set(out))


def _source(module: str) -> str:
    return SOURCES[module].read_text(encoding="utf-8")


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_the_module_agrees_with_the_table(module: str) -> None:
    assert problems(module, _source(module)) == []


def test_the_table_was_read() -> None:
    found = declared(_source("ath"))
    assert len(found.lazy) > 30 and "ATHGatewayClient" in found.lazy
    assert len(found.for_types) == len(found.lazy) + len(NAMES_010["ath"])
    assert {"ATHClientConfig", "TokenResponse"} <= NAMES_010["ath"].keys()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a new public name added to _LAZY only
        (
            (
                '    "ENDPOINTS": "ath.meta",\n',
                '    "ENDPOINTS": "ath.meta",\n    "Extra": "ath._x",\n',
            ),
            ["ath's TYPE_CHECKING imports: Extra is missing", "ath.__all__: Extra is missing"],
        ),
        # a name dropped from __all__
        (('    "jwk_thumbprint",\n', ""), ["ath.__all__: jwk_thumbprint is missing"]),
        # a type-checking import dropped
        (
            ("        jwk_thumbprint,\n", ""),
            ["ath's TYPE_CHECKING imports: jwk_thumbprint is missing"],
        ),
        # a 0.1.0 name imported for type checkers from elsewhere than its table row
        (
            (
                "from ath._models import Token as TokenResponse",
                "from ath._models import Registration as TokenResponse",
            ),
            [
                "ath's TYPE_CHECKING imports: TokenResponse comes from "
                "('ath._models', 'Registration'), the table says ('ath._models', 'Token')"
            ],
        ),
        # a 0.1.0 name dropped from __all__
        (('    "TokenResponse",\n', ""), ["ath.__all__: TokenResponse is missing"]),
    ],
)
def test_drift_is_caught(change: tuple[str, str], expected: list[str]) -> None:
    old, new = change
    source = _source("ath")
    assert source.count(old) == 1, old
    assert problems("ath", source.replace(old, new)) == expected


@pytest.mark.parametrize("name", sorted(ath.__all__))
def test_every_name_is_what_type_checkers_are_told(name: str) -> None:
    if name == "__version__":
        assert isinstance(ath.__version__, str)
        return
    module, attribute = declared(_source("ath")).for_types[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        got = getattr(ath, name)
    assert got is getattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize(
    ("module", "name"), sorted((m, n) for m, rows in NAMES_010.items() for n in rows)
)
def test_renamed_names_warn_naming_the_new_spelling(module: str, name: str) -> None:
    row = NAMES_010[module][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        owner = importlib.import_module(module)
    if row.renamed is None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = getattr(owner, name)
    else:
        with pytest.warns(DeprecationWarning, match=re.escape(f"{module}.{name}")) as caught:
            got = getattr(owner, name)
        assert f"use {row.renamed}" in str(caught[0].message)
        assert caught[0].filename == __file__  # points at the code that read the name
    assert got is getattr(importlib.import_module(row.home), row.attribute)


def test_unknown_names_are_attribute_errors() -> None:
    for module in SOURCES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            owner = importlib.import_module(module)
        with pytest.raises(AttributeError, match="nope"):
            owner.nope  # noqa: B018 - the attribute access is the test
