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
