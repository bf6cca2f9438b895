"""CPU cost as instruction counts: what timing noise hides on 2 shared cores.

Valgrind's cachegrind (``--cache-sim=no``: instruction counting only) runs the client
process alone; the server is another process and is not counted. An instruction count
does not depend on the machine's load, so one run per side is a figure (``noise`` 0);
what does vary between runs (the event loop's wake-ups as the server's answers arrive
at other moments) is a few tenths of a percent. Each side runs with 0 calls and with
the burst: the difference is the burst's cost, interpreter start-up and warm-up
cancelled. Without valgrind on the machine the section is recorded as failed, with
that reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Final

from bench._proc import ROOT, child_env
from bench._stats import Deadline

SCRIPT: Final = ROOT / "bench" / "instr_burst.py"
_REFS: Final = re.compile(r"I\s+refs:\s+([\d,]+)")


class NoValgrind(RuntimeError):
    """valgrind is not installed (Debian: ``apt-get install valgrind``)."""


def instructions(args: list[str], deadline: Deadline) -> int:
    """Instructions the interpreter ran for ``python args...`` under cachegrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise NoValgrind("valgrind is not installed; apt-get install valgrind")
    done = subprocess.run(  # noqa: S603 - valgrind running our own interpreter and script
        [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, *args],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT,
        env=child_env(), timeout=max(deadline.left(), 1.0), check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"cachegrind run {args[1:]} exited {done.returncode}: "
                           f"{done.stderr[-1500:]}")  # fmt: skip
    found = _REFS.findall(done.stderr)
    if not found:
        raise RuntimeError(f"cachegrind printed no instruction count: {done.stderr[-800:]}")
    return int(found[-1].replace(",", ""))


@dataclass(frozen=True)
class InstrRound:
    """Instructions per call of each side: the SDK (on httpx2, and on its aiohttp
    engine), raw httpx2, raw aiohttp."""

    ours: float
    base: float
    aiohttp: float
    ours_aiohttp: float

    @property
    def ratio(self) -> float:
        return self.ours / self.base

    @property
    def vs_aiohttp(self) -> float:
        return self.ours / self.aiohttp

    @property
    def aiohttp_engine_vs_aiohttp(self) -> float:
        return self.ours_aiohttp / self.aiohttp


def proxy_async_instructions(url: str, *, concurrency: int, deadline: Deadline) -> InstrRound:
    """Instructions per call of ``concurrency`` concurrent proxy() calls: ours (on httpx2
    and on aiohttp), raw httpx2 and raw aiohttp."""
    per_call: dict[str, float] = {}
    for side in ("ours", "raw", "aiohttp", "ours_aiohttp"):
        idle = instructions([str(SCRIPT), url, side, "0"], deadline)
        busy = instructions([str(SCRIPT), url, side, str(concurrency)], deadline)
        per_call[side] = (busy - idle) / concurrency
    return InstrRound(
        per_call["ours"], per_call["raw"], per_call["aiohttp"], per_call["ours_aiohttp"]
    )
