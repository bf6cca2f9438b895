"""The virtual environments the bench creates with ``venv`` + pip.

- ``.peer-venv/`` (project root): the public ath-sdk 0.1.0. It imports as ``ath``
  too, so it only ever runs in its own interpreter, in a subprocess.
- ``bench/.clean-venv/``: this SDK with nothing but its runtime dependencies, at the
  versions installed in the development venv, the SDK itself put on ``sys.path`` by
  a ``.pth`` file (as the editable install does). The development venv also holds
  the dev tools (rich, click, pygments, ...), and ``import httpx2`` imports its CLI
  module, which imports those when present; the clean venv compares like with like.

Both are created on first use and reused while they hold what they should. pip
talks to whatever package index it is configured for, nothing else.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Final

from filelock import FileLock

from bench._proc import ROOT, child_env

PEER_PACKAGE: Final = "ath-sdk"
PEER_VERSION: Final = "0.1.0"
PEER_DIR: Final = ROOT / ".peer-venv"
CLEAN_DIR: Final = ROOT / "bench" / ".clean-venv"
_STAMP: Final = "ath-bench.json"
_EXTRA: Final = re.compile(r";.*\bextra\s*==")
_REQ_NAME: Final = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
_VERSION_CODE: Final = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({n: m.version(n) for n in "
    "('ath-sdk', 'httpx', 'joserfc', 'pydantic', 'cryptography')}))"
)


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the venv and pip modules of our own interpreters
        cmd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env({"PIP_DISABLE_PIP_VERSION_CHECK": "1"}),
        timeout=timeout,
        check=False,
    )


def _create(venv: Path, requirements: list[str], timeout: float) -> None:
    """A venv without its own pip, filled by this interpreter's pip (quickest), or
    with the venv's own pip where this pip is too old for ``--python``."""
    python = str(venv_python(venv))
    steps = [
        [sys.executable, "-m", "venv", "--clear", "--without-pip", str(venv)],
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", *requirements],
    ]
    if all(_run(cmd, timeout).returncode == 0 for cmd in steps):
        return
    for cmd in (
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [python, "-m", "pip", "install", "-q", *requirements],
    ):
        done = _run(cmd, timeout)
        if done.returncode != 0:
            raise RuntimeError(
                f"could not create {venv.name}/ ({' '.join(cmd[1:4])}):\n{done.stderr[-2000:]}"
            )


def peer_versions(venv: Path = PEER_DIR) -> dict[str, str] | None:
    """The peer venv's package versions, or None when it is missing or broken."""
    python = venv_python(venv)
    if not python.exists():
        return None
    try:
        done = _run([str(python), "-I", "-c", _VERSION_CODE], timeout=60)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return {str(k): str(v) for k, v in data.items()}


def _creation_lock(venv: Path) -> FileLock:
    """One creator at a time: pytest-xdist workers (and bench runs) asking for the same
    venv together would otherwise ``--clear`` it under each other's feet."""
    return FileLock(str(venv.with_name(venv.name + ".lock")))


def ensure_peer(venv: Path = PEER_DIR, *, timeout: float = 600.0) -> tuple[Path, dict[str, str]]:
    """The peer's interpreter and versions, creating the venv when needed."""
    with _creation_lock(venv):
        return _ensure_peer(venv, timeout)


def _ensure_peer(venv: Path, timeout: float) -> tuple[Path, dict[str, str]]:
    versions = peer_versions(venv)
    if versions is not None and versions.get(PEER_PACKAGE) == PEER_VERSION:
        return venv_python(venv), versions
    print(f"bench: creating {venv.name}/ with {PEER_PACKAGE}=={PEER_VERSION}", file=sys.stderr)
    _create(venv, [f"{PEER_PACKAGE}=={PEER_VERSION}"], timeout)
    versions = peer_versions(venv)
    if versions is None or versions.get(PEER_PACKAGE) != PEER_VERSION:
        raise RuntimeError(f"{venv.name}/ does not hold {PEER_PACKAGE}=={PEER_VERSION}")
    return venv_python(venv), versions


def runtime_requirements(dist: str = "ath-sdk") -> list[str]:
    """``dist``'s runtime requirements (no extras), pinned to the installed versions."""
    pinned = []
    for requirement in importlib.metadata.requires(dist) or []:
        if _EXTRA.search(requirement):
            continue
        match = _REQ_NAME.match(requirement)
        if match is None:
            continue
        name, extras = match.group(1), match.group(2) or ""
        pinned.append(f"{name}{extras}=={importlib.metadata.version(name)}")
    return sorted(pinned)


def ensure_clean_ours(venv: Path = CLEAN_DIR, *, timeout: float = 600.0) -> Path:
    """An interpreter that imports this checkout's ``ath`` with only its runtime deps."""
    with _creation_lock(venv):
        return _ensure_clean_ours(venv, timeout)


def _ensure_clean_ours(venv: Path, timeout: float) -> Path:
    wanted = {"requirements": runtime_requirements(), "paths": [str(ROOT), str(ROOT / "generated")]}
    stamp = venv / _STAMP
    python = venv_python(venv)
    try:
        if python.exists() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
            return python
    except (OSError, ValueError):
        pass
    print(f"bench: creating bench/{venv.name}/ (this SDK, runtime deps only)", file=sys.stderr)
    _create(venv, wanted["requirements"], timeout)
    found = _run(
        [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], 60
    )
    if found.returncode != 0:
        raise RuntimeError(f"bench/{venv.name}/ has no working interpreter")
    site = Path(found.stdout.strip())
    (site / "ath_bench_checkout.pth").write_text("\n".join(wanted["paths"]) + "\n", "utf-8")
    stamp.write_text(json.dumps(wanted), encoding="utf-8")
    check = _run([str(python), "-I", "-c", "import ath, httpx2, cryptography"], 120)
    if check.returncode != 0:
        raise RuntimeError(f"bench/{venv.name}/ cannot import ath:\n{check.stderr[-2000:]}")
    return python
