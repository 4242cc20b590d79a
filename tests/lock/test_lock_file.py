"""The lock file: round trips, strict validation, and refusal of any edit but whitespace."""

from __future__ import annotations

import hashlib
import json
import pickle
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import onesdk
from onesdk import Lock
from onesdk._lock._core import LockRequest, PinnedDataset, PinnedSession
from onesdk.errors import ArgumentError, LockFileError, OneSdkError
from tests.strategies import locks

EID = uuid.UUID("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
DID = uuid.UUID("b3a0c1b5-3baa-425c-9315-4dd0626e17c2")
SESSION = "mainenlab/Subjects/ZM_3003/2024-09-17/001"
MD5 = "f4f7ec09f21712bb067183e9780fc0dd"


def _lock() -> Lock:
    return Lock(
        sessions=(PinnedSession(EID, SESSION),),
        datasets=(
            PinnedDataset(EID, DID, "alf/#2024-01-01#/_ibl_trials.table.pqt", 7828, MD5, "PASS"),
        ),
        request=LockRequest(("_ibl_trials.table.pqt",)),
        server="http://alyx.test",
        onesdk_version="0.1.0",
    )


def _signed(content: dict[str, object]) -> str:
    """A lock file text for ``content`` with a correct digest (as the format documents it)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    digest = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    return json.dumps({**content, "digest": digest}, indent=1)


def _content(lock: Lock) -> dict[str, object]:
    raw: dict[str, object] = json.loads(lock.dumps())
    del raw["digest"]
    return raw


def test_lock_is_exported_from_onesdk() -> None:
    assert onesdk.Lock is Lock


@given(locks())
def test_save_load_round_trip_of_arbitrary_locks(lock: Lock) -> None:
    assert Lock.loads(lock.dumps()) == lock
    assert Lock.loads(lock.dumps()).dumps() == lock.dumps()


def test_save_writes_atomically_and_load_reads_it_back(tmp_path: Path) -> None:
    path = tmp_path / "analysis.lock"
    assert _lock().save(path) == path
    assert Lock.load(path) == _lock()
    assert [p.name for p in tmp_path.iterdir()] == ["analysis.lock"]


def test_file_is_one_dataset_per_line() -> None:
    lines = _lock().dumps().splitlines()
    dataset_lines = [line for line in lines if str(DID) in line]
    assert len(dataset_lines) == 1
    assert "alf/#2024-01-01#/_ibl_trials.table.pqt" in dataset_lines[0]


@given(locks(max_sessions=2, max_datasets=2), st.data())
def test_any_single_byte_change_loads_equal_or_is_refused(lock: Lock, data: st.DataObject) -> None:
    text = lock.dumps().encode("ascii")
    i = data.draw(st.integers(0, len(text) - 1), label="position")
    how = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="how")
    byte = data.draw(st.integers(0, 255), label="byte")
    if how == "replace":
        byte = byte if byte != text[i] else (byte + 1) % 256
        changed = text[:i] + bytes([byte]) + text[i + 1 :]
    elif how == "delete":
        changed = text[:i] + text[i + 1 :]
    else:
        changed = text[:i] + bytes([byte]) + text[i:]
    try:
        loaded = Lock.loads(changed)
    except LockFileError:
        return
    assert loaded == lock


def test_whitespace_changes_load_an_equal_lock() -> None:
    text = _lock().dumps()
    assert Lock.loads(text.replace("\n", "\r\n").replace(": ", ":\t")) == _lock()


def test_edited_value_is_refused_by_the_digest() -> None:
    text = _lock().dumps().replace("7828", "7829")
    with pytest.raises(LockFileError, match="digest"):
        Lock.loads(text)


@pytest.mark.parametrize(
    ("field", "value", "entry"),
    [
        ("rel_path", "../../../etc/_ibl_trials.table.pqt", "datasets[0].rel_path"),
        ("rel_path", "/etc/_ibl_trials.table.pqt", "datasets[0].rel_path"),
        ("rel_path", "alf/./_ibl_trials.table.pqt", "datasets[0].rel_path"),
        ("rel_path", "alf\\_ibl_trials.table.pqt", "datasets[0].rel_path"),
        ("rel_path", "alf/not an alf name", "datasets[0].rel_path"),
        ("id", "B3A0C1B5-3BAA-425C-9315-4DD0626E17C2", "datasets[0].id"),
        ("id", "b3a0c1b53baa425c93154dd0626e17c2", "datasets[0].id"),
        ("eid", "not-a-uuid", "datasets[0].eid"),
        ("md5", MD5.upper(), "datasets[0].md5"),
        ("md5", MD5[:-1], "datasets[0].md5"),
        ("size", -1, "datasets[0].size"),
        ("size", 7828.0, "datasets[0].size"),
        ("size", True, "datasets[0].size"),
        ("qc", "GOOD", "datasets[0].qc"),
    ],
)
def test_bad_dataset_entries_are_refused_naming_the_entry(
    field: str, value: object, entry: str
) -> None:
    content = _content(_lock())
    datasets = content["datasets"]
    assert isinstance(datasets, list)
    datasets[0][field] = value
    with pytest.raises(LockFileError) as caught:
        Lock.loads(_signed(content), source="analysis.lock")
    assert caught.value.entry == entry
    assert str(caught.value).startswith(f"analysis.lock at {entry}:")


@pytest.mark.parametrize(
    "path",
    [
        "../mainenlab/Subjects/ZM_3003/2024-09-17/001",
        "/mainenlab/Subjects/ZM_3003/2024-09-17/001",
        "x/mainenlab/Subjects/ZM_3003/2024-09-17/001",
        "mainenlab/Subjects/ZM_3003/2024-09-17/1",
        "mainenlab/Subjects/../2024-09-17/001",
        "mainenlab/Subjects/ZM_3003/2024-02-30/001",
    ],
)
def test_session_paths_outside_the_cache_are_refused(path: str) -> None:
    content = _content(_lock())
    sessions = content["sessions"]
    assert isinstance(sessions, list)
    sessions[0]["path"] = path
    with pytest.raises(LockFileError) as caught:
        Lock.loads(_signed(content))
    assert caught.value.entry == "sessions[0].path"


@pytest.mark.parametrize(
    ("change", "entry"),
    [
        ({"version": 2}, "version"),
        ({"version": "1"}, "version"),
        ({"format": "uv-lock"}, "format"),
        ({"extra": 1}, "lock"),
        ({"request": {"datasets": None}}, "request"),
        ({"server": ""}, "server"),
    ],
)
def test_foreign_or_other_version_files_are_refused(change: dict[str, object], entry: str) -> None:
    content = {**_content(_lock()), **change}
    with pytest.raises(LockFileError) as caught:
        Lock.loads(_signed(content))
    assert caught.value.entry == entry


def test_dataset_of_a_session_not_listed_is_refused() -> None:
    content = _content(_lock())
    datasets = content["datasets"]
    assert isinstance(datasets, list)
    datasets[0]["eid"] = str(uuid.UUID(int=1))
    with pytest.raises(LockFileError, match=r"datasets\[0\]\.eid"):
        Lock.loads(_signed(content))


@pytest.mark.parametrize(
    "text",
    [b"", b"\xff\xfe", b"[]", b"{}", b'{"format": "onesdk-lock", "format": "onesdk-lock"}'],
)
def test_not_a_lock_is_refused(text: bytes) -> None:
    with pytest.raises(LockFileError):
        Lock.loads(text)


def test_missing_file_is_a_lock_file_error(tmp_path: Path) -> None:
    with pytest.raises(LockFileError, match="cannot be read"):
        Lock.load(tmp_path / "nothing.lock")


def test_bad_values_in_code_raise_argument_errors_naming_the_field() -> None:
    with pytest.raises(ArgumentError, match=r"dataset\.md5"):
        PinnedDataset(EID, DID, "alf/_ibl_trials.table.pqt", 1, "xyz", "PASS")
    with pytest.raises(ArgumentError, match=r"session\.path"):
        PinnedSession(EID, "../up/2024-01-01/001")
    with pytest.raises(ArgumentError, match=r"datasets\[0\].eid"):
        Lock((), _lock().datasets)
    assert issubclass(LockFileError, OneSdkError)
    assert issubclass(LockFileError, ValueError)


def test_sessions_and_datasets_are_kept_sorted() -> None:
    other = uuid.UUID(int=0)
    lock = Lock(
        sessions=(PinnedSession(EID, SESSION), PinnedSession(other, "s/2024-01-01/001")),
        datasets=(
            PinnedDataset(EID, DID, "b/x.y.npy", None, None, "PASS"),
            PinnedDataset(EID, uuid.UUID(int=5), "a/x.y.npy", None, None, "PASS"),
        ),
    )
    assert lock.eids == [other, EID]
    assert [d.rel_path for d in lock.datasets] == ["a/x.y.npy", "b/x.y.npy"]


def test_repr_is_short_whatever_the_size_of_the_lock() -> None:
    assert repr(_lock()) == "Lock(1 session(s), 1 dataset(s), 1 name(s), server='http://alyx.test')"


def test_save_into_a_missing_folder_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="path"):
        _lock().save(tmp_path / "missing" / "analysis.lock")


@given(locks(max_sessions=2, max_datasets=2))
def test_locks_pickle_for_worker_processes(lock: Lock) -> None:
    assert pickle.loads(pickle.dumps(lock)) == lock
