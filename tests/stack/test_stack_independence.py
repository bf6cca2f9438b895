"""The local stack is an independent oracle: it imports none of the SDK's own modules.

If ``ath.testing`` reused SDK code (a URL builder, PKCE, base64url), a bug shared by
both would pass every end-to-end test. The import graph is read from the AST, so a
lazy import inside a function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ath.testing

STACK_DIR = Path(ath.testing.__file__).parent
# ``ath.testing.pytest_plugin`` is a compatibility alias of the plugin's new home; the
# plugin is test tooling that only loads the stack, not SDK protocol code.
ALLOWED = {"ath.pytest_plugin"}


def _package_of(path: Path) -> str:
    """The package a module of the stack is in (``ath.testing`` or a subpackage)."""
    try:
        parts = path.parent.relative_to(STACK_DIR).parts
    except ValueError:  # a sample outside the stack
        parts = ()
    return ".".join(("ath", "testing", *parts))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _package_of(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def _sdk_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in sorted(STACK_DIR.rglob("*.py")):
        bad = {
            name
            for name in _imported_modules(path)
            if (name == "ath" or name.startswith("ath."))
            and not (name == "ath.testing" or name.startswith("ath.testing."))
            and name not in ALLOWED
        }
        if bad:
            edges[path.name] = bad
    return edges


def test_stack_imports_nothing_from_the_sdk() -> None:
    assert _sdk_edges() == {}


def test_the_check_sees_an_sdk_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from ath._oauth import authorization_url\n"
        "def f():\n    import ath._pkce\n"
        "from . import _util\n",
        encoding="utf-8",
    )
    assert _imported_modules(sample) == {"ath._oauth", "ath._pkce", "ath.testing"}
