"""Static types of the local One: checked by mypy (``assert_type``), run by pytest.

The first test pins the type of every public method's result, including the ones selected by
a ``Literal`` flag (``details=True``, ``download_only=True``, ``full=True``). The second is an
analysis script a user would write; mypy --strict must infer no ``Any`` in it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import assert_type

import numpy as np
import pandas as pd
import pytest

import onesdk
from onesdk import ONE, One
from onesdk._convert import ExpRefDict, RawExpRefDict
from onesdk._models import Dataset, Session
from onesdk.alf import ALFPath
from onesdk.alf.io import AlfBunch, FileContent


def _tree(root: Path) -> Path:
    session = root / "lab" / "Subjects" / "SUB" / "2024-01-02" / "001"
    (session / "alf").mkdir(parents=True)
    np.save(session / "alf" / "_ibl_trials.choice.npy", np.array([1.0, -1.0, 1.0]))
    np.save(session / "alf" / "_ibl_trials.feedbackType.npy", np.array([1.0, 1.0, -1.0]))
    np.save(session / "alf" / "_ibl_wheel.position.npy", np.arange(5.0))
    return root


def test_public_method_types(tmp_path: Path) -> None:
    one = One.setup(_tree(tmp_path), silent=True)
    assert_type(one, One)
    one.record_loaded = True
    (eid,) = one.search(subject="SUB")
    assert_type(eid, uuid.UUID)
    assert_type(one.search(details=True), tuple[list[uuid.UUID], list[Session]])
    assert_type(one.search_terms(), tuple[str, ...])
    assert_type(one.offline, bool)
    assert_type(one.list_subjects(), list[str])
    assert_type(one.list_datasets(eid), list[str])
    assert_type(one.list_datasets(eid, details=True), pd.DataFrame)
    assert_type(one.list_collections(eid), list[str])
    assert_type(one.list_collections(eid, details=True), dict[str, pd.DataFrame])
    assert_type(one.list_revisions(eid), list[str])
    assert_type(one.list_revisions(eid, details=True), dict[str, pd.DataFrame])
    assert_type(one.get_details(eid), Session)
    assert_type(one.get_details(eid, full=True), pd.DataFrame)
    assert_type(one.get_details([eid, eid]), list[Session])
    assert_type(one.get_details([eid], full=True), list[pd.DataFrame])
    assert_type(one.load_dataset(eid, "_ibl_trials.choice.npy"), FileContent)
    assert_type(one.load_dataset(eid, "_ibl_trials.choice.npy", download_only=True), ALFPath)
    data, records = one.load_datasets(eid, ["_ibl_trials.choice.npy"])
    assert_type(data, list[FileContent | Path | None])
    assert_type(records, list[Dataset | None])
    assert_type(one.load_object(eid, "trials"), AlfBunch)
    assert_type(one.load_object(eid, "trials", download_only=True), list[ALFPath])
    assert_type(one.load_collection(eid, "alf"), dict[str, AlfBunch])
    assert_type(one.load_collection(eid, "alf", download_only=True), list[ALFPath])
    record = records[0]
    assert record is not None
    assert_type(one.load_dataset_from_id(record.id), FileContent)
    assert_type(one.load_dataset_from_id(record.id, download_only=True), ALFPath)
    assert_type(one.load_dataset_from_id(record.id, details=True), tuple[FileContent, Dataset])
    assert_type(one.to_eid(eid), uuid.UUID | None)
    assert_type(one.eid2path(eid), ALFPath | None)
    assert_type(one.eid2path([eid, eid]), list[ALFPath | None])
    assert_type(one.path2eid(tmp_path), uuid.UUID | None)
    assert_type(one.path2record(tmp_path), Session | Dataset | None)
    assert_type(one.record2path(record), Path | None)
    assert_type(one.eid2ref(eid), ExpRefDict)
    assert_type(one.eid2ref(eid, parse=False), RawExpRefDict)
    assert_type(one.eid2ref(eid, as_dict=False), str)
    assert_type(one.eid2ref([eid], as_dict=False), list[str])
    assert_type(one.eid2ref([eid]), list[ExpRefDict])
    assert_type(one.eid2ref([eid], parse=False), list[RawExpRefDict])
    assert_type(one.ref2eid("2024-01-02_1_SUB"), uuid.UUID)
    assert_type(one.ref2path("2024-01-02_1_SUB"), ALFPath)
    assert_type(one.path2ref("SUB/2024-01-02/001"), ExpRefDict | None)
    assert_type(one.path2ref("SUB/2024-01-02/001", as_dict=False), str | None)
    assert_type(one.is_exp_ref("2024-01-02_1_SUB"), bool)
    assert_type(one.ref2dict("2024-01-02_1_SUB"), ExpRefDict)
    assert_type(one.dict2ref({"subject": "SUB", "date": "2024-01-02", "sequence": "1"}), str)
    # the converters take lists as one-api does
    refs = ["2024-01-02_1_SUB"]
    assert_type(one.to_eid([eid]), list[uuid.UUID | None])
    assert_type(one.path2eid([tmp_path]), list[uuid.UUID | None])
    assert_type(one.ref2dict(refs), list[ExpRefDict])
    assert_type(one.is_exp_ref(refs), list[bool])
    assert_type(one.path2ref([tmp_path], as_dict=False), list[str | None])
    assert_type(one.dict2ref([{}]), list[str | None])
    assert one.is_exp_ref(refs) == [True]
    assert_type(one.load_cache(), dt.datetime | None)
    assert_type(one.refresh_cache(), dt.datetime | None)
    assert_type(one.save_cache(force=True), None)
    ids, saved = one.save_loaded_ids(sessions_only=True)
    assert_type(ids, list[uuid.UUID])
    assert_type(saved, Path | None)
    assert ids == [eid]
    assert_type(ONE(cache_dir=tmp_path, mode="local"), One)
    assert_type(onesdk.One, type[One])


def _analysis(one: One) -> dict[str, float]:
    """A typical script: find sessions, check what exists, load and summarise."""
    summary: dict[str, float] = {}
    for eid in one.search(subject="SUB", date_range=["2024-01-01", None]):
        if "_ibl_trials.choice.npy" not in {p.rsplit("/", 1)[-1] for p in one.list_datasets(eid)}:
            continue
        details = one.get_details(eid)
        trials = one.load_object(eid, "trials", collection="alf")
        choice = trials.array("choice")
        frame = one.list_datasets(eid, details=True)
        sizes = frame["file_size"].astype("float64")
        path = one.eid2path(eid)
        label = one.eid2ref(eid, as_dict=False) if path is not None else str(details.id)
        summary[label] = float(np.nanmean(choice)) + float(sizes.sum()) * 0.0
    return summary


def test_analysis_script_runs(tmp_path: Path) -> None:
    one = One.setup(_tree(tmp_path), silent=True)
    result = _analysis(one)
    assert result == {"2024-01-02_1_SUB": pytest.approx(1.0 / 3.0)}


def _factory_types(cache_dir: Path) -> None:
    """Checked by mypy only (building these would contact a server)."""
    from onesdk._facade._one_alyx import OneAlyx

    assert_type(ONE("http://alyx.test"), OneAlyx)
    assert_type(ONE("http://alyx.test", mode="local"), OneAlyx)
    assert_type(ONE(cache_dir=cache_dir, mode="auto"), One | OneAlyx)
