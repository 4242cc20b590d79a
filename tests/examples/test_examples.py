"""Every example runs on a freshly generated sample and finds what the sample holds.

Expected values come from the sample's own description and from reading its files with numpy,
never from the library code the examples exercise.
"""

from __future__ import annotations

import datetime
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from examples import (
    data_lock,
    offline_tag_cache,
    revision_pinning,
    search_sessions,
    spikes_per_cluster,
    trial_performance,
)
from onesdk._sample import REVISIONS, Sample, SampleSession, make_sample
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_sample(tmp_path_factory.mktemp("examples-sample"), seed=7, n_trials=60)


def ref(session: SampleSession) -> str:
    return f"{session.date.isoformat()}_{session.number}_{session.subject}"


def npy(sample: Sample, session: SampleSession, rel: str) -> npt.NDArray[np.float64]:
    return np.asarray(np.load(sample.session_path(session) / rel), dtype=np.float64)


def test_search_sessions_finds_the_brainwide_ephys_sessions(sample: Sample) -> None:
    found = search_sessions.main(sample.root)
    assert found.n_sessions == len(sample.sessions)
    labs = sorted({s.lab for s in sample.sessions})
    assert found.sessions_per_lab == {
        lab: sum(s.lab == lab for s in sample.sessions) for lab in labs
    }
    spring = (datetime.date(2024, 3, 1), datetime.date(2024, 4, 30))
    expected = sorted(
        ref(s)
        for s in sample.sessions
        if s.probes
        and any("brainwide" in p for p in s.projects)
        and spring[0] <= s.date <= spring[1]
    )
    assert [search_sessions.exp_ref(s) for s in found.ephys] == expected
    assert len(expected) >= 2
    history = sorted((s for s in sample.sessions if s.subject == "KS051"), key=lambda s: s.date)
    assert found.subject_history == [ref(s) for s in history]


def test_trial_performance_matches_the_files(sample: Sample) -> None:
    results = trial_performance.main(sample.root)
    assert sorted(results) == sorted(ref(s) for s in sample.sessions)
    for session in sample.sessions:
        perf = results[ref(session)]
        feedback = npy(sample, session, "alf/_ibl_trials.feedbackType.npy")
        assert perf.n_trials == session.n_trials == feedback.size
        assert perf.correct == pytest.approx(float(np.mean(feedback == 1)))
        assert 0.5 < perf.correct < 1.0
        assert perf.correct_easy >= perf.correct - 0.05  # easy trials are not harder
        assert 0.1 < perf.median_reaction_time < 5.0


def test_spikes_per_cluster_counts_every_spike_on_every_probe(sample: Sample) -> None:
    results = spikes_per_cluster.main(sample.root)
    ephys = [s for s in sample.sessions if s.probes]
    assert len(results) == len(ephys)
    by_probes = sorted(tuple(u.probe for u in units) for units in results.values())
    assert by_probes == sorted(s.probes for s in ephys)
    for session in ephys:
        totals = sorted(
            int(npy(sample, session, f"alf/{probe}/spikes.times.npy").size)
            for probe in session.probes
        )
        matches = [
            units
            for units in results.values()
            if sorted(int(u.counts.sum()) for u in units) == totals
        ]
        assert len(matches) == 1
        for unit in matches[0]:
            assert unit.n_clusters == unit.depths.size > 0
            assert (unit.rates >= 0).all()


def test_revision_pinning_loads_the_pinned_files(sample: Sample) -> None:
    session = sample.sessions[1]
    result = revision_pinning.main(sample.root, session.rel_path)
    assert result.revisions == ["", *REVISIONS]
    pinned = npy(sample, session, f"alf/#{REVISIONS[0]}#/_ibl_trials.stimOn_times.npy")
    newest = npy(sample, session, f"alf/#{REVISIONS[1]}#/_ibl_trials.stimOn_times.npy")
    np.testing.assert_array_equal(result.pinned, pinned)
    np.testing.assert_array_equal(result.default, pinned)  # the default is not the newest
    np.testing.assert_array_equal(result.newest, newest)
    assert f"alf/#{REVISIONS[0]}#/_ibl_trials.stimOn_times.npy" in result.manifest
    assert f"alf/#{REVISIONS[1]}#/_ibl_trials.stimOn_times.npy" not in result.manifest
    for rel_path, size in result.manifest.items():
        assert (sample.session_path(session) / rel_path).stat().st_size == size


def test_data_lock_reads_the_pinned_files_and_reports_a_moved_default(tmp_path: Path) -> None:
    sample = make_sample(tmp_path / "sample", seed=7, n_trials=30)
    lock_file = tmp_path / "analysis.lock"
    first = data_lock.main(sample.root, lock_file)
    session = min((s for s in sample.sessions if s.subject == "KS051"), key=ref)
    stim = f"alf/#{REVISIONS[0]}#/_ibl_trials.stimOn_times.npy"
    assert first.created
    assert sorted(first.pinned) == sorted([stim, "alf/_ibl_trials.choice.npy"])
    assert (
        first.pinned[stim]
        == hashlib.md5((sample.session_path(session) / stim).read_bytes()).hexdigest()
    )
    assert first.drift == []
    assert np.array_equal(first.stim_on, npy(sample, session, stim))

    tables = sample.root / "datasets.pqt"
    frame = pd.read_parquet(tables)
    stim_rows = frame["rel_path"].str.endswith("_ibl_trials.stimOn_times.npy")
    newest = frame["rel_path"].str.contains(REVISIONS[1], regex=False)
    frame.loc[stim_rows, "default_revision"] = newest[stim_rows]
    frame.to_parquet(tables)
    again = data_lock.main(sample.root, lock_file)
    assert not again.created
    assert again.drift
    assert all(REVISIONS[1] in line for line in again.drift)
    assert np.array_equal(again.stim_on, first.stim_on)


def test_offline_tag_cache_sees_only_the_release(sample: Sample) -> None:
    result = offline_tag_cache.main(sample.root)
    release = [s for s in sample.sessions if any("brainwide" in p for p in s.projects)]
    assert result.n_sessions == len(release)
    assert result.trials_per_session == {ref(s): s.n_trials for s in sorted(release, key=ref)}
    assert (result.tables_dir / "sessions.pqt").is_file()
    assert result.n_datasets > 0


@pytest.mark.parametrize(
    "script",
    sorted(p.name for p in (ROOT / "examples").glob("*.py") if p.name != "__init__.py"),
)
def test_example_runs_as_a_script(script: str, sample: Sample) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), str(sample.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
