"""``One._cache``: one-api's in-memory pandas tables as a live view of the facade's tables.

Lab code reads and rewrites ``one._cache.datasets``/``sessions``; what it changed is what the
next public call sees. The view is built only when asked for.
"""

from __future__ import annotations

import datetime as dt
import pickle
import uuid
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from onesdk import One
from onesdk.errors import CacheError
from tests.trees import one_on_files

FILES = (
    "lab/Subjects/SUB1/2024-01-02/001/alf/spikes.times.npy",
    "lab/Subjects/SUB1/2024-01-02/001/alf/spikes.clusters.npy",
    "lab/Subjects/SUB2/2024-01-03/001/alf/trials.choice.npy",
)


@pytest.fixture
def one(tmp_path: Path) -> One:
    return one_on_files(tmp_path, FILES)


def _eid(one: One, subject: str) -> uuid.UUID:
    """The eid of the subject's session, as the view's index holds it (a UUID, as one-api)."""
    (eid,) = one.search(subject=subject)
    return uuid.UUID(str(eid))


def test_cache_view_has_one_api_frames_indexes_and_dtypes(one: One) -> None:
    cache = one._cache
    assert list(cache.keys()) == ["sessions", "datasets", "_meta"]
    assert cache.sessions is cache["sessions"]
    assert list(cache.sessions.index.names) == ["id"]
    assert list(cache.datasets.index.names) == ["eid", "id"]
    assert list(cache.sessions.columns) == [
        "lab",
        "subject",
        "date",
        "number",
        "task_protocol",
        "projects",
    ]
    assert {"rel_path", "exists", "qc", "file_size", "hash"} <= set(cache.datasets.columns)
    assert cache.sessions["number"].dtype == np.int64
    assert isinstance(cache.datasets["qc"].dtype, pd.CategoricalDtype)
    assert sorted(cache.sessions["subject"]) == ["SUB1", "SUB2"]
    assert all(isinstance(label, uuid.UUID) for label in cache.sessions.index)
    assert all(isinstance(label, uuid.UUID) for label in cache.datasets.index.levels[0])
    assert all(isinstance(label, uuid.UUID) for label in cache.datasets.index.levels[1])
    assert len(cache.datasets) == len(FILES)
    meta = cache["_meta"]
    assert {"created_time", "loaded_time", "modified_time", "saved_time", "raw"} <= set(meta)
    assert isinstance(meta["loaded_time"], dt.datetime)
    assert set(meta["raw"]) == {"sessions", "datasets"}


def test_public_calls_never_build_the_cache_view(one: One) -> None:
    eid = _eid(one, "SUB1")
    assert one.list_datasets(eid) == ["alf/spikes.clusters.npy", "alf/spikes.times.npy"]
    one.load_dataset(eid, "spikes.times.npy")
    one.save_cache(clobber=True)
    assert one._cache_view is None
    one._cache  # noqa: B018 (asking for it builds it)
    assert one._cache_view is not None


def test_mutating_the_datasets_frame_in_place_is_seen_by_list_datasets(one: One) -> None:
    eid = _eid(one, "SUB1")
    datasets = one._cache.datasets
    datasets.loc[eid, "qc"] = "FAIL"
    details = one.list_datasets(eid, details=True)
    assert set(details["qc"]) == {"FAIL"}
    other = one.list_datasets(_eid(one, "SUB2"), details=True)
    assert set(other["qc"]) == {"NOT_SET"}


def test_mutating_the_sessions_frame_in_place_is_seen_by_search(one: One) -> None:
    eid = _eid(one, "SUB1")
    one._cache.sessions.loc[eid, "subject"] = "RENAMED"
    assert [str(e) for e in one.search(subject="RENAMED")] == [str(eid)]
    assert one.search(subject="SUB1") == []


