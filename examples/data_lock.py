"""Pin the datasets an analysis reads in a lock file, check it for drift, and load through it.

The first run writes ``analysis.lock`` (commit it with the analysis); every later run loads it,
lists what changed in the cache since (a moved default revision, a removed or re-hashed
dataset, a QC change, a new dataset) and then reads exactly the pinned files, whatever the
cache's default revisions have become.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import onesdk

DATASETS = ["trials.stimOn_times", "trials.choice"]


@dataclass(frozen=True)
class Locked:
    #: True when this run wrote the lock file, False when it read an existing one
    created: bool
    #: the pinned files: rel_path -> md5
    pinned: dict[str, str]
    #: one line per change in the cache since the lock was made
    drift: list[str]
    #: stimulus onsets and choices of the first session, read through the lock
    stim_on: npt.NDArray[np.float64]
    choice: npt.NDArray[np.float64]


def main(cache_dir: Path, lock_file: Path, subject: str = "KS051") -> Locked:
    one = onesdk.One(cache_dir=cache_dir, mode="local")
    created = not lock_file.exists()
    if created:
        sessions = one.search(subject=subject)
        one.lock(sessions, DATASETS, collection="alf").save(lock_file)
    lock = onesdk.Lock.load(lock_file)
    drift = [str(change) for change in lock.diff(one)]
    first = lock.eids[0]
    with one.locked(lock):
        trials = one.load_object(first, "trials", collection="alf")
    return Locked(
        created=created,
        pinned={d.rel_path: d.md5 or "" for d in lock.datasets_of(first)},
        drift=drift,
        stim_on=np.asarray(trials.array("stimOn_times"), dtype=np.float64),
        choice=np.asarray(trials.array("choice"), dtype=np.float64),
    )


if __name__ == "__main__":
    cache = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample")
    result = main(cache, Path(sys.argv[2]) if len(sys.argv) > 2 else cache / "analysis.lock")
    print(f"{'wrote' if result.created else 'read'} the lock: {len(result.pinned)} files pinned")
    for line in result.drift or ["no drift since the lock was made"]:
        print(line)
    print(f"{len(result.stim_on)} trials, {float(np.mean(result.choice > 0)):.0%} rightward")
