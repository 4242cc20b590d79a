"""``onesdk.converters``: one-api's helpers over the dicts of ``one.alyx.rest`` (dataset and
file records, session details) give cache-table frames and paths of the kind of root asked for."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import assert_type

import pandas as pd
import pytest

from onesdk import alyx_types as t
from onesdk.alf import ALFPath, PurePosixALFPath, PureWindowsALFPath
from onesdk.converters import (
    datasets2records,
    one_path_from_dataset,
    path_from_dataset,
    path_from_filerecord,
    ses2records,
)
from onesdk.errors import ArgumentError
from tests.trees import one_on_files

DID = "00059298-1b33-429c-a802-fa51bb662d72"
EID = "7cffad38-0f22-4546-92b5-fd6d2e8b2be9"
REL = "SWC_014/2019-12-11/001/alf/probe00/#2024-01-01#/channels.localCoordinates.npy"
ONE_PATH = f"hoferlab/Subjects/{REL}"
SERVER = "http://files.test/hoferlab/Subjects/"


def _file_record(
    repository: str, path: str, url: str | None, exists: bool = True
) -> t.DatasetFileRecord:
    return {
        "id": str(uuid.uuid4()),
        "data_repository": repository,
        "data_repository_path": path,
        "relative_path": REL,
        "data_url": url,
        "exists": exists,
    }


def _dataset(
    did: str = DID,
    session: str | None = f"http://alyx.test/sessions/{EID}",
    served: bool = True,
    **fields: object,
) -> t.Dataset:
    url = f"{SERVER}{REL[:-4]}.{did}.npy" if served else None
    record: t.Dataset = {
        "url": f"http://alyx.test/datasets/{did}",
        "name": "channels.localCoordinates.npy",
        "dataset_type": "channels.localCoordinates",
        "collection": "alf/probe00",
        "session": session,
        "file_size": 6064,
        "hash": "bc74f49f33ec0f7545ebc03f0490bdf6",
        "file_records": [
            _file_record("hoferlab_SR", "/mnt/s0/Data/Subjects/", None),
            _file_record("flatiron_hoferlab", "/hoferlab/Subjects/", url, exists=served),
        ],
        "revision": "2024-01-01",
        "default_dataset": True,
        "qc": "PASS",
    }
    record.update(fields)  # type: ignore[typeddict-item]
    return record


# --- paths -------------------------------------------------------------------------------------


def test_the_one_path_of_a_dataset_is_below_the_cache_folder_of_the_kind_given() -> None:
    posix = one_path_from_dataset(_dataset(), PurePosixPath("/one_root"))
    assert_type(posix, PurePosixALFPath)
    assert type(posix) is PurePosixALFPath
    assert str(posix) == f"/one_root/{ONE_PATH}"

    windows = one_path_from_dataset(_dataset(), PureWindowsPath("C:/Users/User"))
    assert_type(windows, PureWindowsALFPath)
    assert type(windows) is PureWindowsALFPath
    assert str(windows) == "C:\\Users\\User\\" + ONE_PATH.replace("/", "\\")

    local = one_path_from_dataset(_dataset(), "/one_root")
    assert_type(local, ALFPath)
    assert isinstance(local, ALFPath)
    assert local == Path("/one_root", ONE_PATH)


def test_a_list_of_datasets_gives_a_list_of_paths_below_the_same_root() -> None:
    other = "11111111-2222-4333-8444-555555555555"
    paths = one_path_from_dataset([_dataset(), _dataset(other)], PureWindowsPath("D:/data"))
    assert_type(paths, list[PureWindowsALFPath])
    assert [p.as_posix() for p in paths] == [f"D:/data/{ONE_PATH}"] * 2
    assert all(type(p) is PureWindowsALFPath for p in paths)
    assert one_path_from_dataset((), "/x") == []


def test_the_dataset_path_is_on_the_file_server_by_default_with_the_uuid_when_asked() -> None:
    plain = path_from_dataset(_dataset())
    assert_type(plain, PurePosixALFPath)
    assert plain == PurePosixALFPath("/", ONE_PATH)
    named = path_from_dataset(_dataset(), uuid=True)
    assert named.name == f"channels.localCoordinates.{DID}.npy"
    assert named.parent == plain.parent
    relative = path_from_dataset(_dataset(), root_path=None)
    assert relative.as_posix() == ONE_PATH


def test_a_repository_picks_its_file_record_even_without_a_url() -> None:
    path = path_from_dataset(_dataset(), PurePosixPath("/"), repository="hoferlab_SR")
    assert path.as_posix() == f"/mnt/s0/Data/Subjects/{REL}"


def test_an_unknown_repository_is_an_error_naming_the_repositories() -> None:
    with pytest.raises(ArgumentError, match="flatiron_hoferlab") as caught:
        path_from_dataset(_dataset(), repository="nowhere")
    assert caught.value.argument == "repository"


def test_a_file_record_gives_its_path_with_a_uuid_inserted() -> None:
    fr = _file_record("flatiron_hoferlab", "/hoferlab/Subjects/", SERVER)
    assert path_from_filerecord(fr).as_posix() == f"/{ONE_PATH}"
    windows = path_from_filerecord(fr, PureWindowsPath("C:\\"), uuid=uuid.UUID(DID))
    assert_type(windows, PureWindowsALFPath)
    assert windows.as_posix() == f"C:/{ONE_PATH[:-4]}.{DID}.npy"
    both = path_from_filerecord([fr, fr], "/root", uuid=DID)
    assert_type(both, list[ALFPath])
    assert [p.name for p in both] == [f"channels.localCoordinates.{DID}.npy"] * 2
    assert all(p.parts[:2] == ("/", "root") for p in both)


def test_a_repository_path_at_the_server_root_adds_no_folder() -> None:
    fr = _file_record("flatiron_aggregates", "/", SERVER)
    assert path_from_filerecord(fr, None).as_posix() == REL


@pytest.mark.parametrize(
    ("dset", "match"),
    [
        ("not a record", "dataset record"),
        ({"url": f"http://alyx.test/datasets/{DID}"}, "file_records"),
        ({"file_records": "nope"}, "file_records"),
    ],
)
def test_what_is_no_dataset_record_is_an_argument_error(dset: object, match: str) -> None:
    with pytest.raises(ArgumentError, match=match) as caught:
        one_path_from_dataset(dset, "/one")  # type: ignore[call-overload]
    assert caught.value.argument == "dset"


def test_a_dataset_with_no_file_on_a_server_has_no_one_path() -> None:
    with pytest.raises(ArgumentError, match="data_url"):
        one_path_from_dataset(_dataset(served=False), "/one")


def test_a_dataset_url_without_a_uuid_cannot_name_the_file_with_it() -> None:
    dset = _dataset(url="http://alyx.test/datasets/latest")
    assert path_from_dataset(dset).name == "channels.localCoordinates.npy"
    with pytest.raises(ArgumentError, match="url"):
        path_from_dataset(dset, uuid=True)


def test_a_file_record_without_its_paths_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError, match="relative_path") as caught:
        path_from_filerecord({"data_repository_path": "/"})
    assert caught.value.argument == "fr"
    with pytest.raises(ArgumentError, match="uuid"):
        path_from_filerecord(_file_record("r", "/", None), uuid="not-a-uuid")


# --- datasets frames ---------------------------------------------------------------------------


def test_dataset_records_become_a_datasets_frame_indexed_by_uuid_labels() -> None:
    other = "11111111-2222-4333-8444-555555555555"
    frame = datasets2records(
        [_dataset(other, qc="FAIL", default_dataset=False), _dataset()],
        additional=["collection", "revision"],
    )
    assert list(frame.index.names) == ["eid", "id"]
    assert list(frame.index) == [
        (uuid.UUID(EID), uuid.UUID(DID)),
        (uuid.UUID(EID), uuid.UUID(other)),
    ]
    standard = ["file_size", "hash", "exists", "rel_path", "default_revision", "qc"]
    assert list(frame.columns) == [*standard, "collection", "revision"]
    # the session path and the dataset UUID are cut out of the file URL
    assert frame["rel_path"].tolist() == [REL.split("/", 3)[3]] * 2
    assert frame["default_revision"].tolist() == [True, False]
    assert frame["qc"].tolist() == ["PASS", "FAIL"]
    assert frame["qc"].cat.ordered
    assert frame["file_size"].dtype == "UInt64"
    assert frame["collection"].tolist() == ["alf/probe00"] * 2


def test_a_single_record_is_a_frame_of_one_row() -> None:
    frame = datasets2records(_dataset())
    assert frame.index.tolist() == [(uuid.UUID(EID), uuid.UUID(DID))]


def test_datasets_without_an_existing_file_on_a_server_get_no_row() -> None:
    frame = datasets2records([_dataset(served=False)], additional=["name"])
    assert frame.empty
    assert list(frame.columns)[-3:] == ["default_revision", "qc", "name"]
    assert list(frame.index.names) == ["eid", "id"]


def test_a_dataset_without_a_session_has_a_missing_eid_and_its_path_from_the_root() -> None:
    frame = datasets2records(_dataset(session=None))
    eid, did = frame.index[0]
    assert pd.isna(eid)
    assert did == uuid.UUID(DID)
    assert frame["rel_path"].iloc[0] == f"hoferlab/Subjects/{REL}"


def test_a_missing_additional_field_is_a_missing_value_and_standard_names_stay() -> None:
    frame = datasets2records(_dataset(), additional=["nope", "qc", "hash"])
    assert list(frame.columns)[-2:] == ["qc", "nope"]
    assert pd.isna(frame["nope"].iloc[0])


def test_the_frame_has_the_columns_of_ones_datasets_table(tmp_path: Path) -> None:
    one = one_on_files(tmp_path, ["lab/Subjects/S/2020-01-01/001/alf/obj.attr.npy"])
    table = one._cache["datasets"]
    frame = datasets2records(_dataset())
    assert list(frame.index.names) == list(table.index.names)
    assert set(frame.columns) == set(table.columns)
    for name in ("file_size", "default_revision", "exists", "qc"):
        assert frame[name].dtype == table[name].dtype, name


@pytest.mark.parametrize(
    ("datasets", "additional", "argument"),
    [
        ("datasets", None, "datasets"),
        ([{"url": f"http://alyx.test/datasets/{DID}"}], None, "datasets"),
        ([_dataset(url="no uuid here")], None, "datasets"),
        ([_dataset()], "collection", "additional"),
    ],
)
def test_what_is_no_dataset_record_is_an_argument_error_for_the_frame(
    datasets: object, additional: object, argument: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        datasets2records(datasets, additional)  # type: ignore[arg-type]
    assert caught.value.argument == argument


# --- session details ---------------------------------------------------------------------------


def _session_dataset(did: str, default: str, url: str | None = None) -> t.SessionDataset:
    return {
        "id": did,
        "name": "_ibl_trials.table.pqt",
        "dataset_type": "trials.table",
        "data_url": url
        or f"{SERVER}SWC_014/2019-12-11/001/alf/#2024-01-01#/_ibl_trials.table.{did}.pqt",
        "url": f"http://alyx.test/datasets/{did}",
        "file_size": 10,
        "hash": "d41d8cd98f00b204e9800998ecf8427e",
        "revision": "0f6b1f4c-8a39-4b8c-9e6b-7a5ff6d43d3f",
        "default_revision": default,  # type: ignore[typeddict-item]
        "qc": "WARNING",
    }


def _detail(**fields: object) -> dict[str, object]:
    detail: dict[str, object] = {
        "id": EID,
        "url": f"http://alyx.test/sessions/{EID}",
        "subject": "SWC_014",
        "lab": "hoferlab",
        "projects": ["ibl_neuropixel_brainwide_01", "hofer_visual_cortex"],
        "task_protocol": "_iblrig_tasks_ephysChoiceWorld6.4.2",
        "number": 1,
        "start_time": "2019-12-11T10:20:30.123456",
        "data_dataset_session_related": [
            _session_dataset(DID, "True"),
            _session_dataset("11111111-2222-4333-8444-555555555555", "False"),
        ],
    }
    detail.update(fields)
    return detail


def test_a_session_detail_gives_its_session_row_and_its_datasets_frame() -> None:
    session, datasets = ses2records(_detail())
    assert_type(session, pd.Series)
    assert session.name == uuid.UUID(EID)
    assert session.to_dict() == {
        "lab": "hoferlab",
        "subject": "SWC_014",
        "date": dt.date(2019, 12, 11),
        "number": 1,
        "task_protocol": "_iblrig_tasks_ephysChoiceWorld6.4.2",
        "projects": "ibl_neuropixel_brainwide_01,hofer_visual_cortex",
    }
    assert datasets.index.get_level_values("eid").unique().tolist() == [uuid.UUID(EID)]
    # Alyx serves default_revision as text here
    assert datasets["default_revision"].tolist() == [True, False]
    assert datasets["rel_path"].tolist() == ["alf/#2024-01-01#/_ibl_trials.table.pqt"] * 2
    assert datasets["qc"].tolist() == ["WARNING"] * 2
    assert list(datasets.columns) == list(datasets2records([]).columns)


def test_a_session_without_number_or_datasets_has_number_zero_and_an_empty_frame() -> None:
    session, datasets = ses2records(_detail(number=None, data_dataset_session_related=[], id=None))
    assert session["number"] == 0
    assert session.name == uuid.UUID(EID)  # read from the url
    assert datasets.empty
    assert "default_revision" in datasets.columns


@pytest.mark.parametrize(
    "ses",
    [
        ["not", "a", "mapping"],
        _detail(start_time=None),
        _detail(subject=None),
        _detail(id=None, url=None),
    ],
)
def test_what_is_no_session_detail_is_an_argument_error(ses: object) -> None:
    with pytest.raises(ArgumentError, match="session detail") as caught:
        ses2records(ses)  # type: ignore[arg-type]
    assert caught.value.argument == "ses"


def test_typed_rest_records_are_accepted(tmp_path: Path) -> None:
    """The TypedDicts of ``one.alyx.rest`` are the records these take (checked by mypy)."""
    records: list[t.Dataset] = [_dataset()]
    assert_type(datasets2records(records), pd.DataFrame)
    assert_type(path_from_dataset(records, tmp_path), list[ALFPath])
    file_records: list[t.DatasetFileRecord] = records[0]["file_records"]
    assert_type(path_from_filerecord(file_records[0], tmp_path), ALFPath)
    assert path_from_dataset(records, tmp_path)[0] == tmp_path / ONE_PATH