def test_assigning_a_sessions_frame_is_seen_by_search(one: One) -> None:
    sessions = one._cache.sessions
    one._cache.sessions = sessions[sessions["subject"] == "SUB2"].copy()
    assert [str(e) for e in one.search()] == [str(_eid(one, "SUB2"))]
    one._cache["sessions"] = sessions
    assert len(one.search()) == 2


def test_an_empty_frame_patched_in_empties_the_table_until_it_is_restored(one: One) -> None:
    with mock.patch.object(one._cache, "sessions", new=pd.DataFrame([])):
        assert one.search() == []
    assert len(one.search()) == 2


def test_a_dataset_added_to_the_frame_can_be_loaded(one: One, tmp_path: Path) -> None:
    eid = _eid(one, "SUB2")
    path = tmp_path / "lab/Subjects/SUB2/2024-01-03/001/alf/trials.feedbackType.npy"
    np.save(path, np.ones(4))
    with pytest.raises(Exception, match="feedbackType"):
        one.load_dataset(eid, "trials.feedbackType.npy")
    datasets = one._cache.datasets
    row = datasets.loc[(eid, slice(None)), :].iloc[:1].copy()
    row.index = pd.MultiIndex.from_tuples(
        [(eid, uuid.UUID("9f0b5b5c-2a3f-4c2e-8d4e-3e0b9a1c2d3e"))], names=["eid", "id"]
    )
    row["rel_path"] = "alf/trials.feedbackType.npy"
    one._cache.datasets = pd.concat([datasets, row]).sort_index()
    loaded = one.load_dataset(eid, "trials.feedbackType.npy")
    assert isinstance(loaded, np.ndarray)
    assert np.array_equal(loaded, np.ones(4))
    assert "alf/trials.feedbackType.npy" in one.list_datasets(eid)


def test_deleting_a_frame_keeps_the_tables_and_load_cache_brings_it_back(one: One) -> None:
    del one._cache["datasets"]
    assert "datasets" not in one._cache
    with pytest.raises(AttributeError):
        one._cache.datasets  # noqa: B018
    assert len(one.list_datasets()) == len(FILES)
    one.load_cache()
    assert len(one._cache.datasets) == len(FILES)


def test_other_keys_are_kept_and_deleted_as_in_a_dict(one: One) -> None:
    one._cache["insertions"] = pd.DataFrame({"name": ["probe00"]})
    assert list(one._cache.insertions["name"]) == ["probe00"]
    del one._cache.insertions
    assert "insertions" not in one._cache


def test_load_cache_replaces_the_changed_frames_with_the_tables_on_disk(one: One) -> None:
    one._cache.sessions.loc[_eid(one, "SUB1"), "subject"] = "RENAMED"
    assert one.search(subject="RENAMED")
    one.load_cache()
    assert sorted(one._cache.sessions["subject"]) == ["SUB1", "SUB2"]
    assert one.search(subject="RENAMED") == []


def test_meta_times_are_the_instances_change_and_save_times(one: One, tmp_path: Path) -> None:
    meta = one._cache["_meta"]
    out = tmp_path / "saved"
    one.save_cache(out)
    assert not out.exists()  # nothing changed: nothing written
    assert meta["saved_time"] is None
    meta["modified_time"] = dt.datetime.now()
    one.save_cache(out)
    assert (out / "datasets.pqt").is_file()
    assert isinstance(meta.get("saved_time"), dt.datetime)
    meta["saved_time"] = dt.datetime.max
    assert one._cache["_meta"].get("saved_time") == dt.datetime.max


def test_a_changed_frame_is_what_save_cache_writes(one: One, tmp_path: Path) -> None:
    eid = _eid(one, "SUB1")
    one._cache.datasets.loc[eid, "exists"] = False
    one.save_cache(tmp_path / "out", clobber=True)
    saved = One(tmp_path / "out", silent=True)
    frame = saved._cache.datasets
    assert not frame.loc[eid, "exists"].any()
    assert frame.drop(index=eid, level="eid")["exists"].all()


