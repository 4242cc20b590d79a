"""Static types of every remote OneAlyx method: checked by mypy --strict, and run by pytest.

Each call runs against the replay server, so the asserted types are also the run-time types.
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
from onesdk._remote._rest import JsonObject
from onesdk.alf import ALFPath
from onesdk.alf.io import FileContent
from onesdk.webclient import AlyxClient
from tests.replay.fixtures import one_on_replay, replay
from tests.replay.server import ReplayServer

__all__ = ["one_on_replay", "replay"]

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
EPHYS = "40ed367e-8564-41dc-a324-17c42f62323b"
PID = "87721646-72da-494b-a664-29044f1a03a2"


def test_search_types(one: onesdk.OneAlyx) -> None:
    eids = one.search(subject="KS051")
    assert_type(eids, list[uuid.UUID])
    found, records = one.search(True, subject="ZM_3003")
    assert_type(found, list[uuid.UUID])
    assert_type(records, list[onesdk.Session])
    assert all(isinstance(r, onesdk.Session) for r in records)
    assert_type(one.search_terms(query_type="remote"), tuple[str, ...])


def test_insertion_types(one: onesdk.OneAlyx) -> None:
    pids = one.search_insertions(subject="KS051")
    assert_type(pids, list[uuid.UUID])
    pids, insertions = one.search_insertions(True, subject="KS051")
    assert_type(insertions, list[onesdk.Insertion])
    assert all(isinstance(i, onesdk.Insertion) for i in insertions)
    pair = one.pid2eid(PID)
    assert_type(pair, tuple[uuid.UUID, str] | tuple[None, None])
    assert pair == (uuid.UUID(EPHYS), "probe00")
    probes = one.eid2pid(EPHYS)
    assert probes[0] is not None


def test_listing_and_details_types(one: onesdk.OneAlyx) -> None:
    names = one.list_datasets(EID, collection="alf")
    assert_type(names, list[str])
    frame = one.list_datasets(EID, details=True)
    assert_type(frame, pd.DataFrame)
    session = one.get_details(EID)
    assert_type(session, onesdk.Session)
    assert isinstance(session, onesdk.Session)
    full = one.get_details(EID, full=True)
    assert_type(full, JsonObject | pd.DataFrame)
    assert_type(one.alyx, AlyxClient)
    assert_type(one.describe_revision("1999-01-01"), JsonObject | None)
    assert_type(one.eid2path(EID), ALFPath | None)
    assert_type(one.path2eid("mainenlab/Subjects/ZM_3003/2024-09-17/001"), uuid.UUID | None)


def test_dataset_type_types(one: onesdk.OneAlyx) -> None:
    described = one.describe_dataset("spikes.times")
    assert_type(described, JsonObject)
    assert described["name"] == "spikes.times"


def test_load_types(one: onesdk.OneAlyx) -> None:
    data = one.load_dataset(EID, "_ibl_trials.choice.npy")
    assert_type(data, FileContent)
    assert isinstance(data, np.ndarray)
    path = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    assert_type(path, ALFPath)
    assert path.is_file()


def test_aggregate_and_cache_types(one: onesdk.OneAlyx) -> None:
    frame = one.list_aggregates("subjects", "KS051")
    assert_type(frame, pd.DataFrame)
    table = one.load_aggregate("subjects", "KS051", "_ibl_subjectTrials.table")
    assert_type(table, FileContent)
    assert isinstance(table, pd.DataFrame)
    loaded = one.load_cache(clobber=True)
    assert_type(loaded, dt.datetime | None)
    assert loaded is not None


def test_dataset_type_lookups(one: onesdk.OneAlyx) -> None:
    kind = one.dataset2type(uuid.UUID("8ae14960-eed3-46d6-b6cd-e67f08470f2e"))
    assert_type(kind, str)
    assert kind == "trials.choice"
    paths = one.type2datasets(EID, "trials.table")
    assert_type(paths, list[str])
    frame = one.type2datasets(EID, "trials.table", details=True)
    assert_type(frame, pd.DataFrame)
    assert sorted(frame["rel_path"]) == paths


def test_insertion_lookups_and_logout(one: onesdk.OneAlyx) -> None:
    probes = one.eid2pid(EPHYS)
    assert_type(
        probes,
        tuple[list[uuid.UUID], list[str]]
        | tuple[list[uuid.UUID], list[str], list[onesdk.Insertion]]
        | tuple[None, None]
        | tuple[None, None, None],
    )
    assert probes[1] == ["probe00", "probe01"]
    assert_type(one.logout(), None)


def test_setup_type(replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    one = onesdk.OneAlyx.setup(replay.alyx_url, username="root", cache_dir=tmp_path / "c")
    assert_type(one, onesdk.OneAlyx)
    one.close()
