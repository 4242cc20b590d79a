"""A per-session statistic over every session of a project, computed on a Dask cluster.

Each worker process opens the instance once and loads its sessions' trials (downloading what
is missing into the shared cache dir, when the instance is connected to a server); the results
come back in the order of the sessions. Without a cluster address a LocalCluster is started on
this machine.

    python examples/project_statistic_dask.py demo-output/sample ibl_neuropixel_brainwide_01
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from distributed.client import Client
from distributed.deploy.local import LocalCluster

import onesdk
from onesdk.dask import map_sessions


@dataclass(frozen=True)
class SessionStatistic:
    eid: str
    n_trials: int
    #: fraction of rewarded trials
    correct: float


def fraction_correct(one: onesdk.One, eid: str) -> SessionStatistic:
    """Runs on a worker: the session's trials, reduced to one number."""
    trials = one.load_object(eid, "trials", collection="alf")
    feedback = np.asarray(trials.array("feedbackType"), dtype=np.float64)
    return SessionStatistic(eid, int(feedback.size), float((feedback == 1).mean()))


def main(cache_dir: Path, project: str, client: Client | None = None) -> list[SessionStatistic]:
    """The statistic of every session of ``project`` that has trials, newest first."""
    one = onesdk.One(cache_dir=cache_dir, mode="local")
    eids = [str(e) for e in one.search(projects=project, datasets="_ibl_trials.feedbackType.npy")]
    if client is not None:
        return map_sessions(one, eids, fraction_correct, client=client)
    # ":0": a free port for the dashboard (8787 may be another cluster's)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0")
    try:
        with Client(cluster) as local:
            return map_sessions(one, eids, fraction_correct, client=local)
    finally:
        cluster.close()


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample")
    name = sys.argv[2] if len(sys.argv) > 2 else "ibl_neuropixel_brainwide_01"
    for stat in main(root, name):
        print(f"{stat.eid}  {stat.n_trials:4d} trials  {stat.correct:5.1%} correct")
