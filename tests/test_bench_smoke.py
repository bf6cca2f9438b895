"""Smoke test of the benchmarks: ``python -m bench --quick`` runs every section with
tiny counts and writes a results file with every figure as numbers."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
KEYS = SECTIONS
BUDGET = 55.0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.mark.timeout(60)
def test_bench_quick_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - this interpreter running the bench
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUDGET,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert time.monotonic() - started < BUDGET

    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["mode"] == "quick"
    for key in KEYS:
        entry = results[key]
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

    assert "verdict:" in done.stdout
    env = results["environment"]
    assert env["python"] and env["platform"]
    for package in ("ath-sdk", "httpx", "cryptography"):
        assert env["packages"][package] not in ("", "missing"), package
    assert env["peer"]["version"] == "0.1.0"
    # Nothing machine-specific leaks into the file: no absolute paths.
    assert str(ROOT) not in out.read_text(encoding="utf-8")
