"""Repeated measurements reduced to a median and its spread."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Rate:
    """Operations per second over repetitions; the median is the figure, min/max its spread."""

    name: str
    unit: str
    bar: float | None = None
    samples: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, operations: int, seconds: float) -> None:
        self.samples.append(operations / seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def verdict(self) -> str:
        if self.bar is None:
            return ""
        return "meets bar" if self.median >= self.bar else "MISSES bar"

    def in_order(self) -> str:
        """The samples as measured: a steady drift (not noise) shows up here, not in a median."""
        return "runs in order: " + ", ".join(f"{v:,.0f}" for v in self.samples)

    def line(self) -> str:
        low, high = min(self.samples), max(self.samples)
        bar = f"  (bar {self.bar:,.0f}: {self.verdict()})" if self.bar is not None else ""
        return (
            f"{self.name:<48} {self.median:>8,.0f} {self.unit}  "
            f"[min {low:,.0f}, max {high:,.0f}, n={len(self.samples)}]{bar}"
        )
