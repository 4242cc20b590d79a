"""Pin a revision for a reproducible analysis, and record exactly which files were used.

A revision (``#2024-01-01#``) is a re-extraction of some datasets. Loading without ``revision``
gives each dataset's *default* revision, which can change when a new one is released; pinning
``revision=`` makes the analysis load the same files forever.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import onesdk

DATASET = "_ibl_trials.stimOn_times.npy"
PINNED = "2024-01-01"


@dataclass(frozen=True)
class Pinned:
    revisions: list[str]
    #: stimulus onsets from the default revision, the pinned one and the newest one
    default: npt.NDArray[np.float64]
    pinned: npt.NDArray[np.float64]
    newest: npt.NDArray[np.float64]
    #: the datasets a pinned analysis used: rel_path -> file size in bytes
    manifest: dict[str, int]


def _stim_on(one: onesdk.One, eid: str, revision: str | None) -> npt.NDArray[np.float64]:
    trials = one.load_object(eid, "trials", collection="alf", revision=revision)
    return np.asarray(trials.array("stimOn_times"), dtype=np.float64)


def main(cache_dir: Path, session: str = "cortexlab/Subjects/KS051/2024-03-05/001") -> Pinned:
    one = onesdk.One(cache_dir=cache_dir, mode="local")
    revisions = sorted(one.list_revisions(session, filename=DATASET))
    frame = one.list_datasets(session, collection="alf", revision=PINNED, details=True)
    manifest = {
        str(rel_path): int(size)
        for rel_path, size in zip(frame["rel_path"], frame["file_size"], strict=True)
        if str(rel_path).startswith("alf/")
    }
    return Pinned(
        revisions=revisions,
        default=_stim_on(one, session, None),
        pinned=_stim_on(one, session, PINNED),
        newest=_stim_on(one, session, revisions[-1]),
        manifest=dict(sorted(manifest.items())),
    )


if __name__ == "__main__":
    result = main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample"))
    print(f"revisions of {DATASET}: {result.revisions}")
    same = np.array_equal(result.default, result.pinned)
    print(f"default revision is {PINNED}: {same}")
    shift = float(np.max(np.abs(result.newest - result.pinned))) * 1000
    print(f"newest revision moves stimulus onsets by up to {shift:.1f} ms")
    print(f"pinned manifest: {len(result.manifest)} files")
