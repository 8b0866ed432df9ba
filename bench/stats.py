"""Repeated measurements reduced to a median and its spread: rates, and delays by percentile."""

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

    def misses(self) -> bool:
        return self.bar is not None and self.median < self.bar

    def verdict(self) -> str:
        if self.bar is None:
            return ""
        return "MISSES bar" if self.misses() else "meets bar"

    def in_order(self) -> str:
        """The samples as measured: a steady drift (not noise) shows up here, not in a median."""
        return "runs in order: " + ", ".join(f"{v:,.0f}" for v in self.samples)

    def line(self) -> str:
        low, high = min(self.samples), max(self.samples)
        bar = f"  (bar {self.bar:,.0f}: {self.verdict()})" if self.bar is not None else ""
        return (
            f"{self.name:<56} {self.median:>8,.0f} {self.unit}  "
            f"[min {low:,.0f}, max {high:,.0f}, n={len(self.samples)}]{bar}"
        )


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (linear between neighbours)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Latency:
    """Delays in ms over repetitions: each repetition's p50 and p99, and the median of those.

    The bar is on the p99 and is a ceiling: lower is better, unlike a rate."""

    name: str
    bar_p99: float | None = None
    repetitions: list[list[float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, delays_ms: list[float]) -> None:
        self.repetitions.append(delays_ms)

    def _each(self, share: float) -> list[float]:
        return [percentile(r, share) for r in self.repetitions]

    @property
    def p50(self) -> float:
        return statistics.median(self._each(0.50))

    @property
    def p99(self) -> float:
        return statistics.median(self._each(0.99))

    def misses(self) -> bool:
        return self.bar_p99 is not None and self.p99 >= self.bar_p99

    def verdict(self) -> str:
        return "MISSES bar" if self.misses() else "meets bar"

    def in_order(self) -> str:
        pairs = zip(self._each(0.50), self._each(0.99), strict=True)
        return "runs in order (p50/p99 ms): " + ", ".join(f"{a:,.0f}/{b:,.0f}" for a, b in pairs)

    def line(self) -> str:
        p99s = self._each(0.99)
        worst = max(max(r) for r in self.repetitions)
        bar = f"  (bar p99 < {self.bar_p99:,.0f} ms: {self.verdict()})" if self.bar_p99 else ""
        return (
            f"{self.name:<56} p50 {self.p50:>6,.0f} ms, p99 {self.p99:>6,.0f} ms  "
            f"[p99 min {min(p99s):,.0f}, max {max(p99s):,.0f}; worst {worst:,.0f}; "
            f"n={len(self.repetitions)}x{len(self.repetitions[0])}]{bar}"
        )
