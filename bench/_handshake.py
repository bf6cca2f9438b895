"""register -> authorize -> consent -> token against the local stack: ours vs ath-sdk 0.1.0.

The stack runs in this (otherwise idle) process. Each SDK runs
``bench/handshake_driver.py`` in its own interpreter; both drivers stay up for a
round and are fed freshly hosted agents (one per handshake: a registration is once
per agent) alternately, the order flipping every handshake, so that both SDKs meet
the machine in the same state.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ath import generate_private_key
from ath.testing import LocalStack
from bench._proc import ROOT, JsonLineChild
from bench._stats import Deadline, median, ratio_noise

DRIVER: Final = ROOT / "bench" / "handshake_driver.py"
PROVIDER: Final = "github"
SCOPES: Final = ("read:user",)
_STEP_TIMEOUT: Final = 30.0


@dataclass(frozen=True)
class HandshakeRound:
    ours: dict[str, list[float]]
    peer: dict[str, list[float]]
    peer_version: str

    def ratio(self, step: str = "total") -> float:
        return median(self.ours[step]) / median(self.peer[step])

    def noise(self, step: str = "total") -> float:
        """:func:`ratio_noise` of both SDKs' samples of ``step`` (taken alternately)."""
        return ratio_noise(self.ours[step], self.peer[step])


def handshake_round(
    stack: LocalStack,
    peer_python: str,
    *,
    round_no: int,
    count: int,
    warmup: int,
    deadline: Deadline,
) -> HandshakeRound:
    """``count`` timed handshakes per SDK, alternating, after ``warmup`` untimed ones."""
    config = {
        "gateway_url": stack.gateway_url,
        "provider": PROVIDER,
        "scopes": list(SCOPES),
        "max_seconds": max(deadline.left(), 1.0) + 10,
        "max_handshakes": count + warmup,
    }
    pythons = {"ours": sys.executable, "peer": peer_python}
    samples: dict[str, dict[str, list[float]]] = {"ours": {}, "peer": {}}
    serial = 0

    def fresh_agent(side: str) -> dict[str, str]:
        nonlocal serial
        serial += 1
        pem = generate_private_key()
        name = f"bench-r{round_no}-{side}-{serial}"
        return {"agent_id": stack.host_agent(pem, name=name), "pem": pem}

    with tempfile.TemporaryDirectory(prefix="ath-bench-hs-") as empty:
        drivers: dict[str, JsonLineChild] = {}
        try:
            for side, python in pythons.items():
                cmd = [python, "-I", str(DRIVER), json.dumps(config)]
                drivers[side] = JsonLineChild(cmd, cwd=Path(empty), what=f"{side} driver")
            versions = {side: d.read(_STEP_TIMEOUT)["version"] for side, d in drivers.items()}
            for i in range(warmup + count):
                deadline.check()
                order = ("ours", "peer") if (i + round_no) % 2 == 0 else ("peer", "ours")
                for side in order:
                    timing = drivers[side].ask(fresh_agent(side), _STEP_TIMEOUT)
                    if i >= warmup:
                        for step, seconds in timing.items():
                            samples[side].setdefault(step, []).append(float(seconds))
        finally:
            for driver in drivers.values():
                driver.close()
    return HandshakeRound(samples["ours"], samples["peer"], str(versions["peer"]))


@dataclass(frozen=True)
class ConstructRound:
    """Seconds per new client, each side's samples in the order they were taken."""

    ours: list[float]
    peer: list[float]

    @property
    def ratio(self) -> float:
        return median(self.ours) / median(self.peer)

    @property
    def noise(self) -> float:
        return ratio_noise(self.ours, self.peer)


def construct_round(
    gateway_url: str,
    peer_python: str,
    *,
    round_no: int,
    batches: int,
    batch: int,
    deadline: Deadline,
) -> ConstructRound:
    """``batches`` x ``batch`` client constructions per SDK, batches alternating (the
    order flipping every batch) after one untimed batch each; one agent key for all."""
    config = {
        "gateway_url": gateway_url,
        "provider": PROVIDER,
        "scopes": list(SCOPES),
        "max_seconds": max(deadline.left(), 1.0) + 10,
        "max_handshakes": batches + 1,
    }
    pem = generate_private_key()
    agent = {"agent_id": gateway_url + "/agents/bench-construct", "pem": pem}
    samples: dict[str, list[float]] = {"ours": [], "peer": []}
    with tempfile.TemporaryDirectory(prefix="ath-bench-construct-") as empty:
        drivers: dict[str, JsonLineChild] = {}
        try:
            for side, python in {"ours": sys.executable, "peer": peer_python}.items():
                cmd = [python, "-I", str(DRIVER), json.dumps(config)]
                drivers[side] = JsonLineChild(cmd, cwd=Path(empty), what=f"{side} driver")
            for driver in drivers.values():
                driver.read(_STEP_TIMEOUT)
                driver.ask({**agent, "construct": batch}, _STEP_TIMEOUT)  # warm-up
            for i in range(batches):
                deadline.check()
                order = ("ours", "peer") if (i + round_no) % 2 == 0 else ("peer", "ours")
                for side in order:
                    answer = drivers[side].ask({**agent, "construct": batch}, _STEP_TIMEOUT)
                    samples[side].extend(float(v) for v in answer["construct"])
        finally:
            for driver in drivers.values():
                driver.close()
    return ConstructRound(samples["ours"], samples["peer"])
