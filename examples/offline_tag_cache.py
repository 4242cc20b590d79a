"""Freeze a data release as its own cache tables, then work from it offline.

A *tag cache* is a pair of cache tables listing only the datasets of one release (on Alyx, the
datasets carrying a tag such as ``2024_Q1_release``). Opening the data folder with those tables
shows collaborators exactly the release, and nothing needs a server. Here the release is the
trials of the brain-wide project's sessions, built from the full cache with pandas.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import onesdk

RELEASE = "brainwide_trials_2024"


@dataclass(frozen=True)
class Release:
    tables_dir: Path
    n_sessions: int
    n_datasets: int
    #: trial counts per session, loaded from the release tables only
    trials_per_session: dict[str, int]


def make_tag_cache(cache_dir: Path, out_dir: Path) -> Path:
    """Write sessions.pqt/datasets.pqt of the release into ``out_dir``; returns that folder."""
    one = onesdk.One(cache_dir=cache_dir, mode="local")
    eids, sessions = one.search(details=True, projects="brainwide")
    datasets = one.list_datasets(eids, collection="alf", details=True, keep_eid_index=True)
    in_release = datasets["rel_path"].astype(str).str.contains("_ibl_trials.")
    sessions_table = pd.DataFrame(
        {
            "lab": [s.lab for s in sessions],
            "subject": [s.subject for s in sessions],
            "date": [s.date for s in sessions],
            "number": [s.number for s in sessions],
            "task_protocol": [s.task_protocol for s in sessions],
            "projects": [",".join(s.projects) for s in sessions],
        },
        index=pd.Index([str(e) for e in eids], name="id"),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    sessions_table.to_parquet(out_dir / "sessions.pqt")
    datasets[in_release].to_parquet(out_dir / "datasets.pqt")
    return out_dir


def main(cache_dir: Path) -> Release:
    tables_dir = make_tag_cache(cache_dir, cache_dir / f"tag_{RELEASE}")
    # The data files stay where they are; only the tables differ. mode='local' never connects.
    release = onesdk.One(cache_dir=cache_dir, tables_dir=tables_dir, mode="local")
    eids, sessions = release.search(details=True)
    counts: dict[str, int] = {}
    for eid, session in zip(eids, sessions, strict=True):
        trials = release.load_object(eid, "trials", collection="alf", attribute=["choice"])
        counts[f"{session.date.isoformat()}_{session.number}_{session.subject}"] = int(
            trials.array("choice").size
        )
    return Release(
        tables_dir=tables_dir,
        n_sessions=len(eids),
        n_datasets=len(release.list_datasets()),
        trials_per_session=dict(sorted(counts.items())),
    )


if __name__ == "__main__":
    result = main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample"))
    print(
        f"release tables in {result.tables_dir}: "
        f"{result.n_sessions} sessions, {result.n_datasets} datasets"
    )
    for ref, n in result.trials_per_session.items():
        print(f"  {ref}: {n} trials")
