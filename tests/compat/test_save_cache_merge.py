"""``save_cache(save_dir)`` without ``clobber`` keeps the rows of the tables already saved in
``save_dir`` that the instance does not hold (its own rows win), as one-api; ``clobber=True``
replaces them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from onesdk import One


def _tree(root: Path, subject: str) -> One:
    path = root / f"lab/Subjects/{subject}/2024-01-02/001/alf/spikes.times.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.arange(3.0))
    return One.setup(root, silent=True)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[One, Path]:
    one = _tree(tmp_path / "a", "SUB1")
    _tree(tmp_path / "b", "SUB2")
    one._cache["_meta"]["modified_time"] = dt.datetime.now()  # changed: save_cache writes
    return one, tmp_path / "b"


def test_saving_into_a_folder_with_tables_keeps_the_rows_only_they_hold(
    pair: tuple[One, Path],
) -> None:
    one, other = pair
    one.save_cache(other)
    merged = One(other, silent=True)
    assert merged.list_subjects() == ["SUB1", "SUB2"]
    assert len(merged.list_datasets()) == 1  # the same rel_path in both sessions
    assert len(merged.tables.datasets) == 2
    assert one.list_subjects() == ["SUB1"]  # the instance's own tables are unchanged


def test_the_instances_rows_win_over_the_saved_ones(pair: tuple[One, Path]) -> None:
    one, other = pair
    one.save_cache(other, clobber=True)
    eid = one.search(subject="SUB1")[0]
    one._cache.datasets.loc[(eid,), "exists"] = False
    one._cache["_meta"]["modified_time"] = dt.datetime.now()
    one.save_cache(other)
    saved = One(other, silent=True)._cache.datasets
    assert not saved.loc[(eid,), "exists"].any()


def test_clobber_replaces_the_saved_tables(pair: tuple[One, Path]) -> None:
    one, other = pair
    one.save_cache(other, clobber=True)
    assert One(other, silent=True).list_subjects() == ["SUB1"]


def test_the_saved_creation_date_is_the_older_of_the_two(pair: tuple[One, Path]) -> None:
    one, other = pair
    raw = one._cache["_meta"]["raw"]
    raw["sessions"]["date_created"] = "2020-01-01 00:00"
    raw["datasets"]["date_created"] = "2999-01-01 00:00"
    one.save_cache(other)
    saved = One(other, silent=True)._cache["_meta"]["raw"]
    assert saved["sessions"]["date_created"] == "2020-01-01 00:00"
    assert saved["datasets"]["date_created"] != "2999-01-01 00:00"


def test_a_row_saved_twice_is_merged_once(pair: tuple[One, Path]) -> None:
    one, other = pair
    saved = One(other, silent=True)
    frame = saved._cache.datasets
    saved._cache.datasets = pd.concat([frame, frame])  # the same (eid, id) twice
    saved.save_cache(clobber=True)
    assert len(One(other, silent=True).tables.datasets) == 2
    one.save_cache(other)
    assert len(One(other, silent=True).tables.datasets) == 2  # one row of each session
