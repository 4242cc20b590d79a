"""Records stay typed models and also read like one-api's dicts (``rec['rel_path']``)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import assert_type

import numpy as np
import pytest

from onesdk import Dataset, Insertion, One, Session
from onesdk._models import SessionDetails

SESSION = "lab1/Subjects/SUB1/2024-01-02/001"


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("records")
    alf = root / SESSION / "alf"
    alf.mkdir(parents=True)
    np.save(alf / "_ibl_trials.choice.npy", np.arange(3.0))
    return One.setup(root, silent=True)


def test_dataset_records_read_like_dicts(one: One) -> None:
    record = one.path2record(one.cache_dir / SESSION / "alf" / "_ibl_trials.choice.npy")
    assert isinstance(record, Dataset)
    rel_path = record["rel_path"]
    assert_type(rel_path, str)
    assert rel_path == "alf/_ibl_trials.choice.npy"
    assert_type(record["id"], uuid.UUID)
    assert record["exists"] is True
    assert record.get("hash") == record.hash
    assert record.get("no such key", "fallback") == "fallback"
    assert "rel_path" in record
    assert "nope" not in record
    assert dict(record)["rel_path"] == rel_path
    assert record.keys()[0] == "id"
    assert "url" not in record  # a cache row has no url column...
    assert record["url"] is None  # ...but every field can be read
    assert "url" not in dict(record)


def test_session_records_read_like_dicts(one: One) -> None:
    (eid,) = one.search()
    details = one.get_details(eid)
    assert_type(details["subject"], str)
    assert details["subject"] == "SUB1"
    assert_type(details["date"], dt.date)
    assert details["date"] == dt.date(2024, 1, 2)
    _, records = one.search(details=True)
    assert [r["lab"] for r in records] == ["lab1"]
    # one-api's local records hold the sessions table's columns (here also the id)
    columns = ["lab", "subject", "date", "number", "task_protocol", "projects"]
    assert records[0].keys() == ["id", *columns]
    assert records[0]["json"] is None  # the wire name of json_data


def test_a_misspelt_key_is_a_key_error_with_a_suggestion(one: One) -> None:
    (eid,) = one.search()
    with pytest.raises(KeyError, match="did you mean 'subject'"):
        one.get_details(eid)["subjet"]


def test_aliases_and_subclass_fields_are_keys() -> None:
    insertion = Insertion(id=uuid.uuid4(), name="probe00", eid=uuid.uuid4())
    assert_type(insertion["session"], uuid.UUID)
    assert insertion["session"] == insertion.eid
    details = SessionDetails(
        id=uuid.uuid4(),
        lab="l",
        subject="s",
        date=dt.date(2024, 1, 1),
        number=1,
        task_protocol="",
        projects=[],
    )
    assert_type(details["subject"], str)
    assert details["notes"] == []


def test_records_stay_frozen_models(one: One, tmp_path: Path) -> None:
    (eid,) = one.search()
    record = one.get_details(eid)
    assert isinstance(record, Session)
    with pytest.raises(TypeError):
        record["subject"] = "other"  # type: ignore[index]


def test_to_eid_takes_the_records_of_a_detailed_search(one: One) -> None:
    eids, records = one.search(details=True)
    assert_type(one.to_eid(records), list[uuid.UUID | None])
    assert one.to_eid(records) == eids
    assert one.to_eid(records[0]) == eids[0]
