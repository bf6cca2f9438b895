"""Start-up of the ``ath`` command line: ``ath --version`` in a fresh process against
``python -c "import httpx2"`` (the least any HTTP command line in Python pays).

Both are whole wall times of a new process (interpreter start included), median over
``runs`` launches each, alternating which goes first so that a busy moment of the
machine hits both. One untimed launch of each first writes the bytecode caches.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench._proc import run_quiet
from bench._stats import Deadline

_TIMEOUT = 60.0


def console_script() -> Path:
    script = Path(sys.executable).with_name("ath")
    if not script.is_file():
        raise RuntimeError(
            f"no ath console script beside {sys.executable}: `make venv` installs the cli extra"
        )
    return script


def startup_costs(*, runs: int, deadline: Deadline) -> dict[str, list[float]]:
    """Seconds of each launch of ``ath --version`` ("cli") and of ``import httpx2``
    ("httpx2"), in the order they ran (the caller takes medians and the noise)."""
    commands = {
        "cli": [str(console_script()), "--version"],
        "httpx2": [sys.executable, "-c", "import httpx2"],
    }
    for cmd in commands.values():
        run_quiet(cmd, timeout=_TIMEOUT, write_bytecode=True)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(runs):
        deadline.check()
        order = list(commands) if i % 2 == 0 else list(reversed(commands))
        for name in order:
            samples[name].append(run_quiet(commands[name], timeout=_TIMEOUT))
    return samples
