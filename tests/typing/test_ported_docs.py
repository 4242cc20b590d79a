"""The reference's documented workflows, ported: mypy --strict passes them with no cast.

Each line is what the quickstart, list, load and experiment-id guides write, with only the
import changed (and ``load_array``/``trials.array`` where an analysis needs an ndarray).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import assert_type

import numpy as np
import pandas as pd
import pytest

from onesdk import ONE, Dataset, One, Session
from onesdk._sample import Sample, make_sample
from onesdk.alf import ALFPath


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_sample(tmp_path_factory.mktemp("ported"), n_trials=20)


def test_ported_documentation_workflow_type_checks(sample: Sample) -> None:
    one = ONE(cache_dir=sample.root, mode="local")
    assert_type(one, One)
    eids = one.search(subject="KS051", date_range=["2024-01-01", "2024-12-31"])
    eid = eids[0]
    collections = one.list_collections(eid)
    datasets = one.list_datasets(eid, collection="alf/probe00")
    assert "alf/probe00" in collections
    assert all(d.startswith("alf/probe00/") for d in datasets)

    details = one.get_details(eid)
    subject: str = details["subject"]  # one-api's dict access, typed
    date: dt.date = details["date"]
    assert subject == "KS051"
    assert date.year == 2024

    trials = one.load_object(eid, "trials")
    choice = trials.array("choice")
    assert_type(float(np.mean(choice == 1)), float)
    wheel = one.load_array(eid, "_ibl_wheel.position.npy")
    assert wheel.ndim == 1
    metrics = one.load_table(eid, "clusters.metrics", collection="alf/probe00")
    assert_type(metrics, pd.DataFrame)

    data, info = one.load_datasets(
        eid, ["_ibl_trials.choice.npy", "clusters.depths.npy"], collections=["alf", "alf/probe00"]
    )
    first = info[0]
    assert first is not None
    rel_path: str = first["rel_path"]
    assert rel_path == "alf/_ibl_trials.choice.npy"
    assert isinstance(data[0], np.ndarray)

    ref = one.eid2ref(eid)
    assert one.ref2eid(ref) == eid
    path = one.eid2path(eid)
    assert path is not None
    record = one.path2record(path / "alf" / "_ibl_trials.choice.npy")
    assert isinstance(record, Dataset)
    assert_type(record["id"], uuid.UUID)
    _, sessions = one.search(subject="KS051", details=True)
    assert_type(sessions, list[Session])
    assert {s["lab"] for s in sessions} == {details["lab"]}
    files = one.load_object(eid, "trials", download_only=True)
    assert_type(files, list[ALFPath])
