"""Spike counts and firing rates per cluster, on every probe of the ephys sessions."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import onesdk


@dataclass(frozen=True)
class ProbeUnits:
    probe: str
    #: spikes per cluster, indexed by cluster id
    counts: npt.NDArray[np.int64]
    #: mean firing rate per cluster over the recording, in Hz
    rates: npt.NDArray[np.float64]
    #: depth of each cluster along the probe, in micrometres
    depths: npt.NDArray[np.float64]

    @property
    def n_clusters(self) -> int:
        return int(self.counts.size)


def main(cache_dir: Path) -> dict[str, list[ProbeUnits]]:
    """For each session with spikes (keyed by its eid), the units of each of its probes."""
    one = onesdk.One(cache_dir=cache_dir, mode="local")
    results: dict[str, list[ProbeUnits]] = {}
    for eid in one.search(datasets=["spikes.times.npy", "spikes.clusters.npy"]):
        units: list[ProbeUnits] = []
        for collection in sorted(one.list_collections(eid, collection="alf/probe*")):
            spikes = one.load_object(eid, "spikes", collection=collection)
            clusters = one.load_object(eid, "clusters", collection=collection)
            times = np.asarray(spikes.array("times"), dtype=np.float64)
            ids = np.asarray(spikes.array("clusters"), dtype=np.int64)
            depths = np.asarray(clusters.array("depths"), dtype=np.float64)
            counts = np.bincount(ids, minlength=depths.size).astype(np.int64)
            duration = float(times.max() - times.min())
            units.append(
                ProbeUnits(
                    probe=collection.rsplit("/", 1)[-1],
                    counts=counts,
                    rates=counts / duration,
                    depths=depths,
                )
            )
        results[str(eid)] = units
    return results


if __name__ == "__main__":
    for eid, probes in main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/sample")
    ).items():
        for unit in probes:
            top = int(np.argmax(unit.rates))
            print(
                f"{eid} {unit.probe}: {unit.n_clusters} clusters, "
                f"{int(unit.counts.sum())} spikes, fastest cluster {top} at "
                f"{unit.rates[top]:.1f} Hz, depth {unit.depths[top]:.0f} um"
            )
