"""Cold ``import ath`` in a fresh interpreter: ours against the public ath-sdk 0.1.0.

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
from pathlib import Path
from typing import Final

from bench._proc import child_env, run_quiet
from bench._stats import Deadline, median

_TIMEOUT: Final = 60.0
_IMPORTTIME: Final = re.compile(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*ath$", re.MULTILINE)


def import_costs(pythons: Mapping[str, str], *, runs: int, deadline: Deadline) -> dict[str, float]:
    """Seconds per interpreter: median(import ath) - median(pass) over ``runs`` launches."""
    names = list(pythons)
    samples: dict[str, dict[str, list[float]]] = {n: {"pass": [], "import": []} for n in names}
    with tempfile.TemporaryDirectory(prefix="ath-bench-import-") as empty:
        cwd = Path(empty)
        for python in pythons.values():
            run_quiet(
                [python, "-I", "-c", "import ath"], timeout=_TIMEOUT, cwd=cwd, write_bytecode=True
            )
        for i in range(runs):
            deadline.check()
            shift = i % len(names)
            for name in names[shift:] + names[:shift]:
                codes = ("pass", "import") if i % 2 == 0 else ("import", "pass")
                for code in codes:
                    source = "import ath" if code == "import" else "pass"
                    seconds = run_quiet(
                        [pythons[name], "-I", "-c", source], timeout=_TIMEOUT, cwd=cwd
                    )
                    samples[name][code].append(seconds)
    return {name: max(median(s["import"]) - median(s["pass"]), 1e-6) for name, s in samples.items()}


def importtime_us(python: str) -> float:
    """``-X importtime``'s cumulative microseconds for the top-level ``ath`` (one launch)."""
    with tempfile.TemporaryDirectory(prefix="ath-bench-import-") as empty:
        done = subprocess.run(  # noqa: S603 - our own interpreters
            [python, "-I", "-X", "importtime", "-c", "import ath"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            cwd=empty,
            env=child_env(),
            timeout=_TIMEOUT,
            check=True,
        )
    found = _IMPORTTIME.findall(done.stderr.decode(errors="replace"))
    return float(found[-1]) if found else float("nan")
