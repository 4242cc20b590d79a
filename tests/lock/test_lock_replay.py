"""A lock made on one machine reproduces the same files on another, through the replay server."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from onesdk import Lock
from onesdk._facade._one_alyx import OneAlyx
from onesdk.errors import LockFileError
from tests.lock.conftest import EID, SESSION
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer


def _one(replay: ReplayServer, cache: Path) -> OneAlyx:
    return open_one_alyx(replay, cache)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def test_lock_syncs_the_same_files_on_a_fresh_cache_dir(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    first = _one(replay, tmp_path / "machine_a")
    lock = first.lock(EID)
    first.close()
    assert lock.server == replay.alyx_url
    lock.save(tmp_path / "analysis.lock")

    fresh = tmp_path / "machine_b"
    second = _one(replay, fresh)
    paths = second.sync(Lock.load(tmp_path / "analysis.lock"))
    second.close()

    assert len(paths) == len(lock.datasets) > 10
    for path, pinned in zip(paths, lock.datasets, strict=True):
        assert path == fresh / SESSION / pinned.rel_path
        assert _md5(path) == pinned.md5
        assert path.stat().st_size == pinned.size
    assert [p for p in _files(fresh / SESSION) if p not in paths] == []
    served = _file_requests(replay)
    assert served >= len(paths)

    again = _one(replay, fresh)  # everything is present: nothing is fetched again
    assert again.sync(lock) == paths
    again.close()
    assert _file_requests(replay) == served


def _file_requests(replay: ReplayServer) -> int:
    return sum(1 for s in replay.seen if s.path.startswith(f"/{SESSION}/"))


def _lock_text_with(tmp_path: Path, lock: Lock, rel_path: str) -> Path:
    """``lock``'s file with the first dataset's path replaced and the digest made to match."""
    content = json.loads(lock.dumps())
    del content["digest"]
    content["datasets"][0]["rel_path"] = rel_path
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    content["digest"] = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    path = tmp_path / "hostile.lock"
    path.write_text(json.dumps(content))
    return path


@pytest.mark.parametrize("rel_path", ["../../../../../escaped/_ibl_x.y.npy", "/tmp/_ibl_x.y.npy"])
def test_lock_naming_a_path_outside_its_session_is_refused_before_any_write(
    replay: ReplayServer, config_home: Path, tmp_path: Path, rel_path: str
) -> None:
    first = _one(replay, tmp_path / "machine_a")
    lock = first.lock(EID, "_ibl_trials.table.pqt")
    first.close()
    hostile = _lock_text_with(tmp_path, lock, rel_path)
    with pytest.raises(LockFileError, match=r"datasets\[0\]\.rel_path"):
        Lock.load(hostile)
    assert not (tmp_path / "escaped").exists()


def test_locked_remote_loads_download_the_pinned_file(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    first = _one(replay, tmp_path / "machine_a")
    lock = first.lock(EID, "_ibl_trials.table.pqt")
    first.close()
    (pinned,) = lock.datasets
    fresh = tmp_path / "machine_b"
    second = _one(replay, fresh)
    with second.locked(lock):
        path = second.load_dataset(EID, "_ibl_trials.table.pqt", download_only=True)
    second.close()
    assert path == fresh / SESSION / pinned.rel_path
    assert _md5(path) == pinned.md5
