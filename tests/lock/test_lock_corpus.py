"""Locks on a local copy of the recorded corpus: pinning, drift, locked loads, offline sync."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import onesdk
from onesdk import Lock, One
from onesdk._lock._diff import (
    ContentChanged,
    DatasetAdded,
    DatasetRemoved,
    QcChanged,
    RevisionMoved,
)
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
    NotLockedError,
    OfflineError,
    UnsafePathError,
)
from tests.local._corpus import build_cache_dir
from tests.lock.conftest import DEFAULT, EID, NEWER, SESSION, TRIALS, edit_datasets, move_default

OTHER_EID = "0aae33b1-cc2e-40b4-bd34-413f917e4539"  # eB: in the cache, never locked here


def _one(cache: Path) -> One:
    one = onesdk.ONE(cache_dir=cache, mode="local")
    assert isinstance(one, One)
    return one


def _frame(content: object) -> pd.DataFrame:
    assert isinstance(content, pd.DataFrame)
    return content


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def test_lock_reports_a_moved_default_and_locked_loads_read_the_pinned_file(
    corpus_cache: Path, tmp_path: Path
) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, TRIALS)
    assert [d.rel_path for d in lock.datasets] == [DEFAULT]
    lock.save(tmp_path / "analysis.lock")
    pinned_table = _frame(one.load_dataset(EID, TRIALS))

    move_default(corpus_cache, EID, NEWER)
    one = _one(corpus_cache)
    lock = Lock.load(tmp_path / "analysis.lock")

    (change,) = lock.diff(one)
    assert isinstance(change, RevisionMoved)
    assert change.kind == "revision_moved"
    assert (change.locked.rel_path, change.current.rel_path) == (DEFAULT, NEWER)
    unlocked = one.load_dataset(EID, TRIALS, download_only=True)
    assert unlocked == corpus_cache / SESSION / NEWER
    with one.locked(lock):
        assert one.load_dataset(EID, TRIALS, download_only=True) == corpus_cache / SESSION / DEFAULT
        assert _frame(one.load_dataset(EID, "trials.table")).equals(pinned_table)
    assert one.load_dataset(EID, TRIALS, download_only=True) == unlocked
    assert not _frame(one.load_dataset(EID, TRIALS)).equals(pinned_table)


def test_lock_records_what_the_cache_says_of_the_default_revision(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, TRIALS)
    (pin,) = lock.datasets
    row = one.list_datasets(EID, details=True, qc="CRITICAL").loc[str(pin.id)]
    assert row["rel_path"] == pin.rel_path
    assert row["default_revision"]
    assert (row["file_size"], row["hash"]) == (pin.size, pin.md5)
    assert pin.md5 == _md5(corpus_cache / SESSION / pin.rel_path)
    assert lock.sessions[0].path == SESSION
    assert lock.cache_created is not None
    assert lock.onesdk_version == onesdk.__version__


def test_lock_twice_gives_the_same_file(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    assert one.lock(EID).dumps() == one.lock(EID).dumps()


def test_revision_argument_pins_the_last_revision_before_it(corpus_cache: Path) -> None:
    lock = _one(corpus_cache).lock(EID, TRIALS, revision="2024-05-31")
    assert [d.rel_path for d in lock.datasets] == [DEFAULT]
    assert lock.request.revision == "2024-05-31"


def test_whole_session_lock_pins_one_revision_per_dataset(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID)
    paths = [d.rel_path for d in lock.datasets]
    assert DEFAULT in paths
    assert NEWER not in paths
    assert len({d.identity for d in lock.datasets}) == len(paths)
    assert set(paths) <= set(one.list_datasets(EID, qc="CRITICAL"))


def test_nothing_to_lock_is_an_error_naming_the_dataset(corpus_cache: Path) -> None:
    with pytest.raises(ALFObjectNotFound, match=r"no_such\.thing"):
        _one(corpus_cache).lock(EID, [TRIALS, "no_such.thing.npy"])
    with pytest.raises(ArgumentError, match="datasets"):
        _one(corpus_cache).lock(EID, [])


def test_diff_is_empty_when_nothing_changed(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    assert one.lock(EID).diff(one) == []


def test_diff_types_each_change(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, collection="alf")
    pins = {d.rel_path: d for d in lock.datasets}
    removed = pins["alf/_ibl_trials.choice.npy"]
    rehashed = pins["alf/_ibl_wheel.position.npy"]
    requalified = pins[DEFAULT]
    added = "alf/_ibl_trials.newAttribute.npy"

    def release(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop(index=(EID, str(removed.id)))
        frame.loc[(EID, str(rehashed.id)), "hash"] = "0" * 32
        frame.loc[(EID, str(requalified.id)), "qc"] = "CRITICAL"
        new = frame.loc[[(EID, str(rehashed.id))]].rename(
            index={str(rehashed.id): str(uuid.uuid4())}
        )
        new["rel_path"] = added
        new["qc"] = "PASS"
        return pd.concat([frame, new])

    edit_datasets(corpus_cache, release)
    changes = lock.diff(_one(corpus_cache))
    kinds = {
        (type(c), c.current.rel_path if isinstance(c, DatasetAdded) else c.locked.rel_path)
        for c in changes
    }
    assert (DatasetRemoved, removed.rel_path) in kinds
    assert (ContentChanged, rehashed.rel_path) in kinds
    assert (QcChanged, requalified.rel_path) in kinds
    assert (DatasetAdded, added) in kinds
    content = next(c for c in changes if isinstance(c, ContentChanged))
    assert content.md5 == "0" * 32
    assert content.size == rehashed.size
    qc = next(c for c in changes if isinstance(c, QcChanged))
    assert qc.qc == "CRITICAL"
    assert all(str(c).startswith(EID) for c in changes)


def test_locked_lists_only_the_pinned_datasets(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, [TRIALS, "_ibl_trials.choice.npy"])
    with one.locked(lock):
        assert one.list_datasets(EID) == [
            "alf/#2024-01-01#/_ibl_trials.table.pqt",
            "alf/_ibl_trials.choice.npy",
        ]
        assert one.list_revisions(EID, filename=TRIALS) == ["2024-01-01"]
        bunch = one.load_object(EID, "trials", collection="alf")
        assert sorted(bunch) != []
        assert "choice" in bunch
        assert isinstance(bunch["choice"], np.ndarray)
    assert len(one.list_datasets(EID)) > 2


def test_locked_refuses_datasets_and_sessions_the_lock_does_not_pin(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, TRIALS)
    with one.locked(lock):
        with pytest.raises(NotLockedError, match=r"_ibl_trials\.choice\.npy"):
            one.load_dataset(EID, "_ibl_trials.choice.npy")
        with pytest.raises(NotLockedError, match=OTHER_EID):
            one.list_datasets(OTHER_EID)
        unpinned = one.list_datasets(EID, details=True, qc="CRITICAL")
        assert len(unpinned) == 1
        with pytest.raises(ALFObjectNotFound):  # exists nowhere: the usual error
            one.load_dataset(EID, "_ibl_nothing.here.npy")
    assert one.load_dataset(EID, "_ibl_trials.choice.npy", download_only=True).is_file()


def test_lock_and_diff_inside_locked_read_the_real_cache(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, TRIALS)
    with one.locked(lock):
        assert one.lock(EID, "_ibl_trials.choice.npy").datasets[0].rel_path.endswith("choice.npy")
        assert lock.diff(one) == []
        with pytest.raises(NotLockedError):
            one.load_dataset(EID, "_ibl_trials.choice.npy")


def test_locked_loads_a_pinned_dataset_removed_from_the_tables(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, TRIALS)
    (pin,) = lock.datasets
    edit_datasets(corpus_cache, lambda f: f.drop(index=(EID, str(pin.id))))
    one = _one(corpus_cache)
    assert [type(c) for c in lock.diff(one)] == [DatasetRemoved, RevisionMoved]
    with one.locked(lock):
        assert one.load_dataset(EID, TRIALS, download_only=True) == corpus_cache / SESSION / DEFAULT


def test_sync_works_offline_when_the_files_are_present(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    assert one.http_data_server is None
    lock = one.lock(EID)
    paths = one.sync(lock)
    assert paths == [corpus_cache / SESSION / d.rel_path for d in lock.datasets]
    assert [_md5(p) for p in paths] == [d.md5 for d in lock.datasets]


def test_sync_without_a_file_server_names_the_missing_files(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, TRIALS)
    (corpus_cache / SESSION / DEFAULT).write_bytes(b"changed")
    with pytest.raises(OfflineError, match=r"_ibl_trials\.table\.pqt"):
        one.sync(lock)
    assert (corpus_cache / SESSION / DEFAULT).read_bytes() == b"changed"


def test_locked_takes_only_a_lock(corpus_cache: Path) -> None:
    one = _one(corpus_cache)
    with pytest.raises(ArgumentError, match="lock"), one.locked("analysis.lock"):  # type: ignore[arg-type]
        pass


def test_locked_works_on_a_lazily_opened_cache(corpus_cache: Path) -> None:
    lock = _one(corpus_cache).lock(EID, TRIALS)
    move_default(corpus_cache, EID, NEWER)
    lazy = One(cache_dir=corpus_cache, mode="local", lazy=True)
    assert lazy.lazy
    assert [c.kind for c in lock.diff(lazy)] == ["revision_moved"]
    with lazy.locked(lock):
        assert (
            lazy.load_dataset(EID, TRIALS, download_only=True) == corpus_cache / SESSION / DEFAULT
        )
        with pytest.raises(NotLockedError):
            lazy.load_dataset(EID, "_ibl_trials.choice.npy")


def test_sync_accepts_present_files_linked_from_elsewhere(
    shared_alyx: Path, tmp_path: Path
) -> None:
    linked = build_cache_dir(shared_alyx, "local", tmp_path / "linked")
    one = _one(linked)
    lock = one.lock(EID)
    assert one.sync(lock) == [linked / SESSION / d.rel_path for d in lock.datasets]


def test_sync_refuses_to_write_through_a_link_leaving_the_session(
    corpus_cache: Path, tmp_path: Path
) -> None:
    one = onesdk.ONE(cache_dir=corpus_cache, mode="local", http_data_server="http://127.0.0.1:9")
    lock = one.lock(EID, TRIALS)
    outside = tmp_path / "outside.pqt"
    outside.write_bytes(b"not the pinned table")
    target = corpus_cache / SESSION / DEFAULT
    target.unlink()
    target.symlink_to(outside)
    with pytest.raises(UnsafePathError):
        one.sync(lock)
    assert outside.read_bytes() == b"not the pinned table"


def test_diff_of_a_session_gone_from_the_cache_lists_every_dataset_removed(
    corpus_cache: Path,
) -> None:
    one = _one(corpus_cache)
    lock = one.lock(EID, collection="alf")
    edit_datasets(corpus_cache, lambda f: f.drop(index=EID, level="eid"))
    changes = lock.diff(_one(corpus_cache))
    assert [c.kind for c in changes] == ["dataset_removed"] * len(lock.datasets)
