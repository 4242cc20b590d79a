"""A session record (a ``Session`` model or a dict with its parts) names a session wherever an eid
does, as one-api's ``to_eid`` lets a record through every method taking an eid."""

from __future__ import annotations

from pathlib import Path

import pytest

from onesdk import One, Session
from onesdk.errors import ArgumentError
from tests.trees import one_on_files

SESSION = "lab1/Subjects/SUB1/2024-01-02/001"
FILES = [
    "alf/_ibl_trials.choice.npy",
    "alf/_ibl_trials.intervals.npy",
    "alf/probe00/spikes.times.npy",
]


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    other = "lab1/Subjects/SUB2/2024-01-05/001/alf/_ibl_trials.choice.npy"
    return one_on_files(tmp_path_factory.mktemp("alf"), [*(f"{SESSION}/{r}" for r in FILES), other])


@pytest.fixture(scope="module")
def record(one: One) -> Session:
    (eid,) = one.search(subject="SUB1")
    return one.get_details(eid)


def test_listing_methods_take_a_session_model(one: One, record: Session) -> None:
    eid = record.id
    assert one.list_datasets(record) == one.list_datasets(eid) == sorted(FILES)
    assert one.list_collections(record) == one.list_collections(eid)
    assert one.list_revisions(record) == one.list_revisions(eid)
    assert one.list_datasets([record]) == one.list_datasets([eid])


def test_load_methods_take_a_session_model(one: One, record: Session) -> None:
    eid = record.id
    assert one.load_dataset(record, "_ibl_trials.choice.npy", download_only=True) == (
        one.load_dataset(eid, "_ibl_trials.choice.npy", download_only=True)
    )
    assert sorted(one.load_object(record, "trials")) == ["choice", "intervals"]
    files, _ = one.load_datasets(record, ["_ibl_trials.choice.npy"], download_only=True)
    assert files == [Path(one.eid2path(eid) or "", "alf/_ibl_trials.choice.npy")]
    assert set(one.load_collection(record, "alf")) == {"trials"}


def test_a_dict_with_the_session_parts_names_the_session(one: One, record: Session) -> None:
    parts = {"lab": "lab1", "subject": "SUB1", "date": "2024-01-02", "number": 1}
    rest_style = {"subject": "SUB1", "start_time": "2024-01-02T09:30:00", "number": 1}
    assert one.list_datasets(parts) == one.list_datasets(rest_style) == one.list_datasets(record)


def test_something_that_names_no_session_is_refused(one: One) -> None:
    with pytest.raises(ArgumentError, match="eid"):
        one.list_datasets(3.5)  # type: ignore[call-overload]
