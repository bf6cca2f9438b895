"""Summaries of repeated rounds, and the time bounds every loop obeys."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def summary(values: Sequence[float]) -> dict[str, Any]:
    """``median``, ``min``, ``max`` and every round's value."""
    if not values:
        raise ValueError("no values to summarise")
    return {
        "median": float(statistics.median(values)),
        "min": float(min(values)),
        "max": float(max(values)),
        "rounds": [float(v) for v in values],
    }


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("no samples")
    return float(statistics.median(values))


#: A round whose baseline drifted more than this (see :func:`drift`) is too noisy to count.
NOISE_LIMIT = 0.15


def drift(samples: Sequence[float], chunks: int = 5) -> float:
    """How much the baseline moved within one round: the samples, in the order they were
    taken, cut into ``chunks`` runs; the spread of the runs' medians over their median,
    ``(max - min) / median``. 0 when the machine ran at one speed all round; 0.3 when
    the baseline was 30 % slower in one part of the round than in another, which no
    ratio taken in that round can be trusted to within."""
    if not samples:
        raise ValueError("no samples")
    n = max(1, min(chunks, len(samples)))
    size = len(samples) / n
    medians = [median(samples[round(i * size) : round((i + 1) * size)]) for i in range(n)]
    middle = median(medians)
    return (max(medians) - min(medians)) / middle if middle > 0 else 0.0


def ratio_noise(ours: Sequence[float], base: Sequence[float], chunks: int = 5) -> float:
    """How far one round's ratio can be trusted: both sides' samples, in the order they
    were taken (interleaved, so chunk ``i`` of each side ran at the same time), cut into
    ``chunks`` runs; the ratio of each run's medians, ours over the baseline's; the
    spread of those ratios over their median, ``(max - min) / median``.

    Unlike :func:`drift`, a machine that slows down for both sides at once moves both
    medians of a run alike and leaves the ratio, and so this noise, where it was; what
    it measures is how much the ratio itself wandered within the round."""
    if not ours or not base:
        raise ValueError("no samples")
    n = max(1, min(chunks, len(ours), len(base)))
    ratios = []
    for i in range(n):
        mine = ours[round(i * len(ours) / n) : round((i + 1) * len(ours) / n)]
        theirs = base[round(i * len(base) / n) : round((i + 1) * len(base) / n)]
        ratios.append(median(mine) / median(theirs))
    middle = median(ratios)
    return (max(ratios) - min(ratios)) / middle if middle > 0 else 0.0


class BudgetExceeded(RuntimeError):
    """A measurement ran past its time bound."""


@dataclass
class Deadline:
    """A wall-clock bound for one measurement; loops call :meth:`check` as they go."""

    seconds: float
    what: str
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def expired(self) -> bool:
        return self.left() <= 0

    def check(self) -> None:
        if self.expired():
            raise BudgetExceeded(f"{self.what} ran past its {self.seconds:.0f}s bound")
