"""The steps of docs/locks.md, on the embedded sample: pin, load pinned, review, upgrade."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import onesdk
from onesdk import Lock, One
from onesdk._sample import make_sample


def test_the_guide_pins_loads_reviews_and_upgrades(tmp_path: Path) -> None:
    sample = make_sample(tmp_path / "sample", n_trials=20)
    one = onesdk.ONE(cache_dir=sample.root, mode="local")
    assert isinstance(one, One)
    eids = one.search(subject="KS051")
    lock = one.lock(eids, ["trials.stimOn_times", "trials.choice"], collection="alf")
    lock.save(tmp_path / "analysis.lock")
    assert len(lock.datasets) == 2 * len(eids)
    assert all(d.md5 is not None for d in lock.datasets)  # hashed from the files: no hash column

    lock = Lock.load(tmp_path / "analysis.lock")
    pinned = [d.rel_path for d in lock.datasets_of(eids[0])]
    with one.locked(lock):
        stim_on = one.load_dataset(eids[0], "trials.stimOn_times")
        trials = one.load_object(eids[0], "trials", collection="alf")
    assert isinstance(stim_on, np.ndarray)
    assert sorted(trials) == ["choice", "stimOn_times"]
    assert lock.diff(one) == []

    # a release makes the newest stimOn_times revision the default of every session
    tables = sample.root / "datasets.pqt"
    frame = pd.read_parquet(tables)
    stim = frame["rel_path"].str.endswith("_ibl_trials.stimOn_times.npy")
    frame.loc[stim, "default_revision"] = frame.loc[stim, "rel_path"].str.contains("2024-06-01")
    frame.to_parquet(tables)
    one = onesdk.ONE(cache_dir=sample.root, mode="local")
    assert {c.kind for c in lock.diff(one)} == {"revision_moved"}
    with one.locked(lock):
        assert one.load_dataset(eids[0], "trials.stimOn_times", download_only=True).match(
            pinned[0] if "stimOn" in pinned[0] else pinned[1]
        )

    asked = lock.request
    new = one.lock(lock.eids, asked.datasets, collection=asked.collection, revision=asked.revision)
    new.save(tmp_path / "analysis.lock")
    assert new.diff(one) == []
    changed = set(lock.dumps().splitlines()) ^ set(new.dumps().splitlines())
    assert any("stimOn_times" in line for line in changed)
    assert all("stimOn_times" in line or '"digest"' in line for line in changed)
