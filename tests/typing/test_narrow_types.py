"""Strict analysis code without ``isinstance``: narrow loaders and list arguments type-check.

mypy --strict checks the ``assert_type`` lines; pytest runs them against a small tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, assert_type

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from onesdk import One
from onesdk.alf import ALFPath
from onesdk.alf.io import AlfBunch
from onesdk.errors import ArgumentError


def _tree(root: Path) -> Path:
    alf = root / "lab" / "Subjects" / "SUB" / "2024-01-02" / "001" / "alf"
    alf.mkdir(parents=True)
    np.save(alf / "_ibl_trials.choice.npy", np.array([1.0, -1.0, 1.0]))
    np.save(alf / "_ibl_wheel.position.npy", np.arange(5.0))
    pd.DataFrame({"a": [1, 2]}).to_parquet(alf / "_ibl_clusters.metrics.pqt")
    return root


def test_narrow_loaders_have_one_type_each(tmp_path: Path) -> None:
    one = One.setup(_tree(tmp_path), silent=True)
    (eid,) = one.search()
    choice = one.load_array(eid, "trials.choice")
    assert_type(choice, npt.NDArray[Any])
    assert float(np.nansum(choice)) == 1.0  # array arithmetic needs no cast
    metrics = one.load_table(eid, "clusters.metrics")
    assert_type(metrics, pd.DataFrame)
    assert metrics["a"].tolist() == [1, 2]
    trials = one.load_object(eid, "trials")
    assert_type(trials, AlfBunch)
    assert_type(trials.array("choice"), npt.NDArray[Any])


def test_a_narrow_loader_names_what_it_found_instead(tmp_path: Path) -> None:
    one = One.setup(_tree(tmp_path), silent=True)
    (eid,) = one.search()
    with pytest.raises(ArgumentError, match="DataFrame; use load_table"):
        one.load_array(eid, "clusters.metrics")
    with pytest.raises(ArgumentError, match="ndarray; use load_array"):
        one.load_table(eid, "trials.choice")


def test_load_collection_takes_a_list_of_objects(tmp_path: Path) -> None:
    one = One.setup(_tree(tmp_path), silent=True)
    (eid,) = one.search()
    objects = one.load_collection(eid, "alf", object=["trials", "wheel"])
    assert_type(objects, dict[str, AlfBunch])
    assert sorted(objects) == ["trials", "wheel"]
    paths = one.load_collection(eid, "alf", object=("wheel",), download_only=True)
    assert_type(paths, list[ALFPath])
    assert [p.name for p in paths] == ["_ibl_wheel.position.npy"]
