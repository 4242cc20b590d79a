"""``one._cache['_loaded_datasets']``: the instance's record of loaded dataset ids, as in one-api.

one-api keeps the ids of the datasets it loaded (with ``record_loaded``) in its in-memory cache
dict; lab code reads the key, pops it to start afresh, and compares what ``save_loaded_ids``
returns with it. In onesdk the key shows the one list the instance records into.
"""

from __future__ import annotations

import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from onesdk import One
from onesdk.errors import CacheError, CacheWarning
from tests.trees import one_on_files

FILES = (
    "lab/Subjects/SUB1/2024-01-02/001/alf/spikes.times.npy",
    "lab/Subjects/SUB1/2024-01-02/001/alf/spikes.clusters.npy",
    "lab/Subjects/SUB2/2024-01-03/001/alf/trials.choice.npy",
)
KEY = "_loaded_datasets"


@pytest.fixture
def one(tmp_path: Path) -> One:
    return one_on_files(tmp_path, FILES)


def _eid(one: One, subject: str) -> str:
    (eid,) = one.search(subject=subject)
    return str(eid)


def _ids(one: One, eid: str) -> list[uuid.UUID]:
    """The dataset ids of session ``eid``, from the public listing."""
    return sorted(uuid.UUID(str(i)) for i in one.list_datasets(eid, details=True).index)


def test_loaded_datasets_key_appears_with_the_first_recorded_load(one: One) -> None:
    eid = _eid(one, "SUB1")
    assert KEY not in one._cache
    one.load_object(eid, "spikes")  # not recorded: record_loaded is off
    assert KEY not in one._cache
    one.record_loaded = True
    one.load_object(eid, "spikes")
    assert KEY in one._cache
    assert list(one._cache.keys()) == ["sessions", "datasets", "_meta", KEY]
    assert one._cache[KEY] == _ids(one, eid)
    assert one._cache[KEY].size == len(_ids(one, eid)) == 2


def test_loading_the_same_datasets_again_records_each_id_once(one: One) -> None:
    one.record_loaded = True
    sub1, sub2 = _eid(one, "SUB1"), _eid(one, "SUB2")
    one.load_dataset(sub1, "spikes.times.npy")
    recorded = one._cache[KEY]
    one.load_object(sub1, "spikes")
    one.load_dataset(sub2, "trials.choice.npy")
    assert one._cache[KEY] is recorded  # one list, grown in place
    assert recorded == sorted([*_ids(one, sub1), *_ids(one, sub2)])
    assert len(set(recorded)) == len(recorded)


def test_the_view_built_after_recorded_loads_shows_the_record(one: One) -> None:
    one.record_loaded = True
    eid = _eid(one, "SUB2")
    one.load_dataset(eid, "trials.choice.npy")
    assert one._cache_view is None  # recording builds no view
    assert one._cache[KEY] == _ids(one, eid)


def test_a_dataset_not_on_disk_is_not_recorded(one: One) -> None:
    one.record_loaded = True
    eid = _eid(one, "SUB2")
    datasets = one._cache.datasets
    row = datasets.loc[(uuid.UUID(eid), slice(None)), :].copy()
    missing = uuid.UUID("9f0b5b5c-2a3f-4c2e-8d4e-3e0b9a1c2d3e")
    row.index = pd.MultiIndex.from_tuples([(uuid.UUID(eid), missing)], names=["eid", "id"])
    row["rel_path"] = "alf/trials.feedbackType.npy"
    one._cache.datasets = pd.concat([datasets, row]).sort_index()
    files = one.load_datasets(
        eid,
        ["trials.choice.npy", "trials.feedbackType.npy"],
        assert_present=False,
        download_only=True,
    )[0]
    assert [f is None for f in files] == [False, True]
    assert missing not in one._cache[KEY]
    assert one._cache[KEY] == [i for i in _ids(one, eid) if i != missing]


def test_save_loaded_ids_returns_the_list_the_view_holds(one: One) -> None:
    one.record_loaded = True
    one.load_object(_eid(one, "SUB1"), "spikes")
    loaded = one._cache[KEY]
    ids, path = one.save_loaded_ids(clear_list=False)
    assert ids is loaded
    assert path is not None
    assert [uuid.UUID(i) for i in pd.read_csv(path)["dataset_uuid"]] == loaded
    assert one._cache[KEY] is loaded  # not cleared
    ids, _ = one.save_loaded_ids(clear_list=True)
    assert ids is loaded
    assert len(loaded) == 2  # what was returned is kept as it was
    assert KEY in one._cache
    assert one._cache[KEY] is not loaded
    assert one._cache[KEY].size == 0


def test_popping_loaded_datasets_from_the_view_clears_the_record(one: One) -> None:
    one.record_loaded = True
    sub1, sub2 = _eid(one, "SUB1"), _eid(one, "SUB2")
    one.load_object(sub1, "spikes")
    assert one._cache.pop(KEY, None) is not None
    with pytest.warns(CacheWarning, match="No datasets loaded"):
        assert one.save_loaded_ids() == ([], None)
    one.load_dataset(sub2, "trials.choice.npy")
    assert one._cache[KEY] == _ids(one, sub2)  # a new record, without the popped ids
    del one._cache[KEY]
    one.load_dataset(sub2, "trials.choice.npy")
    assert one._cache[KEY] == _ids(one, sub2)


def test_ids_assigned_to_loaded_datasets_are_the_record_save_loaded_ids_writes(one: One) -> None:
    eid = _eid(one, "SUB2")
    (wanted,) = _ids(one, eid)
    one._cache[KEY] = np.array([str(wanted), str(wanted)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ids, path = one.save_loaded_ids(sessions_only=True)
    assert ids == [uuid.UUID(eid)]
    assert path is not None
    assert list(pd.read_csv(path)["session_uuid"]) == [eid]
    assert one._cache[KEY].size == 0  # cleared after saving


def test_a_loaded_datasets_value_that_is_no_ids_is_a_cache_error_naming_it(one: One) -> None:
    one._cache[KEY] = ["not-a-uuid"]
    with pytest.raises(CacheError, match=r"_cache\['_loaded_datasets'\]"):
        one.save_loaded_ids()


def test_reset_cache_forgets_the_loaded_ids(one: One) -> None:
    one.record_loaded = True
    one.load_object(_eid(one, "SUB1"), "spikes")
    one._reset_cache()
    assert list(one._cache.keys()) == ["sessions", "datasets", "_meta"]
    with pytest.warns(CacheWarning, match="No datasets loaded"):
        assert one.save_loaded_ids() == ([], None)


def test_loads_from_several_threads_record_every_id(one: One) -> None:
    one.record_loaded = True
    eids = [_eid(one, "SUB1"), _eid(one, "SUB2")] * 8

    def load(eid: str) -> None:
        one.load_datasets(eid, one.list_datasets(eid), download_only=True)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(load, eids))
    recorded = one._cache[KEY]
    assert recorded == sorted({*_ids(one, eids[0]), *_ids(one, eids[1])})
    assert len(recorded) == len(FILES)