def test_a_frame_that_is_no_cache_table_is_a_cache_error_naming_it(one: One) -> None:
    one._cache.datasets = pd.DataFrame({"x": [1]})
    with pytest.raises(CacheError, match=r"_cache\.datasets"):
        one.search()


def test_pickling_an_instance_with_a_view_reopens_without_it(one: One) -> None:
    one._cache.sessions.loc[_eid(one, "SUB1"), "subject"] = "RENAMED"
    copy = pickle.loads(pickle.dumps(one))
    assert copy._cache_view is None
    assert sorted(str(s) for s in copy.list_subjects()) == ["SUB1", "SUB2"]


def test_reset_cache_empties_the_tables_in_memory_and_leaves_the_files(one: One) -> None:
    assert one.search()
    saved = sorted(p.name for p in one._tables_dir.iterdir())
    one._reset_cache()
    assert one.search() == []
    assert one.list_datasets() == []
    assert one._cache.sessions.empty
    assert one._cache.datasets.empty
    assert sorted(p.name for p in one._tables_dir.iterdir()) == saved
    one.load_cache()
    assert len(one.search()) == 2


def test_after_reset_cache_the_view_shows_one_api_empty_frames(one: One) -> None:
    assert "default_revision" in one._cache.datasets.columns  # the loaded tables have it
    one._reset_cache()
    cache = one._cache
    assert list(cache.keys()) == ["sessions", "datasets", "_meta"]
    # one-api's empty frames (one.alf.cache.EMPTY_*_FRAME): its columns, order and dtypes
    sessions = cache.sessions.reset_index().dtypes.to_dict()
    assert list(sessions) == ["id", "lab", "subject", "date", "number", "task_protocol", "projects"]
    assert sessions["number"] == np.uint16
    assert all(str(sessions[c]) == "object" for c in sessions if c != "number")
    datasets = cache.datasets.reset_index().dtypes.to_dict()
    assert list(datasets) == ["eid", "id", "rel_path", "file_size", "hash", "exists", "qc"]
    assert [str(datasets[c]) for c in ("rel_path", "file_size", "hash", "exists")] == [
        "object",
        "UInt64",
        "object",
        "bool",
    ]
    assert isinstance(datasets["qc"], pd.CategoricalDtype)


def test_rows_added_to_the_empty_frames_after_reset_cache_are_searched_and_loaded(
    one: One, tmp_path: Path
) -> None:
    sessions, datasets = one._cache.sessions.copy(), one._cache.datasets.copy()
    one._reset_cache()
    empty_sessions, empty_datasets = one._cache.sessions, one._cache.datasets
    sub2 = sessions[sessions["subject"] == "SUB2"].astype(empty_sessions.dtypes)
    rows = datasets.loc[list(sub2.index)][list(empty_datasets.columns)]
    one._cache.sessions = pd.concat([empty_sessions, sub2])
    one._cache.datasets = pd.concat([empty_datasets, rows.astype(empty_datasets.dtypes)])
    eid = _eid(one, "SUB2")
    assert one.list_datasets(eid) == ["alf/trials.choice.npy"]
    assert np.array_equal(one.load_array(eid, "trials.choice.npy"), np.arange(3.0) + 2)
    one.save_cache(tmp_path / "out", clobber=True)
    saved = One(tmp_path / "out", silent=True)
    assert [str(e) for e in saved.search()] == [str(eid)]


def test_save_cache_after_reset_cache_writes_empty_tables(one: One, tmp_path: Path) -> None:
    one._reset_cache()
    one.save_cache(tmp_path / "out")  # nothing changed since: nothing to write
    assert not (tmp_path / "out").exists()
    one.save_cache(tmp_path / "out", clobber=True)
    emptied = One(tmp_path / "out", silent=True)
    assert emptied.search() == []
    assert list(emptied._cache.datasets.columns) == list(one._cache.datasets.columns)
