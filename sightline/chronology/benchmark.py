"""Figures for the chronology benchmark. Pure: no Django imports."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    name: str
    median_ms: float
    p95_ms: float
    samples: int


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of values at or below it."""
    if not values:
        raise ValueError("no values")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def summarise(name: str, seconds: Sequence[float]) -> Timing:
    millis = [s * 1000 for s in seconds]
    return Timing(name, statistics.median(millis), percentile(millis, 0.95), len(millis))
