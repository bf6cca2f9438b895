"""The suites' counts read the same on one process or many xdist workers (tests/_report.py)."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator

import pytest

from . import _report


@pytest.fixture
def clean() -> Iterator[None]:
    """This test's own empty counts (the session's are put back after it)."""
    saved_tallies = {k: collections.Counter(v) for k, v in _report.TALLIES.items()}
    saved_lines = list(_report.LINES)
    _report.TALLIES.clear()
    _report.LINES.clear()
    yield
    _report.TALLIES.clear()
    _report.TALLIES.update(saved_tallies)
    _report.LINES[:] = saved_lines


@pytest.mark.usefixtures("clean")
def test_worker_counts_are_summed_and_maxima_kept() -> None:
    worker_a = {
        "tallies": {"faults": {"tried": 3}, "bombs": {"over_kib": 5, "encodings": 6}},
        "lines": ["contract: a"],
    }
    worker_b = {
        "tallies": {"faults": {"tried": 4, "escapes": 0}, "bombs": {"over_kib": 2, "encodings": 6}},
        "lines": [],
    }
    _report.merge(json.dumps(worker_a))
    _report.merge(json.dumps(worker_b))
    assert _report.TALLIES["faults"] == {"tried": 7, "escapes": 0}
    assert _report.TALLIES["bombs"] == {"over_kib": 5, "encodings": 6}
    lines = _report.summary()
    assert lines[0].startswith("FAULT MATRIX: 7 faults tried, 0 escapes")
    assert "6 encodings" in lines[1] and "limit + 5 KiB" in lines[1]
    assert lines[-1] == "contract: a"


@pytest.mark.usefixtures("clean")
def test_export_round_trips() -> None:
    _report.tally("retries")["scenarios"] += 2
    _report.LINES.append("contract: b")
    exported = _report.export()
    _report.TALLIES.clear()
    _report.LINES.clear()
    _report.merge(exported)
    assert _report.TALLIES["retries"]["scenarios"] == 2
    assert _report.summary() == [
        "RETRIES: 2 scenarios, 0 requests counted at the transport, 0 sleeps recorded, "
        "0 mismatches",
        "contract: b",
    ]
