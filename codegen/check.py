"""``python -m codegen check``: fail when generated/ or spec/dist/ are stale."""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from codegen._config import GENERATED_DIR, PACKAGES
from codegen._util import rel
from codegen.generate import build_all
from codegen.spec import expected_dist

MAX_DIFF_LINES = 40
_SKIP_PARTS = frozenset({"__pycache__", ".ruff_cache", ".mypy_cache"})


@dataclass
class Drift:
    """Differences between what is committed and what generation produces."""

    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    changed: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.changed)

    def report(self) -> str:
        lines: list[str] = []
        lines += [f"  missing (would be generated): {name}" for name in self.missing]
        lines += [f"  unexpected (not generated):   {name}" for name in self.unexpected]
        for name, diff in self.changed.items():
            lines.append(f"  changed: {name}")
            lines += ["    " + line for line in diff.splitlines()]
        return "\n".join(lines)


def _files(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not _SKIP_PARTS.intersection(path.relative_to(root).parts)
        and path.suffix != ".pyc"
    }


def _diff(name: str, committed: bytes, fresh: bytes) -> str:
    old = committed.decode("utf-8", errors="replace").splitlines()
    new = fresh.decode("utf-8", errors="replace").splitlines()
    lines = list(
        difflib.unified_diff(old, new, f"committed/{name}", f"generated/{name}", lineterm="", n=1)
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return "\n".join(lines) if lines else "(bytes differ, e.g. line endings)"


def compare_trees(committed: Path, fresh: Path, prefix: str = "") -> Drift:
    """Compare two folders file by file (byte for byte)."""
    drift = Drift()
    have, want = _files(committed), _files(fresh)
    for name in sorted(want.keys() - have.keys()):
        drift.missing.append(prefix + name)
    for name in sorted(have.keys() - want.keys()):
        drift.unexpected.append(prefix + name)
    for name in sorted(want.keys() & have.keys()):
        old, new = have[name].read_bytes(), want[name].read_bytes()
        if old != new:
            drift.changed[prefix + name] = _diff(prefix + name, old, new)
    return drift


def generated_drift(generated_dir: Path = GENERATED_DIR, fresh: Path | None = None) -> Drift:
    """Compare ``generated_dir`` with a fresh generation: ``fresh`` when one was already
    made (the test suite makes one per run), otherwise one made here in a temporary folder."""
    if fresh is None:
        with tempfile.TemporaryDirectory(prefix="ath-codegen-check-") as tmp:
            build_all(Path(tmp))
            return generated_drift(generated_dir, Path(tmp))
    drift = Drift()
    for package in PACKAGES:
        part = compare_trees(generated_dir / package, fresh / package, f"{package}/")
        drift.missing += part.missing
        drift.unexpected += part.unexpected
        drift.changed.update(part.changed)
    return drift


def dist_drift() -> Drift:
    """Compare spec/dist/ with what ``python -m codegen spec`` would write."""
    drift = Drift()
    for path, text in expected_dist().items():
        name = rel(path)
        if not path.is_file():
            drift.missing.append(name)
            continue
        old, new = path.read_bytes(), text.encode("utf-8")
        if old != new:
            drift.changed[name] = _diff(name, old, new)
    return drift


def check(fresh: Path | None = None) -> int:
    status = 0
    drift = generated_drift(fresh=fresh)
    if drift:
        print(f"{rel(GENERATED_DIR)}/ is out of date with spec/openapi.yaml:\n{drift.report()}")
        print("fix: make generate  (python -m codegen generate --out generated)")
        status = 1
    else:
        print(f"{rel(GENERATED_DIR)}/ is up to date")
    drift = dist_drift()
    if drift:
        print(f"spec/dist/ is out of date with spec/openapi.yaml:\n{drift.report()}")
        print("fix: make spec  (python -m codegen spec)")
        status = 1
    else:
        print("spec/dist/ is up to date")
    return status
