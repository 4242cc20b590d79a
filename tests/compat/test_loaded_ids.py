"""record_loaded records every loaded dataset, downloaded ones included; ids are uuid.UUID."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from onesdk._facade._one_alyx import OneAlyx
from onesdk.errors import CacheWarning
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"


@pytest.fixture
def one(replay: ReplayServer, config_home: Path, tmp_path: Path) -> Iterator[OneAlyx]:
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()


def test_downloaded_datasets_are_recorded_as_uuids(one: OneAlyx) -> None:
    one.record_loaded = True
    path = one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    frame = one.list_datasets(EID, "_ibl_trials.choice.npy", details=True)
    (dataset_id,) = [uuid.UUID(str(i)) for i in frame.index]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "set record_loaded" warning: it is set
        ids, csv = one.save_loaded_ids(clear_list=False)
    assert path.is_file()
    assert ids == [dataset_id]
    assert all(isinstance(i, uuid.UUID) for i in ids)
    assert csv is not None
    assert csv.read_text().splitlines() == ["dataset_uuid", str(dataset_id)]
    sessions, _ = one.save_loaded_ids(sessions_only=True)
    assert sessions == [uuid.UUID(EID)]


def test_nothing_is_recorded_without_the_flag(one: OneAlyx) -> None:
    one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True)
    with pytest.warns(CacheWarning, match="set record_loaded = True"):
        assert one.save_loaded_ids() == ([], None)


def test_the_warning_does_not_ask_for_a_flag_already_set(one: OneAlyx) -> None:
    one.record_loaded = True
    with pytest.warns(CacheWarning, match="No datasets loaded") as caught:
        assert one.save_loaded_ids() == ([], None)
    assert all("record_loaded" not in str(w.message) for w in caught)
