"""Statistics and the pass/fail rule: onesdk must not be slower than one-api.

Everything here is pure (no processes, no clocks) so the rule itself is unit-tested.

The rule compares the *median* of each client's samples, measured in the same run on the same
files. A ratio above 1.0 is a failure; there is no tolerance band. Noise is handled by taking
enough samples (the child repeats fast operations hundreds of times) and by the harness
measuring a suspect operation again and pooling the samples (see ``needs_confirmation``),
never by accepting a slower median.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CANDIDATE = "onesdk"
REFERENCE = "one-api"


@dataclass(frozen=True)
class Comparison:
    """The candidate's median time against the reference's for one operation."""

    op: str
    candidate_s: float
    reference_s: float
    n_candidate: int
    n_reference: int

    @property
    def ratio(self) -> float:
        """candidate / reference: below 1 means the candidate is faster."""
        if self.reference_s <= 0.0:
            return math.inf if self.candidate_s > 0.0 else 1.0
        return self.candidate_s / self.reference_s

    @property
    def slower(self) -> bool:
        return self.ratio > 1.0


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("samples: expected at least one measurement, got none")
    return float(statistics.median(samples))


def compare(op: str, candidate: Sequence[float], reference: Sequence[float]) -> Comparison:
    """Compare the medians of two sample sets of the same operation."""
    return Comparison(op, median(candidate), median(reference), len(candidate), len(reference))


def needs_confirmation(comparisons: Iterable[Comparison]) -> list[str]:
    """Operations whose candidate median is slower: measure them again before judging."""
    return [c.op for c in comparisons if c.slower]


def failures(comparisons: Iterable[Comparison], errors: Mapping[str, str]) -> list[str]:
    """Human-readable reasons the run fails: a slower median, or an operation that errored.

    ``errors`` maps an operation to the candidate's error message; an operation that only
    the reference fails on is not the candidate's failure and is not in ``errors``.
    """
    out = [
        f"{c.op}: onesdk median {c.candidate_s:.6g} s is slower than one-api "
        f"{c.reference_s:.6g} s (ratio {c.ratio:.3f})"
        for c in comparisons
        if c.slower
    ]
    out += [f"{op}: onesdk failed: {message}" for op, message in sorted(errors.items())]
    return out


def growth_exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Least-squares slope of log(time) against log(size): 1.0 is linear growth."""
    if len(sizes) != len(times) or len(sizes) < 2:
        raise ValueError("sizes, times: expected two or more paired measurements")
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0.0:
        raise ValueError("sizes: expected at least two distinct sizes")
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
