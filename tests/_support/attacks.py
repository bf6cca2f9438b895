"""The round-2 runtime attacks' tally: the loopback listener, the stores, polling
deadlines and revoked-token races (issue 23), counted per surface."""

from __future__ import annotations

from .._report import tally

__all__ = ["SURFACES", "runtime_attack"]

SURFACES = ("listener", "stores", "polling", "concurrency")


def runtime_attack(surface: str, succeeded: bool, count: int = 1) -> None:
    """Count ``count`` attacks on ``surface``; none may have succeeded."""
    assert surface in SURFACES, surface
    counts = tally("runtime")
    counts["attacks"] += count
    counts[surface] += count
    counts["succeeded"] += count if succeeded else 0
    assert not succeeded, f"an attack on the {surface} succeeded"
