"""Static types of data locks: checked by mypy (``assert_type``), run by pytest."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import assert_type

import numpy as np

from onesdk import Lock, One
from onesdk._lock._core import LockRequest, PinnedDataset, PinnedSession
from onesdk._lock._diff import LockChange, RevisionMoved


def _session(root: Path) -> Path:
    alf = root / "lab" / "Subjects" / "SUB" / "2024-01-02" / "001" / "alf"
    alf.mkdir(parents=True)
    np.save(alf / "_ibl_trials.choice.npy", np.array([1.0, -1.0]))
    return root


def test_lock_method_types(tmp_path: Path) -> None:
    one = One.setup(_session(tmp_path / "cache"), silent=True, hash_files=True)
    (eid,) = one.search()
    lock = one.lock(eid, "_ibl_trials.choice.npy")
    assert_type(lock, Lock)
    assert_type(one.lock([eid, str(eid)], ["trials.choice"], collection="alf"), Lock)
    assert_type(lock.eids, list[uuid.UUID])
    assert_type(lock.sessions, tuple[PinnedSession, ...])
    assert_type(lock.datasets, tuple[PinnedDataset, ...])
    assert_type(lock.request, LockRequest)
    assert_type(lock.save(tmp_path / "a.lock"), Path)
    assert_type(Lock.load(tmp_path / "a.lock"), Lock)
    assert_type(Lock.loads(lock.dumps()), Lock)
    changes = lock.diff(one)
    assert_type(changes, list[LockChange])
    assert changes == []
    with one.locked(lock) as pinned:
        assert_type(pinned, Lock)
    paths = one.sync(lock)
    assert_type(paths, list[Path])
    assert paths[0].is_file()


def describe(change: LockChange) -> str:
    """Changes narrow on their ``kind``."""
    if change.kind == "revision_moved":
        assert_type(change, RevisionMoved)
        return change.current.rel_path
    return str(change)
