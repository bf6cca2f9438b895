"""Cold ``import ath`` in a fresh interpreter: ours against the public ath-sdk 0.1.0,
and against cold ``import httpx2`` in the same (runtime-deps-only) venv.

The figure is the wall time of ``python -I -c "import ath"`` minus that of
``python -I -c "pass"`` (median of each over ``runs`` launches), for each virtual
environment's own interpreter. Launches alternate between the interpreters (the
order rotating every run) so that a busy moment of the machine hits all of them.
Everything runs from an empty temporary folder with ``-I``, so that no interpreter
can pick up another's ``ath``. A first, untimed launch of each writes the bytecode
caches (as pip does when it installs a package), PYTHONDONTWRITEBYTECODE or not.
``-X importtime``'s cumulative figure for ``ath`` is kept alongside for reference.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench._proc import child_env, run_quiet
from bench._stats import Deadline, median

_TIMEOUT: Final = 60.0


@dataclass(frozen=True)
class ImportCost:
    """One interpreter + statement: the figure (seconds) and the wall times of the
    launches that ran the statement, in the order they were taken."""

    seconds: float
    samples: list[float]


def import_costs(
    launches: Mapping[str, tuple[str, str]], *, runs: int, deadline: Deadline
) -> dict[str, ImportCost]:
    """Per name, ``(python, statement)``: median(statement) - median(pass) over ``runs``
    launches of that interpreter each."""
    names = list(launches)
    samples: dict[str, dict[str, list[float]]] = {n: {"pass": [], "import": []} for n in names}
    with tempfile.TemporaryDirectory(prefix="ath-bench-import-") as empty:
        cwd = Path(empty)
        for python, statement in launches.values():
            run_quiet(
                [python, "-I", "-c", statement], timeout=_TIMEOUT, cwd=cwd, write_bytecode=True
            )
        for i in range(runs):
            deadline.check()
            shift = i % len(names)
            for name in names[shift:] + names[:shift]:
                python, statement = launches[name]
                codes = ("pass", "import") if i % 2 == 0 else ("import", "pass")
                for code in codes:
                    source = statement if code == "import" else "pass"
                    seconds = run_quiet([python, "-I", "-c", source], timeout=_TIMEOUT, cwd=cwd)
                    samples[name][code].append(seconds)
    return {
        name: ImportCost(max(median(s["import"]) - median(s["pass"]), 1e-6), s["import"])
        for name, s in samples.items()
    }


def importtime_us(python: str, module: str = "ath") -> float:
    """``-X importtime``'s cumulative microseconds for the top-level ``module`` (one launch)."""
    with tempfile.TemporaryDirectory(prefix="ath-bench-import-") as empty:
        done = subprocess.run(  # noqa: S603 - our own interpreters
            [python, "-I", "-X", "importtime", "-c", f"import {module}"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            cwd=empty,
            env=child_env(),
            timeout=_TIMEOUT,
            check=True,
        )
    pattern = re.compile(rf"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*{re.escape(module)}$", re.M)
    found = pattern.findall(done.stderr.decode(errors="replace"))
    return float(found[-1]) if found else float("nan")
