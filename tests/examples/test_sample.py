"""The embedded sample: deterministic, complete, and described correctly by its cache tables."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from onesdk._sample import DEFAULT_REVISION, REVISIONS, Sample, make_sample, write_sample
from onesdk.errors import ArgumentError


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "Subjects" in p.parts
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_sample(tmp_path_factory.mktemp("sample"), seed=3, n_trials=40)


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    write_sample(tmp_path / "a", seed=5, n_trials=30)
    write_sample(tmp_path / "b", seed=5, n_trials=30)
    write_sample(tmp_path / "c", seed=6, n_trials=30)
    a, b, c = (digests(tmp_path / n) for n in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert a != c


def test_no_temporary_files_are_left(sample: Sample) -> None:
    # (a cache lock file may stay: it is how concurrent processes take turns, not a leftover)
    leftovers = [
        p
        for p in sample.root.rglob("*")
        if p.suffix in (".part", ".tmp") or (p.name.startswith(".") and p.suffix != ".lock")
    ]
    assert leftovers == []


def test_layout_has_labs_probes_and_revisions(sample: Sample) -> None:
    assert len({s.lab for s in sample.sessions}) == 3
    assert len(sample.sessions) == 6
    for session in sample.sessions:
        path = sample.session_path(session)
        assert path.relative_to(sample.root).as_posix() == session.rel_path
        assert (path / "alf" / "_ibl_trials.choice.npy").is_file()
        assert (path / "alf" / "_ibl_wheel.position.npy").is_file()
        for revision in REVISIONS:
            assert (path / "alf" / f"#{revision}#" / "_ibl_trials.stimOn_times.npy").is_file()
        probes = sorted(p.name for p in (path / "alf").glob("probe*"))
        assert probes == list(session.probes)
    assert any(len(s.probes) == 2 for s in sample.sessions)


def test_trial_attributes_have_one_row_per_trial(sample: Sample) -> None:
    for session in sample.sessions:
        alf = sample.session_path(session) / "alf"
        lengths = {p.name: np.load(p).shape[0] for p in alf.glob("_ibl_trials.*.npy")}
        assert set(lengths.values()) == {session.n_trials}, lengths
        intervals = np.load(alf / "_ibl_trials.intervals.npy")
        assert (intervals[:, 1] > intervals[:, 0]).all()
        assert (np.diff(intervals[:, 0]) > 0).all()


def test_spike_clusters_index_the_clusters(sample: Sample) -> None:
    for session in sample.sessions:
        for probe in session.probes:
            folder = sample.session_path(session) / "alf" / probe
            times = np.load(folder / "spikes.times.npy")
            clusters = np.load(folder / "spikes.clusters.npy")
            depths = np.load(folder / "clusters.depths.npy")
            assert times.shape == clusters.shape
            assert (np.diff(times) >= 0).all()
            assert clusters.max() < depths.size


def test_cache_tables_carry_qc_default_revisions_and_protocols(sample: Sample) -> None:
    sessions = pd.read_parquet(sample.root / "sessions.pqt")
    datasets = pd.read_parquet(sample.root / "datasets.pqt").reset_index()
    assert len(sessions) == len(sample.sessions)
    assert sorted(sessions["task_protocol"]) == sorted(s.task_protocol for s in sample.sessions)
    stim = datasets[datasets["rel_path"].str.endswith("_ibl_trials.stimOn_times.npy")]
    defaults = stim[stim["default_revision"].astype(bool)]["rel_path"]
    assert set(defaults) == {f"alf/#{DEFAULT_REVISION}#/_ibl_trials.stimOn_times.npy"}
    assert (stim["default_revision"].astype(bool)).sum() == len(sample.sessions)
    assert set(datasets["qc"].astype(str)) == {"NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL"}
    assert len(datasets) == sum(1 for _ in sample.root.rglob("*.*") if "Subjects" in _.parts)


def test_too_few_trials_is_an_argument_error(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="n_trials"):
        write_sample(tmp_path, n_trials=5)


def test_files_get_the_usual_permissions(sample: Sample) -> None:
    umask = os.umask(0)
    os.umask(umask)
    expected = 0o666 & ~umask
    modes = {stat.S_IMODE(p.stat().st_mode) for p in sample.root.rglob("*.npy")}
    assert modes == {expected}
