"""Smoke test of the benchmarks: ``python -m bench --quick`` runs every section with
tiny counts and writes a results file with every figure as numbers."""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import SECTIONS
from tests._support.procs import run

ROOT = Path(__file__).resolve().parents[2]
KEYS = SECTIONS
INSTRUCTIONS = (
    "proxy_async_instructions_ratio",
    "proxy_async_vs_aiohttp",
    "proxy_async_httpx2_vs_aiohttp",
    "handshake_sdk_instructions_ratio",
)
#: A hang guard, not a time budget: a quick run takes well under a minute once the
#: bench's two venvs exist, and a few minutes more when it builds them (a fresh clone;
#: pip on a loaded machine). Only a run that hangs gets this far; it is then killed
#: with everything it started (its own process group) and the test fails saying so.
HANG_GUARD = 1800.0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.mark.timeout(HANG_GUARD + 120)  # pytest's bound above ours: ours kills the group
def test_bench_quick_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = run(
        # sections bounded by the hang guard, not by --quick's 60 s: a slow machine
        # finishes them, a hung one is caught below
        [sys.executable, "-m", "bench", "--quick", "--section-seconds", "1200", "--out", str(out)],
        cwd=ROOT,
        hang_guard=HANG_GUARD,
        no_leftovers=True,  # its fast server, redis-server, drivers, fleet: all ended
    )
    assert done.returncode == 0, done.stderr[-4000:]

    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["mode"] == "quick"
    for key in KEYS:
        entry = results[key]
        if key in INSTRUCTIONS and shutil.which("valgrind") is None:
            # counted under valgrind: without it the figure is recorded as failed, saying why
            # (.ci/run installs it)
            assert "valgrind is not installed" in entry["failed_rounds"][0]["error"]
            print(f"WARNING: valgrind absent: {key} not measured")
            continue
        for stat in ("median", "min", "max"):
            assert _number(entry[stat]) and entry[stat] > 0, (key, stat, entry[stat])
        assert entry["min"] <= entry["median"] <= entry["max"], key
        assert entry["rounds"] and all(_number(v) for v in entry["rounds"]), key
        for name, detail in entry["detail"].items():
            assert all(_number(detail[s]) for s in ("median", "min", "max")), (key, name)
        assert entry["pass"] in (True, False, None)
        assert entry["verdict"] in ("met", "missed", "too noisy", "-"), key
        assert len(entry["noise"]) == len(entry["rounds"]), key
        assert all(n is None or _number(n) for n in entry["noise"]), key
        assert set(entry["noisy_rounds"]) <= set(range(1, len(entry["rounds"]) + 1)), key
        assert key in done.stdout
        # a round that failed on a loaded machine is recorded and allowed; a figure needs
        # one round that did not (checked above: "rounds" is not empty)
        assert all(f["error"] for f in entry["failed_rounds"]), key

    assert "verdict:" in done.stdout
    env = results["environment"]
    assert env["python"] and env["platform"]
    for package in ("ath-sdk", "httpx2", "cryptography"):
        assert env["packages"][package] not in ("", "missing"), package
    assert env["peer"]["version"] == "0.1.0"
    # Nothing machine-specific leaks into the file: no absolute paths.
    assert str(ROOT) not in out.read_text(encoding="utf-8")
