"""Load each session's trials and compute performance and reaction times."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import onesdk
from onesdk.alf.io import AlfBunch

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Performance:
    n_trials: int
    #: fraction of rewarded trials
    correct: float
    #: fraction of rewarded trials among high-contrast (>= 50 %) stimuli
    correct_easy: float
    #: median time from stimulus onset to response, in seconds
    median_reaction_time: float


def floats(trials: AlfBunch, attribute: str) -> Floats:
    """An attribute as a float array (NaN where a side had no stimulus)."""
    return np.asarray(trials.array(attribute), dtype=np.float64)


def performance(trials: AlfBunch) -> Performance:
    rewarded: npt.NDArray[np.bool_] = np.equal(floats(trials, "feedbackType"), 1)
    contrast: Floats = np.fmax(
        np.nan_to_num(floats(trials, "contrastLeft")),
        np.nan_to_num(floats(trials, "contrastRight")),
    )
    easy = contrast >= 0.5
    reaction = floats(trials, "response_times") - floats(trials, "stimOn_times")
    return Performance(
        n_trials=int(rewarded.size),
        correct=float(rewarded.mean()),
        correct_easy=float(rewarded[easy].mean()),
        median_reaction_time=float(np.median(reaction)),
    )


def main(cache_dir: Path) -> dict[str, Performance]:
    """Performance of every session with trials, keyed by experiment reference."""
    one = onesdk.One(cache_dir=cache_dir, mode="local")
    eids, sessions = one.search(details=True, datasets=["_ibl_trials.feedbackType.npy"])
    results: dict[str, Performance] = {}
    for eid, session in zip(eids, sessions, strict=True):
        trials = one.load_object(eid, "trials", collection="alf")
        ref = f"{session.date.isoformat()}_{session.number}_{session.subject}"
        results[ref] = performance(trials)
    return dict(sorted(results.items()))


if __name__ == "__main__":
    for ref, perf in main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample")).items():
        print(
            f"{ref:28s} {perf.n_trials:4d} trials  {perf.correct:5.1%} correct  "
            f"{perf.correct_easy:5.1%} on easy trials  RT {perf.median_reaction_time:.2f} s"
        )
