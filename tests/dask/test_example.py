"""examples/project_statistic_dask.py on a LocalCluster of worker processes: one statistic per
session of the project, equal to what the sample's files hold."""

from __future__ import annotations

from pathlib import Path

import distributed
import numpy as np

from examples import project_statistic_dask
from onesdk._sample import make_sample


def test_the_project_statistic_matches_the_files(
    client: distributed.Client, tmp_path: Path
) -> None:
    sample = make_sample(tmp_path / "sample", seed=3, n_trials=40)
    project = sorted({p for s in sample.sessions for p in s.projects})[0]
    results = project_statistic_dask.main(sample.root, project, client=client)
    expected = []
    for session in sample.sessions:
        if project not in session.projects:
            continue
        path = sample.root / session.rel_path / "alf" / "_ibl_trials.feedbackType.npy"
        feedback = np.load(path)
        expected.append((int(feedback.size), float(np.mean(feedback == 1))))
    assert expected
    got = sorted((r.n_trials, round(r.correct, 12)) for r in results)
    assert got == sorted((n, round(c, 12)) for n, c in expected)
    assert len({r.eid for r in results}) == len(results)
