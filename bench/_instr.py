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

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ath import generate_private_key
from bench._handshake import PROVIDER, SCOPES
from bench._proc import ROOT, child_env, run_json
from bench._stats import Deadline

if TYPE_CHECKING:
    from ath.testing import LocalStack

SCRIPT: Final = ROOT / "bench" / "instr_burst.py"
REPLAY: Final = ROOT / "bench" / "handshake_replay.py"
_REFS: Final = re.compile(r"I\s+refs:\s+([\d,]+)")


class NoValgrind(RuntimeError):
    """valgrind is not installed (Debian: ``apt-get install valgrind``)."""


def instructions(
    args: list[str],
    deadline: Deadline,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
) -> int:
    """Instructions the interpreter ran for ``python args...`` under cachegrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise NoValgrind("valgrind is not installed; apt-get install valgrind")
    done = subprocess.run(  # noqa: S603 - valgrind running our own interpreter and script
        [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         python, *args],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT,
        env=child_env() if env is None else env, timeout=max(deadline.left(), 1.0),
        check=False,
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


@dataclass(frozen=True)
class HandshakeInstr:
    """Instructions per register + authorize + token of each SDK (replayed answers)."""

    ours: float
    peer: float

    @property
    def ratio(self) -> float:
        return self.ours / self.peer


def handshake_instructions(
    stack: LocalStack, peer_python: str, *, round_no: int, count: int, deadline: Deadline
) -> HandshakeInstr:
    """Each SDK's instructions per handshake against recorded answers
    (``bench/handshake_replay.py``): ``count`` handshakes minus ``count`` constructions,
    each run after one real handshake (recorded) and three replayed ones.

    The two counted runs of a side start alike: a first run without valgrind writes the
    bytecode caches both then read (compiling the SDK's sources is most of a start-up,
    and would be counted in whichever run compiled them), and string hashing is fixed
    (``PYTHONHASHSEED``), so what a start-up costs does not vary between them."""
    env = child_env({"PYTHONHASHSEED": "0"}, write_bytecode=True)
    per: dict[str, float] = {}
    for side, python in (("ours", sys.executable), ("peer", peer_python)):
        counts: dict[bool, int] = {}
        for handshakes in (None, True, False):
            pem = generate_private_key()
            name = f"bench-instr-r{round_no}-{side}-{handshakes}".lower()
            config = {
                "gateway_url": stack.gateway_url,
                "provider": PROVIDER,
                "scopes": list(SCOPES),
                "agent_id": stack.host_agent(pem, name=name),
                "pem": pem,
                "warmup": 3,
                "count": count if handshakes is not None else 0,
                "handshakes": bool(handshakes),
            }
            args = ["-I", str(REPLAY), json.dumps(config)]
            if handshakes is None:  # the uncounted first run: bytecode caches written
                run_json([python, *args], timeout=max(deadline.left(), 1.0), cwd=ROOT, env=env)
            else:
                counts[handshakes] = instructions(args, deadline, python=python, env=env)
        per[side] = (counts[True] - counts[False]) / count
    return HandshakeInstr(per["ours"], per["peer"])
